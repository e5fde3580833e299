#!/usr/bin/env bash
# test_lab.sh - scenario test for scripts/swtpm-lab.sh and scripts/tpm-provision.sh.
# Exits nonzero if any check fails. Needs swtpm, swtpm-tools, tpm2-tools, tpm2-openssl.
# Set TEST_LAB_MANUFACTURE=0 to skip the (~1 s) manufacture/--template scenario.
# The inner scripts below are single-quoted on purpose: they expand inside the lab.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
PROVISION=$ROOT/scripts/tpm-provision.sh
UNIX_LAB=""
stop_unix_lab() { if [[ -n $UNIX_LAB ]]; then "$LAB" stop "$UNIX_LAB"; fi; }
on_exit stop_unix_lab

# 1. run: provision a fresh lab and check the result from inside the lab. The inner script
#    records the lab's PID and dir so we can check after `run` that both are gone.
inner='
set -euo pipefail
out=$1; provision=$2
echo "$SWTPM_LAB_PID" >"$out/pid"; echo "$SWTPM_LAB_DIR" >"$out/dir"
[[ $TPM2TOOLS_TCTI == "$SWTPM_LAB_TCTI" && $TPM2OPENSSL_TCTI == "$SWTPM_LAB_TCTI" && $ATTEST_TCTI == "$SWTPM_LAB_TCTI" ]]
"$provision" "$out/p"
cd "$out/p"
# The AK cert chains to the test root through the intermediate.
openssl verify -CAfile ca/root.pem -untrusted ca/int.pem ak-ecc.pem
# Every TPM object the provisioning loaded was flushed (no resource manager).
left=$(tpm2_getcap handles-transient)
[[ -z $left ]] || { echo "transient handles left: $left" >&2; exit 1; }
# The handle map names persistent objects that exist. (No `getcap | grep -q`: with pipefail,
# grep quitting early can SIGPIPE the writer and fail the pipeline, rc 141.)
. ./handles.env
persistent=$(tpm2_getcap handles-persistent)
grep -qx -- "- $AK_ECC" <<<"$persistent"
grep -qx -- "- $KEY_P256" <<<"$persistent"
'
rc=0
"$LAB" run -- bash -c "$inner" _ "$T" "$PROVISION" || rc=$?
check "run + provision + verify AK cert + no transients (rc=$rc)" test "$rc" -eq 0
pid=$(cat "$T/pid" 2>/dev/null || echo 0)
check "swtpm pid $pid gone after run" pid_gone "$pid"
check "lab dir removed after run" test ! -e "$(cat "$T/dir" 2>/dev/null || echo /nonexistent)"

# 2. run passes the command's exit status through.
rc=0
"$LAB" run -- sh -c 'exit 7' || rc=$?
check "run passes exit status (7, got $rc)" test "$rc" -eq 7

# 3. start --unix + stop; stop is idempotent.
out=$("$LAB" start --unix) || { fail "start --unix"; exit 1; }
eval "$out"
UNIX_LAB=$SWTPM_LAB_DIR
check "unix TCTI string" test "$SWTPM_LAB_TCTI" = "swtpm:path=$SWTPM_LAB_DIR/swtpm.sock"
check "unix lab answers" eval 'tpm2_getrandom 8 >/dev/null 2>&1'
check "stop --unix lab" "$LAB" stop "$SWTPM_LAB_DIR"
check "unix swtpm pid $SWTPM_LAB_PID gone" pid_gone "$SWTPM_LAB_PID"
check "unix lab dir removed" test ! -e "$SWTPM_LAB_DIR"
check "second stop is a no-op" "$LAB" stop "$SWTPM_LAB_DIR"
UNIX_LAB=""

# 4. manufacture a template; a lab cloned from it has the EK certs in NV, and provisioning
#    keeps the certified RSA EK at 0x81010001 (the re-run path for existing primaries).
if [[ ${TEST_LAB_MANUFACTURE:-1} != 0 ]]; then
    check "manufacture" "$LAB" manufacture "$T/tpl"
    check "EK certs chain to the local CA" eval 'openssl verify \
        -CAfile "$T/tpl/ca/swtpm-localca-rootca-cert.pem" -untrusted "$T/tpl/ca/issuercert.pem" \
        "$T/tpl/certs/ek-rsa2048.pem" >/dev/null'
    inner='
set -euo pipefail
tpm2_nvread 0x1c00002 -o "$1/ek-nv.der" 2>/dev/null
cmp "$1/ek-nv.der" "$1/tpl/certs/ek-rsa2048.crt"
"$2" "$1/p2" >/dev/null
# The EK the tests use is the one the EK certificate certifies.
cmp <(openssl x509 -in "$1/tpl/certs/ek-rsa2048.pem" -pubkey -noout) "$1/p2/ek-rsa.spki.pem"
grep -qx "EK_ECC384=0x81010016" "$1/p2/handles.env"
'
    rc=0
    "$LAB" run --template "$T/tpl" -- bash -c "$inner" _ "$T" "$PROVISION" || rc=$?
    check "template lab: EK cert in NV, provision keeps the certified EK (rc=$rc)" test "$rc" -eq 0
fi

finish
