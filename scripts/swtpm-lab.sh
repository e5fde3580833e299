#!/usr/bin/env bash
# swtpm-lab.sh - throw-away software TPM 2.0 (swtpm) for tests and CI.
#
#   start [--unix] [--template DIR]        start a lab, print eval-able `export` lines
#   stop DIR                               stop the lab in DIR and delete DIR (idempotent)
#   run [--unix] [--template DIR] -- CMD   start, run CMD with the env set, always stop; CMD's status
#   manufacture DIR                        DIR/state = TPM state with EK certs, DIR/ca = local CA
#   stop-all                               stop every ${TMPDIR:-/tmp}/swtpm-lab.* lab (CI safety net)
#
set -euo pipefail

readonly PROG=${0##*/}
readonly TMPROOT=${TMPDIR:-/tmp}
readonly MARKER=.swtpm-lab          # only dirs carrying this file are ever rm -rf'ed by `stop`
readonly PORT_MIN=20000 PORT_MAX=31999   # below ip_local_port_range

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
usage() { sed -n '2,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }   # bash 5: microseconds as an integer

# Print the state letter of PID (R, S, Z, ...) or nothing if the process is gone.
# comm may contain spaces/parens, so cut after the last ')'.
proc_state() {
    local st
    st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    st=${st##*) }
    printf '%s' "${st%% *}"
}

# True if PID is a live swtpm started for DIR (guards against a recycled PID).
is_lab_proc() {
    local cmd
    cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *swtpm* && $cmd == *"$2"* ]]
}

# Wait up to $2 ms until PID is gone or a zombie: the daemon is re-parented to PID 1, which may
# reap late, so kill -0 keeps succeeding on the zombie for seconds.
wait_gone() {
    local pid=$1 deadline=$(( $(now_us) + $2 * 1000 )) st
    while :; do
        st=$(proc_state "$pid")
        [[ -z $st || $st == Z ]] && return 0
        (( $(now_us) > deadline )) && return 1
        sleep 0.01
    done
}

cmd_stop() {
    [[ $# -eq 1 ]] || usage
    [[ -e $1 ]] || return 0                      # already stopped: idempotent
    local dir pid=""
    dir=$(cd "$1" && pwd -P) || die "cannot access $1"
    [[ -f $dir/$MARKER ]] || die "$dir is not a swtpm-lab dir (no $MARKER); refusing to delete it"
    # swtpm removes its pid file on a clean exit, so a missing file just means "not running".
    [[ -f $dir/swtpm.pid ]] && pid=$(<"$dir/swtpm.pid")
    if [[ $pid =~ ^[0-9]+$ ]] && is_lab_proc "$pid" "$dir"; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" 3000; then
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" 1000 || die "swtpm pid $pid did not exit after SIGKILL"
        fi
    fi
    rm -rf -- "$dir"
}

cmd_start() {
    local unix=0 tpl="" dir pid tcti port="" deadline i
    while [[ $# -gt 0 ]]; do
        case $1 in
            --unix) unix=1 ;;
            --template) [[ $# -ge 2 ]] || usage; tpl=$2; shift ;;
            *) usage ;;
        esac
        shift
    done
    command -v swtpm >/dev/null || die "swtpm not found (apt-get install swtpm swtpm-tools)"
    command -v tpm2_getrandom >/dev/null || die "tpm2_getrandom not found (apt-get install tpm2-tools)"
    if [[ -n $tpl ]]; then                       # accept the manufacture dir or its state/ subdir
        [[ -f $tpl/state/tpm2-00.permall ]] && tpl=$tpl/state
        [[ -f $tpl/tpm2-00.permall ]] || die "template $tpl has no tpm2-00.permall (run: $PROG manufacture DIR)"
    fi
    mkdir -p "$TMPROOT"
    dir=$(mktemp -d "$TMPROOT/swtpm-lab.XXXXXXXXXX") || die "mktemp failed under $TMPROOT"
    dir=$(cd "$dir" && pwd -P)                   # canonical: stop/stop-all match it in the cmdline
    : >"$dir/$MARKER"
    [[ $dir != *,* ]] || { rm -rf -- "$dir"; die "TMPDIR must not contain ',' (swtpm option separator)"; }
    # From here on a failure must not leak the dir or the daemon.
    # shellcheck disable=SC2064  # expand now on purpose: the trap runs after locals are gone
    trap "cmd_stop $(printf %q "$dir") >/dev/null 2>&1 || true" EXIT
    [[ -n $tpl ]] && cp -- "$tpl"/tpm2-00.permall "$dir"/

    local common=(--tpm2 --tpmstate "dir=$dir" --flags "not-need-init,startup-clear"
                  --pid "file=$dir/swtpm.pid" --log "file=$dir/swtpm.log,level=1" --daemon)
    if (( unix )); then
        # AF_UNIX paths are limited to 108 bytes including the NUL; the TCTI appends ".ctrl".
        (( ${#dir} + 16 <= 107 )) || die "unix socket path too long under $dir (set a shorter TMPDIR)"
        swtpm socket "${common[@]}" --server "type=unixio,path=$dir/swtpm.sock" \
            --ctrl "type=unixio,path=$dir/swtpm.sock.ctrl" </dev/null >/dev/null 2>"$dir/start.err" \
            || die "swtpm failed: $(cat "$dir/start.err" "$dir/swtpm.log" 2>/dev/null | head -n1)"
        tcti="swtpm:path=$dir/swtpm.sock"
    else
        # The TCTI derives the control port as P+1. swtpm binds before it daemonizes,
        # so a busy port gives exit 1 synchronously and retrying is race-free.
        # With --log file=..., swtpm writes that error to the log, not to stderr: check both.
        for (( i = 0; i < 30; i++ )); do
            port=$(( PORT_MIN + (RANDOM * 32768 + RANDOM) % (PORT_MAX - PORT_MIN) ))
            : >"$dir/swtpm.log"
            if swtpm socket "${common[@]}" --server "type=tcp,port=$port,bindaddr=127.0.0.1" \
                --ctrl "type=tcp,port=$((port + 1)),bindaddr=127.0.0.1" \
                </dev/null >/dev/null 2>"$dir/start.err"; then
                break
            fi
            grep -qi 'in use' "$dir/start.err" "$dir/swtpm.log" \
                || die "swtpm failed: $(cat "$dir/start.err" "$dir/swtpm.log" | head -n1)"
            port=""
        done
        [[ -n $port ]] || die "no free port pair in $PORT_MIN-$PORT_MAX after $i tries"
        tcti="swtpm:host=127.0.0.1,port=$port"
    fi

    # Ready = pid file written and a real command answered (proves TPM2_Startup happened).
    deadline=$(( $(now_us) + 2000000 ))
    until [[ -s $dir/swtpm.pid ]] && TPM2TOOLS_TCTI=$tcti tpm2_getrandom 1 >/dev/null 2>&1; do
        (( $(now_us) < deadline )) || die "swtpm did not answer within 2 s (log: $(tail -n1 "$dir/swtpm.log" 2>/dev/null))"
        sleep 0.01
    done
    pid=$(<"$dir/swtpm.pid")
    trap - EXIT
    {
        printf 'export SWTPM_LAB_DIR=%q\n' "$dir"
        printf 'export SWTPM_LAB_PID=%q\n' "$pid"
        local v
        for v in SWTPM_LAB_TCTI TPM2TOOLS_TCTI TPM2OPENSSL_TCTI ATTEST_TCTI; do
            printf 'export %s=%q\n' "$v" "$tcti"
        done
    } | tee "$dir/lab.env"
}

cmd_run() {
    local opts=()
    while [[ $# -gt 0 && $1 != -- ]]; do opts+=("$1"); shift; done
    [[ $# -ge 2 ]] || usage                      # need "--" and a command
    shift
    local env
    env=$(cmd_start "${opts[@]}") || exit 1
    eval "$env"
    # Expand the dir now: the trap runs after locals are gone.
    # shellcheck disable=SC2064
    trap "cmd_stop $(printf %q "$SWTPM_LAB_DIR")" EXIT
    # CMD runs in the background so that a signal to the harness is handled at once (bash
    # defers traps while a foreground child runs); it is forwarded to CMD, then the EXIT trap
    # stops the lab. `<&0` keeps CMD's stdin (a background job would get /dev/null).
    local child rc=0
    "$@" <&0 &
    child=$!
    # shellcheck disable=SC2064
    trap "kill -TERM $child 2>/dev/null; exit 130" INT
    # shellcheck disable=SC2064
    trap "kill -TERM $child 2>/dev/null; exit 143" TERM
    wait "$child" || rc=$?
    exit "$rc"
}

cmd_manufacture() {
    [[ $# -eq 1 ]] || usage
    command -v swtpm_setup >/dev/null || die "swtpm_setup not found (apt-get install swtpm-tools)"
    mkdir -p "$1"
    local d
    d=$(cd "$1" && pwd -P)
    mkdir -p "$d/state" "$d/ca" "$d/certs"
    # Private config files: the stock /etc/swtpm_setup.conf would write the CA into
    # /var/lib/swtpm-localca. An existing DIR/ca is reused (faster).
    printf 'statedir = %s\nsigningkey = %s\nissuercert = %s\ncertserial = %s\n' \
        "$d/ca" "$d/ca/signkey.pem" "$d/ca/issuercert.pem" "$d/ca/certserial" >"$d/swtpm-localca.conf"
    printf -- '--platform-manufacturer attest-lab\n--platform-version 1.0\n--platform-model swtpm-lab\n' \
        >"$d/swtpm-localca.options"
    printf 'create_certs_tool = %s\ncreate_certs_tool_config = %s\ncreate_certs_tool_options = %s\nactive_pcr_banks = sha256\n' \
        "$(command -v swtpm_localca)" "$d/swtpm-localca.conf" "$d/swtpm-localca.options" >"$d/swtpm_setup.conf"
    swtpm_setup --tpm2 --tpmstate "$d/state" --config "$d/swtpm_setup.conf" \
        --create-ek-cert --create-platform-cert --lock-nvram --pcr-banks sha256 \
        --write-ek-cert-files "$d/certs" --overwrite --display >"$d/setup.log" 2>&1 \
        || die "swtpm_setup failed, see $d/setup.log: $(grep -m1 -i error "$d/setup.log" || tail -n1 "$d/setup.log")"
    [[ -f $d/state/tpm2-00.permall ]] || die "swtpm_setup left no state in $d/state"
    local c
    for c in "$d"/certs/*.crt; do                  # DER from swtpm_setup; PEM for openssl verify
        [[ -e $c ]] && openssl x509 -inform DER -in "$c" -out "${c%.crt}.pem"
    done
    [[ -f $d/ca/swtpm-localca-rootca-cert.pem && -f $d/ca/issuercert.pem ]] \
        || die "local CA files missing in $d/ca"
}

cmd_stop_all() {
    local dir pid rc=0
    for dir in "$TMPROOT"/swtpm-lab.*; do
        [[ -f $dir/$MARKER && -f $dir/swtpm.pid ]] || continue
        pid=$(<"$dir/swtpm.pid")
        printf '%s: stopping %s (pid %s)\n' "$PROG" "$dir" "$pid" >&2
        ( cmd_stop "$dir" ) || rc=1
    done
    return "$rc"
}

[[ $# -ge 1 ]] || usage
sub=$1; shift
case $sub in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    run) cmd_run "$@" ;;
    manufacture) cmd_manufacture "$@" ;;
    stop-all) [[ $# -eq 0 ]] || usage; cmd_stop_all ;;
    -h|--help|help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown command '$sub' (start|stop|run|manufacture|stop-all)" ;;
esac
