#!/usr/bin/env bash
# tests/bench/run.sh [--quick] - performance benchmark of attest-req (its own command, not a ctest).
#
# Starts a throw-away swtpm (stopped by its PID in the EXIT trap), provisions it, builds a mix of
# attested CSRs (TPM RSA-2048 key + RSA AK, TPM P-256 key + ECC AK, PKIX P-256 evidence from a
# software AK under a software intermediate and root), then measures on one core:
#   (a) batch verify time per input vs the crypto floor (bench_floor: the same signature checks
#       with bare EVP calls on pre-parsed keys and bytes);
#   (b) one request per process: attest-req verify vs openssl req -verify on the same file;
#   (c) attest-req new vs the TPM operations it needs (bench_tpm_raw: certify + sign), and the TPM
#       commands each sends (tss2's pcap TCTI, counted by tpm_cmds.py); with ATTEST_BUILD_BEFORE
#       set, that build's new too, interleaved in the same runs;
#   (d) peak RSS for 1 and for many inputs streamed as PEM on stdin;
#   (e) hostile requests (bench_gen_hostile: 16 TPM statements, 32 RSA-3072 certificates with
#       3070-bit exponents; issue 10): CPU per request in batches of 1k and 10k (linear?), and
#       one per process, also for the build in ATTEST_BUILD_BEFORE when set;
# and prints a table.  Needs: scripts/install-deps.sh and a build (default ./build, or
# ATTEST_BUILD=DIR).  Environment: BENCH_CPU (core to pin to; default 1, or 0 on one core),
# BENCH_N (batch size), BENCH_KEEP=1 (keep the work directory), BENCH_HOSTILE=0 (skip (e)).
#   --quick   200 inputs and fewer repetitions (about 15 s instead of about 30 s)
#   --hostile only (e): no TPM needed
#   --new     only (c)
set -euo pipefail
export LC_ALL=C                      # EPOCHREALTIME with a '.', sort -n, printf %f

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
BUILD=${ATTEST_BUILD:-$ROOT/build}
[[ $BUILD == /* ]] || BUILD=$PWD/$BUILD   # the helpers are linked from elsewhere
REQ=$BUILD/attest-req
PROG=${0##*/}
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

N=2000 RUNS_A=5 RUNS_B=31 RUNS_C=21 RSS_N=10000 HOSTILE_ONLY=0 NEW_ONLY=0
case ${1:-} in
    "") ;;
    --quick) N=200 RUNS_A=3 RUNS_B=30 RUNS_C=11 ;;
    --hostile) HOSTILE_ONLY=1 ;;
    --new) NEW_ONLY=1 ;;
    -h|--help) sed -n '2,24s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (usage: $PROG [--quick|--hostile|--new])" ;;
esac
N=${BENCH_N:-$N}

[[ -x $REQ ]] || die "$REQ not found: build first (cmake -S . -B build && cmake --build build)"
for t in swtpm tpm2_getrandom openssl pkg-config taskset; do
    command -v "$t" >/dev/null || die "$t not found (scripts/install-deps.sh)"
done
CPU=${BENCH_CPU:-1}
(( CPU < $(nproc) )) || CPU=0
PIN=(taskset -c "$CPU")

W=$(mktemp -d "${TMPDIR:-/tmp}/attest-bench.XXXXXX")
LAB_DIR="" LAB_PID=""
cleanup() {
    local rc=$?
    if [[ -n $LAB_DIR ]]; then
        "$ROOT/scripts/swtpm-lab.sh" stop "$LAB_DIR" >/dev/null 2>&1 || true
        # The lab script stops swtpm by the PID in its pid file; make sure of our PID.
        if [[ -n $LAB_PID ]] && kill -0 "$LAB_PID" 2>/dev/null \
            && tr '\0' ' ' <"/proc/$LAB_PID/cmdline" 2>/dev/null | grep -q swtpm; then
            kill -TERM "$LAB_PID" 2>/dev/null || true
        fi
    fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then echo "$PROG: work directory kept: $W" >&2; else rm -rf "$W"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }

# --- helpers: from the build tree when tests/bench is part of it, else compiled here ------------
BIN=$W/bin
mkdir -p "$BIN"
for h in gen_pkix gen_hostile floor tpm_raw maxrss; do
    if [[ -x $BUILD/tests/bench/bench_$h && $BUILD/tests/bench/bench_$h -nt $ROOT/tests/bench/$h.c ]]; then
        ln -s "$BUILD/tests/bench/bench_$h" "$BIN/bench_$h"
        continue
    fi
    [[ -f $BUILD/libattestcore.a ]] || die "$BUILD/libattestcore.a not found"
    # shellcheck disable=SC2046  # pkg-config output is a list of flags
    ${CC:-cc} -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED \
        -I"$ROOT/include" "$ROOT/tests/bench/$h.c" "$BUILD/libattestcore.a" \
        $(pkg-config --cflags --libs libcrypto tss2-esys tss2-tctildr tss2-mu tss2-rc json-c) -lpthread \
        -o "$BIN/bench_$h" || die "cannot build bench_$h"
done

# --- (e) hostile requests: no TPM needed ------------------------------------------------------------
cpu_s() {   # cpu_s CMD...: user+system CPU seconds of CMD (its output discarded)
    local TIMEFORMAT='%U %S'
    { time "$@" >/dev/null 2>&1 || true; } 2>&1 | awk 'NF == 2 {s = $1 + $2} END {printf "%.3f", s}'
}
hostile_bench() {
    local H=$W/hostile distinct=100 n before="" r one=()
    log "(e) hostile requests: $distinct distinct, batches of 1000 and 10000"
    mkdir -p "$H/trust"
    "$BIN/bench_gen_hostile" "$H" "$distinct" || die "bench_gen_hostile failed"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
        -subj "/CN=attest bench hostile anchor" -days 2 -out "$H/trust/anchor.pem" 2>/dev/null
    E_SIZE=$(openssl req -in "$H/hostile-0.pem" -outform DER | wc -c)
    for n in 1000 10000; do
        for ((r = 0; r < n; r++)); do echo "$H/hostile-$((r % distinct)).pem"; done >"$H/list-$n.txt"
        E_CPU[$n]=$(cpu_s "${PIN[@]}" "$REQ" verify --trust-dir "$H/trust" --in-list "$H/list-$n.txt" --format json)
    done
    for ((r = 0; r < 5; r++)); do one+=("$(cpu_s "${PIN[@]}" "$REQ" verify --trust-dir "$H/trust" --in "$H/hostile-$r.pem")"); done
    E_ONE=$(printf '%s\n' "${one[@]}" | median)
    E_RC=0
    "$REQ" verify --trust-dir "$H/trust" --in "$H/hostile-0.pem" --format json >"$H/verdict.json" 2>/dev/null || E_RC=$?
    E_WHY=$(python3 -c 'import json,sys; j = json.load(open(sys.argv[1]))
print(",".join(c["id"] for c in j["attest-req"]["checks"] if c["result"] == "fail"))' "$H/verdict.json" 2>/dev/null || echo "?")
    E_BEFORE=""
    if [[ -n ${ATTEST_BUILD_BEFORE:-} ]]; then
        before=$ATTEST_BUILD_BEFORE/attest-req
        [[ -x $before ]] || die "$before not found"
        one=()
        for ((r = 0; r < 3; r++)); do one+=("$(cpu_s "${PIN[@]}" "$before" verify --trust-dir "$H/trust" --in "$H/hostile-$r.pem")"); done
        E_BEFORE=$(printf '%s\n' "${one[@]}" | median)
    fi
}
hostile_table() {
    local per1k per10k
    per1k=$(awk -v s="${E_CPU[1000]}" 'BEGIN {printf "%.2f", s}')
    per10k=$(awk -v s="${E_CPU[10000]}" 'BEGIN {printf "%.2f", s / 10}')
    echo "(e) hostile request ($E_SIZE bytes DER: 16 TPM statements, 32 RSA-3072 certificates, 3070-bit exponents);"
    echo "    verdict: exit $E_RC, failing request-level checks: $E_WHY"
    printf '    %-44s %10s %10s %8s  %s\n' "metric" "attest" "target" "met?" ""
    printf '    %-44s %7s ms %7s ms %8s\n' "CPU per request, batch of 1000" "$per1k" "50" "$(ok "$per1k" 50 "<=")"
    printf '    %-44s %7s ms %7s ms %8s\n' "CPU per request, batch of 10000" "$per10k" "50" "$(ok "$per10k" 50 "<=")"
    printf '    %-44s %7s    %7s    %8s\n' "CPU 10000 / CPU 1000 (linear: about 10)" \
        "$(awk -v a="${E_CPU[10000]}" -v b="${E_CPU[1000]}" 'BEGIN {printf "%.1f", a / b}')" "<= 11" \
        "$(ok "$(awk -v a="${E_CPU[10000]}" -v b="${E_CPU[1000]}" 'BEGIN {printf "%.2f", a / b}')" 11 "<=")"
    printf '    %-44s %7s ms\n' "CPU, one request per process (median of 5)" "$(awk -v s="$E_ONE" 'BEGIN {printf "%.1f", s * 1000}')"
    [[ -z $E_BEFORE ]] || printf '    %-44s %7s ms  (%s)\n' "  the same with ATTEST_BUILD_BEFORE (median of 3)" \
        "$(awk -v s="$E_BEFORE" 'BEGIN {printf "%.1f", s * 1000}')" "$ATTEST_BUILD_BEFORE"
    echo "    CPU: user + system of 'attest-req verify --in-list LIST --format json' over 100 distinct requests in turn."
}
ok() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {print ((op == ">=" ? v >= t : v <= t) ? "yes" : "NO")}'; }
declare -A E_CPU
(( NEW_ONLY )) || [[ ${BENCH_HOSTILE:-1} == 0 && $HOSTILE_ONLY == 0 ]] || hostile_bench
if (( HOSTILE_ONLY )); then
    echo
    echo "attest-req hostile-input benchmark ($(date -u +%FT%TZ)), pinned to core $CPU"
    echo
    hostile_table
    exit 0
fi

# --- lab: a private TMPDIR, so that another run's `swtpm-lab.sh stop-all` cannot stop ours -------
log "starting swtpm, provisioning"
mkdir -p "$W/tmp"
lab_env=$(TMPDIR=$W/tmp "$ROOT/scripts/swtpm-lab.sh" start) || die "swtpm lab did not start"
eval "$lab_env"
LAB_DIR=$SWTPM_LAB_DIR LAB_PID=$SWTPM_LAB_PID
P=$W/p
"$ROOT/scripts/tpm-provision.sh" "$P" >/dev/null
# shellcheck disable=SC1091
. "$P/handles.env"

# --- inputs -------------------------------------------------------------------------------------
LABELS=("TPM RSA-2048" "TPM P-256" "PKIX P-256")
NONCE=$(openssl rand -hex 32)
EXT=(--addext "keyUsage=critical,digitalSignature" --addext "extendedKeyUsage=codeSigning")
new_args() {   # new_args NAME KEY AK OUT [ATTEST-REQ]: the attest-req new command line for one TPM request
    NEW=("${5:-$REQ}" new --evidence tpm2 --key "$2" --ak "$3" --ak-cert "$P/ak-$1.pem" --ak-chain "$P/ca/int.pem"
         --nonce "$NONCE" --subject "/CN=attest bench $1/O=attest" "${EXT[@]}" --out "$4")
}
new_args rsa "$KEY_RSA2048" "$AK_RSA" "$W/tpm-rsa.pem"; "${NEW[@]}" || die "attest-req new (RSA) failed"
new_args ecc "$KEY_P256" "$AK_ECC" "$W/tpm-ecc.pem"; "${NEW[@]}" || die "attest-req new (P-256) failed"
verify_benches() {   # the inputs, then (a) and (b)
"$BIN/bench_gen_pkix" "$W" "$NONCE" || die "bench_gen_pkix failed"
mkdir "$W/trust"
cp "$P/ca/root.pem" "$W/trust/tpm-root.pem"
cp "$W/pkix-root.pem" "$W/trust/pkix-root.pem"
FILES=("$W/tpm-rsa.pem" "$W/tpm-ecc.pem" "$W/pkix.pem")
VERIFY=(verify --trust-dir "$W/trust" --nonce "$NONCE")
declare -gA STATUS
for i in 0 1 2; do
    rc=0
    "$REQ" "${VERIFY[@]}" --in "${FILES[i]}" >"$W/verdict.txt" 2>&1 || rc=$?
    STATUS[$i]=$(head -n1 "$W/verdict.txt" | sed 's/.*: //')
    [[ $rc == 0 ]] || log "note: ${LABELS[i]} request is not affirmed (exit $rc): $(grep -E '^ *(fail|skip)' "$W/verdict.txt" | head -n3 | tr -s ' ' | tr '\n' ';')"
done
: >"$W/list.txt"
for ((i = 0; i < N; i++)); do echo "${FILES[i % 3]}"; done >"$W/list.txt"

# --- (a) batch throughput vs the crypto floor -------------------------------------------------------
log "(a) batch verify, $N inputs, $RUNS_A runs each"
a_att=() a_floor=() a_parse=() a_rc=0
for ((r = 0; r < RUNS_A; r++)); do
    t0=$(now_us)
    "${PIN[@]}" "$REQ" "${VERIFY[@]}" --in-list "$W/list.txt" --format json >/dev/null 2>"$W/batch.err" || a_rc=$?
    t1=$(now_us)
    a_att+=("$(( t1 - t0 ))")
    a_floor+=("$("${PIN[@]}" "$BIN/bench_floor" --list "$W/list.txt" --trust-dir "$W/trust" | sed 's/.*total_us=\([0-9]*\).*/\1/')")
    a_parse+=("$("${PIN[@]}" "$BIN/bench_floor" --list "$W/list.txt" --trust-dir "$W/trust" --parse | sed 's/.*total_us=\([0-9]*\).*/\1/')")
done
FLOOR_LINE=$("$BIN/bench_floor" --list "$W/list.txt" --trust-dir "$W/trust")
A_ATT=$(printf '%s\n' "${a_att[@]}" | median | awk -v n="$N" '{printf "%.1f", $1 / n}')
A_FLOOR=$(printf '%s\n' "${a_floor[@]}" | median | awk -v n="$N" '{printf "%.1f", $1 / n}')
A_PARSE=$(printf '%s\n' "${a_parse[@]}" | median | awk -v n="$N" '{printf "%.1f", $1 / n}')

# --- (b) one request per process ------------------------------------------------------------------
log "(b) one request per process, $RUNS_B runs each"
declare -gA B_ATT B_SSL
for i in 0 1 2; do
    att=() ssl=()
    for ((r = 0; r < RUNS_B; r++)); do
        t0=$(now_us)
        "${PIN[@]}" "$REQ" "${VERIFY[@]}" --in "${FILES[i]}" >/dev/null 2>&1 || true
        t1=$(now_us)
        "${PIN[@]}" openssl req -in "${FILES[i]}" -verify -noout >/dev/null 2>&1 || true
        t2=$(now_us)
        att+=("$(( t1 - t0 ))") ssl+=("$(( t2 - t1 ))")
    done
    B_ATT[$i]=$(printf '%s\n' "${att[@]}" | median)
    B_SSL[$i]=$(printf '%s\n' "${ssl[@]}" | median)
done
}
(( NEW_ONLY )) || verify_benches

# --- (c) attest-req new vs the TPM operations -----------------------------------------------------
tpm_cmds() {   # tpm_cmds CMD...: how many TPM commands CMD sends (tss2's pcap TCTI on every connection)
    local cap=$W/cmds.pcap
    rm -f "$cap"
    TCTI_PCAP_FILE=$cap ATTEST_TCTI="pcap:$SWTPM_LAB_TCTI" TPM2OPENSSL_TCTI="pcap:$SWTPM_LAB_TCTI" \
        "$@" >/dev/null || die "$1 failed under the pcap TCTI"
    python3 "$ROOT/tests/bench/tpm_cmds.py" "$cap" | sed -n 1p
}
BEFORE=${ATTEST_BUILD_BEFORE:-}
[[ -z $BEFORE || -x $BEFORE/attest-req ]] || die "$BEFORE/attest-req not found"
log "(c) attest-req new vs TPM operations, $RUNS_C runs each${BEFORE:+ (and $BEFORE)}"
declare -A C_NEW C_OPS C_PROC C_OLD C_CMD_NEW C_CMD_RAW C_CMD_OLD
C_SPECS=("rsa $KEY_RSA2048 $AK_RSA" "ecc $KEY_P256 $AK_ECC")
for i in 0 1; do
    read -r name key ak <<<"${C_SPECS[i]}"
    nw=() ops=() proc=() old=()
    for ((r = 0; r < RUNS_C; r++)); do
        new_args "$name" "$key" "$ak" "$W/new-$name.pem"
        t0=$(now_us)
        "${PIN[@]}" "${NEW[@]}" || die "attest-req new failed"
        t1=$(now_us)
        o=$("${PIN[@]}" "$BIN/bench_tpm_raw" --key "$key" --ak "$ak" --nonce "$NONCE") || die "bench_tpm_raw failed"
        t2=$(now_us)
        nw+=("$(( t1 - t0 ))") ops+=("$o") proc+=("$(( t2 - t1 ))")
        if [[ -n $BEFORE ]]; then
            new_args "$name" "$key" "$ak" "$W/old-$name.pem" "$BEFORE/attest-req"
            t0=$(now_us)
            "${PIN[@]}" "${NEW[@]}" || die "$BEFORE/attest-req new failed"
            t1=$(now_us)
            old+=("$(( t1 - t0 ))")
        fi
    done
    C_NEW[$i]=$(printf '%s\n' "${nw[@]}" | median)
    C_OPS[$i]=$(printf '%s\n' "${ops[@]}" | median)
    C_PROC[$i]=$(printf '%s\n' "${proc[@]}" | median)
    new_args "$name" "$key" "$ak" "$W/new-$name.pem"
    C_CMD_NEW[$i]=$(tpm_cmds "${NEW[@]}")
    C_CMD_RAW[$i]=$(tpm_cmds "$BIN/bench_tpm_raw" --key "$key" --ak "$ak" --nonce "$NONCE")
    if [[ -n $BEFORE ]]; then
        C_OLD[$i]=$(printf '%s\n' "${old[@]}" | median)
        new_args "$name" "$key" "$ak" "$W/old-$name.pem" "$BEFORE/attest-req"
        C_CMD_OLD[$i]=$(tpm_cmds "${NEW[@]}")
    fi
done
new_table() {
    local i
    for i in 0 1; do
        row "(c) attest-req new, ${LABELS[i]}" "$(ms "${C_NEW[$i]}")" "$(ms "${C_OPS[$i]}")" \
            "$(ratio "${C_NEW[$i]}" "${C_OPS[$i]}")" "<= 1.30" "$(ok "$(ratio "${C_NEW[$i]}" "${C_OPS[$i]}")" 1.3 "<=")"
        [[ -z $BEFORE ]] || row "    the same, ATTEST_BUILD_BEFORE" "$(ms "${C_OLD[$i]}")" "$(ms "${C_OPS[$i]}")" \
            "$(ratio "${C_OLD[$i]}" "${C_OPS[$i]}")" "" ""
        # Both whole processes: start-up (libcrypto, tss2) counted on both sides.
        row "    vs bench_tpm_raw as a process" "$(ms "${C_NEW[$i]}")" "$(ms "${C_PROC[$i]}")" \
            "$(ratio "${C_NEW[$i]}" "${C_PROC[$i]}")" "" ""
    done
}
new_notes() {
    echo "(c) medians of $RUNS_C runs each, interleaved.  reference: bench_tpm_raw's own timing of"
    echo "    attest_tpm_open + attest_tpm_certify + SHA-256 + attest_tpm_sign_digest + attest_tpm_close;"
    echo "    the same helper as a whole process took $(ms "${C_PROC[0]}") (RSA) and $(ms "${C_PROC[1]}") (P-256)."
    echo "    TPM commands sent (pcap TCTI, all connections): new ${C_CMD_NEW[0]} (RSA) / ${C_CMD_NEW[1]} (P-256),"
    echo "    reference ${C_CMD_RAW[0]} / ${C_CMD_RAW[1]}${BEFORE:+, new of ATTEST_BUILD_BEFORE ${C_CMD_OLD[0]} / ${C_CMD_OLD[1]}}."
}

# --- (d) peak RSS: 1 and RSS_N inputs as a PEM stream on stdin ------------------------------------
rss_bench() {
log "(d) peak RSS, 1 and $RSS_N inputs on stdin"
pem=("$(<"${FILES[0]}")" "$(<"${FILES[1]}")" "$(<"${FILES[2]}")")
for ((i = 0; i < RSS_N; i++)); do printf '%s\n' "${pem[i % 3]}"; done >"$W/stream.pem"
rss() {   # rss FILE -> peak RSS of attest-req verify reading FILE on stdin, in KiB
    "${PIN[@]}" "$BIN/bench_maxrss" "$REQ" "${VERIFY[@]}" --in - --format json <"$1" 2>&1 >/dev/null \
        | sed -n 's/^maxrss_kb=//p'
}
D_ONE=$(rss "${FILES[0]}")
D_MANY=$(rss "$W/stream.pem")
}
(( NEW_ONLY )) || rss_bench

# Issue 14: OpenSSL 3.5 caches decoders, so its batch target is higher.
A_TARGET=$(openssl version | awk '{split($2, v, "."); print (v[1] > 3 || (v[1] == 3 && v[2] >= 5)) ? "0.70" : "0.50"}')

# --- the table ------------------------------------------------------------------------------------
row() { printf '%-40s %14s %16s %8s %8s  %s\n' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.2f ms", u / 1000}'; }

echo
echo "attest-req benchmark ($(date -u +%FT%TZ))"
echo "machine: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), pinned to core $CPU"
echo "software: $(openssl version), $("$REQ" --version 2>/dev/null || echo attest-req), $(swtpm --version 2>&1 | head -n1)"
if (( NEW_ONLY )); then
    echo
    row "metric" "attest" "reference" "ratio" "target" "met?"
    new_table
    echo
    new_notes
    exit 0
fi
echo "inputs: $N (${LABELS[*]/%/,} in turn); verdicts: ${LABELS[0]} ${STATUS[0]}, ${LABELS[1]} ${STATUS[1]}, ${LABELS[2]} ${STATUS[2]}"
echo
row "metric" "attest" "floor/reference" "ratio" "target" "met?"
row "(a) batch verify, per input" "$A_ATT us" "$A_FLOOR us" "$(ratio "$A_FLOOR" "$A_ATT")" ">= $A_TARGET" \
    "$(ok "$(ratio "$A_FLOOR" "$A_ATT")" "$A_TARGET" ">=")"
for i in 0 1 2; do
    row "(b) one verify per process, ${LABELS[i]}" "$(ms "${B_ATT[$i]}")" "$(ms "${B_SSL[$i]}")" \
        "$(ratio "${B_ATT[$i]}" "${B_SSL[$i]}")" "<= 1.00" "$(ok "$(ratio "${B_ATT[$i]}" "${B_SSL[$i]}")" 1.0 "<=")"
done
new_table
row "(d) peak RSS, $RSS_N vs 1 input(s)" "$D_MANY KiB" "$D_ONE KiB" "$(ratio "$D_MANY" "$D_ONE")" "<= 1.10" \
    "$(ok "$(ratio "$D_MANY" "$D_ONE")" 1.1 "<=")"
echo
echo "(a) attest: wall time of 'attest-req verify --in-list LIST --format json' / $N, median of $RUNS_A runs"
echo "    (process start and trust loading included).  floor: bench_floor, median of $RUNS_A runs:"
echo "    $FLOOR_LINE"
echo "    = per input the request self-signature and the evidence signature, plus each chain's"
echo "    certificate signatures (AK cert, intermediate) once per distinct chain, as attest-req caches"
echo "    chain results; bare EVP_DigestVerify on pre-parsed keys, digests fetched once."
echo "    Not in the floor: X.509 parsing, which OpenSSL $(openssl version | cut -d' ' -f2) makes expensive:"
echo "    d2i_X509_REQ + d2i_X509 of the bundle certificates alone take $A_PARSE us per input."
echo "(b) medians of $RUNS_B runs each, interleaved; attest-req verify --trust-dir --nonce (text) vs"
echo "    openssl req -in F -verify -noout."
new_notes
echo "(d) bench_maxrss (getrusage of the child) around 'attest-req verify --in - --format json'."
[[ $a_rc == 0 ]] || echo "note: the batch exited $a_rc (not every input affirming; see the verdicts above)"
[[ ${BENCH_HOSTILE:-1} == 0 ]] || hostile_table
