#!/usr/bin/env bash
# tpm-provision.sh [--force-evict] DIR - provision a (lab) TPM for tests: EKs, SRK, AKs, signing
# keys, a test CA with AK certificates; public keys, handle map (DIR/handles.env) and chains go
# into DIR. The TPM: ATTEST_TCTI, else TPM2TOOLS_TCTI, else TCTI (e.g. from
# `eval "$(scripts/swtpm-lab.sh start)"`). On a device: TCTI (a real TPM) it refuses to evict
# handles it would replace unless --force-evict is given.
#
# Handles: EK RSA 0x81010001, EK ECC P-256 0x81010002, SRK 0x81000001, AKs 0x81008001-4,
# unrestricted signing keys 0x81000010-13. Re-runnable: primaries (EK, SRK) that already exist
# are kept (same seed + template = same key, e.g. the certified RSA EK of a manufactured
# template); AKs and keys that already exist are evicted and created afresh.
set -euo pipefail

readonly PROG=${0##*/}
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
force_evict=0
case ${1:-} in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    --force-evict) force_evict=1; shift ;;
esac
[[ $# -eq 1 && $1 != -* ]] || { echo "usage: $PROG [--force-evict] DIR (try: $PROG --help)" >&2; exit 2; }
# The same order as attest-req's --tcti default.
export TPM2TOOLS_TCTI=${ATTEST_TCTI:-${TPM2TOOLS_TCTI:-${TCTI:-}}}
[[ -n $TPM2TOOLS_TCTI ]] || die "no TPM: set ATTEST_TCTI or TPM2TOOLS_TCTI (start a lab: scripts/swtpm-lab.sh start)"
for t in tpm2_createek tpm2_createak tpm2_createprimary tpm2_create tpm2_evictcontrol \
         tpm2_readpublic tpm2_flushcontext tpm2_getcap openssl; do
    command -v "$t" >/dev/null || die "$t not found (apt-get install tpm2-tools tpm2-openssl openssl)"
done
# tpm2-openssl reads its TCTI only from this variable.
export TPM2OPENSSL_TCTI=${TPM2OPENSSL_TCTI:-$TPM2TOOLS_TCTI}

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
t0=$(now_us)
mkdir -p "$1"
D=$(cd "$1" && pwd -P)
W=$D/work                                    # contexts, throw-away CSRs
LOG=$D/provision.log
mkdir -p "$W" "$D/ca"
: >"$LOG"

# No resource manager: every object a tool creates or loads stays in one of the 3 transient
# slots, so flush after each tpm2 tool, also when it failed (a failed
# tpm2_createek still leaves its primary loaded).
flush() { tpm2_flushcontext -t >>"$LOG" 2>&1 || true; }
tpm() {
    local rc=0
    echo "+ $*" >>"$LOG"
    "$@" >"$W/last.out" 2>&1 || rc=$?
    cat "$W/last.out" >>"$LOG"
    flush
    (( rc == 0 )) || die "$1 failed (rc $rc): $(grep -m1 ERROR "$W/last.out" || tail -n1 "$W/last.out")"
}
# tpm2_readpublic on a persistent handle loads nothing (ESYS_TR only), so no flush there;
# the final transient-handle check below enforces that nothing leaked.
pubout() {  # HANDLE PREFIX -> PREFIX.spki.pem (SubjectPublicKeyInfo) + PREFIX.name (TPM Name)
    echo "+ tpm2_readpublic -c $1" >>"$LOG"
    tpm2_readpublic -c "$1" -f pem -o "$2.spki.pem" -n "$2.name" >>"$LOG" 2>&1 \
        || die "tpm2_readpublic $1 failed; log: $LOG"
}

PERSISTENT=$(tpm2_getcap handles-persistent 2>>"$LOG") || die "TPM not reachable at $TPM2TOOLS_TCTI"
has() { grep -qix -- "- $1" <<<"$PERSISTENT"; }
evict_stale() { if has "$1"; then tpm tpm2_evictcontrol -C o -c "$1"; fi; }
# A real TPM's persistent keys may be someone's: look before anything changes.
if [[ $TPM2TOOLS_TCTI == device* ]] && (( ! force_evict )); then
    for h in 0x81008001 0x81008002 0x81008003 0x81008004 0x81000010 0x81000011 0x81000012 0x81000013; do
        ! has "$h" || die "$h is in use on $TPM2TOOLS_TCTI: refusing to evict it from a real TPM (--force-evict replaces it)"
    done
fi

# --- endorsement keys (TCG default templates) and SRK ---------------------------------------
has 0x81010001 || tpm tpm2_createek -G rsa -c 0x81010001 -u "$W/ek-rsa.pub"
has 0x81010002 || tpm tpm2_createek -G ecc -c 0x81010002 -u "$W/ek-ecc.pub"
if ! has 0x81000001; then
    tpm tpm2_createprimary -C o -g sha256 -G ecc256:aes128cfb -c "$W/srk.ctx"
    tpm tpm2_evictcontrol -C o -c "$W/srk.ctx" 0x81000001
fi
pubout 0x81010001 "$D/ek-rsa"
pubout 0x81010002 "$D/ek-ecc"

# --- attestation keys (restricted signing, endorsement hierarchy) ---------------------------
# name handle EK alg hash scheme. tpm2_createak -G accepts ecc384 (verified: NIST p384,
# ecdsa/sha384), so no tpm2_create fallback is needed for the P-384 AK.
AKS=(
    "ecc    0x81008001 0x81010002 ecc    sha256 ecdsa"
    "rsa    0x81008002 0x81010001 rsa    sha256 rsassa"
    "rsapss 0x81008003 0x81010001 rsa    sha256 rsapss"
    "ecc384 0x81008004 0x81010002 ecc384 sha384 ecdsa"
)
for spec in "${AKS[@]}"; do
    read -r name h ek alg hash scheme <<<"$spec"
    evict_stale "$h"
    # The saved context stays loadable after the flush.
    tpm tpm2_createak -C "$ek" -c "$W/ak-$name.ctx" -G "$alg" -g "$hash" -s "$scheme" -u "$W/ak-$name.pub"
    tpm tpm2_evictcontrol -C o -c "$W/ak-$name.ctx" "$h"
    pubout "$h" "$D/ak-$name"
done

# --- unrestricted signing keys under the SRK (null scheme: caller picks the scheme) -----------
# swtpm 0.7.1 (libtpms 0.9) does create RSA-3072 keys (~0.5 s), so none is skipped.
# tpm2_create -c uses TPM2_CreateLoaded: one tool call instead of create + load.
KEYS=("p256 0x81000010 ecc256" "rsa2048 0x81000011 rsa2048" "p384 0x81000012 ecc384" "rsa3072 0x81000013 rsa3072")
A='fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign'
for spec in "${KEYS[@]}"; do
    read -r name h alg <<<"$spec"
    evict_stale "$h"
    tpm tpm2_create -C 0x81000001 -g sha256 -G "$alg" -a "$A" -c "$W/key-$name.ctx"
    tpm tpm2_evictcontrol -C o -c "$W/key-$name.ctx" "$h"
    pubout "$h" "$D/key-$name"
done

# --- test CA (EC P-256 root + intermediate) and AK certificates -----------------------------
# A private openssl config: the system openssl.cnf must not add or clash with extensions.
CNF=$D/ca/openssl.cnf
cat >"$CNF" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[v3_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_ak]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
# 2.23.133.8.3 = tcg-kp-AIKCertificate
extendedKeyUsage = 2.23.133.8.3
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
ossl() { echo "+ openssl $*" >>"$LOG"; openssl "$@" >>"$LOG" 2>&1 || die "openssl $1 failed; log: $LOG"; }
serial() { echo "0x$(openssl rand -hex 8)"; }
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/ca/root.key"
ossl req -config "$CNF" -new -x509 -key "$D/ca/root.key" -subj "/O=attest test/CN=attest test root" \
    -days 3650 -sha256 -set_serial "$(serial)" -extensions v3_root -out "$D/ca/root.pem"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/ca/int.key"
ossl req -config "$CNF" -new -key "$D/ca/int.key" -subj "/O=attest test/CN=attest test AK CA" -out "$W/int.csr"
ossl x509 -req -in "$W/int.csr" -CA "$D/ca/root.pem" -CAkey "$D/ca/root.key" -set_serial "$(serial)" \
    -days 3650 -sha256 -extfile "$CNF" -extensions v3_int -out "$D/ca/int.pem"

# AK certificates: each AK signs its own CSR through tpm2-openssl (a restricted key may sign
# a CSR: the provider hashes in the TPM, see the project's TPM notes), so the CA gets proof of
# possession, and `x509 -req` checks that self-signature. The provider picks the signature
# from the AK's fixed scheme (ecdsa-sha256/384, rsassa, rsassaPss) - works for all four AKs.
# -force_pubkey then puts tpm2_readpublic's SPKI into the cert: for the rsapss AK the provider
# exports an id-RSASSA-PSS SPKI, tpm2_readpublic plain rsaEncryption; with -force_pubkey every
# AK cert's key is byte-identical to DIR/ak-<name>.spki.pem.
# OpenSSL's own module directory, so an OPENSSL_MODULES pointing elsewhere cannot hide tpm2.so.
OSSL_MODDIR=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
PROV=(-provider-path "$OSSL_MODDIR" -provider tpm2 -provider default -propquery '?provider=tpm2')   # order matters
for spec in "${AKS[@]}"; do
    read -r name h _ <<<"$spec"
    ossl req "${PROV[@]}" -config "$CNF" -new -key "handle:$h" \
        -subj "/O=attest test/CN=attest test AK $name" -out "$W/ak-$name.csr"
    flush                                    # the provider flushes its objects; be safe anyway
    ossl x509 -req -in "$W/ak-$name.csr" -force_pubkey "$D/ak-$name.spki.pem" \
        -CA "$D/ca/int.pem" -CAkey "$D/ca/int.key" -set_serial "$(serial)" -days 365 -sha256 \
        -extfile "$CNF" -extensions v3_ak -out "$D/ak-$name.pem"
    cat "$D/ak-$name.pem" "$D/ca/int.pem" >"$D/ak-chain-$name.pem"
done

# --- handle map -----------------------------------------------------------------------------
{
    echo "# generated by $PROG on $(date -u +%FT%TZ) for TCTI $TPM2TOOLS_TCTI"
    echo "EK_RSA=0x81010001"
    echo "EK_ECC=0x81010002"
    # swtpm_setup's certified P-384 EK (only in labs started from a manufactured template)
    has 0x81010016 && echo "EK_ECC384=0x81010016"
    echo "SRK=0x81000001"
    for spec in "${AKS[@]}"; do read -r name h _ <<<"$spec"; echo "AK_${name^^}=$h"; done
    for spec in "${KEYS[@]}"; do read -r name h _ <<<"$spec"; echo "KEY_${name^^}=$h"; done
} >"$D/handles.env"

# Nothing may be left in the transient slots (or sessions) for the tests that follow.
left=$(tpm2_getcap handles-transient; tpm2_getcap handles-loaded-session)
[[ -z $left ]] || die "transient handles/sessions left in the TPM: $(tr '\n' ' ' <<<"$left")"
rm -rf "$W"
ms=$(( ($(now_us) - t0) / 1000 ))
printf '%s: provisioned %s: 2 EKs, SRK, %d AKs + certs, %d keys in %d.%03d s\n' \
    "$PROG" "$D" "${#AKS[@]}" "${#KEYS[@]}" $((ms / 1000)) $((ms % 1000))
