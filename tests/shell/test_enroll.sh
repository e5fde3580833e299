#!/usr/bin/env bash
# test_enroll.sh - scripts/enroll.sh as a CI pipeline runs it, on a throw-away swtpm: TPM keys
# (tpm2 evidence by default, pkix on request) issued by a real `openssl ca`; a software key
# refused (1) or stopped on a warning (3) unless --accept-warning; an untrusted AK refused; usage
# errors and an unreachable TPM (2); enrollment over CMP (p10cr, and ir with the TPM key's POPO
# through tpm2-openssl) against OpenSSL's CMP mock server.
# Needs swtpm, tpm2-tools, tpm2-openssl, python3. ctest sets ATTEST_REQ, ATTEST_SRC.
# Check bodies are single-quoted on purpose (they expand inside `check ... eval`).
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
export ATTEST_REQ=$REQ
ENROLL=$ROOT/scripts/enroll.sh

lab_up
mkdir "$T/trust"
cp "$P/ca/root.pem" "$T/trust/"

status_is() { python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["ear.status"] != sys.argv[2])' "$@"; }
cert_fp() { openssl x509 -in "$1" -pubkey -noout | spki_fp; }
N=$(openssl rand -hex 32)
echo "$N" >"$T/nonce.hex"
KEY_FP=$(spki_fp <"$P/key-p256.spki.pem")

# 1. A throw-away issuing CA for `openssl ca` (as in test_openssl_ca.sh).
C=$T/ca
ca_init "$C"
openssl req -config "$C/openssl.cnf" -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$C/ca.key" -subj "/CN=code-signing CA" -days 30 -extensions v3_ca -out "$C/ca.pem" 2>/dev/null
issued() { [[ $(wc -l <"$C/index.txt") -eq $1 ]]; }
CODE=(--addext "keyUsage=critical,digitalSignature" --addext "extendedKeyUsage=codeSigning")
TPM=(--key 0x81000010 --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" --ak-chain "$P/ca/int.pem" --trust-dir "$T/trust")

# 2. A TPM key: tpm2 evidence (detected), affirming, issued by openssl ca.
O=$T/o1
check "TPM key -> 0 issued (openssl ca)" rc_is 0 "$ENROLL" "${TPM[@]}" --subject "/CN=tpm signer" "${CODE[@]}" \
    --nonce "$N" --out-dir "$O" --ca-config "$C/openssl.cnf"
check "out-dir holds request.pem, verdict.json, cert.pem and nothing else" \
    eval '[[ $(cd "$O" && ls -A | sort | tr "\n" " ") == "cert.pem request.pem verdict.json " ]]'
check "verdict.json: affirming" status_is "$O/verdict.json" affirming
check "tpm2 evidence was chosen for a handle" grep -q "tpm2 evidence" "$T/err"
check "the certificate's key is the TPM key, and the CA signed it" eval '[[ $(cert_fp "$O/cert.pem") == "$KEY_FP" ]] \
    && openssl verify -CAfile "$C/ca.pem" "$O/cert.pem" >/dev/null'
check "codeSigning copied from the request" eval 'openssl x509 -in "$O/cert.pem" -noout -ext extendedKeyUsage | grep -q "Code Signing"'
check "the request verifies on its own (attest-req verify -> 0)" rc_is 0 "$ATTEST_REQ" verify --in "$O/request.pem" \
    --trust-dir "$T/trust" --nonce "$N"
check "CA database: one certificate" issued 1

# 3. The same TPM key with pkix evidence signed by an HSM stand-in AK (a PEM key certified with
#    id-kp-attestationKey), --nonce-file; a TPM AK is refused for pkix evidence (it would sign
#    host-written claims), and nothing is issued.
p256_key "$T/ak.key"
openssl req -config "$C/openssl.cnf" -new -key "$T/ak.key" -subj "/CN=software AK" -out "$T/ak.csr"
openssl x509 -req -in "$T/ak.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" -set_serial 0x77 -days 30 \
    -extfile "$C/openssl.cnf" -extensions ak -out "$T/ak.pem" 2>/dev/null
mkdir "$T/swtrust"
cp "$C/ca.pem" "$T/swtrust/"
O=$T/o2
check "--evidence pkix, TPM key, HSM AK, --nonce-file -> 0 issued" rc_is 0 "$ENROLL" --evidence pkix --key 0x81000010 \
    --ak "$T/ak.key" --ak-cert "$T/ak.pem" --trust-dir "$T/swtrust" \
    --subject "/CN=tpm signer pkix" --nonce-file "$T/nonce.hex" --out-dir "$O" --ca-config "$C/openssl.cnf"
check "pkix: verdict affirming, bundle statement is PKIX evidence" eval 'status_is "$O/verdict.json" affirming \
    && grep -q "pkix-evidence" "$O/verdict.json" && [[ $(cert_fp "$O/cert.pem") == "$KEY_FP" ]]'
check "CA database: two certificates" issued 2
check "--evidence pkix with a TPM AK -> refused, nothing issued" eval '! "$ENROLL" --evidence pkix --key 0x81000010 \
    --ak handle:0x81008001 --ak-cert "$P/ak-ecc.pem" --ak-chain "$P/ca/int.pem" --trust-dir "$T/trust" \
    --subject "/CN=tpm ak pkix" --nonce "$N" --out-dir "$T/o2b" --ca-config "$C/openssl.cnf" 2>"$T/err" \
    && grep -q "TPM AK" "$T/err" && [[ ! -e $T/o2b/cert.pem ]] && issued 2'

# 4. A software key (PEM) with a software AK: pkix, key-policy refuses it; with the relaxations a
#    warning, which stops the pipeline (3) unless --accept-warning.
p256_key "$T/sw.key"
SW=(--key "$T/sw.key" --ak "$T/ak.key" --ak-cert "$T/ak.pem" --trust-dir "$T/swtrust" --subject /CN=sw --nonce "$N")
O=$T/o3
check "software key -> 1 refused, no cert" eval 'rc_is 1 "$ENROLL" "${SW[@]}" --out-dir "$O" --ca-config "$C/openssl.cnf" \
    && [[ ! -e $O/cert.pem && -s $O/request.pem ]] && status_is "$O/verdict.json" contraindicated \
    && grep -q "pkix.key-policy" "$O/verdict.json"'
O=$T/o4
RELAX=(--allow exportable-key --allow imported-key)
check "software key, relaxations -> 3 (warning), not issued" eval 'rc_is 3 "$ENROLL" "${SW[@]}" "${RELAX[@]}" \
    --out-dir "$O" --ca-config "$C/openssl.cnf" && [[ ! -e $O/cert.pem ]] && status_is "$O/verdict.json" warning'
check "CA database still two certificates" issued 2
check "software key, relaxations, --accept-warning -> 0 issued" eval 'rc_is 0 "$ENROLL" "${SW[@]}" "${RELAX[@]}" \
    --accept-warning --out-dir "$O" --ca-config "$C/openssl.cnf" && [[ -s $O/cert.pem ]]'
check "CA database: three certificates" issued 3

# 5. The AK's root is not trusted: chain.trust -> 1, nothing issued.
O=$T/o5
check "untrusted AK chain -> 1, no cert" eval 'rc_is 1 "$ENROLL" --key 0x81000010 --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" \
    --ak-chain "$P/ca/int.pem" --trust-dir "$T/swtrust" --subject /CN=x --nonce "$N" --out-dir "$O" \
    --ca-config "$C/openssl.cnf" && [[ ! -e $O/cert.pem ]] && grep -q "chain.trust" "$O/verdict.json"'
check "CA database still three certificates" issued 3

# 6. No CA given: verify only.
O=$T/o6
check "no --ca-config / --cmp-server -> 0, request and verdict, no cert" eval 'rc_is 0 "$ENROLL" "${TPM[@]}" \
    --subject /CN=x --nonce "$N" --out-dir "$O" && [[ -s $O/request.pem && -s $O/verdict.json && ! -e $O/cert.pem ]]'

# 6b. An earlier run's outputs go before a new run starts: a refusal into the same out-dir leaves
#     no cert.pem beside its verdict (files that are not enroll.sh's stay).
O=$T/o8
check "affirmed run -> 0, cert.pem issued" eval 'rc_is 0 "$ENROLL" "${TPM[@]}" --subject "/CN=again" "${CODE[@]}" \
    --nonce "$N" --out-dir "$O" --ca-config "$C/openssl.cnf" && [[ -s $O/cert.pem ]]'
echo keep >"$O/notes.txt"
check "refused run into the same out-dir -> 1, cert.pem gone, verdict contraindicated" eval 'rc_is 1 "$ENROLL" \
    "${SW[@]}" --out-dir "$O" --ca-config "$C/openssl.cnf" && [[ ! -e $O/cert.pem ]] \
    && status_is "$O/verdict.json" contraindicated'
check "the refused run's own request is there, notes.txt untouched" eval '[[ -s $O/request.pem \
    && $(cat "$O/notes.txt") == keep ]]'

# 7. Usage and I/O errors: exit 2 before anything is written.
E=$T/errs
check "missing --subject -> 2" rc_is 2 "$ENROLL" "${TPM[@]}" --nonce "$N" --out-dir "$E"
check "--nonce and --nonce-file -> 2" rc_is 2 "$ENROLL" "${TPM[@]}" --subject /CN=x --nonce "$N" \
    --nonce-file "$T/nonce.hex" --out-dir "$E"
check "--ca-config and --cmp-server -> 2" rc_is 2 "$ENROLL" "${TPM[@]}" --subject /CN=x --nonce "$N" --out-dir "$E" \
    --ca-config "$C/openssl.cnf" --cmp-server 127.0.0.1:1/pkix/
check "unknown option -> 2" rc_is 2 "$ENROLL" "${TPM[@]}" --subject /CN=x --nonce "$N" --out-dir "$E" --bogus
check "usage errors wrote nothing" test ! -e "$E"
check "TPM unreachable -> 2, no request" eval 'rc_is 2 env ATTEST_TCTI=swtpm:host=127.0.0.1,port=1 \
    TPM2OPENSSL_TCTI=swtpm:host=127.0.0.1,port=1 "$ENROLL" "${TPM[@]}" --subject /CN=x --nonce "$N" --out-dir "$E" \
    --ca-config "$C/openssl.cnf" && [[ -z $(ls -A "$E") ]]'
check "openssl ca refuses (subject without CN) -> 2, no cert" eval 'rc_is 2 "$ENROLL" "${TPM[@]}" --subject /O=no-cn \
    --nonce "$N" --out-dir "$T/o7" --ca-config "$C/openssl.cnf" && [[ ! -e $T/o7/cert.pem ]]'
check "--help -> 0, names the exit codes" eval 'rc_is 0 "$ENROLL" --help && grep -q "not issued unless --accept-warning" "$T/out"'

# 8. CMP: OpenSSL's mock server hands back a certificate for the TPM key (PBM secret).
openssl x509 -req -in "$T/ak.csr" -force_pubkey "$P/key-p256.spki.pem" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
    -set_serial 0x78 -subj /CN=x -days 30 -extfile "$C/openssl.cnf" -extensions ee -out "$T/rsp.pem" 2>/dev/null
cmp_mock_start "$T/rsp.pem"
CMPO=(--cmp-server "127.0.0.1:$CMP_PORT/pkix/" --cmp-ref 1234 --cmp-secret pass:test --cmp-recipient /CN=mock)
O=$T/c1
check "CMP p10cr (the verified CSR) -> 0 issued" rc_is 0 "$ENROLL" "${TPM[@]}" --subject /CN=x --nonce "$N" \
    --out-dir "$O" "${CMPO[@]}"
check "CMP p10cr: cmp-request.der verifies -> 0 (crmf.parse, then the CSR)" eval 'rc_is 0 "$ATTEST_REQ" verify \
    --in "$O/cmp-request.der" --trust-dir "$T/trust" --nonce "$N" && grep -q "crmf.parse .*p10cr" "$T/out"'
O=$T/c2
check "CMP ir (TPM key POPO via tpm2-openssl) -> 0 issued" rc_is 0 "$ENROLL" "${TPM[@]}" --subject /CN=x --nonce "$N" \
    --out-dir "$O" "${CMPO[@]}" --cmp-cmd ir
check "CMP ir: cmp-request.der verifies -> 0, crmf.popo pass" eval 'rc_is 0 "$ATTEST_REQ" verify --in "$O/cmp-request.der" \
    --trust-dir "$T/trust" --nonce "$N" && grep -q "pass  crmf.popo" "$T/out"'
check "CMP ir: cmp-reqexts.cnf kept next to the request" test -s "$O/cmp-reqexts.cnf"
check "CMP to a closed port -> 2, no cert" eval 'rc_is 2 "$ENROLL" "${TPM[@]}" --subject /CN=x --nonce "$N" --out-dir "$T/c3" \
    --cmp-server 127.0.0.1:1/pkix/ --cmp-ref 1234 --cmp-secret pass:test --cmp-opt -msg_timeout --cmp-opt 5 \
    && [[ ! -e $T/c3/cert.pem ]]'
# 9. The RA's single-use nonce store: enroll.sh issues the nonce itself; the request passes once.
O=$T/n1
check "--nonce-state DIR -> 0 issued, nonce.state pass" eval 'rc_is 0 "$ENROLL" "${TPM[@]}" --subject /CN=x \
    --nonce-state "$T/nonces" --out-dir "$O" --ca-config "$C/openssl.cnf" \
    && js "$O/verdict.json" "status == \"affirming\" and res(\"nonce.state\") == \"pass\""'
check "... the same request again: a replay (1)" eval 'rc_is 1 "$ATTEST_REQ" verify --in "$O/request.pem" \
    --trust-dir "$T/trust" --nonce-state "$T/nonces" && grep -q "replay" "$T/out"'
check "--nonce-state with a nonce not issued there -> 1 refused, no cert" eval 'rc_is 1 "$ENROLL" "${TPM[@]}" \
    --subject /CN=x --nonce "$N" --nonce-state "$T/nonces" --out-dir "$T/n2" --ca-config "$C/openssl.cnf" \
    && [[ ! -e $T/n2/cert.pem ]]'
check "no temporary files left in any out-dir" eval '[[ -z $(find "$T" -maxdepth 2 -name ".enroll.*") ]]'
check "no transient handles left in the TPM" eval '[[ -z $(tpm2_getcap handles-transient) ]]'

finish
