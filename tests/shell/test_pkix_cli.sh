#!/usr/bin/env bash
# test_pkix_cli.sh - PKIX key attestation evidence through the CLI, on one throw-away swtpm:
# `new --evidence pkix` with file AKs (a software HSM stand-in), TPM keys, several AKs at once, the
# refusal of TPM AKs (a soundness regression),
# claims files, `attest-req evidence` and `new --evidence-file`, `verify` of a standalone
# Evidence, the reference samples of the draft, and the error paths.
# Needs swtpm, tpm2-tools, tpm2-openssl, python3. ctest sets ATTEST_REQ, ATTEST_VECTORS, ATTEST_SRC.
# Check bodies are single-quoted on purpose (they expand inside `check ... eval`).
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

lab_up
mkdir "$T/trust" "$T/errs" "$T/hsm" "$T/hsm/trust" "$T/vtrust"
cp "$P/ca/root.pem" "$T/trust/"    # the TPM AKs' root only: intermediates come from the bundle
N=$(openssl rand -hex 32)
verify() { "$REQ" verify --format json "$@"; }          # JSON verdict in $T/out (with rc_is)

# 1. Software HSM stand-in: AKs are PEM files certified by a throw-away CA with the draft's
#    id-kp-attestationKey placeholder EKU (1.3.6.1.5.5.7.3.999); the subject key is a PEM file.
H=$T/hsm
akca "$H" "HSM test CA"
mk_ak() {  # mk_ak NAME GENPKEY-ARGS...: NAME.key + NAME.pem issued by the HSM CA
    local n=$1; shift
    openssl genpkey "$@" -out "$H/$n.key" 2>/dev/null
    akca_issue "$H" "$H/$n.key" "HSM AK $n" ak "$H/$n.pem"
}
mk_ak ak1 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
mk_ak ak2 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
mk_ak ak3 -algorithm ED25519
p256_key "$H/key.pem"
openssl pkey -in "$H/key.pem" -pubout -out "$H/key.spki.pem"
SW=(--key "$H/key.pem" --nonce "$N" --subject /CN=x)
HV=(--trust-dir "$H/trust" --nonce "$N")

check "hsm: new --evidence pkix, PEM key and PEM AK" rc_is 0 "$REQ" new --evidence pkix "${SW[@]}" \
    --ak "$H/ak1.key" --ak-cert "$H/ak1.pem" --out "$T/sw.pem"
# A key in a file is extractable, and the claims say so honestly: only pkix.key-policy fails.
check "hsm: verify -> 1, pkix.key-policy the only failure, the rest pass" eval 'rc_is 1 verify --in "$T/sw.pem" "${HV[@]}" \
    && js "$T/out" "status == \"contraindicated\" and fails() == [\"pkix.key-policy\"] and all(res(i) == \"pass\" for i in
        [\"csr.signature\", \"pkix.structure\", \"pkix.signature\", \"chain.trust\", \"chain.ak-profile\", \"pkix.key-binding\", \"pkix.nonce\"])"'
check "hsm: key-policy names extractable TRUE and local unknown" \
    js "$T/out" '"extractable TRUE" in det("pkix.key-policy") and "local unknown" in det("pkix.key-policy")'
check "hsm: --allow exportable-key --allow imported-key -> 3, key-policy warning" eval 'rc_is 3 verify --in "$T/sw.pem" \
    "${HV[@]}" --allow exportable-key --allow imported-key && js "$T/out" "status == \"warning\" and fails() == [\"pkix.key-policy\"]"'
check "hsm: only --allow exportable-key -> still 1 (local is unknown)" \
    rc_is 1 verify --in "$T/sw.pem" "${HV[@]}" --allow exportable-key
check "hsm: show: extractable true, never-extractable false, sensitive false, no local claim" eval '"$REQ" show \
    --in "$T/sw.pem" --format json >"$T/show.json" && js "$T/show.json" "claim(\"pkix-key-extractable\") is True
        and claim(\"pkix-key-never-extractable\") is False and claim(\"pkix-key-sensitive\") is False
        and claim(\"pkix-key-local\") is None and claim(\"pkix-key-identifier\").startswith(\"spki-sha256:\")"'

# A claims file may only agree with what the key's store says.
printf '# a lie about a key in a file\nextractable = false\n' >"$H/lie.claims"
check "hsm: claims extractable = false for a PEM key -> 1, one line, no output" eval 'rc_is 1 "$REQ" new \
    --evidence pkix "${SW[@]}" --ak "$H/ak1.key" --ak-cert "$H/ak1.pem" --claims "$H/lie.claims" --out "$T/errs/lie.pem" \
    && one_line "extractable" && [[ ! -e $T/errs/lie.pem ]]'
printf 'vendor = Example HSM Co\nfipsboot = true\nfipslevel = 3\n' >"$H/platform.claims"
check "hsm: new --claims vendor/fipsboot/fipslevel" rc_is 0 "$REQ" new --evidence pkix "${SW[@]}" \
    --ak "$H/ak1.key" --ak-cert "$H/ak1.pem" --claims "$H/platform.claims" --key-id hsm-key-7 --out "$T/pl.pem"
check "hsm: show json: vendor text, fipsboot true, fipslevel integer 3, key-id" eval '"$REQ" show --in "$T/pl.pem" \
    --format json >"$T/show.json" && js "$T/show.json" "claim(\"pkix-platform-vendor\") == \"Example HSM Co\"
        and claim(\"pkix-platform-fipsboot\") is True and type(claim(\"pkix-platform-fipslevel\")) is int
        and claim(\"pkix-platform-fipslevel\") == 3 and claim(\"pkix-key-identifier\") == \"hsm-key-7\""'
check "hsm: the platform element passes pkix.structure" eval 'rc_is 1 verify --in "$T/pl.pem" "${HV[@]}" \
    && js "$T/out" "\"1 platform\" in det(\"pkix.structure\") and fails() == [\"pkix.key-policy\"]"'

# 2. Several AKs, one SignatureBlock each, all verified: P-256 + RSA-2048, then + Ed25519;
#    RSA with --ak-pss.
ALLOW=(--allow exportable-key --allow imported-key)
check "multi: --ak x2 (P-256, RSA-2048)" rc_is 0 "$REQ" new --evidence pkix "${SW[@]}" \
    --ak "$H/ak1.key" --ak-cert "$H/ak1.pem" --ak "$H/ak2.key" --ak-cert "$H/ak2.pem" --out "$T/m2.pem"
check "multi x2: two signature blocks" eval '"$REQ" show --in "$T/m2.pem" --format json >"$T/show.json" && js "$T/show.json" "nsig() == 2"'
check "multi x2: verify -> 3, pkix.signature names both blocks verified" eval 'rc_is 3 verify --in "$T/m2.pem" "${HV[@]}" "${ALLOW[@]}" \
    && js "$T/out" "res(\"pkix.signature\") == \"pass\" and det(\"pkix.signature\").startswith(\"2 of 2\")
        and \"[0] certificate: ecdsa-with-SHA256 verified\" in det(\"pkix.signature\")
        and \"[1] certificate: sha256WithRSAEncryption verified\" in det(\"pkix.signature\")"'
check "multi: --ak x3 (P-256, RSA-2048, Ed25519)" rc_is 0 "$REQ" new --evidence pkix "${SW[@]}" --ak "$H/ak1.key" \
    --ak-cert "$H/ak1.pem" --ak "$H/ak2.key" --ak-cert "$H/ak2.pem" --ak "$H/ak3.key" --ak-cert "$H/ak3.pem" --out "$T/m3.pem"
check "multi x3: three signature blocks" eval '"$REQ" show --in "$T/m3.pem" --format json >"$T/show.json" && js "$T/show.json" "nsig() == 3"'
check "multi x3: verify -> 3, [2] ED25519 verified" eval 'rc_is 3 verify --in "$T/m3.pem" "${HV[@]}" "${ALLOW[@]}" \
    && js "$T/out" "det(\"pkix.signature\").startswith(\"3 of 3\") and \"[2] certificate: ED25519 verified\" in det(\"pkix.signature\")"'
check "multi: RSA AK --ak-pss -> rsassaPss verified" eval 'rc_is 0 "$REQ" new --evidence pkix "${SW[@]}" \
    --ak "$H/ak2.key" --ak-cert "$H/ak2.pem" --ak-pss --out "$T/pss.pem" && rc_is 3 verify --in "$T/pss.pem" "${HV[@]}" "${ALLOW[@]}" \
    && js "$T/out" "\"[0] certificate: rsassaPss verified\" in det(\"pkix.signature\")"'
check "multi: --ak-md SHA384 on the P-256 AK -> ecdsa-with-SHA384 verified" eval 'rc_is 0 "$REQ" new --evidence pkix "${SW[@]}" \
    --ak "$H/ak1.key" --ak-cert "$H/ak1.pem" --ak-md SHA384 --out "$T/md.pem" && rc_is 3 verify --in "$T/md.pem" "${HV[@]}" "${ALLOW[@]}" \
    && js "$T/out" "\"ecdsa-with-SHA384 verified\" in det(\"pkix.signature\")"'

# 3. TPM keys attested by HSM AKs: non-exportable and local come from TPMA_OBJECT, so verify affirms.
cp "$H/trust/ca.pem" "$T/trust/hsm-ca.pem"
for ks in "p256 0x81000010" "rsa2048 0x81000011"; do
    read -r kn kh <<<"$ks"
    for an in ak1 ak2; do
        F=$T/tpm-$kn-$an.pem M="tpm $kn/$an"
        check "$M: new --evidence pkix" rc_is 0 "$REQ" new --evidence pkix --key "$kh" --ak "$H/$an.key" \
            --ak-cert "$H/$an.pem" --nonce "$N" --subject "/CN=pkix $kn $an" --out "$F"
        check "$M: verify --nonce -> 0, every check passes" eval 'rc_is 0 verify --in "$F" --trust-dir "$T/trust" --nonce "$N" \
            && js "$T/out" "status == \"affirming\" and fails() == [] and res(\"pkix.key-policy\") == \"pass\""'
        check "$M: show: extractable false, never-extractable true, local true" eval '"$REQ" show --in "$F" --format json \
            >"$T/show.json" && js "$T/show.json" "claim(\"pkix-key-extractable\") is False
                and claim(\"pkix-key-never-extractable\") is True and claim(\"pkix-key-local\") is True
                and claim(\"pkix-key-sensitive\") is True and claim(\"pkix-key-identifier\") == \"tpm:$kh\""'
    done
done
check "tpm: no --nonce -> 3, pkix.nonce skipped" \
    eval 'rc_is 3 verify --in "$T/tpm-p256-ak1.pem" --trust-dir "$T/trust" && js "$T/out" "res(\"pkix.nonce\") == \"skip\""'
check "tpm: wrong nonce -> 1, pkix.nonce fails" eval 'rc_is 1 verify --in "$T/tpm-p256-ak1.pem" --trust-dir "$T/trust" \
    --nonce "$(openssl rand -hex 32)" && js "$T/out" "fails() == [\"pkix.nonce\"]"'

# 3a. Regression (soundness): a restricted TPM AK signs any digest the host hands it, so it must
#     never sign host-written PKIX claims. The false accept: a software key in a PEM file, named
#     file:..., claims "non-extractable" from a claims file, signed by the TPM AK 0x81008001.
printf 'extractable = false\nnever-extractable = true\nsensitive = true\nlocal = true\n' >"$T/lie-all.claims"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/soft.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/soft-rsa.key" 2>/dev/null
for as in "ecc 0x81008001 soft.key" "rsa 0x81008002 soft-rsa.key"; do
    read -r an ah sk <<<"$as"
    check "regress: $an TPM AK + file: software key + lying claims -> 1, one line, no output" eval 'rc_is 1 "$REQ" new \
        --evidence pkix --key "file:$T/$sk" --ak "handle:$ah" --ak-cert "$P/ak-$an.pem" --ak-chain "$P/ca/int.pem" \
        --claims "$T/lie-all.claims" --nonce "$N" --subject /CN=soft --out "$T/errs/soft-$an.pem" \
        && one_line "a TPM AK certificate" && grep -q -- "--evidence tpm2" "$T/err" && [[ ! -e $T/errs/soft-$an.pem ]]'
    check "regress: no --ak-cert, honest claims -> 1 (the restricted AK itself is refused)" eval 'rc_is 1 "$REQ" new \
        --evidence pkix --key "$T/$sk" --ak "handle:$ah" --nonce "$N" --subject /CN=soft \
        --out "$T/errs/soft2-$an.pem" && one_line "restricted TPM AK" && [[ ! -e $T/errs/soft2-$an.pem ]]'
done
check "regress: evidence --ak handle:0x81008001 -> 1, one line" eval 'rc_is 1 "$REQ" evidence --key 0x81000010 \
    --ak handle:0x81008001 --nonce "$N" --out "$T/errs/ev-tpmak.pem" && one_line "restricted TPM AK" \
    && [[ ! -e $T/errs/ev-tpmak.pem ]]'
# The claims file may only agree with the key's store whichever way the file is named.
for spec in "file:$T/soft.key" "file://$T/soft.key" "$T/soft.key"; do
    check "key facts: --key ${spec%%/*}... with extractable = false -> 1, one line" eval 'rc_is 1 "$REQ" new \
        --evidence pkix --key "$spec" --ak "$H/ak1.key" --ak-cert "$H/ak1.pem" --claims "$T/lie-all.claims" --nonce "$N" \
        --subject /CN=soft --out "$T/errs/facts.pem" && one_line "extractable" && [[ ! -e $T/errs/facts.pem ]]'
done
MODDIR=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
openssl genpkey -provider-path "$MODDIR" -provider tpm2 -provider default -algorithm EC -pkeyopt group:P-256 \
    -pkeyopt parent:0x81000001 -out "$T/key-tss2.pem" 2>/dev/null
check "key facts: --key file:TSS2-KEY reads the TPM's attributes" eval 'rc_is 0 "$REQ" new --evidence pkix \
    --key "file:$T/key-tss2.pem" --ak "$H/ak1.key" --ak-cert "$H/ak1.pem" --nonce "$N" --subject /CN=tss2 --out "$T/tss2.pem" \
    && "$REQ" show --in "$T/tss2.pem" --format json >"$T/show.json" \
    && js "$T/show.json" "claim(\"pkix-key-extractable\") is False and claim(\"pkix-key-local\") is True"'
# An AK certificate that marks a TPM AK (tcg-kp-AIKCertificate) is refused even for a file AK ...
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/aik-file.key" 2>/dev/null
akca_issue "$H" "$T/aik-file.key" "AK with a TPM EKU" aik "$T/aik-file.pem"
check "regress: --ak-cert with EKU tcg-kp-AIKCertificate -> 1, one line, no output" eval 'rc_is 1 "$REQ" new \
    --evidence pkix "${SW[@]}" --ak "$T/aik-file.key" --ak-cert "$T/aik-file.pem" --out "$T/errs/aik.pem" \
    && one_line "TPM AK certificate" && [[ ! -e $T/errs/aik.pem ]]'
# ... and by the verifier, whoever produced the evidence (made here without the certificate, then
# carried with it): chain.ak-profile contraindicates it, --allow ak-without-eku included.
check "regress: verify evidence whose AK certificate is a TPM AK certificate -> 1, chain.ak-profile" eval 'rc_is 0 \
    "$REQ" evidence --key 0x81000010 --ak "$T/aik-file.key" --nonce "$N" --out "$T/aik-ev.pem" \
    && rc_is 1 verify --in "$T/aik-ev.pem" --trust-dir "$H/trust" --untrusted "$T/aik-file.pem" --nonce "$N" \
        --pubkey "$P/key-p256.spki.pem" --allow ak-without-eku \
    && js "$T/out" "fails() == [\"chain.ak-profile\"] and \"TPM AK certificate\" in det(\"chain.ak-profile\")"'
check "an unrestricted TPM key as AK: made, with a notice that the claims are the host's word" eval 'rc_is 0 "$REQ" \
    evidence --key 0x81000010 --ak handle:0x81000011 --nonce "$N" --out "$T/unr.pem" && grep -q "host" "$T/err"'
rm "$T/trust/hsm-ca.pem"

# 4. attest-req evidence: the Evidence alone; verify it standalone, then carry it with --evidence-file.
EV=(--trust-dir "$H/trust" --nonce "$N")
check "evidence --key 0x81000010 --ak ak1.key -> 0" rc_is 0 "$REQ" evidence --key 0x81000010 \
    --ak "$H/ak1.key" --ak-cert "$H/ak1.pem" --nonce "$N" --out "$T/ev.pem"
check "evidence: PEM label EVIDENCE" eval '[[ $(head -n 1 "$T/ev.pem") == "-----BEGIN EVIDENCE-----" && $(tail -n 1 "$T/ev.pem") == "-----END EVIDENCE-----" ]]'
check "evidence: show detects PkixEvidence" eval '"$REQ" show --in "$T/ev.pem" >"$T/show.txt" \
    && [[ $(head -n 1 "$T/show.txt") == "type: PkixEvidence" ]]'
check "verify ev.pem --pubkey key -> 0, key-binding and key-policy pass" eval 'rc_is 0 verify --in "$T/ev.pem" "${EV[@]}" \
    --pubkey "$P/key-p256.spki.pem" && js "$T/out" "status == \"affirming\" and res(\"pkix.key-binding\") == \"pass\"
        and res(\"pkix.key-policy\") == \"pass\" and res(\"policy.key-attested\") == \"pass\""'
# Without --pubkey the evidence is bound to no key: key-binding is skipped with a warning
# (and key-policy skipped), so the verdict is at best a warning (exit 3), never affirming.
check "verify ev.pem without --pubkey -> 3 (key-binding skipped, warning)" eval 'rc_is 3 verify --in "$T/ev.pem" "${EV[@]}" \
    && js "$T/out" "res(\"pkix.key-binding\") == \"skip\" and res(\"pkix.key-policy\") == \"skip\" and res(\"policy.key-attested\") == \"skip\""'
check "evidence about an extractable PEM key, no --pubkey -> 3 as well" eval 'rc_is 0 "$REQ" evidence --key "$H/key.pem" \
    --ak "$H/ak1.key" --ak-cert "$H/ak1.pem" --nonce "$N" --out "$T/swev.pem" && rc_is 3 verify --in "$T/swev.pem" "${HV[@]}"'
check "... and with --pubkey -> 1, pkix.key-policy fails" eval 'rc_is 1 verify --in "$T/swev.pem" "${HV[@]}" \
    --pubkey "$H/key.spki.pem" && js "$T/out" "fails() == [\"pkix.key-policy\"]"'
check "verify ev.pem --pubkey of another key -> 1, pkix.key-binding fails" eval 'rc_is 1 verify --in "$T/ev.pem" "${EV[@]}" \
    --pubkey "$P/key-rsa2048.spki.pem" && js "$T/out" "\"pkix.key-binding\" in fails()"'
check "verify ev.pem against the TPM AKs' root -> 1, chain.trust fails" eval 'rc_is 1 verify --in "$T/ev.pem" --trust-dir "$T/trust" \
    --nonce "$N" --pubkey "$P/key-p256.spki.pem" && js "$T/out" "fails() == [\"chain.trust\"]"'
check "evidence --outform der: DER (starts 0x30)" eval 'rc_is 0 "$REQ" evidence --key 0x81000010 --ak "$H/ak1.key" \
    --ak-cert "$H/ak1.pem" --nonce "$N" --outform der --out "$T/ev.der" && [[ $(head -c 1 "$T/ev.der" | od -An -tx1 | tr -d " ") == 30 ]]'
check "verify ev.der --pubkey -> 0" rc_is 0 verify --in "$T/ev.der" "${EV[@]}" --pubkey "$P/key-p256.spki.pem"
check "verify ev.der from stdin -> 0" eval 'rc_is 0 verify --in - "${EV[@]}" --pubkey "$P/key-p256.spki.pem" <"$T/ev.der"'
check "new --evidence-file ev.pem -> 0" rc_is 0 "$REQ" new --evidence pkix --key 0x81000010 --evidence-file "$T/ev.pem" \
    --ak-cert "$H/ak1.pem" --subject /CN=x --out "$T/evf.pem"
check "--evidence-file CSR: verify --nonce -> 0" eval 'rc_is 0 verify --in "$T/evf.pem" "${EV[@]}" \
    && js "$T/out" "status == \"affirming\" and fails() == []"'
check "--evidence-file CSR carries the evidence unchanged" eval '"$REQ" show --in "$T/evf.pem" --format json >"$T/show.json" \
    && "$REQ" show --in "$T/ev.pem" --format json >"$T/ev.json" \
    && python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); \
        sys.exit(a[\"content\"][\"attestation_bundle\"][\"attestations\"][0][\"statement\"] != b[\"content\"])" "$T/show.json" "$T/ev.json"'
check "new --evidence-file ev.der (DER) -> 0" rc_is 0 "$REQ" new --evidence pkix --key 0x81000010 \
    --evidence-file "$T/ev.der" --ak-cert "$H/ak1.pem" --subject /CN=x --out "$T/evf2.pem"
check "--evidence-file about ANOTHER key -> 1, one line, no output" eval 'rc_is 1 "$REQ" new --evidence pkix \
    --key 0x81000011 --evidence-file "$T/ev.pem" --ak-cert "$H/ak1.pem" --subject /CN=x --out "$T/errs/other.pem" \
    && one_line "no key-spki equal" && [[ ! -e $T/errs/other.pem ]]'

# 5. The draft's reference samples through the CLI (anchor: their ca.crt only).
S=$VEC/pkix-evidence
cp "$S/ca.crt" "$T/vtrust/"
# Standalone samples without --pubkey: bound to no key, so a warning (3) at best.
check "evidence1 (keyId signer, ak.crt --untrusted) -> 3, signature + chain + nonce pass" eval 'rc_is 3 verify \
    --in "$S/evidence1.pem" --trust-dir "$T/vtrust" --untrusted "$S/ak.crt" --untrusted "$S/int.crt" --nonce DEADBEEFCAFEBABE \
    && js "$T/out" "res(\"pkix.signature\") == \"pass\" and \"keyId\" in det(\"pkix.signature\") and res(\"chain.trust\") == \"pass\"
        and res(\"pkix.nonce\") == \"pass\""'
check "evidence1 without ak.crt -> 1, keyId cannot be resolved" eval 'rc_is 1 verify --in "$S/evidence1.pem" \
    --trust-dir "$T/vtrust" --untrusted "$S/int.crt" && js "$T/out" "\"cannot be resolved\" in det(\"pkix.signature\")"'
check "evidence2 (certificate signer) -> 3, signature + chain pass" eval 'rc_is 3 verify --in "$S/evidence2.pem" \
    --trust-dir "$T/vtrust" --nonce BEEFCAFEBABEDEAD && js "$T/out" "res(\"pkix.signature\") == \"pass\"
        and \"certificate\" in det(\"pkix.signature\") and res(\"chain.trust\") == \"pass\" and res(\"chain.ak-profile\") == \"pass\""'
check "evidence3 -> 1, pkix.structure fails" eval 'rc_is 1 verify --in "$S/evidence3.pem" --trust-dir "$T/vtrust" \
    && js "$T/out" "res(\"pkix.structure\") == \"fail\" and \"platform\" in det(\"pkix.structure\")" && grep -q pkix.structure "$T/err"'

# 6. Errors: one stderr line, the right exit code, no output file.
E=$T/errs
check "--ak file that does not exist -> 2 (I/O), one line naming it" eval 'rc_is 2 "$REQ" new --evidence pkix "${SW[@]}" \
    --ak "$H/nope.key" --out "$E/1.pem" && one_line "nope.key: No such file"'
check "--ak handle that does not exist -> 1, one line" eval 'rc_is 1 "$REQ" new --evidence pkix "${SW[@]}" \
    --ak handle:0x81008099 --out "$E/2.pem" && one_line 0x81008099'
check "--ak-cert of another key -> 1, one line" eval 'rc_is 1 "$REQ" new --evidence pkix "${SW[@]}" \
    --ak "$H/ak1.key" --ak-cert "$H/ak2.pem" --out "$E/3.pem" && one_line "another key"'
check "--evidence pkix without --ak -> 2" eval 'rc_is 2 "$REQ" new --evidence pkix "${SW[@]}" --out "$E/4.pem" && one_line --ak'
check "--evidence tpm2 --claims f -> 2" eval 'rc_is 2 "$REQ" new --evidence tpm2 --key 0x81000010 --ak 0x81008001 \
    --ak-cert "$P/ak-ecc.pem" --claims "$H/platform.claims" --subject /CN=x --out "$E/5.pem" && one_line --claims'
check "--evidence-file with --ak -> 2" eval 'rc_is 2 "$REQ" new --evidence pkix "${SW[@]}" --ak "$H/ak1.key" \
    --evidence-file "$T/ev.pem" --out "$E/6.pem" && one_line --evidence-file'
check "claims file with an unknown name -> 2 (a usage error), file:line" eval 'printf "vendor = x\ncolour = blue\n" >"$T/bad.claims" \
    && rc_is 2 "$REQ" new --evidence pkix "${SW[@]}" --ak "$H/ak1.key" --claims "$T/bad.claims" --out "$E/7.pem" \
    && one_line "bad.claims:2"'
check "evidence --subject -> 2 (an option of new)" eval 'rc_is 2 "$REQ" evidence --key "$H/key.pem" --ak "$H/ak1.key" \
    --subject /CN=x --out "$E/8.pem" && one_line "attest-req new"'
check "failed runs left no file (not even a temp file)" eval '[[ -z $(ls -A "$E") ]]'

# 7. after all runs: nothing leaked into the TPM's transient slots.
check "no transient handles or sessions left in the TPM" \
    eval '[[ -z $(tpm2_getcap handles-transient; tpm2_getcap handles-loaded-session) ]]'

finish
