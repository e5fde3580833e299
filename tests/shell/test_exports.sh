#!/usr/bin/env bash
# test_exports.sh - attest.so exports OSSL_provider_init and nothing else (the core library it
# links in must not clash with a program's or another module's symbols).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

SO=$OPENSSL_MODULES/attest.so
check "attest.so exists" test -f "$SO"
check "exported functions and data: exactly OSSL_provider_init" eval '[[ $(nm -D --defined-only "$SO" \
    | awk "\$2 ~ /^[TDBRVWi]$/ {print \$3}" | grep -v "^_" | sort | tr "\n" " ") == "OSSL_provider_init " ]]'
check "no attest_ symbol is exported" eval '! nm -D --defined-only "$SO" | grep -q " attest_"'
# attest-req loads the module through OpenSSL and decodes with it (a sanitized module needs an
# instrumented program to load it, so not the openssl command here).
check "the module still loads and decodes (attest-req show of the lamps sample)" eval '"$REQ" show \
    --in "$VEC/csr-attestation/tcgAttestTpmCertify.HEAD-02aed20.pem" >/dev/null'
finish
