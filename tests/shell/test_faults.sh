#!/usr/bin/env bash
# test_faults.sh - attest-req new when the TPM goes away: the swtpm is SIGKILLed (by the PID in its
# pid file) a few milliseconds after `new` starts, at a different point each iteration. Every run
# either finished before the kill (the output file is complete and verifies) or exits 2 with exactly
# one stderr line and no output file (no temp file either). The TPM is then restarted from the same
# state directory and must show no transient handles or sessions; failures with the TPM alive (wrong
# AK certificate, nonexistent handles, a TSS2 key whose parent does not exist) must not leak any.
# FAULT_ITERATIONS=N sets the number of kills (default 12). Needs swtpm, tpm2-tools, tpm2-openssl.
# ctest sets ATTEST_REQ, ATTEST_SRC. Check bodies are single-quoted on purpose (they expand inside
# `check ... eval`).
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
ITER=${FAULT_ITERATIONS:-12}

# A unix socket: the restarted swtpm takes over the same path (no port to win back).
lab_up --unix
D=$SWTPM_LAB_DIR
mkdir "$T/trust" "$T/o"
cp "$P/ca/root.pem" "$T/trust/"
O=$T/o
N=$(openssl rand -hex 16)
# ASan builds: tpm2-tss 3.2.1's swtpm TCTI leaks the strdup'd copy of its configuration when
# Tss2_Tcti_Swtpm_Init fails after the data socket connected (the TPM died in between; a 6-line
# program calling Tss2_TctiLdr_Initialize shows it). Only allocations made by libc strdup are
# suppressed (the project allocates with OPENSSL_*), and silently: stderr must stay one line.
printf 'leak:^__interceptor_strdup$\nleak:^strdup$\n' >"$T/lsan.supp"
export LSAN_OPTIONS="suppressions=$T/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# A sleep without a fork: `read -t` on a FIFO that nobody writes.
mkfifo "$T/sleep.fifo"
exec {SLEEPFD}<>"$T/sleep.fifo"
msleep_us() { local d; printf -v d '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)); read -r -t "$d" -u "$SLEEPFD" _ || true; }
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
swtpm_pid() { cat "$D/swtpm.pid" 2>/dev/null; }

# Restart the TPM from the same state directory, with the flags swtpm-lab.sh uses. swtpm keeps the
# NV state (tpm2-00.permall: persistent handles, hierarchy state) on disk as it changes; the
# volatile state (loaded transient objects, sessions) of a SIGKILLed swtpm is lost, and
# startup-clear sends TPM2_Startup(CLEAR) anyway. The kill is a non-orderly shutdown, which
# bumps the dictionary-attack counter (3 of them put this TPM into lockout): the lockout is reset
# with the (empty) lockout auth, as an operator would after a power loss.
restart_tpm() {
    local pid deadline
    pid=$(swtpm_pid)
    deadline=$(( $(now_us) + 2000000 ))
    until pid_gone "$pid"; do (( $(now_us) < deadline )) || return 1; msleep_us 5000; done
    swtpm socket --tpm2 --tpmstate "dir=$D" --flags not-need-init,startup-clear --pid "file=$D/swtpm.pid" \
        --log "file=$D/swtpm.log,level=1" --daemon --server "type=unixio,path=$D/swtpm.sock" \
        --ctrl "type=unixio,path=$D/swtpm.sock.ctrl" </dev/null >/dev/null 2>"$T/restart.err" || return 1
    deadline=$(( $(now_us) + 2000000 ))
    until [[ $(swtpm_pid) != "$pid" ]] && tpm2_getrandom 1 >/dev/null 2>&1; do
        (( $(now_us) < deadline )) || return 1
        msleep_us 10000
    done
    tpm2_dictionarylockout --clear-lockout >/dev/null 2>&1
}
no_transients() { [[ -z $(tpm2_getcap handles-transient; tpm2_getcap handles-loaded-session) ]]; }
persistent_intact() {
    local h; h=$(tpm2_getcap handles-persistent)
    grep -qix -- '- 0x81000010' <<<"$h" && grep -qix -- '- 0x81008001' <<<"$h"
}

NEW=("$REQ" new --evidence tpm2 --key 0x81000010 --ak 0x81008001 --ak-cert "$P/ak-ecc.pem"
     --ak-chain "$P/ca/int.pem" --nonce "$N" --subject "/CN=fault/O=attest")
verifies() { "$REQ" verify --trust-dir "$T/trust" --in "$1" --nonce "$N" >/dev/null 2>&1; }
out_empty() { [[ -z $(ls -A "$O") ]]; }

# 0. how long does `new` take here? (the kills are spread over that window)
T_US=0
for _ in 1 2 3; do
    t0=$(now_us); "${NEW[@]}" --out "$O/warm.pem" 2>"$T/err"; t1=$(now_us)
    (( t1 - t0 > T_US )) && T_US=$((t1 - t0))
done
check "new on the fresh lab succeeds and verifies (slowest of 3: $((T_US / 1000)) ms)" verifies "$O/warm.pem"
rm -f "$O"/*

# 1. kill the swtpm in the middle of `new`: two thirds of the delays spread evenly over the measured
#    run time (connect, TPM2_Certify, the provider's key load and signature), the rest random in
#    0-30 ms; then restart it from the same state.
killed=0 finished=0
GRID=$(( (2 * ITER + 2) / 3 ))
for (( i = 0; i < ITER; i++ )); do
    if (( i < GRID )); then
        us=$(( i * T_US / GRID + RANDOM % 500 ))
    else
        us=$(( (RANDOM * 32768 + RANDOM) % 30000 ))
    fi
    pid=$(swtpm_pid)
    rc=0
    "${NEW[@]}" --out "$O/req.pem" >"$T/stdout" 2>"$T/err" &
    np=$!
    msleep_us "$us"
    kill -KILL "$pid"
    wait "$np" || rc=$?
    what="kill after $((us / 1000)).$(( (us % 1000) / 100 )) ms"
    if (( rc == 0 )); then
        finished=$((finished + 1))
        check "$what: finished first (exit 0): complete output that verifies, no stderr" \
            eval '[[ ! -s $T/err ]] && verifies "$O/req.pem" && [[ $(ls -A "$O") == req.pem ]]'
    else
        killed=$((killed + 1))
        before=$FAILED
        check "$what: exit $rc, one stderr line, no output or temp file: $(head -n1 "$T/err")" \
            eval '(( rc == 2 )) && [[ $(wc -l <"$T/err") -eq 1 ]] && out_empty'
        # shellcheck disable=SC2012  # a listing for the reader
        if (( FAILED > before )); then sed 's/^/     | /' "$T/err" | head -n 40; ls -A "$O" | sed 's/^/     out: /'; fi
    fi
    rm -f "$O"/*
    check "$what: TPM restarted from the same state" restart_tpm
    check "$what: restarted TPM: no transient handles or sessions, persistent keys intact" \
        eval 'no_transients && persistent_intact'
done
echo "     $killed run(s) killed mid-way, $finished finished before the kill"
check "at least one run was killed mid-way" eval '(( killed > 0 ))'
check "after $ITER kills and restarts: new succeeds and verifies" \
    eval '"${NEW[@]}" --out "$O/after.pem" 2>"$T/err" && verifies "$O/after.pem"'
rm -f "$O"/*

# 2. failures with the TPM alive leave no transient objects behind.
check "wrong AK certificate -> 1, one line naming --ak-cert, no output" eval 'rc_is 1 "$REQ" new --evidence tpm2 \
    --key 0x81000010 --ak 0x81008001 --ak-cert "$P/ak-rsa.pem" --subject /CN=x --out "$O/r.pem" \
    && one_line --ak-cert && out_empty'
check "  no transient handles after it" no_transients
check "nonexistent key handle -> 1, one line naming it, no output" eval 'rc_is 1 "$REQ" new --evidence tpm2 \
    --key 0x81000099 --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" --subject /CN=x --out "$O/r.pem" \
    && one_line 0x81000099 && out_empty'
check "  no transient handles after it" no_transients
check "nonexistent AK handle -> 1, one line naming it, no output" eval 'rc_is 1 "$REQ" new --evidence tpm2 \
    --key 0x81000010 --ak 0x81008099 --ak-cert "$P/ak-ecc.pem" --subject /CN=x --out "$O/r.pem" \
    && one_line 0x81008099 && out_empty'
check "  no transient handles after it" no_transients

# 3. a TSS2 key blob (tpm2-openssl, parent = the SRK 0x81000001) whose parent handle is patched to
#    0x81000099, which does not exist: exit 1, one line, no output, nothing left loaded.
MODDIR=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
openssl genpkey -provider-path "$MODDIR" -provider tpm2 -provider default -algorithm EC -pkeyopt group:P-256 \
    -pkeyopt parent:0x81000001 -out "$T/k.pem" 2>/dev/null
check "control: the TSS2 key under the SRK works" eval '"$REQ" new --evidence tpm2 --key "$T/k.pem" \
    --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" --ak-chain "$P/ca/int.pem" --nonce "$N" --subject /CN=x --out "$O/k.pem" 2>"$T/err" \
    && verifies "$O/k.pem"'
rm -f "$O"/*
read -r off hl < <(openssl asn1parse -in "$T/k.pem" | sed -n 's/^ *\([0-9]*\):d=1 *hl=\([0-9]*\) *l= *5 prim: INTEGER *:81000001$/\1 \2/p')
sed -n '/BEGIN/,/END/{/-----/d;p}' "$T/k.pem" | openssl base64 -d -out "$T/k.der"
printf '\x99' | dd of="$T/k.der" bs=1 seek=$((off + hl + 4)) conv=notrunc status=none
{ echo "-----BEGIN TSS2 PRIVATE KEY-----"; openssl base64 -in "$T/k.der"; echo "-----END TSS2 PRIVATE KEY-----"; } >"$T/kbad.pem"
check "patched blob names parent 0x81000099" eval 'openssl asn1parse -in "$T/kbad.pem" | grep -q "INTEGER *:81000099"'
check "TSS2 key with a nonexistent parent -> 1, one line, no output" eval 'rc_is 1 "$REQ" new --evidence tpm2 \
    --key "$T/kbad.pem" --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" --subject /CN=x --out "$O/r.pem" \
    && [[ $(wc -l <"$T/err") -eq 1 ]] && out_empty'
check "  no transient handles after it" no_transients

# 4. the TPM software stack is loaded when a TPM is first opened (evidence/tss2_lazy.c): verify maps
#    none of it; new does; a broken or foreign library in its place is one line and no output.
loaded() { LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -o 'file=libtss2-[a-z]*' | sort -u | tr '\n' ' '; }
"${NEW[@]}" --out "$T/lazy.pem" 2>"$T/err"
check "verify of a TPM request loads tss2-mu only: $(loaded "$REQ" verify --trust-dir "$T/trust" --in "$T/lazy.pem" --nonce "$N")" \
    eval '[[ $(loaded "$REQ" verify --trust-dir "$T/trust" --in "$T/lazy.pem" --nonce "$N") == "file=libtss2-mu " ]]'
check "new loads ESAPI and the TCTI loader when it opens the TPM" \
    eval 'loaded "${NEW[@]}" --out "$O/l.pem" | grep -q "file=libtss2-esys .*file=libtss2-tctildr"'
rm -f "$O"/*
mkdir "$T/badlib" "$T/foreignlib"
echo 'not a shared object' >"$T/badlib/libtss2-esys.so.0"
cp "$(ldconfig -p | sed -n 's/^\tlibtss2-mu.so.0 .*=> //p' | head -n1)" "$T/foreignlib/libtss2-esys.so.0"
check "a broken libtss2-esys.so.0 -> 1, one line naming it, no output" eval 'rc_is 1 env LD_LIBRARY_PATH="$T/badlib" \
    "${NEW[@]}" --out "$O/r.pem" && one_line "cannot load libtss2-esys.so.0" && out_empty'
check "a libtss2-esys.so.0 without ESAPI -> 1, one line naming the missing function, no output" eval \
    'rc_is 1 env LD_LIBRARY_PATH="$T/foreignlib" "${NEW[@]}" --out "$O/r.pem" && one_line "has no Esys_" && out_empty'

finish
