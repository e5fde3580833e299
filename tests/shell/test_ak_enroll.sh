#!/usr/bin/env bash
# test_ak_enroll.sh - attest-req ak create|request|challenge|activate|issue on swtpm TPMs manufactured with
# EK certificates (swtpm_setup --create-ek-cert, swtpm_localca as the manufacturer CA), then new + verify
# with the issued AK certificate. Negatives: the second TPM cannot answer the first one's challenge, a
# replayed or forged response, an expired challenge, an unknown EK root, an AK that is not restricted or
# not fixedTPM, a tampered request (AK Name, EK public), an occupied handle, a state dir open to others.
# Every failure: one line naming the check, nonzero exit, no output file.
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# --- two TPMs from one manufacturer (their CA is shared: m2 reuses m1's ca/) ------------------------
"$LAB" manufacture "$T/m1" >/dev/null
mkdir -p "$T/m2" && cp -r "$T/m1/ca" "$T/m2/ca"
"$LAB" manufacture "$T/m2" >/dev/null
up() {  # up DIR VAR: a lab from the template DIR; its TCTI into VAR
    local out dir
    out=$("$LAB" start --template "$1")
    dir=$(eval "$out"; echo "$SWTPM_LAB_DIR")
    on_exit "\"\$LAB\" stop $(printf '%q' "$dir")"
    printf -v "$2" '%s' "$(eval "$out"; echo "$SWTPM_LAB_TCTI")"
}
up "$T/m1" TC1
up "$T/m2" TC2
export TSS2_LOG=all+none
ak() { "$REQ" ak "$@"; }
t1() { TPM2TOOLS_TCTI=$TC1 "$@"; }

W=$T/w; mkdir -p "$W/ekroots" "$W/unknown" "$W/akca/trust"
mkdir -m 700 "$W/state"
cp "$T/m1/ca/swtpm-localca-rootca-cert.pem" "$W/ekroots/"
cp "$VEC"/tpm-ek/*.pem "$W/unknown/"
INT=$T/m1/ca/issuercert.pem
akca "$W/akca" "AK CA" 2>/dev/null
CH=(--ek-trust-dir "$W/ekroots" --untrusted "$INT" --state "$W/state")
IS=(--state "$W/state" --ca-cert "$W/akca/trust/ca.pem" --ca-key "$W/akca/ca.key")
# refused ID OUT CMD...: exit 1, one stderr line starting with the check id, OUT not written.
refused() {
    local id=$1 out=$2; shift 2
    if rc_is 1 "$@" && one_line "$id" && [[ ! -e $out ]]; then return 0; fi
    cat "$T/err"
    return 1
}
entries() { find "$W/state" -type f | wc -l; }

# --- 1. end to end on TPM 1: empty TPM -> affirming verify ---------------------------------------------
s=$EPOCHREALTIME
check "ak create (ECC) at 0x81008001" rc_is 0 ak create --ak 0x81008001 --tcti "$TC1"
check "ak request: EK certificate from NV" eval 'rc_is 0 ak request --ak 0x81008001 --tcti "$TC1" --out "$W/req1" && grep -q 0x01c00002 "$T/err"'
check "ak challenge" rc_is 0 ak challenge --in "$W/req1" "${CH[@]}" --out "$W/chal1"
check "one private state entry" eval '[[ $(entries) == 1 && $(stat -c %a "$W"/state/*.state) == 600 ]]'
check "ak activate" rc_is 0 ak activate --ak 0x81008001 --tcti "$TC1" --in "$W/chal1" --out "$W/rsp1"
check "ak issue" rc_is 0 ak issue --in "$W/rsp1" "${IS[@]}" --out "$W/ak1.pem"
e=$EPOCHREALTIME
echo "     enrollment (create..issue, five processes): $(echo "($e - $s) * 1000 / 1" | bc) ms"
check "state entry used up" eval '[[ $(entries) == 0 ]]'
# OpenSSL 3.5 names the TCG OIDs (EKU and SAN attributes); 3.0 prints them dotted.
check "AK cert: EKU AIK, CA:FALSE, digitalSignature, critical TPM SAN" eval '
    openssl x509 -in "$W/ak1.pem" -noout -text >"$T/x" &&
    grep -Eq "2\.23\.133\.8\.3|Attestation Identity Key Certificate" "$T/x" && grep -q "CA:FALSE" "$T/x" && grep -q "Digital Signature" "$T/x" &&
    grep -A1 "Subject Alternative Name: critical" "$T/x" | grep -Eq "(2\.23\.133\.2\.2|tpmModel) ?= ?swtpm"'
ak_fp() { t1 tpm2_readpublic -c 0x81008001 -f pem -o "$T/akpub.pem" >/dev/null && spki_fp <"$T/akpub.pem"; }
check "AK cert key = the TPM AK" eval '[[ $(openssl x509 -in "$W/ak1.pem" -pubkey -noout | spki_fp) == $(ak_fp) ]]'
check "openssl verify: AK cert chains to the AK CA" eval 'openssl verify -CAfile "$W/akca/trust/ca.pem" "$W/ak1.pem" >/dev/null'
t1 tpm2_createprimary -Q -C o -G ecc -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign' -c "$W/k.ctx"
t1 tpm2_evictcontrol -Q -C o -c "$W/k.ctx" 0x81000010 >/dev/null
t1 tpm2_flushcontext -t
N=$(openssl rand -hex 32)
check "new --evidence tpm2 with the issued AK certificate" rc_is 0 "$REQ" new --evidence tpm2 --tcti "$TC1" \
    --key handle:0x81000010 --ak 0x81008001 --ak-cert "$W/ak1.pem" --nonce "$N" --subject /CN=enrolled --out "$W/csr.pem"
check "verify --trust-dir <AK CA>: affirming" eval 'rc_is 0 "$REQ" verify --in "$W/csr.pem" --trust-dir "$W/akca/trust" \
    --nonce "$N" --format json && js "$T/out" "status == \"affirming\" and res(\"chain.ak-profile\") == \"pass\""'

# --- 2. replay, forgery, the other TPM, expiry ----------------------------------------------------------
check "replayed response: enroll.state, no certificate" refused enroll.state "$W/ak1b.pem" \
    ak issue --in "$W/rsp1" "${IS[@]}" --out "$W/ak1b.pem"
ak challenge --in "$W/req1" "${CH[@]}" --out "$W/chal2" 2>/dev/null
check "TPM 2 (with an AK at the same handle) cannot answer TPM 1's challenge" eval 'ak create --ak 0x81008001 --tcti "$TC2" >/dev/null &&
    rc_is 1 ak activate --ak 0x81008001 --tcti "$TC2" --in "$W/chal2" --out "$W/rsp2x" && one_line "no EK of this TPM" &&
    [[ ! -e $W/rsp2x ]]'
# TPM 2 relabels the challenge with its own EK public area: the secret was sealed to TPM 1's EK
swap_ekpub() {  # swap_ekpub CHALLENGE REQUEST OUT: the challenge's ekPublic := the request's
    python3 - "$@" <<'PY'
import sys
def fields(b):
    def tlv(i):
        n = b[i + 1]; j = i + 2
        if n & 0x80:
            k = n & 0x7f; n = int.from_bytes(b[j:j + k], "big"); j += k
        return i, j + n
    _, end = tlv(0); i = 4 if b[1] == 0x82 else 3 if b[1] == 0x81 else 2; out = []
    while i < end:
        s, e = tlv(i); out.append(b[s:e]); i = e
    return out
def seq(parts):
    body = b"".join(parts); n = len(body)
    return b"\x30" + (bytes([n]) if n < 128 else b"\x81" + bytes([n]) if n < 256 else b"\x82" + n.to_bytes(2, "big")) + body
c = fields(open(sys.argv[1], "rb").read()); r = fields(open(sys.argv[2], "rb").read())
c[2] = r[2]
open(sys.argv[3], "wb").write(seq(c))
PY
}
check "TPM 2 relabels TPM 1's challenge with its own EK: TPM2_ActivateCredential refuses it" eval '
    ak request --ak 0x81008001 --tcti "$TC2" --out "$W/req-t2" 2>/dev/null && swap_ekpub "$W/chal2" "$W/req-t2" "$W/chal2x" &&
    rc_is 1 ak activate --ak 0x81008001 --tcti "$TC2" --in "$W/chal2x" --out "$W/rsp2x" && one_line "TPM2_ActivateCredential" &&
    [[ ! -e $W/rsp2x ]]'
# a response with the challenge's id and a guessed credential
python3 - "$W/chal2" "$W/forged" <<'PY'
import os, sys
d = open(sys.argv[1], "rb").read()
def tlv(b, i):  # (tag, start of value, end)
    n = b[i + 1]; j = i + 2
    if n & 0x80:
        k = n & 0x7f; n = int.from_bytes(b[j:j + k], "big"); j += k
    return b[i], j, j + n
_, v, _ = tlv(d, 0); _, s, e = tlv(d, v); _, s, e = tlv(d, e)   # version, id
ident = d[s:e]
body = b"\x02\x01\x00" + b"\x04\x10" + ident + b"\x04\x20" + os.urandom(32)
open(sys.argv[2], "wb").write(b"\x30" + bytes([len(body)]) + body)
PY
check "forged response (right id, wrong secret): enroll.credential" refused enroll.credential "$W/akf.pem" \
    ak issue --in "$W/forged" "${IS[@]}" --out "$W/akf.pem"
check "a wrong answer used the challenge up: the real one is refused" eval 'ak activate --ak 0x81008001 --tcti "$TC1" \
    --in "$W/chal2" --out "$W/rsp2" 2>/dev/null && refused enroll.state "$W/ak2.pem" ak issue --in "$W/rsp2" "${IS[@]}" --out "$W/ak2.pem"'
check "ak challenge --ttl 1" rc_is 0 ak challenge --in "$W/req1" "${CH[@]}" --ttl 1 --out "$W/chal3"
ak activate --ak 0x81008001 --tcti "$TC1" --in "$W/chal3" --out "$W/rsp3" 2>/dev/null
sleep 2
check "expired challenge: enroll.expired" refused enroll.expired "$W/ak3.pem" ak issue --in "$W/rsp3" "${IS[@]}" --out "$W/ak3.pem"

# --- 3. the authority's request checks --------------------------------------------------------------
check "EK chain to unknown roots (vendor roots only): enroll.ek-chain, no state entry" eval '
    refused enroll.ek-chain "$W/c" ak challenge --in "$W/req1" --ek-trust-dir "$W/unknown" --state "$W/state" --out "$W/c" &&
    [[ $(entries) == 0 ]]'
check "EK root without the intermediate: enroll.ek-chain" refused enroll.ek-chain "$W/c" \
    ak challenge --in "$W/req1" --ek-trust-dir "$W/ekroots" --state "$W/state" --out "$W/c"
bad_ak() {  # bad_ak HANDLE ATTRS: a restricted-or-not ECDSA key made with tpm2-tools, persisted at HANDLE
    t1 tpm2_createprimary -Q -C e -G ecc:ecdsa-sha256:null -a "$2" -c "$W/b.ctx" &&
    t1 tpm2_evictcontrol -Q -C o -c "$W/b.ctx" "$1" >/dev/null && t1 tpm2_flushcontext -t
}
bad_ak 0x81008002 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign'
check "AK without restricted: enroll.ak-attributes" eval 'ak request --ak 0x81008002 --tcti "$TC1" --out "$W/req-nr" 2>/dev/null &&
    refused enroll.ak-attributes "$W/c" ak challenge --in "$W/req-nr" "${CH[@]}" --out "$W/c"'
bad_ak 0x81008003 'sensitivedataorigin|userwithauth|restricted|sign'   # fixedParent needs fixedTPM on a primary
check "AK with fixedTPM clear: enroll.ak-attributes" eval 'ak request --ak 0x81008003 --tcti "$TC1" --out "$W/req-nf" 2>/dev/null &&
    refused enroll.ak-attributes "$W/c" ak challenge --in "$W/req-nf" "${CH[@]}" --out "$W/c"'
# tamper: flip the last byte of field N (1-based, after version) of the request
tamper() {
    python3 - "$W/req1" "$1" "$2" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
def tlv(b, i):
    n = b[i + 1]; j = i + 2
    if n & 0x80:
        k = n & 0x7f; n = int.from_bytes(b[j:j + k], "big"); j += k
    return j, j + n
v, _ = tlv(d, 0); e = v
for _ in range(int(sys.argv[2]) + 1):
    s, e = tlv(d, e)
d[e - 1] ^= 1
open(sys.argv[3], "wb").write(d)
PY
}
tamper 4 "$W/req-name"
check "tampered AK Name: enroll.ak-name" refused enroll.ak-name "$W/c" ak challenge --in "$W/req-name" "${CH[@]}" --out "$W/c"
tamper 2 "$W/req-ekpub"
check "tampered EK public area: enroll.ek-public" refused enroll.ek-public "$W/c" ak challenge --in "$W/req-ekpub" "${CH[@]}" --out "$W/c"
check "a request with a trailing byte is not DER" eval 'cat "$W/req1" >"$W/req-trail" && printf x >>"$W/req-trail" &&
    refused AkEnrollRequest "$W/c" ak challenge --in "$W/req-trail" "${CH[@]}" --out "$W/c"'
check "no state entry was left by any refusal" eval '[[ $(entries) == 0 ]]'

# --- 4. the P-384 EK (high range, SHA-384 / AES-256, password auth) and an RSA AK ---------------------
check "ak create --alg rsa" rc_is 0 ak create --ak 0x81008004 --alg rsa --tcti "$TC1"
check "P-384 EK via --ek-cert, RSA AK: request, challenge, activate, issue" eval '
    ak request --ak 0x81008004 --ek-cert "$T/m1/certs/ek-secp384r1.pem" --tcti "$TC1" --out "$W/req4" &&
    ak challenge --in "$W/req4" "${CH[@]}" --out "$W/chal4" &&
    ak activate --ak 0x81008004 --tcti "$TC1" --in "$W/chal4" --out "$W/rsp4" &&
    rc_is 0 ak issue --in "$W/rsp4" "${IS[@]}" --out "$W/ak4.pem"'
# the CA key through a provider URI: a key in TPM 1 via tpm2-openssl (as an HSM via pkcs11 would be)
export TPM2OPENSSL_TCTI=$TC1
MODDIR=$(openssl version -m | sed -E 's/^MODULESDIR: "(.*)"$/\1/')
P2=(-provider-path "$MODDIR" -provider tpm2 -provider default -propquery '?provider=tpm2')
check "ak issue --provider tpm2 --ca-key handle:0x81000010" eval '
    openssl req "${P2[@]}" -new -x509 -key handle:0x81000010 -subj "/CN=TPM-held AK CA" -days 3 \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign -out "$W/tpmca.pem" &&
    ak challenge --in "$W/req4" "${CH[@]}" --out "$W/chal5" && ak activate --ak 0x81008004 --tcti "$TC1" --in "$W/chal5" --out "$W/rsp5" &&
    rc_is 0 "$REQ" --provider tpm2 ak issue --in "$W/rsp5" --state "$W/state" --ca-cert "$W/tpmca.pem" \
        --ca-key handle:0x81000010 --out "$W/ak5.pem" && openssl verify -CAfile "$W/tpmca.pem" "$W/ak5.pem" >/dev/null'

# --- 5. usage and local errors ----------------------------------------------------------------------------
check "occupied handle without --force: refused, exit 1" eval 'rc_is 1 ak create --ak 0x81008001 --tcti "$TC1" && one_line occupied'
check "--force replaces it" rc_is 0 ak create --ak 0x81008001 --force --tcti "$TC1"
check "not a persistent handle: exit 2" eval 'rc_is 2 ak create --ak 0x80000001 && one_line "persistent handle"'
check "option of another subcommand: exit 2" eval 'rc_is 2 ak create --ak 0x81008001 --state x && one_line "does not apply"'
check "missing --out: exit 2" eval 'rc_is 2 ak request --ak 0x81008001 && one_line "needs --out"'
mkdir -m 755 "$W/open"
check "state dir open to others: exit 2, no challenge" eval 'rc_is 2 ak challenge --in "$W/req1" --ek-trust-dir "$W/ekroots" \
    --untrusted "$INT" --state "$W/open" --out "$W/c" && one_line "chmod 700" && [[ ! -e $W/c ]]'
check "unreachable TPM: exit 2" eval 'rc_is 2 ak request --ak 0x81008001 --tcti swtpm:host=127.0.0.1,port=1 --out "$W/c" &&
    one_line "cannot reach the TPM" && [[ ! -e $W/c ]]'
check "challenge file that is not one: exit 1" eval 'rc_is 1 ak activate --ak 0x81008001 --tcti "$TC1" --in "$W/req1" --out "$W/c" &&
    one_line AkChallenge'
check "no transient object left in TPM 1" eval '[[ -z $(t1 tpm2_getcap handles-transient) ]]'
finish
