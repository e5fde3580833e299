#!/usr/bin/env bash
# test_pkix_pq_cli.sh - post-quantum PKIX evidence through the CLI (issue 14 §2), no TPM needed.
# The vectors in tests/vectors/pq (made with OpenSSL 3.5 by their make.sh: an ML-DSA-65 AK, and
# a hybrid P-256 + ML-DSA-65 evidence) are verified on every OpenSSL: where ML-DSA exists they
# verify, elsewhere they give the clean unsupported-algorithm result. Where ML-DSA exists,
# `new --evidence pkix` and `evidence` also sign live with ML-DSA-44/65/87 and SLH-DSA AKs,
# an ML-DSA subject key signs the request, and an ML-DSA CA certifies an AK; where it does not,
# the same commands refuse an ML-DSA key file with one line and exit 1. Never a skip.
# shellcheck disable=SC2016,SC2034
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

V=$VEC/pq
N=$(cat "$V/nonce.hex")
mkdir "$T/trust" "$T/h" "$T/h/trust"
cp "$V/ca.pem" "$T/trust/"
ALLOW=(--allow exportable-key --allow imported-key)   # the subject keys are files
VV=(--format json --trust-dir "$T/trust" --nonce "$N" "${ALLOW[@]}")
if openssl genpkey -algorithm ML-DSA-65 -out "$T/probe.key" 2>/dev/null; then PQ=1; else PQ=0; fi
echo "# OpenSSL $(openssl version | cut -d' ' -f2): ML-DSA $( ((PQ)) && echo yes || echo no)"

# 1. The vectors, on every OpenSSL.
if ((PQ)); then
    check "vector mldsa65: verify -> 3 (file keys allowed), ML-DSA-65 verified, chain passes" eval 'rc_is 3 "$REQ" verify \
        --in "$V/mldsa65.csr.pem" "${VV[@]}" && js "$T/out" "\"[0] certificate: ML-DSA-65 verified\" in det(\"pkix.signature\")
            and res(\"chain.trust\") == \"pass\" and errors() == []"'
    check "vector hybrid: 2 of 2, also with --require-all-signatures" eval 'rc_is 3 "$REQ" verify --in "$V/hybrid.csr.pem" \
        "${VV[@]}" --require-all-signatures && js "$T/out" "det(\"pkix.signature\").startswith(\"2 of 2\") and errors() == []"'
else
    check "vector mldsa65: verify -> 1, pkix.signature unsupported-algorithm, nothing else fails" eval 'rc_is 1 "$REQ" verify \
        --in "$V/mldsa65.csr.pem" "${VV[@]}" && js "$T/out" "errors() == [\"pkix.signature\"]
            and \"unsupported-algorithm\" in det(\"pkix.signature\")"'
    check "vector hybrid: the ECDSA block carries it (1 of 2), the ML-DSA block is unsupported-algorithm" eval 'rc_is 3 \
        "$REQ" verify --in "$V/hybrid.csr.pem" "${VV[@]}" && js "$T/out" "det(\"pkix.signature\").startswith(\"1 of 2\")
            and \"unsupported-algorithm\" in det(\"pkix.signature\") and errors() == []"'
    check "vector hybrid --require-all-signatures -> 1, pkix.signature" eval 'rc_is 1 "$REQ" verify \
        --in "$V/hybrid.csr.pem" "${VV[@]}" --require-all-signatures && js "$T/out" "errors() == [\"pkix.signature\"]
            and \"--require-all-signatures\" in det(\"pkix.signature\")"'
fi

check "--require-all-signatures is part of ear.appraisal-policy-id" eval 'rc_is 3 "$REQ" verify --in "$V/hybrid.csr.pem" \
    "${VV[@]}" --require-all-signatures || true; grep -q "+require-all-signatures" "$T/out"'

# 2. Live signing where ML-DSA exists; the clean refusal where it does not.
p256_key "$T/key.pem"
akca "$T/h" "PQ test CA"
SW=(--key "$T/key.pem" --nonce "$N" --subject /CN=pq)
HV=(--format json --trust-dir "$T/h/trust" --nonce "$N" "${ALLOW[@]}")
if ((PQ)); then
    for a in ML-DSA-44 ML-DSA-65 ML-DSA-87 SLH-DSA-SHA2-128s; do
        openssl genpkey -algorithm "$a" -out "$T/$a.key" 2>/dev/null
        akca_issue "$T/h" "$T/$a.key" "AK $a" ak "$T/$a.pem"
        check "$a AK: new --evidence pkix, verify -> 3, $a verified" eval 'rc_is 0 "$REQ" new --evidence pkix "${SW[@]}" \
            --ak "$T/$a.key" --ak-cert "$T/$a.pem" --out "$T/r.pem" && rc_is 3 "$REQ" verify --in "$T/r.pem" "${HV[@]}" \
            && js "$T/out" "\"$a verified\" in det(\"pkix.signature\") and errors() == []"'
    done
    check "ML-DSA-65 AK: evidence, verify --pubkey -> 3" eval 'rc_is 0 "$REQ" evidence --key "$T/key.pem" \
        --ak "$T/ML-DSA-65.key" --ak-cert "$T/ML-DSA-65.pem" --nonce "$N" --out "$T/ev.pem" \
        && openssl pkey -in "$T/key.pem" -pubout -out "$T/key.spki.pem" \
        && rc_is 3 "$REQ" verify --in "$T/ev.pem" "${HV[@]}" --pubkey "$T/key.spki.pem" \
        && js "$T/out" "\"ML-DSA-65 verified\" in det(\"pkix.signature\") and res(\"pkix.key-binding\") == \"pass\""'
    check "--ak-md with an ML-DSA AK -> 1, one line, nothing written" eval 'rc_is 1 "$REQ" new --evidence pkix "${SW[@]}" \
        --ak "$T/ML-DSA-65.key" --ak-cert "$T/ML-DSA-65.pem" --ak-md SHA256 --out "$T/md.pem" && one_line "" \
        && [[ ! -e $T/md.pem ]]'
    check "hybrid: --ak P-256 --ak ML-DSA-87 -> 2 of 2" eval 'p256_key "$T/ec.key" \
        && akca_issue "$T/h" "$T/ec.key" "AK ec" ak "$T/ec.pem" \
        && rc_is 0 "$REQ" new --evidence pkix "${SW[@]}" --ak "$T/ec.key" --ak-cert "$T/ec.pem" \
            --ak "$T/ML-DSA-87.key" --ak-cert "$T/ML-DSA-87.pem" --out "$T/hy.pem" \
        && rc_is 3 "$REQ" verify --in "$T/hy.pem" "${HV[@]}" --require-all-signatures \
        && js "$T/out" "det(\"pkix.signature\").startswith(\"2 of 2\")"'
    check "ML-DSA-44 subject key: the request signs and verifies" eval 'openssl genpkey -algorithm ML-DSA-44 \
            -out "$T/sk.key" 2>/dev/null && rc_is 0 "$REQ" new --evidence pkix --key "$T/sk.key" --nonce "$N" --subject /CN=pq \
            --ak "$T/ML-DSA-65.key" --ak-cert "$T/ML-DSA-65.pem" --out "$T/sk.pem" \
        && rc_is 3 "$REQ" verify --in "$T/sk.pem" "${HV[@]}" \
        && js "$T/out" "\"ML-DSA-44\" in det(\"csr.signature\") and res(\"csr.signature\") == \"pass\" and errors() == []"'
    check "an AK certificate from an ML-DSA-65 CA chains" eval 'mkdir -p "$T/m/trust" \
        && openssl req -config "$T/h/x.cnf" -new -x509 -key "$T/ML-DSA-65.key" -subj "/CN=ML-DSA CA" -days 30 \
            -extensions v3_ca -out "$T/m/trust/ca.pem" \
        && openssl req -config "$T/h/x.cnf" -new -key "$T/ec.key" -subj "/CN=AK under ML-DSA" -out "$T/m/ak.csr" \
        && openssl x509 -req -in "$T/m/ak.csr" -CA "$T/m/trust/ca.pem" -CAkey "$T/ML-DSA-65.key" -set_serial 7 -days 30 \
            -extfile "$T/h/x.cnf" -extensions ak -out "$T/m/ak.pem" 2>/dev/null \
        && rc_is 0 "$REQ" new --evidence pkix "${SW[@]}" --ak "$T/ec.key" --ak-cert "$T/m/ak.pem" --out "$T/m.pem" \
        && rc_is 3 "$REQ" verify --in "$T/m.pem" --format json --trust-dir "$T/m/trust" --nonce "$N" "${ALLOW[@]}" \
        && js "$T/out" "res(\"chain.trust\") == \"pass\""'
else
    check "ML-DSA AK key file: new --evidence pkix -> 1 (like any unusable key), one line, no output" eval 'rc_is 1 "$REQ" new --evidence pkix \
        "${SW[@]}" --ak "$V/ak-mldsa65.key" --ak-cert "$V/ak-mldsa65.pem" --out "$T/r.pem" && one_line "" \
        && [[ ! -e $T/r.pem ]]'
    check "ML-DSA subject key file: new -> 1 (like any unusable key), one line, no output" eval 'p256_key "$T/ec.key" \
        && akca_issue "$T/h" "$T/ec.key" "AK ec" ak "$T/ec.pem" \
        && rc_is 1 "$REQ" new --evidence pkix --key "$V/ak-mldsa65.key" --nonce "$N" --subject /CN=pq \
            --ak "$T/ec.key" --ak-cert "$T/ec.pem" --out "$T/sk.pem" && one_line "" && [[ ! -e $T/sk.pem ]]'
fi
finish
