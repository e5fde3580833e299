#!/usr/bin/env bash
# test_openssl_ca.sh - end to end: a TPM key's attested CSR (attest-req new) is judged by
# attest-req verify and, only if that says affirming, issued by a real `openssl ca`.
# Needs swtpm, tpm2-tools, tpm2-openssl. ctest sets ATTEST_REQ, ATTEST_SRC.
# Check bodies are single-quoted on purpose (they expand inside `check ... eval`).
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

lab_up
mkdir "$T/trust"
cp "$P/ca/root.pem" "$T/trust/"
KEY_FP=$(tpm2_readpublic -c 0x81000010 -f pem -o "$T/key.pem" >/dev/null && spki_fp <"$T/key.pem")
N=$(openssl rand -hex 32)

# 1. a throw-away issuing CA: config, database, serial, self-signed P-256 CA certificate.
C=$T/ca
ca_init "$C"
check "CA key + self-signed CA certificate" eval 'openssl req -config "$C/openssl.cnf" -x509 -new \
    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/ca.key" -subj "/O=attest test/CN=code-signing CA" \
    -days 30 -extensions v3_ca -out "$C/ca.pem" 2>/dev/null'

# 2. the attested CSR: P-256 TPM key, ECC AK, the CA's nonce, code-signing extensions.
F=$T/req.pem
check "attest-req new (P-256 key, ECC AK, nonce)" "$REQ" new --evidence tpm2 --key 0x81000010 \
    --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" --ak-chain "$P/ca/int.pem" --nonce "$N" \
    --subject "/CN=attested signer/O=attest test" --addext "keyUsage=critical,digitalSignature" \
    --addext "extendedKeyUsage=codeSigning" --out "$F"

# 3. the CA pipeline: verify, and issue only if the verdict is affirming (exit 0).
issue() {   # issue CSR NONCE CERT: the pipeline a CA would script; returns its status
    "$REQ" verify --in "$1" --trust-dir "$T/trust" --nonce "$2" >"$T/verdict" 2>&1 \
        && openssl ca -batch -config "$C/openssl.cnf" -in "$1" -out "$3" >"$T/ca.log" 2>&1
}
check "verify -> 0 && openssl ca issues" issue "$F" "$N" "$T/cert.pem"
check "issued certificate exists" test -s "$T/cert.pem"
check "issued key = TPM key (tpm2_readpublic)" \
    eval '[[ $(openssl x509 -in "$T/cert.pem" -pubkey -noout | spki_fp) == "$KEY_FP" ]]'
check "openssl verify -CAfile ca.pem cert.pem: OK" \
    eval '[[ $(openssl verify -CAfile "$C/ca.pem" "$T/cert.pem" 2>&1) == "$T/cert.pem: OK" ]]'
check "extendedKeyUsage codeSigning copied from the request" \
    eval 'openssl x509 -in "$T/cert.pem" -noout -ext extendedKeyUsage | grep -qx " *Code Signing"'
check "keyUsage critical digitalSignature copied from the request" \
    eval 'openssl x509 -in "$T/cert.pem" -noout -ext keyUsage | grep -q "critical" \
          && openssl x509 -in "$T/cert.pem" -noout -ext keyUsage | grep -qx " *Digital Signature"'
check "subject taken from the request" \
    eval 'openssl x509 -in "$T/cert.pem" -noout -subject -nameopt compat | grep -q "CN=attested signer"'

# 4. the same pipeline with the wrong nonce: verify says contraindicated, openssl ca never runs.
rc=0
issue "$F" "$(openssl rand -hex 32)" "$T/cert2.pem" || rc=$?
check "wrong nonce: pipeline fails with verify's exit 1 (got $rc)" test "$rc" -eq 1
check "wrong nonce: verdict names tpm2.nonce" grep -q "tpm2.nonce" "$T/verdict"
check "wrong nonce: no certificate file" test ! -e "$T/cert2.pem"
check "CA database holds exactly one issued certificate" eval '[[ $(wc -l <"$C/index.txt") -eq 1 ]]'
check "no transient handles left in the TPM" eval '[[ -z $(tpm2_getcap handles-transient) ]]'

finish
