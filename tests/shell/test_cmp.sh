#!/usr/bin/env bash
# test_cmp.sh - the same evidence in CRMF: `attest-req new --cmp-reqexts` writes the bundle as an
# openssl config section, a real `openssl cmp` client sends it (ir, cr, kur; p10cr with the CSR)
# to OpenSSL's own CMP mock server, and `attest-req verify` judges the requests it sent (-reqout):
# crmf.popo plus the same bundle checks as for a CSR. Negative: another key's evidence, a
# tampered POPO (OpenSSL's server, with protection off, agrees: badPOP), truncation, no extension.
# Needs openssl (3.0 cmp app), python3. ctest sets ATTEST_REQ, ATTEST_SRC.
# The mock server of openssl 3.0 takes a port only (`-port 127.0.0.1:P` is refused), so it
# listens on every interface; the client talks to 127.0.0.1, and the server lives for this test.
# Check bodies are single-quoted on purpose (they expand inside `check ... eval`).
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# --- helpers (each returns the status of one && chain: `if` turns set -e off in them) --------
# der_at FILE DEPTH TYPE: "offset header-length length" of the first object at DEPTH with TYPE.
der_at() {
    openssl asn1parse -inform DER -in "$1" \
        | sed -n "s/^ *\([0-9]*\):d=$2 *hl=\([0-9]*\) *l= *\([0-9]*\) \(prim\|cons\): $3.*/\1 \2 \3/p" | head -n 1
}
cut_der() { tail -c +$(($2 + 1)) "$1" | head -c "$3"; }           # cut_der FILE OFFSET LENGTH
hex() { od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }
flip() { python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 1
open(sys.argv[3], "wb").write(b)' "$@"; }                             # flip IN OFFSET OUT

# 1. A throw-away AK CA, a software AK (PEM) with the draft's placeholder AK EKU, the P-256
#    subject key (PEM), and the certificate the mock server hands back for that key.
mkdir "$T/trust" "$T/errs"
akca "$T" "attest test AK CA"
p256_key "$T/ak.key"; akca_issue "$T" "$T/ak.key" "software AK" ak "$T/ak.pem"
p256_key "$T/key.pem"; akca_issue "$T" "$T/key.pem" x ee "$T/rsp.pem"
p256_key "$T/key2.pem"
N=$(openssl rand -hex 32)
V=(--trust-dir "$T/trust" --nonce "$N" --allow exportable-key --allow imported-key --format json)

# 2. The attested CSR and, next to it, the same bundle as an openssl config section.
check "new --evidence pkix --cmp-reqexts ext.cnf -> 0" rc_is 0 "$REQ" new --evidence pkix --key "$T/key.pem" \
    --ak "$T/ak.key" --ak-cert "$T/ak.pem" --nonce "$N" --subject /CN=x --cmp-reqexts "$T/ext.cnf" --out "$T/req.pem"
check "ext.cnf: [attest_reqexts] and one DER: line for id-aa-attestation, nothing else" eval '[[ $(wc -l <"$T/ext.cnf") -eq 2 \
    && $(head -n 1 "$T/ext.cnf") == "[attest_reqexts]" && $(sed -n 2p "$T/ext.cnf") =~ ^1\.2\.840\.113549\.1\.9\.16\.2\.59\ =\ DER:[0-9A-F]+$ ]]'
openssl req -in "$T/req.pem" -outform DER -out "$T/req.der"
read -r aoff _ < <(openssl asn1parse -inform DER -in "$T/req.der" | grep -n ':1.2.840.113549.1.9.16.2.59' | cut -d: -f1)
read -r boff bhl blen < <(openssl asn1parse -inform DER -in "$T/req.der" | sed -n "$((aoff + 2))p" \
    | sed -n 's/^ *\([0-9]*\):d=[0-9]* *hl=\([0-9]*\) *l= *\([0-9]*\) cons: SEQUENCE.*/\1 \2 \3/p')
BUNDLE_HEX=$(cut_der "$T/req.der" "$boff" $((bhl + blen)) | hex)
check "ext.cnf carries the CSR's attribute value byte for byte" eval '[[ -n $BUNDLE_HEX && $(sed -n "2s/.*DER://p" "$T/ext.cnf") == "$BUNDLE_HEX" ]]'
check "the CSR verifies -> 3 (software key: relaxations warn)" rc_is 3 "$REQ" verify --in "$T/req.pem" "${V[@]}"
check "new --cmp-reqexts into a missing dir -> 2, neither file written" eval 'rc_is 2 "$REQ" new --evidence pkix \
    --key "$T/key.pem" --ak "$T/ak.key" --ak-cert "$T/ak.pem" --subject /CN=x --cmp-reqexts "$T/errs/no/ext.cnf" \
    --out "$T/errs/r.pem" && [[ -z $(ls -A "$T/errs") ]]'
check "evidence --cmp-reqexts -> 2 (belongs to new)" rc_is 2 "$REQ" evidence --key "$T/key.pem" --ak "$T/ak.key" \
    --cmp-reqexts "$T/errs/e.cnf" --out "$T/errs/e.pem"
check "--cmp-reqexts - with --out - -> 2" rc_is 2 "$REQ" new --evidence pkix --key "$T/key.pem" --ak "$T/ak.key" \
    --ak-cert "$T/ak.pem" --subject /CN=x --cmp-reqexts -
# Another key's request, for the negative case below.
"$REQ" new --evidence pkix --key "$T/key2.pem" --ak "$T/ak.key" --ak-cert "$T/ak.pem" --nonce "$N" --subject /CN=x \
    --cmp-reqexts "$T/ext2.cnf" --out "$T/req2.pem"

# 3. OpenSSL's CMP mock server: PBM secret, any request answered with rsp.pem. -accept_unprotected
#    lets an unprotected request reach its POPO check (section 6). Started in the background on a
#    free port in 20000-31999, ready when it prints ACCEPT, stopped by its PID in the EXIT trap.
cmp_mock_start "$T/rsp.pem" -accept_unprotected
CMP=(openssl cmp -server "127.0.0.1:$CMP_PORT/pkix/" -ref 1234 -secret pass:test -recipient /CN=mock)

# 4. ir, cr, kur with the evidence in the template (-reqexts), p10cr with the CSR itself.
check "openssl cmp -cmd ir -newkey key.pem -reqexts attest_reqexts -config ext.cnf -> issued" eval 'rc_is 0 \
    "${CMP[@]}" -config "$T/ext.cnf" -cmd ir -newkey "$T/key.pem" -subject /CN=x -reqexts attest_reqexts \
    -reqout "$T/ir.der" -certout "$T/cert-ir.pem" && [[ -s $T/cert-ir.pem ]]'
check "ir.der: the template extension 1.2.840.113549.1.9.16.2.59 holds the CSR's bundle" eval 'openssl asn1parse \
    -inform DER -in "$T/ir.der" | grep -A1 ":1.2.840.113549.1.9.16.2.59" | grep -q "OCTET STRING *\[HEX DUMP\]:$BUNDLE_HEX$"'
check "verify ir.der -> 3: crmf.popo and every bundle check pass, key-policy warns" eval 'rc_is 3 "$REQ" verify \
    --in "$T/ir.der" "${V[@]}" && js "$T/out" "status == \"warning\" and errors() == []
        and ids()[:3] == [\"crmf.parse\", \"crmf.popo\", \"bundle.count\"] and \"body ir\" in det(\"crmf.parse\")
        and all(res(i) == \"pass\" for i in [\"crmf.parse\", \"crmf.popo\", \"bundle.count\", \"bundle.parse\",
            \"bundle.shape\", \"pkix.structure\", \"pkix.signature\", \"chain.trust\", \"chain.ak-profile\",
            \"pkix.key-binding\", \"pkix.nonce\", \"policy.weak-algorithms\", \"policy.key-attested\"])
        and res(\"pkix.key-policy\") == \"fail\" and \"certReq\" in det(\"crmf.popo\")"'
check "verify ir.der without the relaxations -> 1 (pkix.key-policy only)" eval 'rc_is 1 "$REQ" verify --in "$T/ir.der" \
    --trust-dir "$T/trust" --nonce "$N" --format json && js "$T/out" "errors() == [\"pkix.key-policy\"]"'
check "verify ir.der, wrong nonce -> 1, pkix.nonce" eval 'rc_is 1 "$REQ" verify --in "$T/ir.der" --trust-dir "$T/trust" \
    --nonce "$(openssl rand -hex 32)" --allow exportable-key --allow imported-key --format json \
    && js "$T/out" "errors() == [\"pkix.nonce\"]"'
check "show ir.der: CrmfRequest, body ir, subject, the bundle" eval '"$REQ" show --in "$T/ir.der" --format json >"$T/show.json" \
    && python3 -c "import json,sys; j = json.load(open(sys.argv[1])); c = j[\"content\"]
sys.exit(0 if j[\"type\"] == \"CrmfRequest\" and c[\"body\"] == \"ir\" and c[\"subject\"] == \"CN = x\" and c[\"popo\"] == \"signature\"
    and c[\"attestation_extensions\"] == 1 and c[\"attestation_bundle\"][\"attestations\"][0][\"kind\"] == \"pkix-evidence\" else 1)" "$T/show.json"'
check "show ir.der --format pem -> 1 (CRMF has no PEM form), one line" eval 'rc_is 1 "$REQ" show --in "$T/ir.der" \
    --format pem && [[ $(wc -l <"$T/err") -eq 1 ]]'

check "openssl cmp -cmd cr -> issued" rc_is 0 "${CMP[@]}" -config "$T/ext.cnf" -cmd cr -newkey "$T/key.pem" \
    -subject /CN=x -reqexts attest_reqexts -reqout "$T/cr.der" -certout "$T/cert-cr.pem"
check "verify cr.der -> 3, crmf.popo pass, body cr" eval 'rc_is 3 "$REQ" verify --in "$T/cr.der" "${V[@]}" \
    && js "$T/out" "errors() == [] and res(\"crmf.popo\") == \"pass\" and \"body cr\" in det(\"crmf.parse\")"'
check "openssl cmp -cmd kur -oldcert -> issued" rc_is 0 "${CMP[@]}" -config "$T/ext.cnf" -cmd kur -newkey "$T/key.pem" \
    -oldcert "$T/rsp.pem" -reqexts attest_reqexts -reqout "$T/kur.der" -certout "$T/cert-kur.pem"
check "verify kur.der -> 3, crmf.popo pass, body kur" eval 'rc_is 3 "$REQ" verify --in "$T/kur.der" "${V[@]}" \
    && js "$T/out" "errors() == [] and res(\"crmf.popo\") == \"pass\" and \"body kur\" in det(\"crmf.parse\")"'
check "openssl cmp -cmd p10cr -csr req.pem -> issued" rc_is 0 "${CMP[@]}" -config "" -cmd p10cr -csr "$T/req.pem" \
    -reqout "$T/p10cr.der" -certout "$T/cert-p10.pem"
check "verify p10cr.der -> 3: crmf.parse, then the CSR's own checks" eval 'rc_is 3 "$REQ" verify --in "$T/p10cr.der" \
    "${V[@]}" && js "$T/out" "errors() == [] and ids()[:3] == [\"crmf.parse\", \"csr.parse\", \"csr.signature\"]
        and res(\"csr.signature\") == \"pass\" and res(\"pkix.key-binding\") == \"pass\" and res(\"crmf.popo\") is None"'

# A bare CertReqMessages: the body of ir.der ([0] EXPLICIT, the first depth-1 constructed [0]).
read -r off hl len < <(der_at "$T/ir.der" 1 'cont \[ 0 \]')
cut_der "$T/ir.der" $((off + hl)) "$len" >"$T/msgs.der"
check "verify a bare CertReqMessages -> 3, crmf.popo pass" eval 'rc_is 3 "$REQ" verify --in "$T/msgs.der" "${V[@]}" \
    && js "$T/out" "errors() == [] and res(\"crmf.popo\") == \"pass\" and det(\"crmf.parse\").startswith(\"CertReqMessages\")"'
check "bare CertReqMessages on stdin -> 3" eval 'rc_is 3 "$REQ" verify --in - "${V[@]}" <"$T/msgs.der"'

# 5. Negative: the evidence of ANOTHER key in this key's request (ext2.cnf belongs to req2.pem).
check "openssl cmp ir with key2's evidence and key.pem -> sent (the mock CA does not look)" rc_is 0 "${CMP[@]}" \
    -config "$T/ext2.cnf" -cmd ir -newkey "$T/key.pem" -subject /CN=x -reqexts attest_reqexts \
    -reqout "$T/other.der" -certout "$T/cert-other.pem"
check "verify other.der -> 1: crmf.popo pass, pkix.key-binding fails (and nothing else errs)" eval 'rc_is 1 "$REQ" verify \
    --in "$T/other.der" "${V[@]}" && js "$T/out" "status == \"contraindicated\" and res(\"crmf.popo\") == \"pass\"
        and errors() == [\"pkix.key-binding\"]"'
check "other.der: stderr names pkix.key-binding" grep -q 'pkix.key-binding' "$T/err"

# 6. Negative: a tampered POPO (one bit of the signature; the first depth-5 BIT STRING is the
#    POPOSigningKey's). CMP protection covers the body, so OpenSSL's server refuses the message
#    for its PBM already; attest-req does not check CMP protection and names the POPO instead.
read -r off hl len < <(der_at "$T/ir.der" 5 'BIT STRING')
flip "$T/ir.der" $((off + hl + len - 1)) "$T/tamper.der"
check "verify tampered POPO -> 1, crmf.popo fails, crmf.parse passes" eval 'rc_is 1 "$REQ" verify --in "$T/tamper.der" \
    "${V[@]}" && js "$T/out" "errors() == [\"crmf.popo\"] and res(\"crmf.parse\") == \"pass\""'
check "the mock server refuses the tampered message: wrong pbm value (protection)" eval '! "${CMP[@]}" -config "" \
    -cmd ir -reqin "$T/tamper.der" -newkey "$T/key.pem" -subject /CN=x -certout "$T/errs/t.pem" >"$T/cmp.log" 2>&1 \
    && grep -q "wrong pbm value" "$T/cmp.log"'
# Unprotected, so that OpenSSL's server reaches the POPO: it says badPOP where attest-req says crmf.popo.
check "openssl cmp -unprotected_requests ir -> issued" rc_is 0 "${CMP[@]}" -config "$T/ext.cnf" -cmd ir \
    -unprotected_requests -newkey "$T/key.pem" -subject /CN=x -reqexts attest_reqexts -reqout "$T/unp.der" \
    -certout "$T/cert-unp.pem"
read -r off hl len < <(der_at "$T/unp.der" 5 'BIT STRING')
flip "$T/unp.der" $((off + hl + len - 1)) "$T/unp-t.der"
check "OpenSSL's server on the tampered unprotected ir: badPOP" eval '! "${CMP[@]}" -config "" -cmd ir \
    -unprotected_requests -reqin "$T/unp-t.der" -newkey "$T/key.pem" -subject /CN=x -certout "$T/errs/u.pem" \
    >"$T/cmp.log" 2>&1 && grep -q "badPOP" "$T/cmp.log"'
check "attest-req on the same bytes: crmf.popo fails" eval 'rc_is 1 "$REQ" verify --in "$T/unp-t.der" "${V[@]}" \
    && js "$T/out" "errors() == [\"crmf.popo\"]"'
check "the untampered unprotected ir -> 3" rc_is 3 "$REQ" verify --in "$T/unp.der" "${V[@]}"

# 7. No extension -> 4 (none); a truncated message -> 1.
check "openssl cmp ir without -reqexts -> issued" rc_is 0 "${CMP[@]}" -config "" -cmd ir -newkey "$T/key.pem" \
    -subject /CN=x -reqout "$T/plain.der" -certout "$T/cert-plain.pem"
check "verify plain ir -> 4 (none), crmf.popo pass" eval 'rc_is 4 "$REQ" verify --in "$T/plain.der" "${V[@]}" \
    && js "$T/out" "status == \"none\" and res(\"crmf.popo\") == \"pass\" and res(\"bundle.count\") == \"skip\""'
head -c 500 "$T/ir.der" >"$T/trunc.der"
check "verify a truncated ir -> 1" rc_is 1 "$REQ" verify --in "$T/trunc.der" "${V[@]}"
check "failed runs left no file" eval '[[ -z $(ls -A "$T/errs") ]]'

finish
