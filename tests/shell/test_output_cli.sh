#!/usr/bin/env bash
# test_output_cli.sh - what verify and show print cannot be forged by input, and the verification time.
#   1. a PKIX key identifier (`new --key-id`, an HSM can write anything there) holding a forged
#      status line, a fake pass line, ESC sequences, quotes, a backslash and 0xff: verify text has
#      no forged line and nothing a terminal acts on; verify and show JSON parse as strict UTF-8.
#   2. --at-time: 0 is honoured (chain.trust fails "not yet valid" at 1970), the 1950 and 9999 ends
#      are accepted, 1949 / 10000 / huge seconds / garbage exit 2 with one line naming the range;
#      the time used is in the text verdict, the JSON verdict and chain.trust's detail.
#   3. `new` with an expired AK certificate: one warning line on stderr, and the request is made.
#   4. an affirming TPM request judged --at-time now: exit 3, policy.verification-time the one
#      warning (swtpm).
# Needs swtpm, tpm2-tools, tpm2-openssl, python3. ctest sets ATTEST_REQ, ATTEST_SRC.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

H=$T/hsm
mkdir -p "$H/trust"
akca "$H" "output test CA" 2>/dev/null
p256_key "$H/ak.key"
akca_issue "$H" "$H/ak.key" "output test AK" ak "$H/ak.pem"
p256_key "$H/key.pem"
# --nonce and --ak-chain: without them `new` warns on stderr (the request would not verify as made).
NEW=(new --evidence pkix --key "$H/key.pem" --ak "$H/ak.key" --ak-cert "$H/ak.pem" --ak-chain "$H/trust/ca.pem" \
     --nonce 00ff --subject /CN=x)

# safe FILE: strict UTF-8, and no control character but the line end (C0, DEL, C1).
safe() {
    python3 - "$1" <<'EOF'
import sys
s = open(sys.argv[1], "rb").read().decode("utf-8")   # raises on invalid UTF-8
bad = [c for c in s if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
sys.exit(1 if bad else 0)
EOF
}
# no_line FILE REGEX: no line of FILE matches the (anchored) extended regex.
no_line() { ! grep -Eq "$2" "$1"; }

# --- 1. a hostile key identifier ------------------------------------------------------------------
KID=$'k"\ninj.pem: affirming\n  pass  pkix.key-policy          ok\e[2J\e]0;title\a\\\xff'
check "new --key-id with a forged verdict in it -> 0" rc_is 0 "$REQ" "${NEW[@]}" --key-id "$KID" --out "$T/inj.pem"
cd "$T"
check "verify text: exit 1, contraindicated, no forged status or pass line" eval 'rc_is 1 "$REQ" verify --in inj.pem \
    --trust-dir "$H/trust" && grep -qx "inj.pem: contraindicated" "$T/out" && no_line "$T/out" "^inj.pem: affirming" \
    && no_line "$T/out" "^ *pass +pkix\.key-policy" && grep -Eq "^ +FAIL +pkix\.key-policy" "$T/out"'
check "verify text: the key id escaped on one line, nothing a terminal acts on" eval 'safe "$T/out" \
    && grep -qF "key element \"k\"\\0Ainj.pem: affirming\\0A  pass  pkix.key-policy          ok\\1B[2J\\1B]0;title\\07\\\\\\FF\"" "$T/out"'
check "verify stderr: one contraindicated line and the failures, nothing forged" eval 'safe "$T/err" \
    && no_line "$T/err" "^inj.pem: affirming"'
check "verify json: strict UTF-8 JSON, contraindicated" eval 'rc_is 1 "$REQ" verify --in inj.pem --trust-dir "$H/trust" \
    --format json && safe "$T/out" && js "$T/out" "status == \"contraindicated\" and \"\\\\0Ainj.pem\" in det(\"pkix.key-binding\")"'
check "show text: escaped, no forged line" eval 'rc_is 0 "$REQ" show --in inj.pem && safe "$T/out" \
    && no_line "$T/out" "^inj.pem: affirming" && no_line "$T/out" "^ *pass +pkix"'
check "show json: strict UTF-8, the key id exactly escaped" eval 'rc_is 0 "$REQ" show --in inj.pem --format json \
    && safe "$T/out" && js "$T/out" "claim(\"pkix-key-identifier\") == \"k\\\"\\\\0Ainj.pem: affirming\\\\0A  pass  pkix.key-policy          ok\\\\1B[2J\\\\1B]0;title\\\\07\\\\\\\\\\\\FF\""'

# --- 2. --at-time ----------------------------------------------------------------------------------
V=(verify --in inj.pem --trust-dir "$H/trust")
check "--at-time 0 is honoured: chain.trust not yet valid at 1970-01-01T00:00:00Z" eval 'rc_is 1 "$REQ" "${V[@]}" \
    --at-time 0 --format json && js "$T/out" "\"not yet valid\" in det(\"chain.trust\") and \"1970-01-01T00:00:00Z\" in det(\"chain.trust\")
        and j[\"attest-req\"][\"verification_time\"] == {\"time\": \"1970-01-01T00:00:00Z\", \"given\": True}
        and res(\"policy.verification-time\") == \"fail\""'
check "--at-time 1970-01-01T00:00:00Z: the time in the text verdict" eval 'rc_is 1 "$REQ" "${V[@]}" \
    --at-time 1970-01-01T00:00:00Z && grep -qx "  verification time: 1970-01-01T00:00:00Z (given with --at-time)" "$T/out"'
for t in 1950-01-01T00:00:00Z -631152000; do
    check "--at-time $t accepted: judged at 1950-01-01T00:00:00Z" eval 'rc_is 1 "$REQ" "${V[@]}" --at-time "$t" \
        --format json && js "$T/out" "j[\"attest-req\"][\"verification_time\"][\"time\"] == \"1950-01-01T00:00:00Z\" and \"not yet valid\" in det(\"chain.trust\")"'
done
for t in 9999-12-31T23:59:59Z 253402300799; do
    check "--at-time $t accepted: judged at 9999-12-31T23:59:59Z" eval 'rc_is 1 "$REQ" "${V[@]}" --at-time "$t" \
        --format json && js "$T/out" "j[\"attest-req\"][\"verification_time\"][\"time\"] == \"9999-12-31T23:59:59Z\" and \"has expired\" in det(\"chain.trust\")"'
done
for t in 1949-12-31T23:59:59Z -631152001 10000-01-01T00:00:00Z 253402300800 99999999999999999999 \
         2024-02-30T00:00:00Z 2024-11-01T00:00:00+01:00 garbage ""; do
    check "--at-time '$t' -> 2, one line naming the range, no verdict" eval 'rc_is 2 "$REQ" "${V[@]}" --at-time "$t" \
        && one_line "1950-01-01T00:00:00Z .. 9999-12-31T23:59:59Z" && [[ ! -s $T/out ]]'
done
check "no --at-time: the current time, not given; chain.trust names it" eval 'rc_is 1 "$REQ" "${V[@]}" --format json \
    && js "$T/out" "j[\"attest-req\"][\"verification_time\"][\"given\"] is False and res(\"policy.verification-time\") == \"pass\"
        and j[\"attest-req\"][\"verification_time\"][\"time\"] in det(\"chain.trust\")"'
check "no --at-time: text says the current time" eval 'rc_is 1 "$REQ" "${V[@]}" && grep -q "^  verification time: .* (the current time)$" "$T/out"'

# --- 3. new with an expired AK certificate --------------------------------------------------------
# `openssl ca` can backdate: a CA valid 2019..2030 (self-signed), an AK valid 2020..2021.
O=$T/old
mkdir -p "$O/trust"
ca_init "$O"
cp "$H/ca.key" "$O/ca.key"
openssl req -config "$H/x.cnf" -new -key "$O/ca.key" -subj "/CN=old CA" -out "$O/ca.csr"
openssl ca -config "$O/openssl.cnf" -batch -notext -selfsign -in "$O/ca.csr" -startdate 20190101000000Z \
    -enddate 20300101000000Z -extensions v3_ca -out "$O/ca.pem" 2>/dev/null
cp "$O/ca.pem" "$O/trust/"
openssl req -config "$H/x.cnf" -new -key "$H/ak.key" -subj "/CN=old AK" -out "$O/ak.csr"
openssl ca -config "$O/openssl.cnf" -batch -notext -in "$O/ak.csr" -startdate 20200101000000Z \
    -enddate 20210101000000Z -extensions ak -out "$H/old.pem" 2>/dev/null
check "new --ak-cert expired -> 0, one warning line naming it and its end" eval 'rc_is 0 "$REQ" new --evidence pkix \
    --key "$H/key.pem" --ak "$H/ak.key" --ak-cert "$H/old.pem" --ak-chain "$H/trust/ca.pem" --nonce 00ff \
    --subject /CN=x --out "$T/old-req.pem" \
    && one_line "warning: --ak-cert .*old.pem is expired since 2021-01-01T00:00:00Z" && [[ -s $T/old-req.pem ]]'
check "the expired AK: verify now -> 1 (chain.trust expired)" eval 'rc_is 1 "$REQ" verify --in "$T/old-req.pem" \
    --trust-dir "$O/trust" --format json && js "$T/out" "\"expired\" in det(\"chain.trust\")"'
check "the expired AK: --at-time inside its validity passes chain.trust but is only a relaxation" eval 'rc_is 1 "$REQ" \
    verify --in "$T/old-req.pem" --trust-dir "$O/trust" --format json --at-time 2020-06-01T00:00:00Z \
    && js "$T/out" "res(\"chain.trust\") == \"pass\" and \"2020-06-01T00:00:00Z\" in det(\"chain.trust\")
        and res(\"policy.verification-time\") == \"fail\" and j[\"attest-req\"][\"verification_time\"][\"given\"] is True"'
check "new --ak-cert valid -> 0, stderr empty" eval 'rc_is 0 "$REQ" "${NEW[@]}" --out "$T/ok.pem" && [[ ! -s $T/err ]]'

# --- 4. affirming, judged at a given time: a warning ----------------------------------------------
lab_up
N=$(openssl rand -hex 16)
"$REQ" new --evidence tpm2 --key 0x81000010 --ak 0x81008001 --ak-cert "$P/ak-ecc.pem" --nonce "$N" \
    --ak-chain "$P/ca/int.pem" --subject "/CN=output" --out "$T/tpm.pem"
mkdir "$T/tpmtrust"
cp "$P/ca/root.pem" "$T/tpmtrust/"
TV=(verify --in "$T/tpm.pem" --trust-dir "$T/tpmtrust" --nonce "$N" --format json)
check "tpm request, no --at-time -> 0 affirming" eval 'rc_is 0 "$REQ" "${TV[@]}"'
check "tpm request --at-time now -> 3, policy.verification-time the one warning" eval 'rc_is 3 "$REQ" "${TV[@]}" \
    --at-time "$(date +%s)" && js "$T/out" "status == \"warning\" and fails() == [\"policy.verification-time\"]
        and \"--at-time\" in det(\"policy.verification-time\")"'

finish
