#!/bin/bash
# The dummy engine (dummy_engine.c + one row) as a user sees it: the CLI built with it
# shows and verifies dummy evidence, its provider lists DummyEvidence decoders and
# encoders, and the man check table generated with it has the dummy checks.
# Env: DUMMY_TEST (the cmocka binary, writes the inputs), DUMMY_REQ (attest-req built
# with the engine), DUMMY_MODULES (its attest.so), DUMMY_GEN / GEN (gen_checks with / without).
set -euo pipefail
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# A sanitized module needs the sanitizer runtime preloaded into the uninstrumented openssl.
ossl() {
    if [ -n "${ATTEST_OPENSSL_PRELOAD:-}" ]; then
        LD_PRELOAD=$ATTEST_OPENSSL_PRELOAD ASAN_OPTIONS=detect_leaks=0 openssl "$@"
    else
        openssl "$@"
    fi
}
export OPENSSL_MODULES=$DUMMY_MODULES

"$DUMMY_TEST" "$t"
# show: the engine's describe, by --type and by detection inside a request's bundle
"$DUMMY_REQ" show --type dummy --in "$t/stmt.der" >"$t/show.txt" || fail "show --type dummy"
grep -q "claimed_spki" "$t/show.txt" || fail "show lacks the engine's description"
"$DUMMY_REQ" show --in "$t/req.der" --format json >"$t/req.json" || fail "show req"
grep -q '"kind": *"dummy-evidence"' "$t/req.json" || fail "show does not name the statement's engine"
# verify: the engine's checks in the verdict, the driver's verdict on the key
# The dummy engine checks no chain; the trust directory still needs an anchor.
mkdir "$t/anchors"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=anchor -days 2 \
    -keyout "$t/anchor.key" -out "$t/anchors/anchor.pem" 2>/dev/null
rc=0; "$DUMMY_REQ" verify --in "$t/req.der" --trust-dir "$t/anchors" >"$t/v.txt" 2>"$t/v.err" || rc=$?
grep -q "pass  dummy.parse" "$t/v.txt" || { cat "$t/v.txt" "$t/v.err"; fail "verify: no dummy.parse pass"; }
grep -q "pass  dummy.key-binding" "$t/v.txt" || fail "verify: no dummy.key-binding pass"
grep -q "pass  policy.key-attested" "$t/v.txt" || fail "verify: the binding did not reach policy.key-attested"
[ "$rc" -ne 1 ] && [ "$rc" -ne 2 ] || fail "verify exit $rc"
# the provider: a decoder and encoders per object, the same table
ossl list -decoders -provider-path "$DUMMY_MODULES" -provider attest >"$t/dec.txt"
grep -q "DummyEvidence" "$t/dec.txt" || fail "the provider has no DummyEvidence decoder"
ossl list -encoders -provider-path "$DUMMY_MODULES" -provider attest >"$t/enc.txt"
[ "$(grep -c "DummyEvidence" "$t/enc.txt")" -ge 3 ] || fail "the provider lacks DummyEvidence encoders"
# the man table: the dummy rows appear with the engine, and only with it
"$DUMMY_GEN" >"$t/with.roff"
"$GEN" >"$t/without.roff"
grep -q '^\.B dummy\.key\\-binding$' "$t/with.roff" || fail "the generated man table lacks dummy.key-binding"
if grep -q dummy "$t/without.roff"; then fail "the shipped man table lists the dummy engine"; fi
echo "dummy engine: verify, show, provider and man table"
