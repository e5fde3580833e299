#!/usr/bin/env bash
# attest-req show for a CA operator: the subject in openssl's order and syntax (escaped, cannot
# forge lines), the requested extensions, and --certs-out / --evidence-out byte for byte.
# Needs ATTEST_REQ, ATTEST_VECTORS and OPENSSL_MODULES (set by ctest), openssl and python3.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

: "${ATTEST_REQ:?set ATTEST_REQ to the attest-req binary}"
: "${ATTEST_VECTORS:?set ATTEST_VECTORS to tests/vectors}"
: "${OPENSSL_MODULES:?set OPENSSL_MODULES to the directory holding attest.so}"
V=$ATTEST_VECTORS
CSR=$V/csr-attestation/tcgAttestTpmCertify.9245d16.pem

run() { rc=0; "$ATTEST_REQ" "$@" >"$T/out" 2>"$T/err" || rc=$?; }
expect_rc() {
    local want=$1 d=$2
    if [ "$rc" -ne "$want" ]; then fail "$d: exit $rc, want $want ($(head -c 300 "$T/err"))"; return; fi
    if [ "$want" -eq 0 ] && [ -s "$T/err" ]; then fail "$d: stderr on success: $(head -c 300 "$T/err")"; return; fi
    if [ "$want" -ne 0 ] && [ "$(wc -l <"$T/err")" -ne 1 ]; then fail "$d: want one stderr line: $(cat "$T/err")"; return; fi
    ok "$d"
}
json_is() {
    if python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); c = j.get("content"); sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$T/out" "$1"; then ok "$2"; else fail "$2: $1"; fi
}
# subject_of JSON_FILE: the content's subject.
subject_of() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["content"]["subject"])' "$1"; }

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/k.pem" 2>/dev/null

# 1. The subject as `openssl req -subject` prints it: order, multi-valued RDN, quoting and escapes.
#    ASCII: exactly openssl's default line.
openssl req -new -key "$T/k.pem" -multivalue-rdn -subj '/C=DE/O=Ex, "Corp"+OU=R\+D/CN=a=b;c<d>\#e/emailAddress=x@y' \
    -out "$T/ascii.csr"
run show --format json --in "$T/ascii.csr"
expect_rc 0 "show ASCII multi-RDN CSR"
# -nameopt oneline spelled out: OpenSSL 3.5 changed the default (no spaces around '=').
want=$(openssl req -in "$T/ascii.csr" -subject -noout -nameopt oneline); want=${want#subject=}
check "ASCII subject == openssl req -subject -nameopt oneline" test "$(subject_of "$T/out")" = "$want"
#    UTF-8: openssl's line with UTF-8 as characters rather than \C3\BC (-nameopt oneline,-esc_msb,utf8).
openssl req -new -key "$T/k.pem" -utf8 -multivalue-rdn -subj '/C=DE/O=Müller, "Söhne"+OU=R\+D/CN=Jürgen Ø/L=東京' \
    -out "$T/utf8.csr"
run show --format json --in "$T/utf8.csr"
expect_rc 0 "show UTF-8 multi-RDN CSR"
want=$(openssl req -in "$T/utf8.csr" -subject -noout -nameopt oneline,-esc_msb,utf8); want=${want#subject=}
check "UTF-8 subject == openssl req -subject -nameopt oneline,-esc_msb,utf8" test "$(subject_of "$T/out")" = "$want"
check "UTF-8 kept as characters" grep -q 'Müller' <<<"$(subject_of "$T/out")"
run show --in "$T/utf8.csr"
check "text subject line is the same" grep -qxF "  subject: $want" "$T/out"
#    the sample request and its certificates (not reversed as RFC 2253 would have them)
run show --format json --in "$CSR"
want=$(openssl req -in "$CSR" -subject -noout -nameopt oneline); want=${want#subject=}
check "sample subject == openssl req -subject -nameopt oneline" test "$(subject_of "$T/out")" = "$want"
json_is 'c["attestation_bundle"]["certs"][0]["subject"].startswith("C = ZZ, ") and c["attestation_bundle"]["certs"][0]["subject"].endswith("CN = test-ak")' \
    "certificate subjects in the same order"

# 2. A subject is input: newline, ESC, a C1 control and a bidi override are escaped; no line is forged.
openssl req -new -key "$T/k.pem" -utf8 -subj $'/O=x\n  public_key: forged\e[31m\xc2\x85\xe2\x80\xaeevil/CN=y' \
    -out "$T/evil.csr"
run show --in "$T/evil.csr"
expect_rc 0 "show hostile subject"
check "one public_key line (none forged)" test "$(grep -c '^  public_key:' "$T/out")" -eq 1
check "no line starts with the forged text" bash -c '! grep -q "^ *public_key: forged" "$1"' _ "$T/out"
check "no raw ESC, C1 or bidi control" python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); sys.exit(any(x in b for x in (b"\x1b", b"\xc2\x85", b"\xe2\x80\xae")))' "$T/out"
check "escaped as \\0A \\1B \\C2\\85 \\E2\\80\\AE" grep -qF 'O = x\0A  public_key: forged\1B[31m\C2\85\E2\80\AEevil, CN = y' "$T/out"
run show --format json --in "$T/evil.csr"
json_is '"\n" not in c["subject"] and "\x1b" not in c["subject"] and "\u202e" not in c["subject"]' "JSON subject has no controls"
#    a newline inside a subjectAltName dNSName (OpenSSL's printer passes it through) is escaped too
openssl req -new -key "$T/k.pem" -subj /CN=y \
    -addext 'subjectAltName=DER:30198217610a7075626c69635f6b65793a20782e6578616d706c65' -out "$T/evilsan.csr"
run show --in "$T/evilsan.csr"
expect_rc 0 "show hostile subjectAltName"
check "SAN newline escaped, no forged line" bash -c 'grep -qF -- "- DNS:a\0Apublic_key: x.example" "$1" && [ "$(grep -c "public_key:" "$1")" -eq 2 ] && ! grep -q "^public_key" "$1"' _ "$T/out"

# 3. Requested extensions: keyUsage, extendedKeyUsage, subjectAltName, basicConstraints, an unknown one.
openssl req -new -key "$T/k.pem" -subj /CN=code-signer \
    -addext 'keyUsage=critical,digitalSignature,keyEncipherment' -addext 'extendedKeyUsage=codeSigning,1.2.3.4' \
    -addext 'subjectAltName=DNS:a.example,IP:127.0.0.1,email:x@y.example' \
    -addext 'basicConstraints=critical,CA:TRUE,pathlen:1' -addext '1.2.3.5=DER:0101ff' -out "$T/ext.csr"
run show --format json --in "$T/ext.csr"
expect_rc 0 "show CSR with extensions"
E='{e["name"]: e for e in c["requested_extensions"]}'
json_is "[e['name'] for e in c['requested_extensions']] == ['keyUsage', 'extendedKeyUsage', 'subjectAltName', 'basicConstraints', '1.2.3.5']" \
    "five extensions in request order, by short name"
json_is "$E['keyUsage'] == {'name': 'keyUsage', 'oid': '2.5.29.15', 'critical': True, 'length': 4, 'value': 'Digital Signature, Key Encipherment'}" \
    "keyUsage: critical and the usages"
json_is "$E['extendedKeyUsage']['value'] == ['codeSigning', '1.2.3.4'] and $E['extendedKeyUsage']['critical'] is False" \
    "extendedKeyUsage: names, unknown ones dotted"
json_is "$E['subjectAltName']['value'] == ['DNS:a.example', 'IP Address:127.0.0.1', 'email:x@y.example']" "subjectAltName: each name"
json_is "$E['basicConstraints']['value'] == {'ca': True, 'path_len': 1} and $E['basicConstraints']['critical'] is True" \
    "basicConstraints: ca and path_len"
json_is "$E['1.2.3.5'] == {'name': '1.2.3.5', 'oid': '1.2.3.5', 'critical': False, 'length': 3, 'value': '0101ff'}" \
    "unknown extension: OID and DER in hex"
run show --in "$T/ext.csr"
check "text lists them" bash -c 'grep -q "^  requested_extensions:$" "$1" && grep -q "name: keyUsage" "$1" && grep -q -- "- DNS:a.example" "$1"' _ "$T/out"
run show --format json --in "$CSR"
json_is 'c["requested_extensions"] == []' "the sample requests no extension"
#    a CRMF template's extensions (openssl cmp against its own mock server; request saved with -reqout)
openssl req -x509 -new -key "$T/k.pem" -subj /CN=mock -days 1 -out "$T/mock.pem" 2>/dev/null
if openssl cmp -use_mock_srv -srv_secret pass:t -srv_cert "$T/mock.pem" -srv_key "$T/k.pem" -rsp_cert "$T/mock.pem" \
    -ref 1 -secret pass:t -cmd ir -newkey "$T/k.pem" -subject /CN=x -sans crmf.example \
    -reqout "$T/ir.der" -certout "$T/ir-cert.pem" >/dev/null 2>&1; then
    run show --format json --in "$T/ir.der"
    expect_rc 0 "show CRMF ir"
    json_is 'c["requested_extensions"][0]["name"] == "subjectAltName" and c["requested_extensions"][0]["critical"] is False and c["requested_extensions"][0]["value"] == ["DNS:crmf.example"]' \
        "CRMF template: subjectAltName"
else
    fail "openssl cmp -use_mock_srv did not make an ir"
fi

# 4. --certs-out / --evidence-out from the sample: the bytes inside the request, exactly.
openssl req -in "$CSR" -outform DER -out "$T/csr.der"
rm -f "$T/certs.pem" "$T/ev.der"
run show --in "$CSR" --certs-out "$T/certs.pem" --evidence-out "$T/ev.der"
expect_rc 0 "--certs-out and --evidence-out"
check "the description still goes to stdout" grep -q '^type: AttestedCSR$' "$T/out"
check "two certificates" test "$(grep -c '^-----BEGIN CERTIFICATE-----$' "$T/certs.pem")" -eq 2
# each PEM block through openssl x509, then found at its place in the request
awk -v d="$T" '/BEGIN CERT/{n++} {print > (d "/cert" n ".pem")}' "$T/certs.pem"
for i in 1 2; do
    openssl x509 -in "$T/cert$i.pem" -outform DER -out "$T/cert$i.der"
done
check "certificate 1 is the AK (openssl x509)" bash -c 'openssl x509 -in "$1" -noout -subject -nameopt oneline | grep -q "CN = test-ak$"' _ "$T/cert1.pem"
check "certificates are bytes of the request, in order" python3 -c '
import sys
csr, a, b = (open(f, "rb").read() for f in sys.argv[1:4])
i, j = csr.find(a), csr.find(b)
sys.exit(0 if 0 < i < j and csr.count(a) == 1 else 1)' "$T/csr.der" "$T/cert1.der" "$T/cert2.der"
# the statement is the SEQUENCE after the tcg-attest-tpm-certify OID, where asn1parse puts it
at=$(openssl asn1parse -in "$CSR" | grep -A1 ':2\.23\.133\.20\.1$' | tail -1)
off=$(sed -E 's/^ *([0-9]+):.*/\1/' <<<"$at")
hl=$(sed -E 's/.* hl= *([0-9]+) .*/\1/' <<<"$at")
l=$(sed -E 's/.* l= *([0-9]+) .*/\1/' <<<"$at")
check "asn1parse finds the statement SEQUENCE" bash -c '[[ $1 == *"cons: SEQUENCE"* ]]' _ "$at"
tail -c +"$((off + 1))" "$T/csr.der" | head -c "$((hl + l))" >"$T/ev.expect"
check "evidence is the $((hl + l)) bytes at offset $off of the request" cmp -s "$T/ev.der" "$T/ev.expect"
check "evidence parses whole (asn1parse)" bash -c \
    'openssl asn1parse -inform DER -in "$1" >/dev/null && [ "$(wc -c <"$1")" -eq "$2" ]' _ "$T/ev.der" "$((hl + l))"
run show --type tpm2 --format json --in "$T/ev.der"
expect_rc 0 "the extracted evidence reads back as TcgAttestCertify"
# a standalone PKIX evidence: its intermediates, and the evidence itself
run show --in "$V/pkix-evidence/evidence2.pem" --certs-out "$T/ints.pem" --evidence-out "$T/pkix.der"
expect_rc 0 "PKIX evidence: --certs-out --evidence-out"
check "intermediates are int.crt" bash -c 'openssl x509 -in "$1" -outform DER | cmp -s - <(openssl x509 -in "$2" -outform DER)' \
    _ "$T/ints.pem" "$V/pkix-evidence/int.crt"
check "PKIX evidence is the input's DER" bash -c '"$ATTEST_REQ" show --format der --in "$1" | cmp -s - "$2"' _ \
    "$V/pkix-evidence/evidence2.pem" "$T/pkix.der"

# 5. Several statements: FILE.0, FILE.1 in bundle order (each statement's stmt field).  The sample's bundle with a second
#    statement of a type we do not know (SEQUENCE { 1.2.3.4, OCTET STRING "second" }) appended.
python3 - "$T/csr.der" "$T/two.der" "$T/second.der" <<'PY'
import sys
def hdr(b, i):
    """(header length, body length) of the TLV at i: DER, short or long form."""
    n = b[i + 1]
    if n < 0x80:
        return 2, n
    k = n & 0x7f
    return 2 + k, int.from_bytes(b[i + 2:i + 2 + k], "big")
def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body
csr = open(sys.argv[1], "rb").read()
oid = bytes.fromhex("060b2a864886f70d010910023b")
i = csr.find(oid) + len(oid)            # id-aa-attestation, then SET { bundle }
h, _ = hdr(csr, i); i += h               # into the SET
h, l = hdr(csr, i); bundle = csr[i + h:i + h + l]
h, l = hdr(bundle, 0); stmts, rest = bundle[h:h + l], bundle[h + l:]
second = tlv(0x30, bytes.fromhex("06032a0304") + tlv(0x04, b"second"))
open(sys.argv[2], "wb").write(tlv(0x30, tlv(0x30, stmts + second) + rest))
open(sys.argv[3], "wb").write(tlv(0x04, b"second"))  # its stmt field
PY
run show --type bundle --in "$T/two.der" --evidence-out "$T/multi.der"
expect_rc 0 "--evidence-out with two statements"
check "FILE itself is not written" test ! -e "$T/multi.der"
check "FILE.0 is the TPM statement" cmp -s "$T/multi.der.0" "$T/ev.der"
check "FILE.1 is the second statement" cmp -s "$T/multi.der.1" "$T/second.der"
check "no FILE.2" test ! -e "$T/multi.der.2"

# 6. Failures: one line, nothing written (the description neither), no temporaries.
mkdir "$T/w"
run show --in "$CSR" --certs-out "$T/w/no/such/dir/c.pem"
expect_rc 2 "--certs-out into a missing directory"
check "it names the path" grep -q 'no/such/dir/c.pem' "$T/err"
check "nothing on stdout" test ! -s "$T/out"
run show --in "$CSR" --out "$T/w/desc.txt" --certs-out "$T/w/c.pem" --evidence-out "$T/w/no/e.der"
expect_rc 2 "--evidence-out unwritable while --certs-out is fine"
check "all or nothing: neither --out nor --certs-out written" bash -c '[ -z "$(ls -A "$1")" ]' _ "$T/w"
run show --in "$T/ext.csr" --certs-out "$T/w/c.pem"
expect_rc 1 "--certs-out of a request without attestation"
check "it says why" grep -q 'carries no attestation' "$T/err"
run show --in "$V/pkix-evidence/evidence1.pem" --certs-out "$T/w/c.pem" --out "$T/w/desc.txt"
expect_rc 1 "--certs-out of an evidence without intermediates"
check "it says why" grep -q 'carries no certificates' "$T/err"
run show --in "$V/swtpm-rsa/certify1.tpms_attest" --evidence-out "$T/w/e.der"
expect_rc 1 "--evidence-out of a raw TPMS_ATTEST"
check "still nothing written, no temporaries" bash -c '[ -z "$(ls -A "$1")" ] && [ -z "$(find "$2" -name "*.tmp.*")" ]' _ "$T/w" "$T"
run show --in "$CSR" --certs-out -
expect_rc 2 "--certs-out - is a usage error"
run show --in "$CSR" --evidence-out ''
expect_rc 2 "--evidence-out '' is a usage error"
# an existing file is replaced whole
printf 'old' >"$T/w/c.pem"
run show --in "$CSR" --certs-out "$T/w/c.pem" --out /dev/null
expect_rc 0 "--certs-out over an existing file"
check "replaced" cmp -s "$T/w/c.pem" "$T/certs.pem"

finish
