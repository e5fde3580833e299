# shellcheck shell=bash
# tests/shell/lib.sh - what the shell tests share. Each test sources it right after `set -euo pipefail`:
#     . "$(dirname "$0")/lib.sh"
# On sourcing: ROOT (ATTEST_SRC or this checkout), REQ (ATTEST_REQ or build/attest-req), VEC
# (ATTEST_VECTORS or tests/vectors), LAB (scripts/swtpm-lab.sh), T (a fresh temp dir) and one EXIT
# trap, which runs what on_exit registered, last registered first; the first is T's removal.
#   check NAME CMD...       run CMD: `ok   NAME` or `FAIL NAME`, counted in PASSED / FAILED
#   finish                  the final `N passed, M failed`; exit 1 if M > 0
#   rc_is N CMD...          CMD's stdout -> $T/out, stderr -> $T/err; true if it exited N
#   one_line TEXT           $T/err is one line, and it holds TEXT
#   js FILE EXPR            a Python expression over the JSON in FILE (verdicts and `show` output)
#   spki_fp, pid_gone PID   SPKI fingerprint (stdin PEM); a process gone or a zombie
#   lab_up [OPTIONS]        a throw-away swtpm, stopped by its dir on exit, provisioned into P=$T/p
#   ca_init DIR, akca DIR CN, akca_issue DIR KEY CN EXT OUT, p256_key FILE: throw-away CAs and keys
#   cmp_mock_start RSP [OPTIONS]: OpenSSL's CMP mock server on CMP_PORT, killed on exit
# Helpers that return the status of one && chain can stand in `check` (`if` turns set -e off in them).

# shellcheck disable=SC2034  # used by the tests that source this file
{
    ROOT=${ATTEST_SRC:-$(cd "$(dirname "$0")/../.." && pwd -P)}
    REQ=${ATTEST_REQ:-$ROOT/build/attest-req}
    VEC=${ATTEST_VECTORS:-$ROOT/tests/vectors}
    LAB=$ROOT/scripts/swtpm-lab.sh
}

# --- exit: registered cleanups, then the temp dir --------------------------------------------------
EXIT_CMDS=()
on_exit() { EXIT_CMDS+=("$1"); }   # on_exit 'CMD': CMD is eval'd on exit; its failure is ignored
run_exit_cmds() {
    local i
    for (( i = ${#EXIT_CMDS[@]} - 1; i >= 0; i-- )); do eval "${EXIT_CMDS[i]}" || true; done
}
trap run_exit_cmds EXIT
T=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$0" .sh).XXXXXX")
rm_tmp() { chmod -R u+rwx "$T" 2>/dev/null || true; rm -rf "$T"; }   # chmod: tests leave mode-000 files
on_exit rm_tmp

# --- checks and the final line ---------------------------------------------------------------------
PASSED=0 FAILED=0
ok() { PASSED=$((PASSED + 1)); printf 'ok   %s\n' "$1"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL %s\n' "$1"; }
# check NAME CMD... : run CMD, count and print the result. With CHECK_LOG=FILE, CMD's output goes to
# FILE, and its first 20 lines are shown (indented) when it fails.
check() {
    local name=$1; shift
    if [[ -n ${CHECK_LOG:-} ]]; then
        if "$@" >"$CHECK_LOG" 2>&1; then ok "$name"
        else fail "$name"; sed 's/^/     /' "$CHECK_LOG" | head -20; fi
    elif "$@"; then ok "$name"
    else fail "$name"; fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    (( FAILED == 0 )) || exit 1
}

# --- helpers ---------------------------------------------------------------------------------------
# rc_is N CMD...: run CMD (stdout -> $T/out, stderr -> $T/err); true if it exited N, else it says
# which exit and the end of stderr.
rc_is() {
    local want=$1 rc=0; shift
    "$@" >"$T/out" 2>"$T/err" || rc=$?
    [[ $rc == "$want" ]] || { echo "     exit $rc, want $want: $(tail -n 3 "$T/err" | head -c 300)"; return 1; }
}
one_line() { [[ $(wc -l <"$T/err") -eq 1 ]] && grep -q -- "$1" "$T/err"; }
spki_fp() { openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1; }
# pid_gone PID: no /proc entry, or a zombie waiting for a late reaper.
pid_gone() { local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0; st=${st##*) }; [[ ${st%% *} == Z ]]; }

# js FILE EXPR: a Python expression over the JSON in FILE, with helpers for verdicts (EAR) and
# for `show --format json`:
#   status            ear.status;  res(ID) / det(ID)  result / detail of check ID (any level)
#   fails()           sorted ids of the checks that failed (any level);  errors()  those of severity error
#   ids()             top-level check ids in order
#   claim(NAME)       the value of the first claim NAME (show);  nsig()  signature blocks (show)
js() {
    python3 - "$@" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
def walk(o):
    if isinstance(o, dict):
        yield o
        for v in o.values(): yield from walk(v)
    elif isinstance(o, list):
        for v in o: yield from walk(v)
checks = [d for d in walk(j) if "id" in d and "result" in d]
status = j.get("ear.status")
def res(i): return next((c["result"] for c in checks if c["id"] == i), None)
def det(i): return next((c.get("detail", "") for c in checks if c["id"] == i), "")
def fails(): return sorted(c["id"] for c in checks if c["result"] == "fail")
def errors(): return sorted(c["id"] for c in checks if c["result"] == "fail" and c.get("severity") == "error")
def ids(): return [c["id"] for c in j.get("attest-req", {}).get("checks", [])]
def claim(n): return next((d["value"] for d in walk(j) if d.get("claim") == n), None)
def nsig(): return sum(len(d["signatures"]) for d in walk(j) if isinstance(d.get("signatures"), list))
ok = eval("(" + sys.argv[2] + "\n)")   # parenthesised: expressions may span lines
if not ok:
    print("     js false: " + sys.argv[2] + "\n     " + " ".join(f'{c["id"]}={c["result"]}' for c in checks))
sys.exit(0 if ok else 1)
EOF
}

# --- the swtpm lab ---------------------------------------------------------------------------------
# lab_up [START-OPTIONS]: `swtpm-lab.sh start` (its export lines evaluated here: SWTPM_LAB_DIR, the
# TCTIs), stopped by its dir on exit; then tpm-provision.sh into P=$T/p.
# shellcheck disable=SC2120  # START-OPTIONS are optional
lab_up() {
    local out
    out=$("$LAB" start "$@")            # not eval "$(...)": that would hide a failed start
    eval "$out"
    on_exit "\"\$LAB\" stop $(printf '%q' "$SWTPM_LAB_DIR")"
    "$ROOT/scripts/tpm-provision.sh" "$T/p" >/dev/null
    P=$T/p
}

# --- throw-away CAs and keys -----------------------------------------------------------------------
p256_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# ext_sections: the [req] stub and the extension sections of both kinds of CA: v3_ca (a CA
# certificate), ak (an AK: the draft's id-kp-attestationKey placeholder EKU, 1.3.6.1.5.5.7.3.999)
# aik (a TPM AK certificate: EKU tcg-kp-AIKCertificate 2.23.133.8.3) and ee (an end entity).
ext_sections() {
    cat <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ak]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = 1.3.6.1.5.5.7.3.999
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[aik]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = 2.23.133.8.3
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ee]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
EOF
}

# ca_init DIR: an `openssl ca` setup in DIR (database, serial, newcerts, openssl.cnf: what it
# issues gets section leaf plus the extensions of the request; ext_sections for -extensions).
# The CA key and certificate (DIR/ca.key, DIR/ca.pem) are the caller's to make.
ca_init() {
    local c=$1
    mkdir -p "$c/newcerts"
    : >"$c/index.txt"
    echo 1000 >"$c/serial"
    {
        cat <<EOF
[ca]
default_ca = CA_default
[CA_default]
dir = $c
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir/newcerts
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_days = 30
policy = policy_anything
copy_extensions = copy
unique_subject = no
x509_extensions = leaf
[policy_anything]
countryName = optional
organizationName = optional
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
        ext_sections
    } >"$c/openssl.cnf"
}

# akca DIR CN: a throw-away AK CA in DIR (DIR/trust must exist): DIR/x.cnf (ext_sections), the
# P-256 key DIR/ca.key, and the self-signed certificate DIR/trust/ca.pem with subject CN.
akca() {
    ext_sections >"$1/x.cnf"
    p256_key "$1/ca.key"
    openssl req -config "$1/x.cnf" -new -x509 -key "$1/ca.key" -subj "/CN=$2" -days 30 \
        -extensions v3_ca -out "$1/trust/ca.pem"
}
# akca_issue DIR KEY CN EXT OUT: a certificate for KEY (subject CN, extension section EXT) from DIR's CA.
akca_issue() {
    openssl req -config "$1/x.cnf" -new -key "$2" -subj "/CN=$3" -out "$1/tmp.csr"
    openssl x509 -req -in "$1/tmp.csr" -CA "$1/trust/ca.pem" -CAkey "$1/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
        -days 30 -extfile "$1/x.cnf" -extensions "$4" -out "$5" 2>/dev/null
}

# --- OpenSSL's CMP mock server ---------------------------------------------------------------------
# cmp_mock_start RSP-CERT [SERVER-OPTIONS]: `openssl cmp` as a mock server (reference 1234, PBM
# secret "test") answering any request with RSP-CERT, in the background on a free port in
# 20000-31999 (CMP_PORT), ready when it prints ACCEPT (log: $T/srv.log); SRV_PID, killed on exit.
# The mock server of openssl 3.0 takes a port only, so it listens on every interface.
SRV_PID=""
cmp_mock_stop() { if [[ -n $SRV_PID ]]; then kill "$SRV_PID" 2>/dev/null || true; wait "$SRV_PID" 2>/dev/null || true; fi; }
cmp_mock_start() {
    local rsp=$1; shift
    on_exit cmp_mock_stop
    for _ in $(seq 30); do
        CMP_PORT=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
        openssl cmp -config "" -port "$CMP_PORT" -srv_ref 1234 -srv_secret pass:test -rsp_cert "$rsp" "$@" \
            >"$T/srv.log" 2>&1 &
        SRV_PID=$!
        for _ in $(seq 300); do
            grep -q '^ACCEPT' "$T/srv.log" && break
            kill -0 "$SRV_PID" 2>/dev/null || break
            sleep 0.01
        done
        grep -q '^ACCEPT' "$T/srv.log" && break
        wait "$SRV_PID" 2>/dev/null || true
        SRV_PID=""
    done
    [[ -n $SRV_PID ]] || { echo "no CMP mock server: $(head -n 3 "$T/srv.log")"; exit 1; }
}
