#!/usr/bin/env bash
# test_ear.sh - verify's output is an EAR a CA can archive, and a signed one verifies independently.
#   1. EARs of a warning, a contraindicated (exportable key; AK from another CA; wrong nonce), a
#      request without attestation and an unreadable input conform to the claim set written from
#      the draft's CDDL (ear_claims.py; a hand-broken EAR is refused by it first).
#   2. The vector, the policy id and the records: input / subject / SPKI digests against openssl's,
#      the nonce demanded and found, the AK certificate's and the anchor's SHA-256; text shows them.
#   3. --format jwt --sign-key: ES256, ES384, PS256 and EdDSA compact JWS, the signature checked by
#      `openssl dgst` (pkeyutl for EdDSA), kid = SHA-256 of the signer's SPKI; one JWS per line in
#      a batch; show --verify-with CERT|PUBKEY accepts it and refuses a tampered one or another key.
# Needs python3 and openssl. ctest sets ATTEST_REQ, ATTEST_SRC.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
CHK=$ROOT/tests/shell/ear_claims.py

H=$T/hsm O=$T/other
mkdir -p "$H/trust" "$O/trust"
akca "$H" "ear CA" 2>/dev/null
akca "$O" "other CA" 2>/dev/null
p256_key "$H/ak.key"
akca_issue "$H" "$H/ak.key" "ear AK" ak "$H/ak.pem"
p256_key "$H/key.pem"
N=00112233445566778899aabbccddeeff
SUBJ="/C=US/O=Ex Corp/CN=a,b"
check "new: PKIX evidence with nonce $N" rc_is 0 "$REQ" new --evidence pkix --key "$H/key.pem" --ak "$H/ak.key" \
    --ak-cert "$H/ak.pem" --subject "$SUBJ" --nonce "$N" --out "$T/req.pem"
openssl req -new -key "$H/key.pem" -subj /CN=plain -out "$T/plain.pem"
REL=(--allow exportable-key --allow imported-key)
V=(verify --in "$T/req.pem" --trust-dir "$H/trust" --nonce "$N")

# --- 1. conformance ---------------------------------------------------------------------------------
echo '{"eat_profile": "tag:github.com,2023:veraison/ear", "iat": 1, "ear.verifier-id": {"developer": "x", "build": "y"},
 "submods": {"s": {"ear.status": "affirming", "ear.trustworthiness-vector": {"hardware": 97}}}, "loose": 1}' >"$T/broken.json"
check "ear_claims.py refuses a status above its vector and a loose member" eval '! python3 "$CHK" "$T/broken.json" >"$T/o" \
    && grep -q "more trusting than its vector" "$T/o" && grep -q "extension loose is not a map" "$T/o"'
check "warning (key policy relaxed) -> 3" rc_is 3 "$REQ" "${V[@]}" "${REL[@]}" --format json
cp "$T/out" "$T/warn.json"
check "contraindicated (exportable key) -> 1" rc_is 1 "$REQ" "${V[@]}" --format json
cp "$T/out" "$T/contra.json"
check "AK from another CA -> 1" rc_is 1 "$REQ" verify --in "$T/req.pem" --trust-dir "$O/trust" "${REL[@]}" --format json
cp "$T/out" "$T/untrusted.json"
check "wrong nonce -> 1" rc_is 1 "$REQ" verify --in "$T/req.pem" --trust-dir "$H/trust" --nonce 99 "${REL[@]}" --format json
cp "$T/out" "$T/nonce.json"
check "no attestation -> 4" rc_is 4 "$REQ" verify --in "$T/plain.pem" --trust-dir "$H/trust" --format json
cp "$T/out" "$T/none.json"
echo garbage >"$T/garbage.pem"
check "batch with an unreadable input -> 2" rc_is 2 "$REQ" verify --in "$T/req.pem" --in "$T/missing.pem" \
    --trust-dir "$H/trust" "${REL[@]}" --format json
cp "$T/out" "$T/batch.jsonl"
check "every EAR conforms to the claim set" python3 "$CHK" "$T/warn.json" "$T/contra.json" "$T/untrusted.json" \
    "$T/nonce.json" "$T/none.json" "$T/batch.jsonl"

A='j["submods"]["attestations[0]"]'
check "warning: hardware 2, instance 2, storage-opaque 32; policy id names the relaxations" js "$T/warn.json" \
    "$A[\"ear.trustworthiness-vector\"] == {\"hardware\": 2, \"instance-identity\": 2, \"storage-opaque\": 32}
     and $A[\"ear.appraisal-policy-id\"] == \"policy:attest-req+allow-exportable-key+allow-imported-key\"
     and status == \"warning\""
check "contraindicated key policy: storage-opaque 96" js "$T/contra.json" \
    "$A[\"ear.trustworthiness-vector\"][\"storage-opaque\"] == 96 and $A[\"ear.appraisal-policy-id\"] == \"policy:attest-req\""
check "AK of another CA: hardware 97, no anchor recorded" js "$T/untrusted.json" \
    "$A[\"ear.trustworthiness-vector\"][\"hardware\"] == 97 and $A[\"attest-req\"][\"chains\"][0][\"anchor_sha256\"] is None"
check "wrong nonce: demanded and found both recorded" js "$T/nonce.json" \
    "j[\"attest-req\"][\"nonce_demanded\"] == \"99\" and $A[\"attest-req\"][\"nonce_found\"] == \"$N\" and \"eat_nonce\" not in j"
check "no attestation: one submod, status none, no claim" js "$T/none.json" \
    "list(j[\"submods\"]) == [\"request\"] and j[\"submods\"][\"request\"][\"ear.status\"] == \"none\"
     and set(j[\"submods\"][\"request\"][\"ear.trustworthiness-vector\"].values()) == {0}"
check "unreadable input: the same EAR shape, contraindicated, with the reason" eval 'sed -n 2p "$T/batch.jsonl" >"$T/e.json" \
    && js "$T/e.json" "status == \"contraindicated\" and j[\"attest-req\"][\"input\"].endswith(\"missing.pem\")
        and \"No such file\" in j[\"attest-req\"][\"error\"] and j[\"submods\"][\"request\"][\"ear.status\"] == \"contraindicated\""'

# --- 2. records -------------------------------------------------------------------------------------
IN_FP=$(openssl req -in "$T/req.pem" -outform DER | sha256sum | cut -d" " -f1)
KEY_FP=$(openssl pkey -in "$H/key.pem" -pubout | spki_fp)
AK_FP=$(openssl x509 -in "$H/ak.pem" -outform DER | sha256sum | cut -d" " -f1)
CA_FP=$(openssl x509 -in "$H/trust/ca.pem" -outform DER | sha256sum | cut -d" " -f1)
# -nameopt spelled out: the default differs between OpenSSL versions (3.0: oneline; 3.5 omits the spaces)
SUBJ_OSSL=$(openssl req -in "$T/req.pem" -noout -subject -nameopt oneline,-esc_msb,utf8); SUBJ_OSSL=${SUBJ_OSSL#subject=}
check "records: input, subject (openssl -subject syntax), subject key, attested key, AK and anchor" js "$T/warn.json" \
    "j[\"attest-req\"][\"input_sha256\"] == \"$IN_FP\" and j[\"attest-req\"][\"subject\"] == '''$SUBJ_OSSL'''
     and j[\"attest-req\"][\"subject_key_spki_sha256\"] == \"$KEY_FP\" == $A[\"attest-req\"][\"attested_key\"][\"spki_sha256\"]
     and $A[\"attest-req\"][\"chains\"] == [{\"ak_certificate_sha256\": \"$AK_FP\", \"anchor_sha256\": \"$CA_FP\"}]
     and j[\"attest-req\"][\"nonce_demanded\"] == \"$N\" == $A[\"attest-req\"][\"nonce_found\"]
     and j[\"eat_nonce\"] == \"ABEiM0RVZneImaq7zN3u_w\" and \"akpub\" not in str(j)"
check "text: the records, briefly" eval 'rc_is 3 "$REQ" "${V[@]}" "${REL[@]}" && grep -q "^  input sha256: $IN_FP$" "$T/out" \
    && grep -qF "  subject: $SUBJ_OSSL" "$T/out" && grep -q "^  subject key SPKI sha256: $KEY_FP$" "$T/out" \
    && grep -q "^  nonce demanded: $N$" "$T/out" && grep -q "^    nonce found: $N$" "$T/out" \
    && grep -q "^    AK certificate sha256 $AK_FP, anchor sha256 $CA_FP$" "$T/out"'

# --- 3. signed verdicts -----------------------------------------------------------------------------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$T/s384.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/srsa.key" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$T/sed.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-224 -out "$T/s224.key" 2>/dev/null
p256_key "$T/s256.key"
for k in s256 s384 srsa sed; do openssl pkey -in "$T/$k.key" -pubout -out "$T/$k.pub"; done
openssl req -new -x509 -key "$T/s256.key" -subj /CN=verdicts -days 2 -out "$T/s256.crt"

check "--format jwt without --sign-key -> 2, one line" eval 'rc_is 2 "$REQ" "${V[@]}" --format jwt && one_line "needs --sign-key"'
check "--sign-key without --format jwt -> 2" eval 'rc_is 2 "$REQ" "${V[@]}" --sign-key "$T/s256.key" && one_line "add --format jwt"'
check "--sign-key P-224 (no JWS algorithm) -> 2, one line, no output" eval 'rc_is 2 "$REQ" "${V[@]}" --format jwt \
    --sign-key "$T/s224.key" && one_line "no JWS algorithm" && [[ ! -s $T/out ]]'

# jws_check FILE PUB ALG: FILE's one JWS line has header alg ALG, kid = SHA-256 of PUB's SPKI, an EAR
# payload, and its signature verifies with openssl (dgst for ES*/PS256, pkeyutl -rawin for EdDSA).
jws_check() {
    python3 - "$@" "$T" <<'PY' || return 1
import base64, json, sys
f, pub, alg, t = sys.argv[1:5]
line = open(f).read()
assert line.endswith("\n") and line.count("\n") == 1, "not one line"
h, p, s = line.strip().split(".")
d = lambda x: base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
hdr, ear, sig = json.loads(d(h)), json.loads(d(p)), d(s)
assert hdr["alg"] == alg and hdr["typ"] == "JWT", hdr
assert ear["eat_profile"] == "tag:github.com,2023:veraison/ear"
open(t + "/tbs", "w").write(h + "." + p)
open(t + "/kid", "w").write(hdr["kid"])
if alg.startswith("ES"):   # r || s -> DER for openssl
    n = len(sig) // 2
    def i(b):
        b = b.lstrip(b"\0") or b"\0"
        b = b"\0" + b if b[0] & 0x80 else b
        return b"\x02" + bytes([len(b)]) + b
    body = i(sig[:n]) + i(sig[n:])
    sig = b"\x30" + (bytes([len(body)]) if len(body) < 128 else b"\x81" + bytes([len(body)])) + body
open(t + "/sig", "wb").write(sig)
PY
    [[ $(cat "$T/kid") == $(spki_fp <"$2") ]] || { echo "     kid is not the SHA-256 of the SPKI"; return 1; }
    case $3 in
        ES256|PS256) md=-sha256 ;;
        ES384) md=-sha384 ;;
    esac
    case $3 in
        ES*) openssl dgst "$md" -verify "$2" -signature "$T/sig" "$T/tbs" ;;
        PS256) openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -verify "$2" \
                   -signature "$T/sig" "$T/tbs" ;;
        EdDSA) openssl pkeyutl -verify -pubin -inkey "$2" -rawin -in "$T/tbs" -sigfile "$T/sig" ;;
    esac >/dev/null
}
for ka in s256:ES256 s384:ES384 srsa:PS256 sed:EdDSA; do
    k=${ka%%:*} alg=${ka#*:}
    check "jwt $alg: exit 3 as in JSON, one JWS line, verified by openssl, kid = SPKI SHA-256" eval 'rc_is 3 "$REQ" \
        "${V[@]}" "${REL[@]}" --format jwt --sign-key "$T/$k.key" && cp "$T/out" "$T/$k.jwt" && jws_check "$T/$k.jwt" "$T/$k.pub" "$alg"'
done
check "show --verify-with PUBKEY: exit 0, the EAR" eval 'rc_is 0 "$REQ" show --in "$T/sed.jwt" --verify-with "$T/sed.pub" \
    --format json && js "$T/out" "status == \"warning\" and j[\"attest-req\"][\"input_sha256\"] == \"$IN_FP\"" \
    && python3 "$CHK" "$T/out"'
check "show --verify-with CERT (PS256 payload with an RSA key: refused; ES256 with its cert: 0)" eval '! "$REQ" show \
    --in "$T/srsa.jwt" --verify-with "$T/s256.crt" >/dev/null 2>&1 && rc_is 0 "$REQ" show --in "$T/s256.jwt" --verify-with "$T/s256.crt"'
python3 - "$T/s256.jwt" "$T/tampered.jwt" <<'PY'
import base64, json, sys
h, p, s = open(sys.argv[1]).read().strip().split(".")
d = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
d["ear.status"] = "affirming"
p2 = base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
open(sys.argv[2], "w").write(".".join([h, p2, s]) + "\n")
PY
check "show --verify-with: a tampered payload -> 1, one line, no output" eval 'rc_is 1 "$REQ" show --in "$T/tampered.jwt" \
    --verify-with "$T/s256.pub" && one_line "does not verify" && [[ ! -s $T/out ]]'
check "show --verify-with: another P-256 key -> 1" eval 'openssl pkey -in "$H/key.pem" -pubout -out "$T/k.pub" \
    && rc_is 1 "$REQ" show --in "$T/s256.jwt" --verify-with "$T/k.pub" && one_line "does not verify"'
check "show --verify-with: a key of another algorithm -> 1, the alg named" eval 'rc_is 1 "$REQ" show --in "$T/s256.jwt" \
    --verify-with "$T/s384.pub" && one_line "alg ES256"'
check "batch jwt: one JWS per line, the unreadable input's line signed too, exit 2" eval 'rc_is 2 "$REQ" verify \
    --in "$T/req.pem" --in "$T/missing.pem" --in "$T/plain.pem" --trust-dir "$H/trust" "${REL[@]}" --format jwt \
    --sign-key "$T/s256.key" && [[ $(wc -l <"$T/out") == 3 ]] && for i in 1 2 3; do sed -n "${i}p" "$T/out" >"$T/l$i.jwt"
        "$REQ" show --in "$T/l$i.jwt" --verify-with "$T/s256.pub" --format json >"$T/l$i.json" || exit 1; done \
    && js "$T/l2.json" "status == \"contraindicated\" and \"error\" in j[\"attest-req\"]" && js "$T/l3.json" "status == \"none\""'
finish
