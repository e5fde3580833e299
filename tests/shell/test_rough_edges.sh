#!/usr/bin/env bash
# test_rough_edges.sh - what a new user coming from `openssl` runs into (issue 15 §4), no TPM needed:
# single-dash options, -h, a missing --key file, a pkcs11: URI without its provider, usage errors
# (--addext, claims syntax) exit 2, --trust-file, scripts' --help.
# ctest sets ATTEST_REQ, ATTEST_VECTORS, ATTEST_SRC.
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

p256_key "$T/k.pem"
NEW=("$REQ" new --evidence pkix --ak "$T/k.pem" --subject /CN=x --out "$T/o.pem")

# Options the openssl way.
check "verify -in: 2, one line, did you mean --in" eval 'rc_is 2 "$REQ" verify -in x.pem \
    && one_line "unknown option .-in. (did you mean --in?"'
check "new -key: 2, did you mean --key" eval 'rc_is 2 "$REQ" new -key k.pem && one_line "did you mean --key?"'
check "attest-req -in (before the command): 2, did you mean --in" eval 'rc_is 2 "$REQ" -in x && one_line "did you mean --in?"'
for c in verify new evidence nonce show; do
    check "$c -h: 0, usage on stdout" eval 'rc_is 0 "$REQ" '"$c"' -h && grep -q "^usage: attest-req '"$c"'" "$T/out"'
done
check "ak create -h: 0, usage on stdout" eval 'rc_is 0 "$REQ" ak create -h && grep -q "^usage: attest-req ak create" "$T/out"'
check "show -in: 2, did you mean --in" eval 'rc_is 2 "$REQ" show -in x.pem && one_line "did you mean --in?"'
check "attest-req -h: 0, usage" eval 'rc_is 0 "$REQ" -h && grep -q "^usage: attest-req" "$T/out"'

# Keys.
check "new --key of a missing file: 2, errno text" eval 'rc_is 2 "${NEW[@]}" --key "$T/none.pem" \
    && one_line "cannot open .*none.pem: No such file or directory" && [[ ! -e $T/o.pem ]]'
check "new --ak of a missing file: 2, errno text" eval 'rc_is 2 "$REQ" new --evidence pkix --key "$T/k.pem" \
    --ak "$T/nak.pem" --subject /CN=x && one_line "cannot open .*nak.pem: No such file or directory"'
check "pkcs11: URI without a provider for it: 2, names --provider pkcs11" eval 'rc_is 2 "${NEW[@]}" \
    --key "pkcs11:token=t;object=o" && one_line "add --provider pkcs11"'

# Usage errors exit 2, before any key is touched.
check "new --addext without =: 2" eval 'rc_is 2 "${NEW[@]}" --key "$T/k.pem" --addext nothing && one_line "expected name=value"'
check "new --addext unknown extension: 2" eval 'rc_is 2 "${NEW[@]}" --key "$T/k.pem" --addext "bogus=1" \
    && one_line "not a valid extension"'
printf 'vendor = x\nfipslevel = 9\n' >"$T/bad.claims"
check "new --claims with a bad value: 2, file:line" eval 'rc_is 2 "${NEW[@]}" --key "$T/k.pem" --claims "$T/bad.claims" \
    && one_line "bad.claims:2"'
check "new --claims of a missing file: 2" eval 'rc_is 2 "${NEW[@]}" --key "$T/k.pem" --claims "$T/none.claims"'
check "no output file from any failed run" test ! -e "$T/o.pem"

# --trust-file: anchors from one file of several certificates, alone or beside --trust-dir.
H=$T/hsm
mkdir -p "$H/trust" "$T/other" "$T/empty"
akca "$H" "HSM test CA"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$H/ak.key" 2>/dev/null
akca_issue "$H" "$H/ak.key" "HSM AK" ak "$H/ak.pem"
p256_key "$T/other.key"
openssl req -new -x509 -key "$T/other.key" -subj /CN=other -days 2 -out "$T/other/other.pem" 2>/dev/null
cat "$T/other/other.pem" "$H/trust/ca.pem" >"$T/anchors.pem"
"$REQ" new --evidence pkix --key "$T/k.pem" --ak "$H/ak.key" --ak-cert "$H/ak.pem" --nonce 00ff --subject /CN=x \
    --out "$T/sw.pem"
V=(--format json --nonce 00ff --allow exportable-key --allow imported-key --in "$T/sw.pem")
check "--trust-file of two certificates (the anchor second): chain.trust pass, 3" eval 'rc_is 3 "$REQ" verify "${V[@]}" \
    --trust-file "$T/anchors.pem" && js "$T/out" "res(\"chain.trust\") == \"pass\""'
check "--trust-dir without the anchor: chain.trust fails, 1" rc_is 1 "$REQ" verify "${V[@]}" --trust-dir "$T/other"
check "--trust-dir + --trust-file (DER) together: 3" eval 'openssl x509 -in "$H/trust/ca.pem" -outform DER -out "$T/ca.der" \
    && rc_is 3 "$REQ" verify "${V[@]}" --trust-dir "$T/other" --trust-file "$T/other/other.pem" --trust-file "$T/ca.der"'
check "--trust-file of a missing file: 2, one line" eval 'rc_is 2 "$REQ" verify "${V[@]}" --trust-file "$T/none.pem" \
    && one_line "trust-file .*none.pem: No such file"'
check "--trust-file of a key, not a certificate: 2" eval 'rc_is 2 "$REQ" verify "${V[@]}" --trust-file "$T/k.pem" \
    && one_line "no certificate"'
check "neither --trust-dir nor --trust-file: 2" eval 'rc_is 2 "$REQ" verify "${V[@]}" && one_line "trust-file FILE is required"'

# new warns (stderr, exit 0) when the request will not verify as made.
check "new without --nonce: 0, a warning naming --nonce" eval 'rc_is 0 "$REQ" new --evidence pkix --key "$T/k.pem" \
    --ak "$H/ak.key" --ak-cert "$H/ak.pem" --ak-chain "$H/trust/ca.pem" --subject /CN=x --out "$T/w1.pem" \
    && one_line "warning: no --nonce" && [[ -s $T/w1.pem ]]'
check "new without --ak-chain, AK not self-issued: 0, a warning naming its issuer" eval 'rc_is 0 "$REQ" new \
    --evidence pkix --key "$T/k.pem" --ak "$H/ak.key" --ak-cert "$H/ak.pem" --nonce 00 --subject /CN=x \
    --out "$T/w2.pem" && one_line "warning: no --ak-chain: .*issued by /CN=HSM test CA"'
check "new with both: 0, stderr empty" eval 'rc_is 0 "$REQ" new --evidence pkix --key "$T/k.pem" --ak "$H/ak.key" \
    --ak-cert "$H/ak.pem" --ak-chain "$H/trust/ca.pem" --nonce 00 --subject /CN=x --out "$T/w3.pem" && [[ ! -s $T/err ]]'

# Scripts: --help prints usage and exits 0 (and runs nothing).
for s in demo test fuzz install-deps swtpm-lab tpm-provision enroll; do
    check "scripts/$s.sh --help: 0, usage on stdout" eval 'rc_is 0 "$ROOT/scripts/'"$s"'.sh" --help && [[ -s $T/out ]]'
done
check "scripts/demo.sh --bogus: 2, one line" eval 'rc_is 2 "$ROOT/scripts/demo.sh" --bogus && one_line "unknown option"'
# tpm-provision.sh on a real TPM (device: TCTI, from ATTEST_TCTI) refuses to evict what it finds; a stub
# tpm2_getcap stands in for the TPM, so nothing here can touch one.
mkdir "$T/bin"
printf '#!/bin/sh\necho "- 0x81010001"\necho "- 0x81008001"\n' >"$T/bin/tpm2_getcap"
chmod +x "$T/bin/tpm2_getcap"
check "tpm-provision.sh: ATTEST_TCTI=device:..., an AK handle in use: refuses, nothing evicted" eval 'rc_is 1 env \
    -u TPM2TOOLS_TCTI -u TCTI PATH="$T/bin:$PATH" ATTEST_TCTI=device:/dev/attest-test-none \
    "$ROOT/scripts/tpm-provision.sh" "$T/prov" && grep -q "0x81008001 is in use on device:/dev/attest-test-none: refusing" "$T/err" \
    && ! grep -q evictcontrol "$T/prov/provision.log"'

# Bash completion: comp WORD... completes the last word as bash would (COMP_WORDBREAKS without '=').
comp() {
    (
        # shellcheck source=/dev/null
        . "$ROOT/scripts/attest-req.bash-completion"
        COMP_WORDS=(attest-req "$@"); COMP_CWORD=$#
        _attest_req
        printf '%s\n' "${COMPREPLY[@]}"
    )
}
check "completion: nothing after --nonce (a value, not an option)" eval '[[ -z $(comp new --nonce "") ]]'
check "completion: nothing after --subject --" eval '[[ -z $(comp new --subject --) ]]'
check "completion: --provider completes providers, not commands" eval 'out=$(comp --provider "") \
    && grep -qx default <<<"$out" && grep -qx pkcs11 <<<"$out" && ! grep -qx verify <<<"$out"'
check "completion: one --help at the top level" eval '[[ $(comp "" | grep -cx -- --help) == 1 ]]'
check "completion: --format=js -> json, --evidence=t -> tpm2" eval '[[ $(comp verify --format=js) == json \
    && $(comp new --evidence=t) == tpm2 ]]'
# grep -x reading all of it: grep -q would quit early, and pipefail would see the writer's SIGPIPE.
check "completion: the nonce command and --nonce-state, --trust-file" eval 'comp "" | grep -x nonce >/dev/null \
    && comp verify --nonce- | grep -x -- --nonce-state >/dev/null && comp verify --trust-f | grep -x -- --trust-file >/dev/null'

# chain.trust says what to do about a missing issuer, and names the certificate that expired.
openssl req -config "$H/x.cnf" -new -key "$T/other.key" -subj "/CN=HSM issuing CA" -out "$H/int.csr"
openssl x509 -req -in "$H/int.csr" -CA "$H/trust/ca.pem" -CAkey "$H/ca.key" -set_serial 0x11 -days 30 \
    -extfile "$H/x.cnf" -extensions v3_ca -out "$H/int.pem" 2>/dev/null
openssl req -config "$H/x.cnf" -new -key "$H/ak.key" -subj "/CN=HSM AK 2" -out "$H/ak2.csr"
openssl x509 -req -in "$H/ak2.csr" -CA "$H/int.pem" -CAkey "$T/other.key" -set_serial 0x12 -days 400 \
    -extfile "$H/x.cnf" -extensions ak -out "$H/ak2.pem" 2>/dev/null
"$REQ" new --evidence pkix --key "$T/k.pem" --ak "$H/ak.key" --ak-cert "$H/ak2.pem" --nonce 00ff --subject /CN=x \
    --out "$T/noint.pem"
V2=(--format json --nonce 00ff --allow exportable-key --allow imported-key --trust-dir "$H/trust")
check "missing intermediate: chain.trust says --untrusted / trust anchors, names the AK" eval 'rc_is 1 "$REQ" verify \
    "${V2[@]}" --in "$T/noint.pem" && js "$T/out" "\"--untrusted FILE\" in det(\"chain.trust\")
        and \"no issuer of /CN=HSM AK 2 (depth 0)\" in det(\"chain.trust\")"'
check "... with --untrusted the intermediate: 3" rc_is 3 "$REQ" verify "${V2[@]}" --in "$T/noint.pem" --untrusted "$H/int.pem"
LATER=$(( $(date +%s) + 60 * 86400 ))   # the CAs (30 days) have expired, the AK (400 days) has not
check "expired root: chain.trust names the root that expired, not the AK" eval 'rc_is 1 "$REQ" verify "${V2[@]}" \
    --in "$T/noint.pem" --untrusted "$H/int.pem" --at-time "$LATER" \
    && js "$T/out" "\"has expired: /CN=HSM test CA (depth 2) expired at\" in det(\"chain.trust\")"'

# An AK certificate with an empty subject is named by issuer and serial.
openssl x509 -new -force_pubkey <(openssl pkey -in "$H/ak.key" -pubout) -subj / -CA "$H/trust/ca.pem" \
    -CAkey "$H/ca.key" -set_serial 0x5eed -days 30 -extfile "$H/x.cnf" -extensions ak -out "$H/akx.pem" 2>/dev/null
"$REQ" new --evidence pkix --key "$T/k.pem" --ak "$H/ak.key" --ak-cert "$H/akx.pem" --nonce 00ff --subject /CN=x \
    --out "$T/akx.pem"
check "empty-subject AK: named by serial and issuer, no blank" eval 'rc_is 3 "$REQ" verify "${V2[@]}" --in "$T/akx.pem" \
    && js "$T/out" "\"AK certificate serial 0x5EED from /CN=HSM test CA chains\" in det(\"chain.trust\")"'
finish
