#!/usr/bin/env bash
# test_nonce.sh - single-use nonces end to end on a throw-away swtpm: `attest-req nonce --state`,
# `verify --nonce-state` (nonce.state: use, replay, unknown, expired; a failed verdict keeps its
# nonce), 8 verifier processes racing for one nonce (exactly one exit 0), and the usage errors.
# Needs swtpm, tpm2-tools, tpm2-openssl, python3. ctest sets ATTEST_REQ, ATTEST_VECTORS, ATTEST_SRC.
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

lab_up
mkdir "$T/trust" "$T/other"
cp "$P/ca/root.pem" "$T/trust/"
p256_key "$T/other.key"     # an unrelated anchor: the lab's chains do not reach it
openssl req -new -x509 -key "$T/other.key" -subj /CN=other -days 2 -out "$T/other/ca.pem" 2>/dev/null
S=$T/state
new() {  # new NONCE OUT: a P-256 TPM key certified by the P-256 AK with NONCE
    "$REQ" new --evidence tpm2 --key 0x81000010 --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" \
        --ak-chain "$P/ca/int.pem" --nonce "$1" --subject /CN=nonce --out "$2" 2>/dev/null
}
verify() { "$REQ" verify --format json --trust-dir "$T/trust" --nonce-state "$S" --in "$@"; }

# 1. issue: hex of --bytes on stdout, one 0600 file in a 0700 directory created for it.
check "nonce: 32 bytes of hex by default, dir 0700, entry 0600" eval 'N=$("$REQ" nonce --state "$S") \
    && [[ $N =~ ^[0-9a-f]{64}$ ]] && [[ $(stat -c %a "$S") == 700 && $(stat -c %a "$S/$N") == 600 ]]'
check "nonce: --bytes 12 -> 24 hex digits" eval '[[ $("$REQ" nonce --state "$S" --bytes 12) =~ ^[0-9a-f]{24}$ ]]'

# 2. use, then replay.
N=$("$REQ" nonce --state "$S")
new "$N" "$T/a.pem"
check "verify --nonce-state: affirming (0), nonce.state pass, tpm2.nonce pass" eval 'rc_is 0 verify "$T/a.pem" \
    && js "$T/out" "status == \"affirming\" and res(\"nonce.state\") == \"pass\" and res(\"tpm2.nonce\") == \"pass\""'
check "the entry is now marked used" test -e "$S/$N.used"
check "replay: 1, nonce.state the only failure, says replay" eval 'rc_is 1 verify "$T/a.pem" \
    && js "$T/out" "fails() == [\"nonce.state\"] and \"replay\" in det(\"nonce.state\")"'

# 3. a nonce this directory never issued.
new "$(openssl rand -hex 32)" "$T/u.pem"
check "unknown nonce: 1, nonce.state says not issued here" eval 'rc_is 1 verify "$T/u.pem" \
    && js "$T/out" "fails() == [\"nonce.state\"] and \"not issued here\" in det(\"nonce.state\")"'

# 4. expired (no nonce is issued meanwhile: that would sweep it and make it unknown).
E=$("$REQ" nonce --state "$S" --ttl 1)
new "$E" "$T/e.pem"
sleep 2
check "expired nonce: 1, nonce.state says expired" eval 'rc_is 1 "$REQ" verify --format json --trust-dir "$T/trust" \
    --nonce-state "$S" --in "$T/e.pem" && js "$T/out" "fails() == [\"nonce.state\"] and \"expired\" in det(\"nonce.state\")"'

# 5. a verdict that fails elsewhere does not use the nonce up; no nonce in the evidence fails tpm2.nonce.
K=$("$REQ" nonce --state "$S")
new "$K" "$T/k.pem"
check "untrusted chain: 1, nonce.state skipped, the nonce kept" eval 'rc_is 1 "$REQ" verify --format json \
    --trust-dir "$T/other" --nonce-state "$S" --in "$T/k.pem" && js "$T/out" "res(\"nonce.state\") == \"skip\"" \
    && [[ -e $S/$K && ! -e $S/$K.used ]]'
check "... and then it verifies: 0" rc_is 0 verify "$T/k.pem"
"$REQ" new --evidence tpm2 --key 0x81000010 --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" --ak-chain "$P/ca/int.pem" \
    --subject /CN=nonce --out "$T/none.pem" 2>/dev/null
check "evidence without a nonce: 1, tpm2.nonce the only failure" eval 'rc_is 1 verify "$T/none.pem" \
    && js "$T/out" "fails() == [\"tpm2.nonce\"]"'

# 6. 8 verifier processes race for one nonce: exactly one wins.
R=$("$REQ" nonce --state "$S")
new "$R" "$T/r.pem"
race() {
    local i pids=() zero=0 one=0 rc
    for i in 1 2 3 4 5 6 7 8; do
        "$REQ" verify --trust-dir "$T/trust" --nonce-state "$S" --in "$T/r.pem" >"$T/race$i" 2>&1 & pids+=($!)
    done
    for i in "${pids[@]}"; do
        rc=0; wait "$i" || rc=$?
        case $rc in 0) zero=$((zero + 1)) ;; 1) one=$((one + 1)) ;; esac
    done
    echo "     exit 0: $zero, exit 1: $one"
    [[ $zero == 1 && $one == 7 ]] && [[ $(grep -l 'replay' "$T"/race* | wc -l) == 7 ]]
}
check "8 parallel verifiers, one nonce: exactly one exit 0, seven replays" race
check "a batch of the same request twice (--jobs 2): one affirming, one replay" eval 'S2=$("$REQ" nonce --state "$S") \
    && new "$S2" "$T/b.pem" && rc_is 1 "$REQ" verify --jobs 2 --trust-dir "$T/trust" --nonce-state "$S" \
    --in "$T/b.pem" --in "$T/b.pem" && [[ $(grep -c "nonce.state.*replay" "$T/out") == 1 ]]'

# 7. usage and I/O errors: exit 2, one line.
check "nonce without --state: 2" eval 'rc_is 2 "$REQ" nonce && one_line "state DIR is required"'
check "nonce --bytes 65: 2" eval 'rc_is 2 "$REQ" nonce --state "$S" --bytes 65 && one_line "bytes must be"'
check "nonce --ttl 0: 2" eval 'rc_is 2 "$REQ" nonce --state "$S" --ttl 0 && one_line "ttl must be"'
check "verify --nonce-state with --nonce: 2" eval 'rc_is 2 "$REQ" verify --trust-dir "$T/trust" --nonce-state "$S" \
    --nonce 00 --in "$T/a.pem" && one_line "not both"'
check "verify --nonce-state missing dir: 2, no verdict" eval 'rc_is 2 verify "$T/a.pem" --nonce-state "$T/nope" \
    && one_line "cannot open" && [[ ! -s $T/out ]]'
chmod 770 "$S"
check "a group-writable state dir is refused: 2" eval 'rc_is 2 verify "$T/a.pem" && one_line "writable by group"'
chmod 700 "$S"
finish
