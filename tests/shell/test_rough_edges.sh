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
for c in verify new evidence nonce; do
    check "$c -h: 0, usage on stdout" eval 'rc_is 0 "$REQ" '"$c"' -h && grep -q "^usage: attest-req '"$c"'" "$T/out"'
done
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
finish
