#!/usr/bin/env bash
# The whole test suite: install what is missing, build with -Werror, run ctest,
# then build again with ASan+UBSan (clang, leak detection on) and run it again,
# then the plain pass on Debian 13 in a cached debootstrap chroot (scripts/trixie.sh).
#   scripts/test.sh            all three legs
#   ATTEST_SKIP_SANITIZE=1     no sanitizer leg (quick local loop)
#   ATTEST_SKIP_TRIXIE=1       no Debian 13 leg (quick local loop)
set -euo pipefail
case ${1:-} in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    ?*) echo "test.sh: takes no arguments (try: scripts/test.sh --help)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
t0=$SECONDS

echo "== build (gcc, -Werror) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== ctest =="
ctest --test-dir build --output-on-failure -j"$jobs"
echo "== plain leg: $((SECONDS - t0)) s =="

if [ "${ATTEST_SKIP_SANITIZE:-0}" != 1 ]; then
    t1=$SECONDS
    echo "== build (clang, ASan+UBSan) =="
    cmake -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DATTEST_SANITIZE=ON \
          -DATTEST_FUZZ=ON >/dev/null
    cmake --build build-asan -j"$jobs"
    echo "== ctest (ASan+UBSan) =="
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j"$jobs"
    echo "== sanitizer leg: $((SECONDS - t1)) s =="
fi
if [ "${ATTEST_SKIP_TRIXIE:-0}" != 1 ]; then
    t2=$SECONDS
    echo "== Debian 13 (trixie chroot): build + ctest =="
    scripts/trixie.sh build-trixie
    echo "== Debian 13 leg: $((SECONDS - t2)) s =="
fi
scripts/swtpm-lab.sh stop-all >/dev/null 2>&1 || true
