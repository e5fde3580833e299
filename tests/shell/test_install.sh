#!/usr/bin/env bash
# cmake --install into a staging root, then use what was installed as a user would:
# the CLI, the provider activated from the shipped openssl.cnf snippet, pkg-config,
# and a small C program built against the installed library.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
CHECK_LOG=$T/out    # check: a command's output is shown only when it fails
build=$(dirname "$ATTEST_REQ")

root=$T/root
DESTDIR=$root cmake --install "$build" >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
moddir=$(sed -n 's/^ATTEST_MODULESDIR:PATH=//p' "$build/CMakeCache.txt")
libdir=$(find "$root$prefix" -name attest.pc -printf '%h\n' | head -1)

# Everything lands where the docs say.
check "installed files" test -x "$root$prefix/bin/attest-req" -a -f "$root$moddir/attest.so" \
    -a -f "$root$prefix/share/man/man1/attest-req.1" -a -f "$root$prefix/share/man/man7/attest.7" \
    -a -f "$root$prefix/include/attest/verify.h" -a -f "$libdir/attest.pc" \
    -a -f "$root$prefix/share/bash-completion/completions/attest-req"

# The provider from the openssl.cnf snippet: listed and active.
check "openssl.cnf snippet activates attest" bash -c \
    "OPENSSL_MODULES='$root$moddir' OPENSSL_CONF='$root$prefix/share/attest/attest-provider.cnf' \
     ${ATTEST_OPENSSL_PRELOAD:+LD_PRELOAD=$ATTEST_OPENSSL_PRELOAD ASAN_OPTIONS=detect_leaks=0} \
     openssl list -providers | grep -A3 '^  attest' | grep -q 'status: active'"

# The installed CLI finds the installed module.
check "installed attest-req show" env OPENSSL_MODULES="$root$moddir" "$root$prefix/bin/attest-req" show \
    --in "$ATTEST_VECTORS/pkix-evidence/evidence1.pem"

# A C program built from pkg-config alone verifies the lamps sample (warning: no nonce).
openssl req -in "$ATTEST_VECTORS/csr-attestation/tcgAttestTpmCertify.9245d16.pem" -outform DER -out "$T/lamps.der"
dd if="$T/lamps.der" of="$T/root.der" bs=1 skip=2324 count=889 status=none
openssl x509 -inform DER -in "$T/root.der" -out "$T/root.pem"
cflags=$(PKG_CONFIG_PATH=$libdir PKG_CONFIG_SYSROOT_DIR=$root pkg-config --cflags attest)
libs=$(PKG_CONFIG_PATH=$libdir PKG_CONFIG_SYSROOT_DIR=$root pkg-config --static --libs attest)
# shellcheck disable=SC2086
check "example builds from pkg-config" ${ATTEST_CC:-cc} ${ATTEST_CFLAGS:-} -Wall -Wextra -Werror \
    -o "$T/verify_csr" "$ATTEST_SRC/tests/install/verify_csr.c" $cflags $libs
rc=0
"$T/verify_csr" "$T/lamps.der" "$T/root.pem" 1730419200 >"$T/verdict.json" || rc=$?
check "example verdict is warning (3)" test "$rc" = 3
check "example prints EAR JSON" grep -q '"ear.status": "warning"' "$T/verdict.json"
rc=0
"$T/verify_csr" "$T/lamps.der" "$T/root.pem" 0 >/dev/null || rc=$?
check "example: expired chain today is contraindicated (1)" test "$rc" = 1

finish
