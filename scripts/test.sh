#!/usr/bin/env bash
# The whole test suite: install what is missing, build with -Werror, run ctest,
# then build again with ASan+UBSan (clang, leak detection on) and run it again.
#   scripts/test.sh            both passes
#   ATTEST_SKIP_SANITIZE=1     only the plain pass (quick local loop)
set -euo pipefail
case ${1:-} in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    ?*) echo "test.sh: takes no arguments (try: scripts/test.sh --help)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (gcc, -Werror) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== ctest =="
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${ATTEST_SKIP_SANITIZE:-0}" != 1 ]; then
    echo "== build (clang, ASan+UBSan) =="
    cmake -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DATTEST_SANITIZE=ON \
          -DATTEST_FUZZ=ON >/dev/null
    cmake --build build-asan -j"$jobs"
    echo "== ctest (ASan+UBSan) =="
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
scripts/swtpm-lab.sh stop-all >/dev/null 2>&1 || true
