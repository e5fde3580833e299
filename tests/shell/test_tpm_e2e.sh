#!/usr/bin/env bash
# test_tpm_e2e.sh - attest-req new/verify end to end on a throw-away swtpm: the key x AK matrix,
# cross-checks with the OpenSSL CLI and tpm2-tools, DER/PEM, TSS2 key files, --pss, error paths,
# an unreachable TPM, the lamps-wg sample CSRs, and verify's trust-dir handling.
# Needs swtpm, tpm2-tools, tpm2-openssl, python3. ctest sets ATTEST_REQ, ATTEST_VECTORS, ATTEST_SRC.
# Check bodies are single-quoted on purpose (they expand inside `check ... eval`), so some
# variables look unused to shellcheck.
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

lab_up
mkdir "$T/trust" "$T/errs"
cp "$P/ca/root.pem" "$T/trust/"    # the root only: the intermediate comes from the bundle

# --- helpers (each returns the status of one && chain: `if` turns set -e off in them) --------
tpm_fp() { tpm2_readpublic -c "$1" -f pem -o "$T/rp.pem" >/dev/null && spki_fp <"$T/rp.pem"; }
csr_fp() { openssl req -in "$1" -pubkey -noout | spki_fp; }
# ear FILE STATUS FP [ID RESULT]...: EAR JSON with this ear.status, attested_key = SPKI with sha256 FP
# (- to skip) and, for each pair, a check ID (top level or any submod) with RESULT.
ear() {
    python3 - "$@" <<'EOF'
import base64, hashlib, json, sys
f, status, fp = sys.argv[1:4]
j = json.load(open(f))
subs = list(j.get("submods", {}).values())
ok = j["ear.status"] == status
if fp != "-":
    k = j["submods"]["attestations[0]"]["attest-req"]["attested_key"]
    a = k["spki"]
    ok = ok and hashlib.sha256(base64.urlsafe_b64decode(a + "=" * (-len(a) % 4))).hexdigest() == fp == k["spki_sha256"]
    ok = ok and j["attest-req"]["subject_key_spki_sha256"] == fp
checks = j["attest-req"]["checks"] + [c for s in subs for c in s["attest-req"]["checks"]]
for cid, res in zip(sys.argv[4::2], sys.argv[5::2]):
    ok = ok and any(c["id"] == cid and c["result"] == res for c in checks)
sys.exit(0 if ok else 1)
EOF
}
N=$(openssl rand -hex 32)
BAD=$(openssl rand -hex 32)
EXT=(--addext "keyUsage=critical,digitalSignature" --addext "extendedKeyUsage=codeSigning")
new() {  # new KEY AK NAME OUT [more options]: attested CSR with the AK's cert and the intermediate
    local k=$1 a=$2 n=$3 o=$4; shift 4
    rc_is 0 "$REQ" new --evidence tpm2 --key "$k" --ak "$a" --ak-cert "$P/ak-$n.pem" \
        --ak-chain "$P/ca/int.pem" --nonce "$N" --subject "/CN=e2e $n/O=attest" "${EXT[@]}" --out "$o" "$@"
}
verify() { "$REQ" verify --trust-dir "$T/trust" --in "$@"; }
ok_text() { openssl req -in "$1" -verify -noout 2>&1 | grep -q 'verify OK'; }   # text, not the exit code

# 1. matrix: every key with every AK -> affirming with the nonce, cross-checked by OpenSSL.
KEYS=("P-256 0x81000010" "RSA-2048 0x81000011" "P-384 0x81000012" "RSA-3072 0x81000013")
AKS=("ECC 0x81008001 ecc" "RSA 0x81008002 rsa" "RSA-PSS 0x81008003 rsapss" "ECC-P384 0x81008004 ecc384")
for ks in "${KEYS[@]}"; do
    read -r kl kh <<<"$ks"
    kfp=$(tpm_fp "$kh")
    for as in "${AKS[@]}"; do
        read -r al ah an <<<"$as"
        F=$T/$kh-$an.pem; M="$kl/$al"
        check "$M: new" new "$kh" "$ah" "$an" "$F"
        check "$M: verify --nonce -> 0" rc_is 0 verify "$F" --nonce "$N"
        check "$M: json affirming, akpub = TPM key" \
            eval 'rc_is 0 verify "$F" --nonce "$N" --format json && ear "$T/out" affirming "$kfp"'
        check "$M: no --nonce -> 3, tpm2.nonce skip" \
            eval 'rc_is 3 verify "$F" --format json && ear "$T/out" warning - tpm2.nonce skip'
        check "$M: wrong nonce -> 1, stderr names tpm2.nonce" \
            eval 'rc_is 1 verify "$F" --nonce "$BAD" && grep -q tpm2.nonce "$T/err"'
        check "$M: openssl req -verify prints verify OK" ok_text "$F"
        check "$M: CSR key = tpm2_readpublic key" eval '[[ $(csr_fp "$F") == "$kfp" ]]'
    done
done

# 2. DER output verifies; verify detects PEM and DER, from a file and from stdin.
D=$T/p256.der
check "new --outform der" new 0x81000010 0x81008001 ecc "$D" --outform der
check "DER output is DER (starts 0x30 0x82)" eval '[[ $(head -c 2 "$D" | od -An -tx1 | tr -d " ") == 3082 ]]'
check "openssl reads the DER CSR: verify OK" eval 'openssl req -inform DER -in "$D" -verify -noout 2>&1 | grep -q "verify OK"'
check "verify DER file -> 0" rc_is 0 verify "$D" --nonce "$N"
check "verify DER on stdin -> 0" eval 'rc_is 0 verify - --nonce "$N" <"$D"'
check "verify PEM on stdin -> 0" eval 'rc_is 0 verify - --nonce "$N" <"$T/0x81000010-ecc.pem"'

# 3. a TSS2 PRIVATE KEY file made by tpm2-openssl (OpenSSL's own module dir: OPENSSL_MODULES
#    may point at attest's build dir).
MODDIR=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
check "openssl genpkey -provider tpm2 writes a TSS2 key" eval 'openssl genpkey -provider-path "$MODDIR" \
    -provider tpm2 -provider default -algorithm EC -pkeyopt group:P-256 -out "$T/k.pem" 2>/dev/null \
    && grep -q "BEGIN TSS2 PRIVATE KEY" "$T/k.pem"'
check "new --key k.pem (TSS2)" new "$T/k.pem" 0x81008001 ecc "$T/tss2.pem"
check "TSS2 key CSR: verify -> 0" rc_is 0 verify "$T/tss2.pem" --nonce "$N"
check "TSS2 key CSR: key = the provider's public key" eval '[[ $(csr_fp "$T/tss2.pem") == $(openssl pkey \
    -provider-path "$MODDIR" -provider tpm2 -provider default -in "$T/k.pem" -pubout | spki_fp) ]]'

# 4. --pss: an RSASSA-PSS request signature verifies (ours and OpenSSL's).
check "new --pss (RSA-2048 key, RSA AK)" new 0x81000011 0x81008002 rsa "$T/pss.pem" --pss
check "--pss: signature algorithm rsassaPss" eval 'openssl req -in "$T/pss.pem" -noout -text | grep -q "Signature Algorithm: rsassaPss"'
check "--pss: verify -> 0" rc_is 0 verify "$T/pss.pem" --nonce "$N"
check "--pss: openssl req -verify prints verify OK" ok_text "$T/pss.pem"

# 5. errors of new: one stderr line, the right exit code, no output file.
E=$T/errs
NEWE=("$REQ" new --evidence tpm2 --ak-chain "$P/ca/int.pem" --key 0x81000010 --ak 0x81008001)
check "AK cert of another AK -> 1, one line naming --ak-cert" eval 'rc_is 1 "${NEWE[@]}" \
    --ak-cert "$P/ak-rsa.pem" --subject /CN=x --out "$E/1.pem" && one_line --ak-cert'
check "nonexistent key handle -> 1, one line naming it" eval 'rc_is 1 "$REQ" new --evidence tpm2 \
    --key 0x81000099 --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" --subject /CN=x --out "$E/2.pem" && one_line 0x81000099'
check "... the line says what to do, not the raw code (0x18b)" eval 'one_line "no object at this handle: create it or make it persistent" \
    && ! grep -q 0x18b "$T/err"'
check "... with --verbose the raw code too" eval 'rc_is 1 "$REQ" --verbose new --evidence tpm2 --key 0x81000099 --ak 0x81008001 \
    --ak-cert "$P/ak-ecc.pem" --nonce 00 --subject /CN=x --out "$E/2.pem" && grep -q "no object at this handle.*0x18b" "$T/err"'
check "unknown option -> 2" eval 'rc_is 2 "${NEWE[@]}" --ak-cert "$P/ak-ecc.pem" --subject /CN=x --bogus --out "$E/3.pem" && one_line option'
check "missing --subject -> 2" eval 'rc_is 2 "${NEWE[@]}" --ak-cert "$P/ak-ecc.pem" --out "$E/4.pem" && one_line --subject'
check "malformed --subject -> 2, before the TPM is touched" eval 'rc_is 2 env ATTEST_TCTI=swtpm:host=127.0.0.1,port=1 \
    "${NEWE[@]}" --ak-cert "$P/ak-ecc.pem" --subject CN=no-slash --out "$E/4b.pem" && one_line --subject'
check "bad --nonce hex -> 2" eval 'rc_is 2 "${NEWE[@]}" --ak-cert "$P/ak-ecc.pem" --subject /CN=x --nonce 0xZZ --out "$E/5.pem" && one_line --nonce'
check "--out into a nonexistent dir -> 2, nothing created" eval 'rc_is 2 "${NEWE[@]}" --ak-cert "$P/ak-ecc.pem" \
    --subject /CN=x --out "$E/nodir/6.pem" && one_line nodir && [[ ! -e $E/nodir ]]'

# 6. TPM unreachable (a closed port): exit 2, exactly one stderr line, no output file.
check "TPM unreachable -> 2, one stderr line" eval 'rc_is 2 env ATTEST_TCTI=swtpm:host=127.0.0.1,port=1 \
    TPM2OPENSSL_TCTI=swtpm:host=127.0.0.1,port=1 TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=1 \
    "${NEWE[@]}" --ak-cert "$P/ak-ecc.pem" --subject /CN=x --out "$E/7.pem" && [[ $(wc -l <"$T/err") -eq 1 ]]'
check "failed runs left no file (not even a temp file)" eval '[[ -z $(ls -A "$E") ]]'

# 7. the lamps-wg sample CSRs; the trust anchor is the sample's own root (bundle certs[1]:
#    the last depth-7 SEQUENCE of the DER, bytes 2324..3212).
S=$VEC/csr-attestation
mkdir "$T/lamps"
openssl req -in "$S/tcgAttestTpmCertify.9245d16.pem" -outform DER -out "$T/s.der"
read -r off hl len < <(openssl asn1parse -inform DER -in "$T/s.der" \
    | sed -n 's/^ *\([0-9]*\):d=7 *hl=\([0-9]*\) *l= *\([0-9]*\) cons: SEQUENCE.*/\1 \2 \3/p' | tail -n 1)
tail -c +$((off + 1)) "$T/s.der" | head -c $((hl + len)) | openssl x509 -inform DER -out "$T/lamps/root.pem"
check "sample root extracted (bytes $off..$((off + hl + len - 1)), self-signed)" \
    eval 'openssl verify -check_ss_sig -partial_chain -attime 1730419200 -CAfile "$T/lamps/root.pem" "$T/lamps/root.pem" >/dev/null'
L=(--trust-dir "$T/lamps" --format json)
check "9245d16 at 2024-11-01 -> 3: csr.signature pass, no nonce, legacy hint" eval 'rc_is 3 "$REQ" verify \
    --in "$S/tcgAttestTpmCertify.9245d16.pem" "${L[@]}" --at-time 2024-11-01T00:00:00Z \
    && ear "$T/out" warning - csr.signature pass chain.trust pass tpm2.nonce skip bundle.shape fail'
check "HEAD sample -> 1, csr.signature fail" eval 'rc_is 1 "$REQ" verify --in "$S/tcgAttestTpmCertify.HEAD-02aed20.pem" \
    "${L[@]}" --at-time 2024-11-01T00:00:00Z && ear "$T/out" contraindicated - csr.signature fail'
check "9245d16 today -> 1, chain.trust fail (expired)" eval 'rc_is 1 "$REQ" verify --in "$S/tcgAttestTpmCertify.9245d16.pem" \
    "${L[@]}" && ear "$T/out" contraindicated - chain.trust fail && grep -q expired "$T/out"'

# 8. a CSR without any attestation -> 4 (ear.status none).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/plain.key" \
    -subj /CN=plain -out "$T/plain.pem" 2>/dev/null
check "plain CSR -> 4, ear.status none" eval 'rc_is 4 verify "$T/plain.pem" --format json && ear "$T/out" none -'

# 9. trust dir: a non-certificate file is skipped with a notice; a missing dir is an I/O error.
echo "not a certificate" >"$T/trust/README"
check "non-certificate in trust dir: notice, still 0" eval 'rc_is 0 verify "$T/0x81000010-ecc.pem" --nonce "$N" \
    && grep -q "notice.*README" "$T/err"'
check "nonexistent trust dir -> 2" rc_is 2 "$REQ" verify --in "$T/0x81000010-ecc.pem" --trust-dir "$T/nope"

# 10. after all runs: nothing leaked into the TPM's transient slots.
check "no transient handles or sessions left in the TPM" \
    eval '[[ -z $(tpm2_getcap handles-transient; tpm2_getcap handles-loaded-session) ]]'

finish
