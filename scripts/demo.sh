#!/usr/bin/env bash
# The main job on an embedded default: a throw-away software TPM (swtpm) gets an
# attestation key certified by a test CA and a code-signing key; attest-req
# builds an attested CSR with the CA's nonce, then verifies it the way the CA will.
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
export OPENSSL_MODULES="$root/build"

# A software TPM for this run only; stopped by its PID when we leave.
eval "$("$root/scripts/swtpm-lab.sh" start)"
trap '"$root/scripts/swtpm-lab.sh" stop "$SWTPM_LAB_DIR"' EXIT
lab="$SWTPM_LAB_DIR/provision"
"$root/scripts/tpm-provision.sh" "$lab" >/dev/null
# shellcheck source=/dev/null
. "$lab/handles.env"
mkdir -p "$out/trust"
cp "$lab/ca/root.pem" "$out/trust/attest-test-root.pem"

echo "== 1. the CA hands out a nonce"
nonce=$(openssl rand -hex 32)
echo "$nonce" > "$out/nonce.hex"
echo "nonce $nonce"

echo "== 2. the TPM owner builds an attested code-signing CSR (key $KEY_P256, AK $AK_ECC)"
"$req" new --evidence tpm2 --key "handle:$KEY_P256" --ak "$AK_ECC" \
    --ak-cert "$lab/ak-ecc.pem" --ak-chain "$lab/ca/int.pem" --nonce-file "$out/nonce.hex" \
    --subject "/CN=Example Code Signer/O=Example" \
    --addext "keyUsage=critical,digitalSignature" --addext "extendedKeyUsage=codeSigning" \
    --out "$out/attested.csr.pem"
echo "wrote $out/attested.csr.pem"
"$req" show --in "$out/attested.csr.pem" --format json > "$out/attested.csr.json"

echo "== 3. the CA verifies it before issuing"
rc=0
"$req" verify --in "$out/attested.csr.pem" --trust-dir "$out/trust" --nonce-file "$out/nonce.hex" \
    --format json > "$out/verdict.json" || rc=$?
"$req" verify --in "$out/attested.csr.pem" --trust-dir "$out/trust" --nonce-file "$out/nonce.hex" || true
echo "verdict (EAR JSON) in $out/verdict.json; exit code $rc"
exit "$rc"
