#!/usr/bin/env bash
# attest-req show: formats, type detection, errors and exit codes, atomic output.
# Needs ATTEST_REQ, ATTEST_VECTORS and OPENSSL_MODULES (set by ctest).
# Check bodies are single-quoted on purpose (they expand inside `bash -c`).
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

: "${ATTEST_REQ:?set ATTEST_REQ to the attest-req binary}"
: "${ATTEST_VECTORS:?set ATTEST_VECTORS to tests/vectors}"
: "${OPENSSL_MODULES:?set OPENSSL_MODULES to the directory holding attest.so}"
V=$ATTEST_VECTORS
CSR=$V/csr-attestation/tcgAttestTpmCertify.9245d16.pem

# run ARGS...: runs attest-req, sets rc, stdout in $T/out, stderr in $T/err.
run() { rc=0; "$ATTEST_REQ" "$@" >"$T/out" 2>"$T/err" || rc=$?; }
lines() { wc -l <"$1" | tr -d ' '; }
# expect_rc WANT DESCRIPTION: exit status; stderr empty on success, exactly one line on failure.
expect_rc() {
    local want=$1 d=$2
    if [ "$rc" -ne "$want" ]; then fail "$d: exit $rc, want $want ($(head -c 300 "$T/err"))"; return; fi
    if [ "$want" -eq 0 ] && [ -s "$T/err" ]; then fail "$d: stderr on success: $(head -c 300 "$T/err")"; return; fi
    if [ "$want" -ne 0 ] && [ "$(lines "$T/err")" -ne 1 ]; then
        fail "$d: want one stderr line, got: $(cat "$T/err")"; return
    fi
    ok "$d"
}
# json_is PY_EXPR DESCRIPTION: PY_EXPR over j (the parsed stdout) must be true.
json_is() {
    if python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$T/out" "$1"; then ok "$2"; else fail "$2: $1"; fi
}

# 1. The lamps 9245d16 CSR as JSON: the TPM fields and the legacy UTF8String hint.
run show --format json --in "$CSR"
expect_rc 0 "show --format json CSR"
json_is 'j["type"] == "AttestedCSR"' "CSR type"
B='j["content"]["attestation_bundle"]'
S="$B"'["attestations"][0]'
json_is "$S"'["statement"]["tpms_attest"]["extra_data"] == "00ff55aa"' "extra_data"
json_is "$S"'["statement"]["tpms_attest"]["firmware_version"] == "2015011300154822"' "firmware_version"
json_is "$S"'["statement"]["tpms_attest"]["clock_info"]["reset_count"] == 55' "reset_count"
json_is "$S"'["statement"]["name_matches_attested"] is True' "name matches"
json_is "$B"'["legacy_shape"] is True' "legacy_shape"
json_is "$B"'["legacy_features"] == "hint-utf8string"' "legacy_features"
json_is "$S"'["hint"] == "tpmverifier.example.com"' "hint"
json_is 'len('"$B"'["certs"]) == 2' "two certs"

# 2. The HEAD sample differs only in the hint's string type.
run show --format json --in "$V/csr-attestation/tcgAttestTpmCertify.HEAD-02aed20.pem"
expect_rc 0 "show HEAD CSR"
json_is "$B"'["legacy_features"] == "hint-ia5string"' "HEAD legacy_features"

# 3. Text output is the default and is not JSON.
run show --in "$CSR"
expect_rc 0 "show text"
check "text mentions the extra data" grep -q '00ff55aa' "$T/out"
check "text is not JSON" bash -c '! python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$1" 2>/dev/null' _ "$T/out"

# 4. Each PKIX evidence is detected as PkixEvidence.
for e in evidence1 evidence2 evidence3; do
    run show --format json --in "$V/pkix-evidence/$e.pem"
    expect_rc 0 "show $e"
    json_is 'j["type"] == "PkixEvidence"' "$e type"
done

# 5. Raw TPM files are detected by content.
for f in swtpm-rsa/certify1.tpms_attest swtpm-rsa/certify2.tpms_attest swtpm-ecc/certify1.tpms_attest \
         swtpm-ecc/certify2.tpms_attest; do
    run show --format json --in "$V/$f"
    expect_rc 0 "show $f"
    json_is 'j["type"] == "TPMS_ATTEST" and j["content"]["firmware_version"] == "2019102300163636"' "$f"
done
for f in swtpm-rsa/key.tpmt_public swtpm-rsa/ak.tpmt_public swtpm-ecc/key.tpmt_public swtpm-ecc/ak.tpmt_public; do
    run show --format json --in "$V/$f"
    expect_rc 0 "show $f"
    json_is 'j["type"] == "TPMT_PUBLIC"' "$f"
done
json_is 'j["content"]["object_attributes"] == "0x00050072" and j["content"]["curve"] == "P-256"' "ECC AK attributes"
run show --format json --in "$V/swtpm-rsa/certify2.sig.tpmt_signature"
expect_rc 0 "show rsa tpmt_signature"
json_is 'j["type"] == "TPMT_SIGNATURE" and j["content"]["sig_alg"] == "rsassa"' "RSA TPMT_SIGNATURE"
run show --format json --in "$V/swtpm-ecc/certify2.sig.tpmt_signature"
expect_rc 0 "show ecc tpmt_signature"
json_is 'j["type"] == "TPMT_SIGNATURE" and j["content"]["sig_alg"] == "ecdsa" and len(j["content"]["r"]) == 64' \
    "ECC TPMT_SIGNATURE"
# A plain RSA signature, an SPKI and a TPM2B_PUBLIC are none of the types.
for f in swtpm-rsa/certify1.sig.plain swtpm-rsa/key.spki.pem swtpm-rsa/ek.tpm2b_public; do
    run show --in "$V/$f"
    expect_rc 1 "show $f is refused"
done

# 6. --type that does not match: exit 1, one line naming the file and the reason.
run show --type tpm2 --in "$V/pkix-evidence/evidence1.pem"
expect_rc 1 "--type tpm2 on evidence1"
check "type mismatch names the file" grep -q 'evidence1.pem' "$T/err"
check "type mismatch says why" grep -q 'TcgAttestCertify: expected SEQUENCE' "$T/err"
run show --type bundle --in "$CSR"
expect_rc 1 "--type bundle on a CSR"
check "bundle decoder reason" grep -q 'not an AttestationBundle' "$T/err"
# and --type that matches works, by name or alias
run show --type PkixEvidence --format json --in "$V/pkix-evidence/evidence2.pem"
expect_rc 0 "--type PkixEvidence"
run show --type tpms-attest --format json --in "$V/swtpm-rsa/certify1.tpms_attest"
expect_rc 0 "--type tpms-attest"
run show --type nosuchtype --in "$CSR"
expect_rc 2 "--type unknown"

# 7. Usage errors: exit 2, one line.
run show --bogus --in "$CSR"
expect_rc 2 "show --bogus"
run --bogus show
expect_rc 2 "attest-req --bogus"
run show --format xml --in "$CSR"
expect_rc 2 "--format xml"
run nosuchcommand
expect_rc 2 "unknown command"
run show --in "$T/does-not-exist"
expect_rc 2 "missing file"
check "missing file is named" grep -q 'does-not-exist' "$T/err"
run show --in "$T"
expect_rc 2 "directory as input"

# 8. --format der of a PEM CSR is what openssl req -outform DER gives.
run show --format der --in "$CSR"
expect_rc 0 "--format der"
openssl req -in "$CSR" -outform DER -out "$T/openssl.der"
check "DER equals openssl req -outform DER" cmp -s "$T/out" "$T/openssl.der"
check "DER is 3487 bytes" test "$(wc -c <"$T/out" | tr -d ' ')" -eq 3487
# and the DER reads back to the same PEM object
cp "$T/out" "$T/csr.der"
run show --format pem --in "$T/csr.der"
expect_rc 0 "DER to PEM"
check "PEM label" grep -q '^-----BEGIN CERTIFICATE REQUEST-----$' "$T/out"
check "PEM equals the input's DER" bash -c 'openssl req -in "$1" -outform DER | cmp -s - "$2"' _ "$T/out" "$T/csr.der"

# 9. --out writes atomically: the file appears whole, no temporary is left.
run show --format pem --in "$V/pkix-evidence/evidence1.pem" --out "$T/ev.pem"
expect_rc 0 "--out"
check "--out wrote the file" test -s "$T/ev.pem"
check "--out left nothing" bash -c '! ls "$1"/ev.pem.tmp.* >/dev/null 2>&1' _ "$T"
check "--out content" grep -q '^-----BEGIN EVIDENCE-----$' "$T/ev.pem"
check "--out to stdout is identical" bash -c '"$ATTEST_REQ" show --format pem --in "$1" | cmp -s - "$2"' _ \
    "$V/pkix-evidence/evidence1.pem" "$T/ev.pem"
# overwriting keeps the 0644 file whole
run show --format der --in "$V/pkix-evidence/evidence1.pem" --out "$T/ev.pem"
expect_rc 0 "--out overwrite"
check "overwrite is DER now" bash -c '[ "$(head -c1 "$1" | od -An -tx1 | tr -d " ")" = 30 ]' _ "$T/ev.pem"
# a directory that does not exist: exit 2, nothing created
run show --format pem --in "$CSR" --out "$T/no/such/dir/out.pem"
expect_rc 2 "--out into a missing directory"
check "missing directory stays missing" test ! -e "$T/no"
check "no temporaries anywhere" bash -c '[ -z "$(find "$1" -name "*.tmp.*")" ]' _ "$T"
# a failed decode writes nothing either
run show --format pem --in "$V/swtpm-rsa/certify1.sig.plain" --out "$T/never.pem"
expect_rc 1 "--out after a failed decode"
check "failed decode wrote nothing" test ! -e "$T/never.pem"

# 10. Standard input: "-" and the default.
rc=0; "$ATTEST_REQ" show --format json --in - <"$CSR" >"$T/out" 2>"$T/err" || rc=$?
expect_rc 0 "--in -"
json_is 'j["type"] == "AttestedCSR"' "stdin CSR"
rc=0; "$ATTEST_REQ" show --format json <"$V/swtpm-ecc/certify1.tpms_attest" >"$T/out" 2>"$T/err" || rc=$?
expect_rc 0 "default stdin"
json_is 'j["type"] == "TPMS_ATTEST"' "stdin TPMS_ATTEST"

# 11. Empty input and input over the 1 MiB cap: exit 2 with a reason.
: >"$T/empty"
run show --in "$T/empty"
expect_rc 2 "empty file"
check "empty is said" grep -q 'empty' "$T/err"
rc=0; "$ATTEST_REQ" show </dev/null >"$T/out" 2>"$T/err" || rc=$?
expect_rc 2 "empty stdin"
head -c 2097152 /dev/zero >"$T/big"
run show --in "$T/big"
expect_rc 2 "2 MiB file"
check "cap is named" grep -q 'input cap' "$T/err"
rc=0; "$ATTEST_REQ" show <"$T/big" >"$T/out" 2>"$T/err" || rc=$?
expect_rc 2 "2 MiB on stdin"

# 12. Help and version exit 0 on stdout.
run --help
expect_rc 0 "--help"
check "--help shows usage" grep -q '^usage: attest-req' "$T/out"
run --version
expect_rc 0 "--version"
check "--version format" grep -Eq '^attest-req [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"
run show --help
expect_rc 0 "show --help"
check "show --help lists --type" grep -q -- '--type' "$T/out"

# 13. The provider through the openssl command line (a sanitized attest.so
#     needs the sanitizer runtime preloaded into the uninstrumented openssl).
ossl() {
    if [ -n "${ATTEST_OPENSSL_PRELOAD:-}" ]; then
        LD_PRELOAD=$ATTEST_OPENSSL_PRELOAD ASAN_OPTIONS=detect_leaks=0 openssl "$@"
    else
        openssl "$@"
    fi
}
ossl list -decoders -provider attest >"$T/dec" 2>&1 || true
check "openssl lists the bundle decoder" grep -q 'AttestationBundle @ attest' "$T/dec"
check "openssl lists the PEM step" grep -q 'DER @ attest (provider=attest,input=pem)' "$T/dec"
ossl list -encoders -provider attest >"$T/enc" 2>&1 || true
check "openssl lists the json encoder" grep -q 'AttestedCSR @ attest (.*output=json' "$T/enc"

finish
