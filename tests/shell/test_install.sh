#!/usr/bin/env bash
# cmake --install, then use what was installed as a user would: the CLI, the provider activated
# from the shipped openssl.cnf snippet, pkg-config, and a small C program built against the
# installed library.  Once into a DESTDIR staging root, once with --prefix into a directory of
# a non-root user (nobody, 65534, when this runs as root), who then uses it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
CHECK_LOG=$T/out    # check: a command's output is shown only when it fails
build=$(dirname "$ATTEST_REQ")
preload=${ATTEST_OPENSSL_PRELOAD:+LD_PRELOAD=$ATTEST_OPENSSL_PRELOAD ASAN_OPTIONS=detect_leaks=0}

# --- DESTDIR: a staging root, paths inside the files name the final prefix -------------------------
root=$T/root
DESTDIR=$root cmake --install "$build" >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
so=$(find "$root" -name attest.so | head -1)
libdir=$(find "$root$prefix" -name attest.pc -printf '%h\n' | head -1)
check "installed files" test -x "$root$prefix/bin/attest-req" -a -f "$so" \
    -a -f "$root$prefix/share/man/man1/attest-req.1" -a -f "$root$prefix/share/man/man7/attest.7" \
    -a -f "$root$prefix/include/attest/verify.h" -a -f "$libdir/attest.pc" \
    -a -f "$root$prefix/share/bash-completion/completions/attest-req"
check "DESTDIR: snippet names the module without the staging root" \
    grep -qx "module = ${so#"$root"}" "$root$prefix/share/attest/attest-provider.cnf"
check "DESTDIR: attest.pc names the prefix" grep -qx "prefix=$prefix" "$libdir/attest.pc"
check "DESTDIR: installed attest-req finds its module" "$root$prefix/bin/attest-req" show \
    --in "$ATTEST_VECTORS/pkix-evidence/evidence1.pem"

# --- --prefix into a non-root user's directory ------------------------------------------------------
openssl req -in "$ATTEST_VECTORS/csr-attestation/tcgAttestTpmCertify.9245d16.pem" -outform DER -out "$T/lamps.der"
dd if="$T/lamps.der" of="$T/root.der" bs=1 skip=2324 count=889 status=none
openssl x509 -inform DER -in "$T/root.der" -out "$T/root.pem"
U=$T/user
mkdir "$U"
if (( EUID != 0 )); then
    as_user() { "$@"; }
    how="install and use as $(id -un) (not root)"
    install_prefix() { cmake --install "$build" --prefix "$1"; }
    manifest=$build/install_manifest.txt
else
    chmod 711 "$T"
    chown 65534:65534 "$U"
    as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
    # cmake --install reads the build tree (and sources) by absolute path and writes
    # install_manifest.txt into it: nobody gets a copy it owns, mounted at the same path in a
    # private mount namespace.
    if as_user test -r "$build/cmake_install.cmake" -a -r "$ATTEST_SRC/scripts/attest.pc.in" \
            -a -r "$ATTEST_SRC/include/attest/verify.h" && unshare -m true 2>/dev/null; then
        how="install and use as nobody (65534); the build tree is a nobody-owned copy mounted at its own path"
        mkdir "$U/build"
        manifest=$U/build/install_manifest.txt
        tar -C "$build" --exclude='*.o' --exclude=./Testing -cf - . | tar -C "$U/build" -xf -
        chown -R 65534:65534 "$U/build"
        install_prefix() {   # shellcheck disable=SC2016  # $1..$3 are the inner sh's
            unshare -m sh -c 'mount --bind "$1" "$2" && exec setpriv --reuid=65534 --regid=65534 \
                --clear-groups cmake --install "$2" --prefix "$3"' sh "$U/build" "$build" "$1"
        }
    else
        how="install as root into a nobody-owned prefix (nobody cannot read the build tree), use as nobody"
        install_prefix() { cmake --install "$build" --prefix "$1" && chown -R 65534:65534 "$1"; }
        manifest=$build/install_manifest.txt
    fi
fi
echo "# $how"
P=$U/prefix
check "--prefix install" install_prefix "$P"
rel=${libdir#"$root$prefix/"}; rel=${rel%/pkgconfig}    # CMAKE_INSTALL_LIBDIR
pmod=$P/$rel/ossl-modules/attest.so
check "module under <prefix>/<libdir>/ossl-modules" test -f "$pmod"
check "nothing installed outside the prefix" bash -c "grep -q . '$manifest' && ! grep -v '^$P/' '$manifest'"
check "snippet names the installed module" grep -qx "module = $pmod" "$P/share/attest/attest-provider.cnf"
check "attest.pc names the prefix" grep -qx "prefix=$P" "$P/$rel/pkgconfig/attest.pc"

# openssl with the snippet alone: no OPENSSL_MODULES, the absolute module path does it.
# shellcheck disable=SC2086  # $preload: zero or two assignments
check "openssl.cnf snippet activates attest" as_user env $preload \
    OPENSSL_CONF="$P/share/attest/attest-provider.cnf" bash -c \
    "openssl list -providers | grep -A3 '^  attest' | grep -q 'status: active'"

# The installed CLI loads the module next to it (not the build tree's), with no environment.
check "installed attest-req loads <prefix>/.../attest.so" as_user env -u OPENSSL_MODULES LD_DEBUG=files \
    bash -c "'$P/bin/attest-req' show --in '$ATTEST_VECTORS/pkix-evidence/evidence1.pem' 2>&1 >/dev/null \
             | grep -q 'file=$pmod .*dynamically loaded'"
check "installed attest-req show" as_user env -u OPENSSL_MODULES "$P/bin/attest-req" show \
    --in "$ATTEST_VECTORS/pkix-evidence/evidence1.pem"

# A C program built from pkg-config alone verifies the lamps sample (warning: no nonce).
pc() { as_user env PKG_CONFIG_PATH="$P/$rel/pkgconfig" pkg-config "$@"; }
check "pkg-config modulesdir" test "$(pc --variable=modulesdir attest)" = "$(dirname "$pmod")"
cflags=$(pc --cflags attest)
libs=$(pc --libs attest)
# The installed API is the public headers alone, and needs neither json-c nor the library's own headers.
check "installed headers are the public ones" test "$(cd "$P/include/attest" && ls | tr '\n' ' ')" = \
    "attest.h error.h export.h objects.h provider.h verify.h version.h "
check "pkg-config names no json-c" sh -c "! echo '$cflags $libs' | grep -q json"
# shellcheck disable=SC2086
check "example builds from pkg-config" as_user ${ATTEST_CC:-cc} ${ATTEST_CFLAGS:-} -Wall -Wextra -Werror \
    -o "$U/verify_csr" "$ATTEST_SRC/tests/install/verify_csr.c" $cflags $libs \
    -Wl,-rpath,"$(pc --variable=libdir attest)"
rc=0
as_user "$U/verify_csr" "$T/lamps.der" "$T/root.pem" 1730419200 >"$T/verdict.json" || rc=$?
check "example verdict is warning (3)" test "$rc" = 3
check "example prints EAR JSON" grep -q '"ear.status": "warning"' "$T/verdict.json"
rc=0
as_user "$U/verify_csr" "$T/lamps.der" "$T/root.pem" 0 >/dev/null || rc=$?
check "example: expired chain today is contraindicated (1)" test "$rc" = 1

finish
