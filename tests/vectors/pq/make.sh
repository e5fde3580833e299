#!/usr/bin/env bash
# Regenerates the post-quantum PKIX vectors with OpenSSL >= 3.5 (ML-DSA) and attest-req:
#   tests/vectors/pq/make.sh ATTEST_REQ
# Throw-away keys, certificates valid for 100 years, a fixed nonce (nonce.hex).
set -euo pipefail
REQ=$1
cd "$(dirname "$0")"
N=$(cat nonce.hex)
cat >x.cnf <<'CNF'
[req]
distinguished_name = dn
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
authorityKeyIdentifier = keyid
CNF
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
openssl req -config x.cnf -new -x509 -key ca.key -subj "/CN=attest PQ test CA" -days 36500 -extensions v3_ca -out ca.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ak-p256.key
openssl genpkey -algorithm ML-DSA-65 -out ak-mldsa65.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out subject.key
for a in p256 mldsa65; do
    openssl req -config x.cnf -new -key "ak-$a.key" -subj "/CN=PQ test AK $a" -out tmp.csr
    openssl x509 -req -in tmp.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" -days 36500 \
        -extfile x.cnf -extensions ak -out "ak-$a.pem"
done
"$REQ" new --evidence pkix --key subject.key --nonce "$N" --subject /CN=pq --ak ak-mldsa65.key --ak-cert ak-mldsa65.pem \
    --out mldsa65.csr.pem
"$REQ" new --evidence pkix --key subject.key --nonce "$N" --subject /CN=pq --ak ak-p256.key --ak-cert ak-p256.pem \
    --ak ak-mldsa65.key --ak-cert ak-mldsa65.pem --out hybrid.csr.pem
rm -f tmp.csr x.cnf ca.key ak-p256.key subject.key
