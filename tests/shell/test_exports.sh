#!/usr/bin/env bash
# test_exports.sh - attest.so exports OSSL_provider_init and nothing else, libattest.so its
# public API and nothing else (the core library it
# links in must not clash with a program's or another module's symbols).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

SO=$OPENSSL_MODULES/attest.so
check "attest.so exists" test -f "$SO"
check "exported functions and data: exactly OSSL_provider_init" eval '[[ $(nm -D --defined-only "$SO" \
    | awk "\$2 ~ /^[TDBRVWi]$/ {print \$3}" | grep -v "^_" | sort | tr "\n" " ") == "OSSL_provider_init " ]]'
check "no attest_ symbol is exported" eval '! nm -D --defined-only "$SO" | grep -q " attest_"'
# libattest: the functions the installed headers declare, no more, no less.
LIB=${ATTEST_LIBATTEST:-$(dirname "$REQ")/libattest.so}
check "libattest.so exists" test -f "$LIB"
exported=$(nm -D --defined-only "$LIB" | awk '$2 ~ /^[TDBRVWi]$/ {print $3}' | sed 's/@.*//' | grep -v '^_' | sort -u)
declared=$(for h in error objects verify version; do sed 's|/\*.*\*/||' "$ROOT/include/attest/$h.h"; done \
    | grep -o 'attest_[a-z0-9_]*[[:space:]]*(' | tr -d ' (' | sort -u)
check "libattest exports exactly the installed headers' functions ($(echo "$declared" | wc -l))" \
    test "$exported" = "$declared"
check "libattest exports no unprefixed symbol" eval '! echo "$exported" | grep -qv "^attest_"'
# Inside, too: every global the core library defines is in attest's namespace (attest_*, or
# ATTEST_* for ASN.1 types and the d2i_/i2d_ functions OpenSSL's templates generate).
CORE=$(dirname "$REQ")/libattestcore.a
stray=$(nm -g --defined-only "$CORE" | awk 'NF == 3 {print $3}' | grep -Ev '^(attest_|ATTEST_|d2i_ATTEST_|i2d_ATTEST_)' || true)
check "every global of libattestcore.a is prefixed${stray:+ (not: $(echo $stray | head -c 200))}" test -z "$stray"
# attest-req loads the module through OpenSSL and decodes with it (a sanitized module needs an
# instrumented program to load it, so not the openssl command here).
check "the module still loads and decodes (attest-req show of the lamps sample)" eval '"$REQ" show \
    --in "$VEC/csr-attestation/tcgAttestTpmCertify.HEAD-02aed20.pem" >/dev/null'
finish
