#!/usr/bin/env bash
# The main job from an empty TPM: a throw-away software TPM (swtpm) is manufactured with EK
# certificates; its owner enrolls an attestation key (AK) with an AK-issuing CA by credential
# activation (attest-req ak create/request/activate; the CA runs ak challenge/issue), makes a
# code-signing key, and builds an attested CSR with the CA's nonce, which the CA then verifies.
#   scripts/demo.sh [OUTDIR]     (default OUTDIR: ./demo-out)
set -euo pipefail
case ${1:-} in
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    -*) echo "demo.sh: unknown option '$1' (usage: scripts/demo.sh [OUTDIR])" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-demo-out}" && cd "${1:-demo-out}" && pwd)

"$root/scripts/install-deps.sh"
if [ ! -x "$root/build/attest-req" ]; then
    cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$root/build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
fi
req="$root/build/attest-req"
lab_sh="$root/scripts/swtpm-lab.sh"
export OPENSSL_MODULES="$root/build"

# A software TPM for this run only, "manufactured" with EK certificates by a local CA
# (swtpm_localca plays the TPM vendor); stopped by its PID and removed when we leave.
work=$(mktemp -d "${TMPDIR:-/tmp}/attest-demo.XXXXXX")
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
    [ -z "${SWTPM_LAB_DIR:-}" ] || "$lab_sh" stop "$SWTPM_LAB_DIR"
    rm -rf "$work"
}
trap cleanup EXIT
"$lab_sh" manufacture "$work/factory" >/dev/null
eval "$("$lab_sh" start --template "$work/factory")"
export TSS2_LOG=all+none
tpm() { "$@" >/dev/null; tpm2_flushcontext -t; }   # no resource manager: free the transient slots

# The CA's side: the TPM vendor's EK roots, its AK-issuing key, a private state directory.
ca="$out/ca"
rm -rf "$ca" "$out/trust"
mkdir -p "$ca/ek-roots" "$out/trust"
mkdir -m 700 "$ca/state"
cp "$work/factory/ca/swtpm-localca-rootca-cert.pem" "$ca/ek-roots/"
cp "$work/factory/ca/issuercert.pem" "$ca/ek-intermediate.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$ca/ak-ca.key" 2>/dev/null
openssl req -new -x509 -key "$ca/ak-ca.key" -subj "/CN=Example AK-issuing CA" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/trust/ak-ca.pem"

echo "== 1. the TPM owner makes an AK and asks for its certificate"
ak=0x81008001
"$req" ak create --ak "$ak"
"$req" ak request --ak "$ak" --out "$out/ak-request.der"
echo "== 2. the CA checks the EK certificate and challenges the TPM"
"$req" ak challenge --in "$out/ak-request.der" --ek-trust-dir "$ca/ek-roots" \
    --untrusted "$ca/ek-intermediate.pem" --state "$ca/state" --out "$out/ak-challenge.der"
echo "== 3. only that TPM can answer (TPM2_ActivateCredential)"
"$req" ak activate --ak "$ak" --in "$out/ak-challenge.der" --out "$out/ak-response.der"
echo "== 4. the CA issues the AK certificate"
"$req" ak issue --in "$out/ak-response.der" --state "$ca/state" --ca-cert "$out/trust/ak-ca.pem" \
    --ca-key "$ca/ak-ca.key" --out "$out/ak.pem"
openssl x509 -in "$out/ak.pem" -noout -ext subjectAltName,extendedKeyUsage

echo "== 5. the owner makes a P-256 code-signing key in the TPM (0x81000010)"
tpm tpm2_createprimary -C o -g sha256 -G ecc256:aes128cfb -c "$work/srk.ctx"
tpm tpm2_create -C "$work/srk.ctx" -g sha256 -G ecc256 -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign' \
    -u "$work/key.pub" -r "$work/key.priv"
tpm tpm2_load -C "$work/srk.ctx" -u "$work/key.pub" -r "$work/key.priv" -c "$work/key.ctx"
tpm tpm2_evictcontrol -C o -c "$work/key.ctx" 0x81000010

echo "== 6. the CA hands out a nonce"
nonce=$(openssl rand -hex 32)
echo "$nonce" > "$out/nonce.hex"
echo "nonce $nonce"

echo "== 7. the TPM owner builds an attested code-signing CSR"
"$req" new --evidence tpm2 --key handle:0x81000010 --ak "$ak" --ak-cert "$out/ak.pem" \
    --nonce-file "$out/nonce.hex" --subject "/CN=Example Code Signer/O=Example" \
    --addext "keyUsage=critical,digitalSignature" --addext "extendedKeyUsage=codeSigning" \
    --out "$out/attested.csr.pem"
echo "wrote $out/attested.csr.pem"
"$req" show --in "$out/attested.csr.pem" --format json > "$out/attested.csr.json"

echo "== 8. the CA verifies it before issuing"
rc=0
"$req" verify --in "$out/attested.csr.pem" --trust-dir "$out/trust" --nonce-file "$out/nonce.hex" \
    --format json > "$out/verdict.json" || rc=$?
"$req" verify --in "$out/attested.csr.pem" --trust-dir "$out/trust" --nonce-file "$out/nonce.hex" || true
echo "verdict (EAR JSON) in $out/verdict.json; exit code $rc"
exit "$rc"
