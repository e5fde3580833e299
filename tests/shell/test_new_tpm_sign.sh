#!/usr/bin/env bash
# test_new_tpm_sign.sh - `attest-req new --evidence tpm2` signs the request with TPM2_Sign over the
# ESAPI connection of its certify: RSA-2048, P-256, P-384 (SHA-384) and RSASSA-PSS requests verify
# with `openssl req -verify` and `attest-req verify`; the whole run is one connection of at most 7
# TPM commands (tss2's pcap TCTI counts them) with no hash sequence; a TSS2 key file is loaded once;
# a restricted key falls back to the tpm2 provider (said with --verbose) and still verifies; no
# transient objects are left.  Needs swtpm, tpm2-tools, tpm2-openssl, python3.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

lab_up
# shellcheck disable=SC1091
. "$P/handles.env"
mkdir "$T/trust"
cp "$P/ca/root.pem" "$T/trust/"
N=$(openssl rand -hex 32)
CMDS=$ROOT/tests/bench/tpm_cmds.py

# new NAME KEY AK AKCERT [OPTIONS]: a request into $T/NAME.pem, its TPM commands into $T/NAME.cmds
new() {
    local name=$1 key=$2 ak=$3 akc=$4; shift 4
    rm -f "$T/$name.pcap"
    TCTI_PCAP_FILE=$T/$name.pcap ATTEST_TCTI="pcap:$SWTPM_LAB_TCTI" TPM2OPENSSL_TCTI="pcap:$SWTPM_LAB_TCTI" \
        "$REQ" "$@" new --evidence tpm2 --key "$key" --ak "$ak" --ak-cert "$P/ak-$akc.pem" --ak-chain "$P/ca/int.pem" \
        --nonce "$N" --subject "/CN=tpm sign $name/O=attest" --addext "keyUsage=critical,digitalSignature" \
        --out "$T/$name.pem" 2>"$T/$name.err" &&
        python3 "$CMDS" "$T/$name.pcap" >"$T/$name.cmds"
}
verifies() {
    openssl req -in "$T/$1.pem" -verify -noout >/dev/null 2>&1 &&
        "$REQ" verify --trust-dir "$T/trust" --nonce "$N" --in "$T/$1.pem" >/dev/null 2>&1
}
sigalg() { openssl req -in "$T/$1.pem" -noout -text | grep -m1 'Signature Algorithm' | grep -q "$2"; }
cmds_at_most() { (( $(head -n1 "$T/$1.cmds") <= $2 )); }
no_cmd() { ! grep -q " $2\$" "$T/$1.cmds"; }
no_transients() { [[ -z $(tpm2_getcap handles-transient) ]]; }

check "RSA-2048: made, sha256WithRSAEncryption, verifies (openssl req -verify, attest-req verify)" \
    eval 'new rsa "$KEY_RSA2048" "$AK_RSA" rsa && sigalg rsa sha256WithRSAEncryption && verifies rsa'
check "RSA-2048: at most 7 TPM commands, one Sign, no hash sequence, nothing on stderr" \
    eval 'cmds_at_most rsa 7 && grep -qx "1 Sign" "$T/rsa.cmds" && no_cmd rsa HashSequenceStart && [[ ! -s $T/rsa.err ]]'
check "P-256: made, ecdsa-with-SHA256, verifies" \
    eval 'new ecc "$KEY_P256" "$AK_ECC" ecc && sigalg ecc ecdsa-with-SHA256 && verifies ecc'
check "P-256: at most 7 TPM commands, no hash sequence, no second provider connection" \
    eval 'cmds_at_most ecc 7 && no_cmd ecc HashSequenceStart && no_cmd ecc ECC_Parameters'
check "P-384 key: ecdsa-with-SHA384 by default, verifies" \
    eval 'new p384 "$KEY_P384" "$AK_ECC384" ecc384 && sigalg p384 ecdsa-with-SHA384 && verifies p384 && cmds_at_most p384 7'
# --verbose goes before the subcommand, --pss after it.
check "RSA --pss: rsassaPss through TPM2_Sign (no fallback notice), verifies" \
    eval 'TCTI_PCAP_FILE=$T/pss.pcap ATTEST_TCTI="pcap:$SWTPM_LAB_TCTI" "$REQ" --verbose new --evidence tpm2 \
        --key "$KEY_RSA2048" --ak "$AK_RSA" --ak-cert "$P/ak-rsa.pem" --ak-chain "$P/ca/int.pem" --nonce "$N" --subject /CN=pss --pss \
        --out "$T/pss.pem" 2>"$T/pss.err" && ! grep -q notice "$T/pss.err" && sigalg pss rsassaPss && verifies pss'
check "no transient objects left" no_transients

# A TSS2 key file (tpm2-openssl, parent: the owner hierarchy): rebuilt parent and key loaded once.
MODDIR=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
openssl genpkey -provider-path "$MODDIR" -provider tpm2 -provider default -algorithm EC -pkeyopt group:P-256 \
    -out "$T/tss2.key" 2>/dev/null
check "TSS2 key file: verifies; one CreatePrimary, one Load" \
    eval 'new tss2 "$T/tss2.key" "$AK_ECC" ecc && verifies tss2 && grep -qx "1 CreatePrimary" "$T/tss2.cmds" \
        && grep -qx "1 Load" "$T/tss2.cmds"'
check "  no transient objects left" no_transients

# A restricted key (the AK certifying itself) cannot sign an outside digest: the provider does.
check "restricted key: --verbose says the provider signs; the request verifies" \
    eval 'new self "$AK_ECC" "$AK_ECC" ecc --verbose && grep -q "restricted.*tpm2 provider" "$T/self.err" \
        && openssl req -in "$T/self.pem" -verify -noout >/dev/null 2>&1'
check "restricted key without --verbose: nothing on stderr" \
    eval 'new self "$AK_ECC" "$AK_ECC" ecc && [[ ! -s $T/self.err ]]'
check "  no transient objects left" no_transients

finish
