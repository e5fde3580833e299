#!/usr/bin/env bash
# test_vendor_cli.sh - vendor evidence through the CLI's arrival paths, every vendor, the shipped anchors:
#   1. --evidence-file refusals: a missing file, bytes no engine knows, a PEM block that is not evidence,
#      certificates only -> 2, one line, no verdict.
#   2. Luna PKC beside its request (DER .p7b, PEM PKCS7, a PEM chain: the same verdict), --strict, a
#      request for another key.
#   3. Cloud HSM attestation judged alone: bound to no key (a warning at best), to the attested key
#      (--pubkey), to another key; gzip and raw; --format json names the statement evidence[0].
#   4. Android chain with its challenge, a wrong challenge.
#      The EAR's AR4SI vector comes from the engine's map (engine.h): hardware, instance, storage.
#   5. new --evidence-file: a YubiKey-shaped slot and F9 certificate made here under a test root; the
#      request affirms against that root only; evidence about another key is refused, nothing written.
# The per-vendor checks are in test_yubikey, test_luna, test_marvell, test_android (and their _cli).
# ctest sets ATTEST_REQ, ATTEST_VECTORS, ATTEST_SRC.  No TPM.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

V=$VEC/vendors
A=(--trust-dir "$ROOT/share/attest/anchors")
verify() { "$REQ" verify "${A[@]}" "$@"; }

# --- 1. refusals ---------------------------------------------------------------------------------
check "--evidence-file missing -> 2, one line" eval 'rc_is 2 verify --evidence-file "$T/nope" && one_line "nope"'
printf 'hello' >"$T/junk.bin"
check "--evidence-file of unknown bytes -> 2, one line" eval 'rc_is 2 verify --evidence-file "$T/junk.bin" \
    && one_line "junk.bin: neither certificates"'
p256_key "$T/k.pem"
check "--evidence-file holding a private key -> 2, one line" eval 'rc_is 2 verify --evidence-file "$T/k.pem" \
    && one_line "PRIVATE KEY is not vendor evidence"'
check "--evidence-file of a root certificate only -> 2 (no statement)" eval 'rc_is 2 verify \
    --evidence-file "$V/marvell/pv_owner-root_hawksbill-root-v1-prod.pem" && one_line "no vendor evidence"'
check "nothing written to stdout by a refusal" eval '[[ ! -s $T/out ]]'

# --- 2. Luna PKC beside its request ----------------------------------------------------------------
L=$V/luna
openssl pkcs7 -inform DER -in "$L/ecc-pkc.p7b" -out "$T/pkc.pem"
openssl pkcs7 -inform DER -in "$L/ecc-pkc.p7b" -print_certs -out "$T/pkc-chain.pem"
for f in "$L/ecc-pkc.p7b" "$T/pkc.pem" "$T/pkc-chain.pem"; do
    check "luna: $(basename "$f") beside ecc-test.csr -> 3 (quirk), bound" eval 'rc_is 3 verify --in "$L/ecc-test.csr" \
        --evidence-file "$f" --format json && js "$T/out" "res(\"luna.key-binding\") == \"pass\"
            and res(\"policy.key-attested\") == \"pass\" and res(\"policy.quirks\") == \"fail\""'
done
check "luna: --strict -> 1, the quirk refused" eval 'rc_is 1 verify --in "$L/ecc-test.csr" --evidence-file "$L/ecc-pkc.p7b" \
    --strict --format json && js "$T/out" "\"policy.quirks\" in errors()"'
openssl req -new -key "$T/k.pem" -subj /CN=other -out "$T/other.csr"
check "luna: beside a request for another key -> 1, luna.key-binding" eval 'rc_is 1 verify --in "$T/other.csr" \
    --evidence-file "$L/ecc-pkc.p7b" --format json && js "$T/out" "\"luna.key-binding\" in errors()"'

# --- 3. Cloud HSM attestation alone --------------------------------------------------------------
M=$V/marvell
mv_verify() { verify --evidence-file "$1" --evidence-file "$M/smallstep_ec.certs" --format json "${@:2}"; }
check "marvell: alone, no key -> 3, policy.key-attested warns" eval 'rc_is 3 mv_verify "$M/smallstep_ec.dat" \
    && js "$T/out" "res(\"policy.key-attested\") == \"skip\" and \"evidence[0]\" in j[\"submods\"]"'
python3 - "$T/out" "$T/attested.der" <<'EOF'
import json, sys, base64
j = json.load(open(sys.argv[1]))
key = j["submods"]["evidence[0]"]["attest-req"]["attested_key"]["spki"]
open(sys.argv[2], "wb").write(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)))
EOF
openssl pkey -pubin -inform DER -in "$T/attested.der" -out "$T/attested.pem"
check "marvell: --pubkey the attested key -> 3 (expired manufacturer root), bound; AR4SI 32/2/2" eval 'rc_is 3 \
    mv_verify "$M/smallstep_ec.dat" --pubkey "$T/attested.pem" && js "$T/out" "res(\"policy.key-attested\") == \"pass\"
        and res(\"marvell.key-binding\") == \"pass\" and j[\"submods\"][\"evidence[0]\"][\"ear.trustworthiness-vector\"]
            == {\"instance-identity\": 2, \"hardware\": 32, \"storage-opaque\": 2}"'
gzip -dc "$M/smallstep_ec.dat" >"$T/ec.raw"
check "marvell: the same attestation inflated -> the same verdict" eval 'rc_is 3 mv_verify "$T/ec.raw" \
    --pubkey "$T/attested.pem" && js "$T/out" "res(\"marvell.key-binding\") == \"pass\""'
openssl pkey -in "$T/k.pem" -pubout -out "$T/k.pub"
check "marvell: --pubkey another key -> 1, marvell.key-binding; AR4SI instance 96" eval 'rc_is 1 mv_verify \
    "$M/smallstep_ec.dat" --pubkey "$T/k.pub" && js "$T/out" "\"marvell.key-binding\" in errors()
        and j[\"submods\"][\"evidence[0]\"][\"ear.trustworthiness-vector\"][\"instance-identity\"] == 96"'

# --- 4. Android chain ----------------------------------------------------------------------------
D=$V/android
and_verify() { verify --evidence-file "$D/RSA_SecurityLevel_TEE_cert0.der" --evidence-file "$D/RSA_SecurityLevel_TEE_cert1.der" \
    --evidence-file "$D/RSA_SecurityLevel_TEE_cert2.der" --format json "$@"; }
check "android: TEE chain, challenge abc -> 3 (unlocked, unverified boot), nonce passes" eval 'rc_is 3 and_verify \
    --nonce 616263 && js "$T/out" "res(\"android.nonce\") == \"pass\""'
check "android: another challenge -> 1, android.nonce" eval 'rc_is 1 and_verify --nonce 616264 \
    && js "$T/out" "\"android.nonce\" in errors()"'

# --- 5. new --evidence-file ----------------------------------------------------------------------
# A YubiKey-shaped chain under a test root: root -> F9 (CA, firmware 5.7.4) -> slot certificate for key.
Y=$T/yk; mkdir -p "$Y/anchors/yubikey"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$Y/root.key" -out "$Y/anchors/yubikey/root.pem" \
    -subj "/CN=test yubico root" -days 400 -addext basicConstraints=critical,CA:TRUE 2>/dev/null
p256_key "$Y/f9.key"; p256_key "$Y/key.pem"
openssl req -new -key "$Y/f9.key" -subj "/CN=Yubico PIV Attestation" -out "$Y/f9.csr"
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\n1.3.6.1.4.1.41482.3.3=DER:050704\n' >"$Y/f9.ext"
openssl x509 -req -in "$Y/f9.csr" -CA "$Y/anchors/yubikey/root.pem" -CAkey "$Y/root.key" -CAserial "$Y/root.srl" -CAcreateserial -days 30 \
    -extfile "$Y/f9.ext" -out "$Y/f9.pem" 2>/dev/null
openssl req -new -key "$Y/key.pem" -subj "/CN=YubiKey PIV Attestation 9a" -out "$Y/slot.csr"
printf '%s\n' '1.3.6.1.4.1.41482.3.3=DER:050704' '1.3.6.1.4.1.41482.3.7=DER:020401F8845F' \
    '1.3.6.1.4.1.41482.3.8=DER:0203' '1.3.6.1.4.1.41482.3.9=DER:03' >"$Y/slot.ext"
openssl x509 -req -in "$Y/slot.csr" -CA "$Y/f9.pem" -CAkey "$Y/f9.key" -CAcreateserial -days 30 \
    -extfile "$Y/slot.ext" -out "$Y/slot.pem" 2>/dev/null
check "new --evidence-file slot + F9 --key -> 0, a request" eval 'rc_is 0 "$REQ" new --evidence-file "$Y/slot.pem" \
    --evidence-file "$Y/f9.pem" --key "$Y/key.pem" --subject /CN=yk-test --out "$Y/req.pem" && [[ -s $Y/req.pem ]]'
check "  verify against its test root -> 0, yubikey.key-binding, AR4SI all affirming" eval 'rc_is 0 "$REQ" verify \
    --in "$Y/req.pem" --trust-dir "$Y/anchors" --format json && js "$T/out" "res(\"yubikey.key-binding\") == \"pass\"
        and j[\"submods\"][\"attestations[0]\"][\"ear.trustworthiness-vector\"]
            == {\"instance-identity\": 2, \"hardware\": 2, \"storage-opaque\": 2}"'
check "  verify against the shipped anchors -> 1, yubikey.chain" eval 'rc_is 1 verify --in "$Y/req.pem" --format json \
    && js "$T/out" "\"yubikey.chain\" in errors()"'
check "new --evidence-file about another key -> 1, one line, nothing written" eval 'rc_is 1 "$REQ" new \
    --evidence-file "$Y/slot.pem" --evidence-file "$Y/f9.pem" --key "$T/k.pem" --subject /CN=x --out "$Y/bad.pem" \
    && one_line "not of --key" && [[ ! -e $Y/bad.pem ]]'
check "new --evidence-file with --ak -> 2" rc_is 2 "$REQ" new --evidence-file "$Y/slot.pem" --key "$Y/key.pem" \
    --ak "$T/k.pem" --subject /CN=x
finish
