#!/usr/bin/env bash
# Run libFuzzer targets built with -DATTEST_FUZZ=ON (clang, ASan+UBSan).
#   scripts/fuzz.sh [--build DIR] [--seconds N] [--jobs J] [TARGET...]
# Targets: bundle tpm2 pkix csr verify crmf pem yubikey luna marvell android (default: all).  Seeds are cut from the
# test vectors; the corpus grows in DIR/fuzz-corpus/TARGET.  A crash leaves
# its input as DIR/fuzz-crash/TARGET-*; turn it into a regression test.
# For verify and crmf it also says how much of the corpus reached a signature check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-asan" seconds=60
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;;
        --) shift; break ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
targets=("$@")
# Absolute: the seed requests are made in a temporary directory.
build=$(cd "$build" && pwd) || { echo "fuzz.sh: no build directory $build" >&2; exit 2; }
[ ${#targets[@]} -gt 0 ] || targets=(bundle tpm2 pkix csr verify crmf pem yubikey luna marvell android)

corpus="$build/fuzz-corpus" crashes="$build/fuzz-crash"
mkdir -p "$corpus" "$crashes"
# Seeds: the vectors, plus requests made here with PKIX evidence (software keys, throw-away CA).
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
extra=()
if [ -x "$build/attest-req" ]; then
    ( cd "$gen" &&
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
          -subj /CN=seed-ca -days 2 -addext basicConstraints=critical,CA:TRUE >/dev/null 2>&1 &&
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ak.key 2>/dev/null &&
      openssl req -new -key ak.key -subj /CN=seed-ak -out ak.csr 2>/dev/null &&
      printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=1.3.6.1.5.5.7.3.999\n' > ak.ext &&
      openssl x509 -req -in ak.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ak.ext \
          -out ak.pem 2>/dev/null &&
      for k in ec:P-256 rsa:2048; do
          f=key-${k%%:*}.pem
          if [ "${k%%:*}" = ec ]; then openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$f" 2>/dev/null
          else openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$f" 2>/dev/null; fi
          OPENSSL_MODULES="$build" "$build/attest-req" new --evidence pkix --key "$f" --ak ak.key --ak-cert ak.pem \
              --nonce 0102030405060708 --subject /CN=seed --outform der --out "req-${k%%:*}.der" 2>/dev/null
      done ) || true
    for f in "$gen"/req-*.der; do [ -f "$f" ] && extra+=("$f"); done
fi
"$build/tests/fuzz/fuzz_seedgen" "$root/tests/vectors" "$corpus/seeds" "${extra[@]}" >/dev/null
# ASan keeps 256 MiB of freed memory in quarantine by default, so in a run of seconds no freed
# block is ever reused: every allocation is a fresh page (a fault) to fill, up to half of a
# target's time. 64 MiB is still far more than one input frees, so a use after free within an
# input is caught as before. A quarantine_size_mb in ASAN_OPTIONS wins (options read later win).
export ASAN_OPTIONS="quarantine_size_mb=64${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
for t in "${targets[@]}"; do
    bin="$build/tests/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "fuzz.sh: $bin not built (configure with -DATTEST_FUZZ=ON)" >&2; exit 2; }
    mkdir -p "$corpus/$t"
    seeds=()
    [ -d "$corpus/seeds/$t" ] && seeds=("$corpus/seeds/$t")
    # A vendor engine's seeds are its real samples; the PEM reader's, the requests of the vectors.
    [ -d "$root/tests/vectors/vendors/$t" ] && seeds+=("$root/tests/vectors/vendors/$t")
    [ "$t" = pem ] && seeds+=("$root/tests/vectors/csr-attestation")
    log="$build/fuzz-$t.log"
    # Leak checks stay on; a leak or crash makes libFuzzer exit non-zero.
    if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 -dict="$root/tests/fuzz/attest.dict" \
            -max_len=65536 -artifact_prefix="$crashes/$t-" "$corpus/$t" "${seeds[@]}" >"$log" 2>&1; then
        tail -40 "$log" >&2
        echo "fuzz.sh: $t FAILED (log $log)" >&2
        exit 1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "fuzz $t: ${execs:-?} execs in ${seconds}s, $cov, corpus $(find "$corpus/$t" -type f | wc -l) files"
    # Signature checks are the slow part of verifying: few inputs should get that far.
    case $t in verify|crmf)
        [ -x "$build/tests/fuzz/fuzz_corpus_stats" ] &&
            echo "fuzz $t corpus: $("$build/tests/fuzz/fuzz_corpus_stats" "$corpus/$t")" ;;
    esac
done
