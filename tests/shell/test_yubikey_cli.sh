#!/usr/bin/env bash
# test_yubikey_cli.sh - YubiKey PIV requests through `attest-req verify --in` with the shipped anchors:
# the three yubico-piv-tool-style samples (one with a UTF-8 BOM, one with the slot certificate under
# .3.11), the minimum-policy and vulnerable-firmware options, usage errors. No TPM.
# ctest sets ATTEST_REQ, ATTEST_VECTORS, ATTEST_SRC.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

Y=$VEC/vendors/yubikey
A=(--trust-dir "$ROOT/share/attest/anchors")
verify() { "$REQ" verify --format json "${A[@]}" "$@"; }

check "5.7.4 (BOM, Attestation Root 1) -> 0, claims in the details" eval 'rc_is 0 verify --in "$Y/tmc_csr_5_7_4_standard.pem" \
    && js "$T/out" "res(\"yubikey.chain\") == \"pass\" and \"Yubico Attestation Root 1\" in det(\"yubikey.chain\")
        and \"serial 33064031, PIN once, touch cached\" in det(\"yubikey.parse\")"'
check "5.4.3 (PIV root) -> 3, yubikey.firmware warns YSA-2024-03" eval 'rc_is 3 verify --in "$Y/tmc_attestation_1.pem" \
    && js "$T/out" "fails() == [\"yubikey.firmware\"] and \"YSA-2024-03\" in det(\"yubikey.firmware\")"'
check "5.4.3 --refuse-vulnerable-firmware -> 1" eval 'rc_is 1 verify --in "$Y/tmc_attestation_1.pem" --refuse-vulnerable-firmware \
    && js "$T/out" "errors() == [\"yubikey.firmware\"]"'
check "5.7.2 (.3.11 carrier, RSA) -> 0" rc_is 0 verify --in "$Y/tmc_5_7_2.pem"
check "--yubikey-touch-policy always on touch cached -> 1, yubikey.policy" eval 'rc_is 1 verify \
    --in "$Y/tmc_csr_5_7_4_standard.pem" --yubikey-touch-policy always && js "$T/out" "errors() == [\"yubikey.policy\"]"'
check "--yubikey-pin-policy once, --yubikey-touch-policy cached -> 0" rc_is 0 verify \
    --in "$Y/tmc_csr_5_7_4_standard.pem" --yubikey-pin-policy once --yubikey-touch-policy cached
check "--yubikey-pin-policy never -> 2, one line" eval 'rc_is 2 verify --in "$Y/tmc_5_7_2.pem" --yubikey-pin-policy never \
    && one_line "must be once or always"'
mkdir "$T/top"   # a Yubico root, but at the top level: it anchors TPM/PKIX chains, never a YubiKey's
cp "$ROOT/share/attest/anchors/yubikey/yubico-piv-root-ca-serial-263751.pem" "$T/top/"
check "no yubikey/ anchors -> 1, yubikey.chain" eval 'rc_is 1 "$REQ" verify --format json --trust-dir "$T/top" \
    --in "$Y/tmc_5_7_2.pem" && js "$T/out" "errors() == [\"yubikey.chain\"]"'

# Beside a request / standalone: --evidence-file with the 2018 slot and F9 certificates (U2F root).
cat "$Y/piv-go_slot9a-key-cert-2018.pem" "$Y/piv-go_f9-device-cert-2018.pem" >"$T/2018.pem"
openssl x509 -in "$Y/piv-go_slot9a-key-cert-2018.pem" -pubkey -noout >"$T/2018.pub"
check "--evidence-file 2018 --pubkey -> 3: both quirks and YSA-2024-03 warn" eval 'rc_is 3 verify --evidence-file "$T/2018.pem" \
    --pubkey "$T/2018.pub" && js "$T/out" "fails() == [\"policy.quirks\", \"yubikey.firmware\"]
        and \"yubikey-u2f-root-pathlen\" in det(\"policy.quirks\") and res(\"yubikey.key-binding\") == \"pass\""'
check "--evidence-file 2018 --strict -> 1: yubikey.chain, policy.quirks" eval 'rc_is 1 verify --evidence-file "$T/2018.pem" \
    --pubkey "$T/2018.pub" --strict && js "$T/out" "errors() == [\"policy.quirks\", \"yubikey.chain\"]"'
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/other.key" 2>/dev/null
check "new --evidence-file 2018 --key another key -> refused, no output" eval 'rc_is 1 "$REQ" new --evidence-file "$T/2018.pem" \
    --key "$T/other.key" --subject /CN=x --out "$T/other.csr" && one_line "yubikey-piv" && [[ ! -e $T/other.csr ]]'
finish
