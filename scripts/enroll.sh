#!/usr/bin/env bash
# enroll.sh - attested enrollment for CI pipelines: build the attested CSR, verify it exactly as
# the CA will, and only if the verdict is affirming hand it to the CA (openssl ca or openssl cmp).
#
# usage: enroll.sh --key KEY --ak AK --ak-cert FILE [--ak-chain FILE]... --subject DN
#                  (--nonce HEX | --nonce-file FILE | --nonce-state DIR) --trust-dir DIR --out-dir DIR
#                  [options]
#                  [--ca-config FILE [--ca-opt ARG]... | --cmp-server URL [cmp options]]
#   --nonce-state DIR     the RA's single-use nonce store (attest-req nonce / verify --nonce-state):
#                         a nonce is issued from DIR unless --nonce/--nonce-file gives one issued
#                         there; verify then accepts it only once (a replay is refused, exit 1)
#   --evidence tpm2|pkix  default: tpm2 when KEY is a TPM key (handle:0x81..., 0x81..., a TSS2
#                         PRIVATE KEY file), pkix otherwise; --ak/--ak-cert repeat for pkix
#   --addext EXT          request extension, as attest-req new --addext (repeatable)
#   --claims FILE         pkix: the claims file of attest-req new
#   --tcti TCTI           TPM connection (else ATTEST_TCTI / TPM2TOOLS_TCTI / TCTI)
#   --provider NAME       OpenSSL provider for KEY or AK, e.g. pkcs11 (repeatable)
#   --allow NAME          a policy relaxation the CA accepts, as attest-req verify --allow
#   --accept-warning      issue on a warning verdict too (default: stop with exit 3)
#   --ca-config FILE      issue with `openssl ca -batch -notext -config FILE` (+ each --ca-opt ARG)
#   --cmp-server URL      enroll with `openssl cmp -server URL`; with --cmp-cmd p10cr (default:
#                         the verified CSR itself), ir or cr (the same bundle as a CRMF extension,
#                         POPO by KEY); --cmp-ref REF, --cmp-secret PASS (openssl pass source),
#                         --cmp-recipient DN, --cmp-trusted FILE, --cmp-opt ARG (repeatable, verbatim)
# Nothing is fetched from the network but the CMP enrollment: the nonce comes from the caller (or
# from the local --nonce-state directory).
# Writes into --out-dir: request.pem, verdict.json (EAR), cert.pem only when issued; for CMP also
# cmp-request.der (what was sent) and, for ir/cr, cmp-reqexts.cnf. Every file is written atomically.
# These five are removed from --out-dir first, so that a refusal never leaves an earlier run's
# cert.pem beside the new verdict; other files there are left alone.
# attest-req is $ATTEST_REQ, else attest-req on PATH, else the source tree's build/attest-req.
#
# Exit status:
#   0  issued (without --ca-config / --cmp-server: verified affirming, ready to submit)
#   1  refused by verify: contraindicated, or the request carries no attestation
#   2  usage or I/O error, or a step failed (attest-req new - e.g. TPM unreachable - openssl ca/cmp)
#   3  the verdict is a warning: not issued unless --accept-warning
set -euo pipefail

readonly PROG=${0##*/}
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 2; }
say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; }

key="" subject="" nonce="" nonce_file="" nonce_state="" trust_dir="" out_dir="" evidence="" tcti="" claims=""
ca_config="" cmp_server="" cmp_cmd=p10cr cmp_ref="" cmp_secret="" cmp_recipient="" cmp_trusted=""
accept_warning=0
aks=() ak_certs=() ak_chain=() addext=() providers=() allows=() ca_opts=() cmp_opts=()
need() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (try: $PROG --help)"; }
while [[ $# -gt 0 ]]; do
    case $1 in
        --key) need "$@"; key=$2 ;;
        --ak) need "$@"; aks+=("$2") ;;
        --ak-cert) need "$@"; ak_certs+=("$2") ;;
        --ak-chain) need "$@"; ak_chain+=("$2") ;;
        --subject) need "$@"; subject=$2 ;;
        --nonce) need "$@"; nonce=$2 ;;
        --nonce-file) need "$@"; nonce_file=$2 ;;
        --nonce-state) need "$@"; nonce_state=$2 ;;
        --trust-dir) need "$@"; trust_dir=$2 ;;
        --out-dir) need "$@"; out_dir=$2 ;;
        --evidence) need "$@"; evidence=$2 ;;
        --addext) need "$@"; addext+=("$2") ;;
        --claims) need "$@"; claims=$2 ;;
        --tcti) need "$@"; tcti=$2 ;;
        --provider) need "$@"; providers+=("$2") ;;
        --allow) need "$@"; allows+=("$2") ;;
        --accept-warning) accept_warning=1; shift; continue ;;
        --ca-config) need "$@"; ca_config=$2 ;;
        --ca-opt) need "$@"; ca_opts+=("$2") ;;
        --cmp-server) need "$@"; cmp_server=$2 ;;
        --cmp-cmd) need "$@"; cmp_cmd=$2 ;;
        --cmp-ref) need "$@"; cmp_ref=$2 ;;
        --cmp-secret) need "$@"; cmp_secret=$2 ;;
        --cmp-recipient) need "$@"; cmp_recipient=$2 ;;
        --cmp-trusted) need "$@"; cmp_trusted=$2 ;;
        --cmp-opt) need "$@"; cmp_opts+=("$2") ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (try: $PROG --help)" ;;
    esac
    shift 2
done

# --- checks before anything runs: a usage error touches no TPM and writes nothing -------------
for opt in key subject trust_dir out_dir; do
    [[ -n ${!opt} ]] || die "--${opt//_/-} is required"
done
(( ${#aks[@]} > 0 )) || die "--ak is required"
(( ${#ak_certs[@]} > 0 )) || die "--ak-cert is required"
[[ -n $nonce || -n $nonce_file || -n $nonce_state ]] \
    || die "--nonce HEX, --nonce-file FILE or --nonce-state DIR is required (the CA's nonce)"
[[ -z $nonce || -z $nonce_file ]] || die "give --nonce or --nonce-file, not both"
[[ -z $ca_config || -z $cmp_server ]] || die "give --ca-config or --cmp-server, not both"
[[ -d $trust_dir ]] || die "--trust-dir $trust_dir: not a directory"
for f in "${ak_certs[@]}" "${ak_chain[@]}" ${nonce_file:+"$nonce_file"} ${claims:+"$claims"} ${ca_config:+"$ca_config"} \
         ${cmp_trusted:+"$cmp_trusted"}; do
    [[ -r $f ]] || die "$f: cannot read it"
done
case $cmp_cmd in p10cr|ir|cr) ;; *) die "--cmp-cmd must be p10cr, ir or cr, not '$cmp_cmd'" ;; esac
is_tpm_key() {
    [[ $1 =~ ^(handle:)?(0x)?8[01][0-9a-fA-F]{6}$ ]] && return 0
    [[ -f $1 ]] && grep -q -- '-----BEGIN TSS2 PRIVATE KEY-----' "$1"
}
if [[ -z $evidence ]]; then
    if is_tpm_key "$key"; then evidence=tpm2; else evidence=pkix; fi
fi
[[ $evidence == tpm2 || $evidence == pkix ]] || die "--evidence must be tpm2 or pkix, not '$evidence'"

root=$(cd "$(dirname "$0")/.." && pwd -P)
req=${ATTEST_REQ:-}
if [[ -z $req ]]; then
    req=$(command -v attest-req || true)
    [[ -n $req ]] || req=$root/build/attest-req
fi
[[ -x $req ]] || die "attest-req not found (set ATTEST_REQ, or put it on PATH)"
command -v openssl >/dev/null || die "openssl not found"
mkdir -p "$out_dir" 2>/dev/null || die "--out-dir $out_dir: cannot create it"
out=$(cd "$out_dir" && pwd -P)
[[ -w $out ]] || die "--out-dir $out: not writable"
# An earlier run's outputs go first: what sits here afterwards is this run's word alone.
rm -f -- "$out/request.pem" "$out/verdict.json" "$out/cert.pem" "$out/cmp-request.der" "$out/cmp-reqexts.cnf" \
    || die "--out-dir $out: cannot remove the previous run's outputs"
if [[ -n $tcti ]]; then
    export TPM2OPENSSL_TCTI=$tcti          # tpm2-openssl (openssl cmp with a TPM key) reads only this
fi

work=$(mktemp -d "$out/.enroll.XXXXXX") || die "cannot create a temporary directory in $out"
trap 'rm -rf "$work"' EXIT
publish() { mv -f "$work/$1" "$out/$1"; }      # same directory tree: an atomic rename

common=()
for p in "${providers[@]}"; do common+=(--provider "$p"); done
if [[ -n $nonce_state && -z $nonce && -z $nonce_file ]]; then
    nonce=$("$req" nonce --state "$nonce_state") || die "attest-req nonce --state $nonce_state failed"
fi
nonce_opt=(--nonce "$nonce")
[[ -z $nonce_file ]] || nonce_opt=(--nonce-file "$nonce_file")

# --- 1. the attested CSR --------------------------------------------------------------------
new=("$req" new "${common[@]}" --evidence "$evidence" --key "$key" --subject "$subject" "${nonce_opt[@]}")
for a in "${aks[@]}"; do new+=(--ak "$a"); done
for c in "${ak_certs[@]}"; do new+=(--ak-cert "$c"); done
for c in "${ak_chain[@]}"; do new+=(--ak-chain "$c"); done
for x in "${addext[@]}"; do new+=(--addext "$x"); done
[[ -z $claims ]] || new+=(--claims "$claims")
[[ -z $tcti ]] || new+=(--tcti "$tcti")
cmp_crmf=0
if [[ -n $cmp_server && $cmp_cmd != p10cr ]]; then
    cmp_crmf=1
    new+=(--cmp-reqexts "$work/cmp-reqexts.cnf")
fi
rc=0
"${new[@]}" --out "$work/request.pem" || rc=$?
(( rc == 0 )) || { say "attest-req new failed (exit $rc): no request"; exit 2; }
publish request.pem
(( cmp_crmf == 0 )) || publish cmp-reqexts.cnf
say "request: $out/request.pem ($evidence evidence)"

# --- 2. the verdict, exactly as the CA will ask for it --------------------------------------
[[ -z $nonce_state ]] || nonce_opt=(--nonce-state "$nonce_state")
verify=("$req" verify --in "$out/request.pem" --trust-dir "$trust_dir" "${nonce_opt[@]}" --format json)
for a in "${allows[@]}"; do verify+=(--allow "$a"); done
rc=0
"${verify[@]}" >"$work/verdict.json" || rc=$?
[[ -s $work/verdict.json ]] && publish verdict.json
case $rc in
    0) say "verdict: affirming" ;;
    3) if (( accept_warning )); then
           say "verdict: warning, accepted (--accept-warning)"
       else
           say "verdict: warning: not issued (see $out/verdict.json; --accept-warning to issue anyway)"
           exit 3
       fi ;;
    1) say "verdict: contraindicated: refused (see $out/verdict.json)"; exit 1 ;;
    4) say "verdict: none (the request carries no attestation): refused"; exit 1 ;;
    *) say "attest-req verify failed (exit $rc)"; exit 2 ;;
esac

# --- 3. the CA --------------------------------------------------------------------------------
if [[ -n $ca_config ]]; then
    rc=0
    openssl ca -batch -notext -config "$ca_config" "${ca_opts[@]}" -in "$out/request.pem" \
        -out "$work/cert.pem" >"$work/ca.log" 2>&1 || rc=$?
    if (( rc != 0 )) || [[ ! -s $work/cert.pem ]]; then
        say "openssl ca failed (exit $rc): $(grep -m1 -i error "$work/ca.log" || tail -n 1 "$work/ca.log")"
        exit 2
    fi
elif [[ -n $cmp_server ]]; then
    cmp=(openssl cmp -server "$cmp_server" -cmd "$cmp_cmd" -reqout "$work/cmp-request.der" -certout "$work/cert.pem")
    [[ -z $cmp_ref ]] || cmp+=(-ref "$cmp_ref")
    [[ -z $cmp_secret ]] || cmp+=(-secret "$cmp_secret")
    [[ -z $cmp_recipient ]] || cmp+=(-recipient "$cmp_recipient")
    [[ -z $cmp_trusted ]] || cmp+=(-trusted "$cmp_trusted")
    if (( cmp_crmf )); then
        newkey=$key
        if is_tpm_key "$key"; then
            [[ $key == handle:* || -f $key ]] || newkey=handle:$key
            moddir=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
            cmp+=(-provider-path "$moddir" -provider tpm2 -provider default)
        fi
        for p in "${providers[@]}"; do cmp+=(-provider "$p"); done
        cmp+=(-config "$out/cmp-reqexts.cnf" -reqexts attest_reqexts -newkey "$newkey" -subject "$subject")
    else
        cmp+=(-config "" -csr "$out/request.pem")
    fi
    rc=0
    "${cmp[@]}" "${cmp_opts[@]}" >"$work/cmp.log" 2>&1 || rc=$?
    [[ ! -s $work/cmp-request.der ]] || publish cmp-request.der     # what was sent, issued or not
    if (( rc != 0 )) || [[ ! -s $work/cert.pem ]]; then
        say "openssl cmp failed (exit $rc): $(grep -m1 -i error "$work/cmp.log" || tail -n 1 "$work/cmp.log")"
        exit 2
    fi
else
    say "no --ca-config or --cmp-server: verified, ready to submit $out/request.pem"
    exit 0
fi
publish cert.pem
say "issued: $out/cert.pem"
exit 0
