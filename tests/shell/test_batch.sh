#!/usr/bin/env bash
# test_batch.sh - batch accounting of attest-req verify: every input (--in, --in-list, each block of
# a PEM stream on stdin) gets exactly one verdict or one error line, in input order, and the exit
# code is the worst of them; nothing after a malformed block is dropped.
#   1. good + malformed + unattested on stdin, --jobs 1 and 2: three lines in order, exit 2.
#   2. malformed PEM framing (middle, end, BEGIN without END, garbage, unknown label, END mismatch).
#   3. --in and --in-list with a missing file; stdin that is one DER request; empty stdin.
#   4. streaming: the first verdict is read while the writer still holds stdin open.
#   5. SIGINT / SIGTERM mid-batch: the judged verdicts, whole lines, exit 128+signal.
# No TPM: requests carry PKIX evidence signed by a file AK of a throw-away CA (a warning verdict
# with the two key-policy relaxations). ctest sets ATTEST_REQ, ATTEST_SRC.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

H=$T/hsm; mkdir -p "$H/trust"
akca "$H" "batch test CA" >/dev/null 2>&1
p256_key "$H/ak.key"
akca_issue "$H" "$H/ak.key" "batch AK" ak "$H/ak.pem"
p256_key "$H/key.pem"
N=$(openssl rand -hex 16)
"$REQ" new --evidence pkix --key "$H/key.pem" --nonce "$N" --subject /CN=good --ak "$H/ak.key" \
    --ak-cert "$H/ak.pem" --out "$T/good.pem"                                  # verdict: warning (3)
openssl req -new -key "$H/key.pem" -subj /CN=plain -out "$T/plain.pem"       # verdict: none (4)
openssl req -in "$T/good.pem" -outform DER -out "$T/good.der"
bad_b64() { printf -- '-----BEGIN CERTIFICATE REQUEST-----\nMIIB!!!not*base64\n-----END CERTIFICATE REQUEST-----\n'; }
bad_b64 >"$T/bad.pem"
V=(verify --trust-dir "$H/trust" --nonce "$N" --allow exportable-key --allow imported-key)

# lines FILE: one word per JSON line of FILE, "INPUT=STATUS" or "INPUT=error"; fails on a line
# that is not one whole JSON object.
lines() {
    python3 - "$1" <<'EOF'
import json, sys
out = []
for l in open(sys.argv[1]):
    j = json.loads(l)
    a = j["attest-req"]
    out.append(a["input"] + "=" + ("error" if "error" in a else j["ear.status"]))
print(" ".join(out))
EOF
}
# batch WANT-RC WANT-LINES [ARGS]: stdin to verify --format json; the exit code and the lines.
batch() {
    local want=$1 lines_want=$2 got; shift 2
    rc_is "$want" "$REQ" "${V[@]}" --in - --format json "$@" || return 1
    got=$(lines "$T/out") || { echo "     stdout is not JSON Lines: $(head -c 300 "$T/out")"; return 1; }
    [[ $got == "$lines_want" ]] || { echo "     got:  $got"; echo "     want: $lines_want"; return 1; }
}
# err_is N TEXT: stderr is N lines, and one of them holds TEXT.
err_is() { [[ $(wc -l <"$T/err") -eq $1 ]] && grep -q -- "$2" "$T/err" || { echo "     stderr: $(head -c 400 "$T/err")"; return 1; }; }

# --- 1. the hole: good, malformed, unattested on stdin ------------------------------------------
for j in 1 2; do
    check "jobs $j: good + bad base64 + unattested -> 3 JSON lines in order, exit 2" eval 'cat "$T/good.pem" "$T/bad.pem" \
        "$T/plain.pem" | batch 2 "stdin#1=warning stdin#2=error stdin#3=none" --jobs '$j
    check "jobs $j:   one stderr line naming stdin#2 and the bad base64" err_is 1 "stdin#2: .*base64"
    check "jobs $j:   the error line keeps \"input\" and says why" eval 'sed -n 2p "$T/out" \
        | grep -q "\"attest-req\":{\"input\":\"stdin#2\",\"error\":\".*base64.*\",\"checks\":\[\]}}$"'
    check "jobs $j: the same in text: two verdicts in order, one error line, exit 2" eval 'cat "$T/good.pem" "$T/bad.pem" \
        "$T/plain.pem" | rc_is 2 "$REQ" "${V[@]}" --in - --jobs '$j' && [[ $(grep -E "^stdin#[0-9]+: " "$T/out" \
        | cut -d" " -f1-2 | tr "\n" " ") == "stdin#1: warning stdin#3: none " ]] && err_is 1 "stdin#2: "'
done
check "20 inputs, every third malformed, --jobs 3: 20 JSON lines in order" eval 'for i in $(seq 20); do
        if (( i % 3 == 0 )); then cat "$T/bad.pem"; else cat "$T/good.pem"; fi; done >"$T/twenty.pem"
    want=$(for i in $(seq 20); do if (( i % 3 == 0 )); then echo "stdin#$i=error"; else echo "stdin#$i=warning"; fi; done \
        | tr "\n" " "); batch 2 "${want% }" --jobs 3 <"$T/twenty.pem" && err_is 6 "stdin#18: "'
check "good stream alone -> exit 3 (the errors above are what made it 2)" eval 'cat "$T/good.pem" "$T/good.pem" \
    | batch 3 "stdin#1=warning stdin#2=warning"'

# --- 2. malformed framing: each one an input of its own, judging goes on -------------------------
G=$T/good.pem P=$T/plain.pem
check "bad base64 at the end -> error last, exit 2" eval 'cat "$G" "$P" "$T/bad.pem" \
    | batch 2 "stdin#1=warning stdin#2=none stdin#3=error" && err_is 1 "stdin#3: "'
check "BEGIN without END in the middle -> error, the next BEGIN starts the next input" eval '{ cat "$G"
    head -n 3 "$P"; cat "$P"; } | batch 2 "stdin#1=warning stdin#2=error stdin#3=none" && err_is 1 "stdin#2: .*no END line"'
check "BEGIN without END at the end of the stream -> error, exit 2" eval '{ cat "$G"; head -n 3 "$P"; } \
    | batch 2 "stdin#1=warning stdin#2=error" && err_is 1 "stdin#2: .*no END line"'
check "trailing garbage -> an error input, exit 2" eval '{ cat "$G" "$P"; echo "this is not PEM"; } \
    | batch 2 "stdin#1=warning stdin#2=none stdin#3=error" && err_is 1 "stdin#3: .*outside a PEM block"'
check "garbage between blocks (several lines) -> one error input" eval '{ cat "$G"; printf "junk\n\nmore junk\n"; cat "$P"; } \
    | batch 2 "stdin#1=warning stdin#2=error stdin#3=none" && err_is 1 "stdin#2: line $(( $(wc -l <"$G") + 1 )): text outside a PEM block"'
check "text before the first block -> an error input" eval '{ echo "Certificate Request:"; cat "$G"; } \
    | batch 2 "stdin#1=error stdin#2=warning" && err_is 1 "stdin#1: line 1: text outside"'
check "whitespace and CRLF between blocks are not inputs" eval '{ printf "\n  \n"; cat "$G"; printf "\r\n\t\n"; \
    sed "s/\$/\r/" "$P"; printf "\n\n"; } | batch 4 "stdin#1=warning stdin#2=none"'
check "label CERTIFICATE -> error naming the label, the rest judged" eval '{ cat "$H/ak.pem" "$G"; } \
    | batch 2 "stdin#1=error stdin#2=warning" && err_is 1 "stdin#1: .*label \"CERTIFICATE\""'
check "a truncated label (-----BEGIN CERTIFICATE REQ) -> error" eval '{ sed "1s/.*/-----BEGIN CERTIFICATE REQ/" "$P"; cat "$G"; } \
    | batch 2 "stdin#1=error stdin#2=warning"'
check "END label that does not match BEGIN -> error" eval '{ sed "\$s/.*/-----END ATTESTATION BUNDLE-----/" "$P"; cat "$G"; } \
    | batch 2 "stdin#1=error stdin#2=warning" && err_is 1 "stdin#1: .*END"'
check "an empty PEM block -> error" eval '{ printf -- "-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n"
    cat "$G"; } | batch 2 "stdin#1=error stdin#2=warning"'
check "a stream of only whitespace -> one error, exit 2" eval 'printf "\n \n" | batch 2 "stdin=error" && err_is 1 "no PEM block"'
check "NUL bytes between blocks are text, not whitespace -> an error input" eval '{ cat "$G"; printf "\000\000\n"; cat "$P"; } \
    | batch 2 "stdin#1=warning stdin#2=error stdin#3=none"'
check "a NUL byte inside a block -> an error input" eval '{ sed "2s/^/\x00/" "$P"; cat "$G"; } \
    | batch 2 "stdin#1=error stdin#2=warning" && err_is 1 "stdin#1: .*NUL byte"'
check "stdin opening with a binary byte -> one input read whole, csr.parse fails (1)" eval 'printf "\001\002\000\377x\n" \
    | batch 1 "-=contraindicated"'

# --- 3. files and lists ---------------------------------------------------------------------------
printf '%s\n' "$G" "$T/missing.pem" "# a comment" "" "$P" "$T" >"$T/list"
check "--in-list with a missing file and a directory -> 4 lines in order, exit 2" eval 'rc_is 2 "$REQ" "${V[@]}" \
    --in-list "$T/list" --format json && [[ $(lines "$T/out") == "$G=warning $T/missing.pem=error $P=none $T=error" ]] \
    && err_is 2 "missing.pem: cannot open"'
check "--in good --in missing --in plain, --jobs 2 -> 3 lines in order, exit 2" eval 'rc_is 2 "$REQ" "${V[@]}" --jobs 2 \
    --in "$G" --in "$T/missing.pem" --in "$P" --format json \
    && [[ $(lines "$T/out") == "$G=warning $T/missing.pem=error $P=none" ]] && err_is 1 "missing.pem: cannot open"'
cat "$G" "$P" >"$T/two.pem"
check "--in FILE of two PEM blocks -> an error input (never only the first judged), the next judged" eval 'rc_is 2 \
    "$REQ" "${V[@]}" --in "$T/two.pem" --in "$G" --format json \
    && [[ $(lines "$T/out") == "$T/two.pem=error $G=warning" ]] && err_is 1 "2 PEM blocks in one file"'
{ cat "$G"; printf 'note: '; cat "$P"; } >"$T/hidden.pem"
check "--in FILE whose second BEGIN does not start a line -> still two blocks, an error input" eval 'rc_is 2 \
    "$REQ" "${V[@]}" --in "$T/hidden.pem" --format json \
    && [[ $(lines "$T/out") == "$T/hidden.pem=error" ]] && err_is 1 "2 PEM blocks in one file"'
check "--in-list line naming a file of two PEM blocks -> the same error input" eval 'echo "$T/two.pem" >"$T/list2" \
    && rc_is 2 "$REQ" "${V[@]}" --in-list "$T/list2" --format json && [[ $(lines "$T/out") == "$T/two.pem=error" ]]'
check "--in-list that cannot be opened -> usage error 2, nothing judged" eval 'rc_is 2 "$REQ" "${V[@]}" --in-list "$T/nolist" \
    && [[ ! -s $T/out ]]'
check "stdin that is one DER request -> one verdict" eval 'batch 3 "-=warning" <"$T/good.der"'
check "empty stdin -> one error, exit 2" eval 'batch 2 "-=error" </dev/null && err_is 1 "empty input"'
check "no input at all (empty --in-list) -> usage error 2" eval ': >"$T/empty.list"; rc_is 2 "$REQ" "${V[@]}" \
    --in-list "$T/empty.list" && err_is 1 "no input"'

# --- 4. streaming: a verdict comes out while stdin is still open ---------------------------------
# The coprocess's stdin is a pipe we hold open; a verdict must arrive before anything more is written.
# co_start CMD...: CMD as a coprocess, its stdin on fd CI, its stdout on fd CO (ours to close), CO_PID.
co_start() {
    coproc VP { exec "$@" 2>"$T/co.err"; }
    CO_PID=$VP_PID
    exec {CI}>&"${VP[1]}" {CO}<&"${VP[0]}"
    eval "exec ${VP[1]}>&- ${VP[0]}<&-"
}
co_close() { exec {CI}>&- {CO}<&-; }
for j in 1 2; do
    co_start "$REQ" "${V[@]}" --in - --format json --jobs "$j"
    cat "$G" >&"$CI"
    first="" second=""
    read -r -t 10 first <&"$CO" || true
    check "jobs $j: the first verdict arrives while stdin is open" eval '[[ $first == *"\"input\":\"stdin#1\""* ]]'
    cat "$T/bad.pem" >&"$CI"
    read -r -t 10 second <&"$CO" || true
    check "jobs $j: then the error line for the second block" eval '[[ $second == *"\"attest-req\":{\"input\":\"stdin#2\",\"error\":"* ]]'
    cat "$P" >&"$CI"
    exec {CI}>&-
    rest=$(timeout 10 cat <&"$CO") || true
    exec {CO}<&-
    rc=0; wait "$CO_PID" || rc=$?
    check "jobs $j: the last verdict after stdin closes, exit 2" eval '[[ $rc == 2 && $rest == *"\"input\":\"stdin#3\""* \
        && $(wc -l <<<"$rest") == 1 ]]'
done

# --- 5. signals: what was judged is printed, whole lines, and the exit says "interrupted" ---------
# A background job of a script ignores SIGINT; env --default-signal gives it back, as a terminal would.
interrupt() {  # interrupt SIG JOBS: 2 requests written, 2 lines read, SIG sent while stdin is open
    co_start env --default-signal=INT "$REQ" "${V[@]}" --in - --format json --jobs "$2"
    cat "$G" "$P" >&"$CI"
    local a="" b="" rest rc=0
    read -r -t 10 a <&"$CO" || true
    read -r -t 10 b <&"$CO" || true
    kill -s "$1" "$CO_PID"
    rest=$(timeout 10 cat <&"$CO") || true
    wait "$CO_PID" || rc=$?
    co_close
    [[ $a == *'"input":"stdin#1"'* && $b == *'"input":"stdin#2"'* && -z $rest ]] \
        || { echo "     lines: ${a:0:60} / ${b:0:60} / rest ${rest:0:60}"; return 1; }
    [[ $rc == "$3" ]] || { echo "     exit $rc, want $3"; return 1; }
    grep -q "interrupted by SIG$1.*2 input(s) judged" "$T/co.err" || { echo "     stderr: $(cat "$T/co.err")"; return 1; }
}
check "SIGINT while stdin is open -> the 2 verdicts, exit 130, one line saying so" interrupt INT 1 130
check "SIGTERM, --jobs 2 -> exit 143" interrupt TERM 2 143
# Mid-batch: a long stream, interrupted after the first verdicts; every line printed is whole and
# the inputs are a prefix stdin#1..k of the stream.
midbatch() {  # midbatch JOBS: SIGINT once verdicts flow; a whole-line prefix stdin#1..k, exit 130
    local g pid rc=0 k want
    g=$(<"$G"); for i in $(seq 400); do echo "$g"; done >"$T/many.pem"
    ( exec env --default-signal=INT "$REQ" "${V[@]}" --in - --format json --jobs "$1" <"$T/many.pem" \
        >"$T/many.out" 2>"$T/many.err" ) & pid=$!
    for _ in $(seq 500); do [[ -s $T/many.out ]] && break; sleep 0.01; done
    kill -INT $pid; wait $pid || rc=$?; k=$(wc -l <"$T/many.out")
    want=$(for i in $(seq "$k"); do echo "stdin#$i=warning"; done | tr "\n" " ")
    [[ $rc == 130 || ( $rc == 3 && $k == 400 ) ]] && [[ $(lines "$T/many.out") == "${want% }" ]] \
        && [[ -z $(tail -c 1 "$T/many.out") ]] && echo "     $k of 400 judged before the signal"
}
check "SIGINT mid-batch (--jobs 2): a whole-line prefix of the verdicts, exit 130" midbatch 2
check "SIGINT mid-batch (--jobs 1, judged in turn): a whole-line prefix of the verdicts, exit 130" midbatch 1

# stdout nobody reads: the first SIGINT cannot finish printing; a second one ends the process at once.
check "stdout stuck: the first SIGINT waits, a second one ends it, exit 130" eval 'mkfifo "$T/stuck"; exec {hold}<>"$T/stuck"
    ( exec env --default-signal=INT "$REQ" "${V[@]}" --in - --format json <"$T/many.pem" >"$T/stuck" 2>/dev/null ) & pid=$!
    sleep 1; kill -INT $pid; sleep 0.5; alive=0; kill -0 $pid 2>/dev/null && alive=1; kill -INT $pid
    for _ in $(seq 100); do pid_gone $pid && break; sleep 0.1; done; pid_gone $pid || kill -KILL $pid
    rc=0; wait $pid || rc=$?; exec {hold}<&-
    [[ $alive == 1 && $rc == 130 ]] || { echo "     alive after the first: $alive, exit $rc"; false; }'

# --- memory: a long stream does not grow memory (not under ASan: its shadow memory alone is larger) ---
VLIMIT=300000; [[ -n ${ATTEST_OPENSSL_PRELOAD:-} ]] && VLIMIT=unlimited
check "2000 inputs on stdin, --jobs 2, in $VLIMIT kB of address space -> 2000 lines" eval 'for i in $(seq 5); do
    cat "$T/many.pem"; done >"$T/2000.pem"; rc=0; ( ulimit -v $VLIMIT; "$REQ" "${V[@]}" --in - --format json --jobs 2 \
    <"$T/2000.pem" >"$T/out" 2>"$T/err" ) || rc=$?; [[ $rc == 3 && $(wc -l <"$T/out") == 2000 \
    && $(tail -n 1 "$T/out") == *"stdin#2000"* ]]'

finish
