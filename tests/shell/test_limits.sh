#!/usr/bin/env bash
# test_limits.sh - attest-req verify with a hostile trust directory and oversized input.
#   1. a trust dir holding every kind of bad entry (not a certificate, empty, over 1 MiB, a symlink
#      loop, a dangling symlink, a FIFO, a subdirectory, an unreadable file when not root) next to a
#      PEM file with two certificates and a DER certificate: one notice line per bad entry, nothing
#      blocks, and verify answers as for a clean trust dir; both PEM certificates are anchors.
#   2. certificates from --untrusted or the bundle never become anchors (chain.trust), but do serve
#      as intermediates.
#   3. input over the 1 MiB cap (file, stdin DER, endless stdin, PEM stream blocks): exit 2 naming
#      the cap, no verdict.
#   4. work per input: the hostile request of issue 10 (16 statements, 32 RSA-3072 certificates with
#      3070-bit exponents, from bench_gen_hostile) -> 1, limits.rsa-exponent, no signature operation;
#      the same with 17-bit exponents -> 1, limits.signatures; an --untrusted certificate with a
#      33-bit exponent -> 2, one line naming the file and the certificate.
# The structure caps (statements, certificates, PKIX elements, chain depth) are in test_limits.c.
# Needs swtpm, tpm2-tools, tpm2-openssl. ctest sets ATTEST_REQ, ATTEST_SRC.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
CAP=1048576

lab_up
N=$(openssl rand -hex 16)
new() {  # new OUT [options]: an attested CSR (key P-256, ECC AK) with the nonce
    local o=$1; shift
    "$REQ" new --evidence tpm2 --key 0x81000010 --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" --nonce "$N" \
        --subject "/CN=limits/O=attest" --out "$o" "$@"
}
new "$T/int.pem" --ak-chain "$P/ca/int.pem"                                   # bag: AK, intermediate
new "$T/all.pem" --ak-chain "$P/ca/int.pem" --ak-chain "$P/ca/root.pem"       # bag: AK, intermediate, root
new "$T/bare.pem"                                                             # bag: AK only
# an unrelated self-signed CA, trusted where a clean trust dir still needs one certificate
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other.key" \
    -subj "/CN=limits other root" -days 30 -out "$T/other.pem" 2>/dev/null
verify() { "$REQ" verify --in "$1" --trust-dir "$2" --nonce "$N" "${@:3}"; }

# --- 1. the trust directory ---------------------------------------------------------------------
A=$T/trust-a; B=$T/trust-b; C=$T/trust-c; M=$T/trust-mess
mkdir "$A" "$B" "$C" "$M"
cat "$P/ca/root.pem" "$T/other.pem" >"$A/two.pem"      # the anchor first
cat "$T/other.pem" "$P/ca/root.pem" >"$B/two.pem"      # the anchor second
openssl x509 -in "$P/ca/root.pem" -outform DER -out "$C/root.der"
check "PEM with two certificates, anchor first -> 0" rc_is 0 verify "$T/int.pem" "$A"
check "PEM with two certificates, anchor second -> 0" rc_is 0 verify "$T/int.pem" "$B"
check "a DER certificate is an anchor -> 0" rc_is 0 verify "$T/int.pem" "$C"

cp "$B/two.pem" "$M/two.pem"
openssl x509 -in "$T/other.pem" -outform DER -out "$M/other.der"
BAD=(notcert.txt empty.pem huge.pem loop-a loop-b dangling fifo subdir)
echo "not a certificate" >"$M/notcert.txt"
: >"$M/empty.pem"
{ cat "$P/ca/root.pem"; head -c $((CAP + 4096)) /dev/zero | tr '\0' '#'; } >"$M/huge.pem"
ln -s loop-b "$M/loop-a"; ln -s loop-a "$M/loop-b"
ln -s does-not-exist.pem "$M/dangling"
mkfifo "$M/fifo"                                      # opening it would block: it must not be opened
mkdir "$M/subdir"; cp "$P/ca/root.pem" "$M/subdir/"   # not descended into
if (( EUID != 0 )); then                              # root reads a mode-000 file anyway
    cp "$P/ca/root.pem" "$M/unreadable.pem"; chmod 000 "$M/unreadable.pem"; BAD+=(unreadable.pem)
fi
notices() { grep -c "notice: skipping $M/$1:" "$T/err" || true; }
check "messy trust dir -> 0 within 10 s (nothing blocks)" rc_is 0 timeout 10 "$REQ" verify --in "$T/int.pem" \
    --trust-dir "$M" --nonce "$N"
for e in "${BAD[@]}"; do
    check "  $e: exactly one notice: $(grep -m1 "$M/$e:" "$T/err" | sed 's/.*notice: //')" eval '[[ $(notices "$e") == 1 ]]'
done
check "  no notice for the two good files, ${#BAD[@]} notices in all, nothing else on stderr" \
    eval '[[ $(notices two.pem) == 0 && $(notices other.der) == 0 && $(wc -l <"$T/err") == "${#BAD[@]}" ]]'
# The judgement, not the records: status and every check's id and result (iat differs between runs, and
# the anchor record may name an equal root read from another file of the messy directory).
no_iat() { python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["attest-req"]; print(d["ear.status"],
    [(c["id"],c["result"]) for c in r["checks"]],
    sorted((k,s["ear.status"],[(c["id"],c["result"]) for c in s["attest-req"]["checks"]]) for k,s in d["submods"].items()))'; }
AT=$(date +%s)
check "  the same verdict as with a clean trust dir" eval '{ verify "$T/int.pem" "$B" --format json --at-time "$AT" \
    >"$T/clean.json"; verify "$T/int.pem" "$M" --format json --at-time "$AT" >"$T/messy.json"; } 2>/dev/null; \
    [[ -s $T/clean.json && $(no_iat <"$T/clean.json") == "$(no_iat <"$T/messy.json")" ]]'
mkdir "$T/trust-bad"; cp -P "$M/notcert.txt" "$M/empty.pem" "$M/dangling" "$T/trust-bad/"
check "a trust dir with no certificate at all -> 2" eval 'rc_is 2 verify "$T/int.pem" "$T/trust-bad" \
    && grep -q "no certificate found" "$T/err"'

# --- 2. --untrusted and bundle certificates are intermediates, never anchors ---------------------
O=$T/trust-other; mkdir "$O"; cp "$T/other.pem" "$O/"
R=$T/trust-root; mkdir "$R"; cp "$P/ca/root.pem" "$R/"
check "root in the bundle and in --untrusted, not in the trust dir -> 1 chain.trust" eval 'rc_is 1 verify \
    "$T/all.pem" "$O" --untrusted "$P/ca/root.pem" && grep -q ": chain.trust: " "$T/err"'
check "root only in the bundle -> 1 chain.trust" eval 'rc_is 1 verify "$T/all.pem" "$O" \
    && grep -q ": chain.trust: " "$T/err"'
check "root only in --untrusted (bag: AK, intermediate) -> 1 chain.trust" eval 'rc_is 1 verify "$T/int.pem" "$O" \
    --untrusted "$P/ca/root.pem" && grep -q ": chain.trust: " "$T/err"'
check "the whole chain in --untrusted, the AK's own chain file -> 1 chain.trust" eval 'cat "$P/ak-chain-ecc.pem" \
    "$P/ca/root.pem" >"$T/chain.pem" && rc_is 1 verify "$T/bare.pem" "$O" --untrusted "$T/chain.pem" \
    && grep -q ": chain.trust: " "$T/err"'
check "control: the same request with the root in the trust dir -> 0" rc_is 0 verify "$T/all.pem" "$R"
check "--untrusted serves as an intermediate (bag: AK only) -> 0" rc_is 0 verify "$T/bare.pem" "$R" \
    --untrusted "$P/ca/int.pem"
check "  without it -> 1 chain.trust" eval 'rc_is 1 verify "$T/bare.pem" "$R" && grep -q ": chain.trust: " "$T/err"'

# --- 3. input over the cap: exit 2 naming the cap, before any work (no verdict on stdout) --------
capped() { [[ ! -s $T/out && $(wc -l <"$T/err") -eq 1 ]] && grep -q "$CAP-byte input cap" "$T/err"; }
head -c $((CAP + 1)) /dev/zero >"$T/big.der"
printf '\x30\x83\x10\x00\x00' | dd of="$T/big.der" conv=notrunc status=none
check "a $((CAP + 1))-byte file -> 2, one line naming the cap" eval 'rc_is 2 verify "$T/big.der" "$R" && capped'
check "the same on stdin -> 2, one line naming the cap" eval 'rc_is 2 verify - "$R" <"$T/big.der" && capped'
check "a 4 GiB sparse file -> 2 within 10 s" eval 'truncate -s 4G "$T/sparse.der" && rc_is 2 timeout 10 \
    "$REQ" verify --in "$T/sparse.der" --trust-dir "$R" && capped'
rm -f "$T/sparse.der"
check "endless stdin (/dev/zero) -> 2 within 10 s" eval 'rc_is 2 timeout 10 "$REQ" verify --in - --trust-dir "$R" \
    </dev/zero && capped'
{ echo "-----BEGIN CERTIFICATE REQUEST-----"; head -c $((CAP + 1)) /dev/zero | openssl base64
  echo "-----END CERTIFICATE REQUEST-----"; } >"$T/big.pem"
check "the PEM file of a $((CAP + 1))-byte request -> 2, one line naming the cap" \
    eval 'rc_is 2 verify "$T/big.pem" "$R" && capped'
check "a PEM stream block decoding to $((CAP + 1)) bytes on stdin -> 2 naming the cap" \
    eval 'rc_is 2 verify - "$R" <"$T/big.pem" && grep -q "stdin#1: larger than the $CAP-byte input cap" "$T/err"'
# 200 MB of address space bounds the memory (not under ASan: its shadow memory alone is larger).
VLIMIT=200000; [[ -n ${ATTEST_OPENSSL_PRELOAD:-} ]] && VLIMIT=unlimited
check "an endless PEM block on stdin -> 2 naming the cap, within 10 s, in $VLIMIT kB of memory" eval '( ulimit -v $VLIMIT
    { echo "-----BEGIN CERTIFICATE REQUEST-----"; yes AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; } \
    | timeout 10 "$REQ" verify --in - --trust-dir "$R" >"$T/out" 2>"$T/err"; echo $? >"$T/rc" ); \
    [[ $(cat "$T/rc") == 2 ]] && grep -q "input cap" "$T/err" && [[ ! -s $T/out ]]'
check "endless junk before any PEM block on stdin -> 2 within 10 s" eval '( printf -- "-"; yes junk ) \
    | timeout 10 "$REQ" verify --in - --trust-dir "$R" >"$T/out" 2>"$T/err"; [[ ${PIPESTATUS[1]} == 2 ]] \
    && grep -q "input cap" "$T/err"'
check "a stream: good, oversized, good -> worst exit 2; both good ones verified" eval 'cat "$T/int.pem" "$T/big.pem" \
    "$T/int.pem" | "$REQ" verify --in - --trust-dir "$R" --nonce "$N" --format json >"$T/out" 2>"$T/err"; \
    [[ ${PIPESTATUS[1]} == 2 && $(grep -c "\"ear.status\":\"affirming\"" "$T/out") == 2 ]]'

# --- 4. work per input ----------------------------------------------------------------------------
GEN=${ATTEST_GEN_HOSTILE:-$(dirname "$REQ")/tests/bench/bench_gen_hostile}
mkdir "$T/h3070" "$T/h17" "$T/h33"
"$GEN" "$T/h3070" 1 && "$GEN" "$T/h17" 1 17 && "$GEN" "$T/h33" 1 33
check "hostile request (3070-bit exponents) -> 1: limits.rsa-exponent names the 32 certificates, 0 signature operations" \
    eval 'rc_is 1 verify "$T/h3070/hostile-0.pem" "$R" --format json && js "$T/out" "res(\"limits.rsa-exponent\") == \"fail\"
        and \"32 key(s) refused\" in det(\"limits.rsa-exponent\") and det(\"limits.signatures\").startswith(\"0 of\")"'
check "the same with 17-bit exponents -> 1: limits.signatures (the budget is spent), limits.rsa-exponent passes" \
    eval 'rc_is 1 verify "$T/h17/hostile-0.pem" "$R" --format json && js "$T/out" "res(\"limits.signatures\") == \"fail\"
        and res(\"limits.rsa-exponent\") == \"pass\""'
check "--untrusted with a certificate whose exponent has 33 bits -> 2, one line naming the file and the certificate" \
    eval 'rc_is 2 verify "$T/int.pem" "$R" --untrusted "$T/h33/hostile-cert.pem" && [[ $(wc -l <"$T/err") == 1 ]] \
        && grep -q "hostile-cert.pem: certificate 1 /CN=hostile AK 0 has a 33-bit RSA public exponent" "$T/err" \
        && [[ ! -s $T/out ]]'

finish
