/*
 * bench_gen_hostile OUTDIR COUNT [E_BITS] - hostile attested CSRs for the
 * benchmark (tests/bench/run.sh) and the limits tests: the work-per-input
 * hole of issue 10.
 *
 * Each request carries the most the bundle caps allow: 16 TPM certify
 * statements and 32 certificates, each certificate for an RSA-3072 "key"
 * with an E_BITS-bit public exponent (default 3070).  OpenSSL refuses
 * exponents over 64 bits only for moduli over 3072 bits, so every trial of
 * such a key costs about as much as an RSA-3072 private operation.  The
 * keys are random odd numbers, not RSA keys: nothing here must verify, the
 * verifier only has to try.  The statements carry a well-formed
 * TPMS_ATTEST header and a 384-byte "plain" signature below every modulus,
 * so a verifier that tries every certificate against every statement runs
 * an exponentiation each time.  Certificates are signed by a throw-away
 * P-256 key.  Writes OUTDIR/hostile-0.pem .. hostile-(COUNT-1).pem, each
 * with fresh random keys (no two inputs share a certificate), and
 * OUTDIR/hostile-cert.pem, one such certificate on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "attest/bundle.h"
#include "attest/limits.h"
#include "attest/oids.h"
#include "attest/request.h"
#include "attest/tpm2.h"

#define DIE(...)                                            \
    do {                                                    \
        fprintf(stderr, "bench_gen_hostile: " __VA_ARGS__); \
        fputc('\n', stderr);                                \
        ERR_print_errors_fp(stderr);                        \
        exit(1);                                            \
    } while (0)
#define MOD_BITS 3072

/* An RSA public "key" with a random 3072-bit modulus and a random odd e_bits-bit exponent. */
static EVP_PKEY *huge_e_key(int e_bits)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *key = NULL;
    BIGNUM *n = BN_new(), *e = BN_new();

    if (bld == NULL || ctx == NULL || n == NULL || e == NULL
        || !BN_rand(n, MOD_BITS, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD)
        || !BN_rand(e, e_bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD)
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL
        || EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        DIE("RSA key with a %d-bit exponent", e_bits);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_free(n);
    BN_free(e);
    return key;
}

static X509 *cert(EVP_PKEY *key, EVP_PKEY *signer, int i)
{
    X509 *x = X509_new();
    char cn[48];

    snprintf(cn, sizeof(cn), "hostile AK %d", i);
    if (x == NULL || !X509_set_version(x, X509_VERSION_3) || !ASN1_INTEGER_set(X509_get_serialNumber(x), i + 1)
        || !X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                       0)
        || !X509_NAME_add_entry_by_txt(X509_get_issuer_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"hostile CA",
                                       -1, -1, 0)
        || X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL || !X509_set_pubkey(x, key)
        || X509_sign(x, signer, EVP_sha256()) <= 0)
        DIE("certificate %d", i);
    return x;
}

/* TcgAttestCertify: certify header, a plain 384-byte signature under any 3072-bit modulus, a stub TPMT_PUBLIC. */
static unsigned char *statement(size_t *len)
{
    unsigned char att[64], sig[MOD_BITS / 8], pub[2] = { 0x00, 0x01 }, *der = NULL;
    attest_tpm2_stmt s;
    attest_err err;

    if (RAND_bytes(att, sizeof(att)) != 1 || RAND_bytes(sig, sizeof(sig)) != 1)
        DIE("random bytes");
    memcpy(att,
           "\xff"
           "TCG"
           "\x80\x17",
           6);
    sig[0] = 0x01; /* below every modulus, whose top two bits are set */
    memset(&s, 0, sizeof(s));
    s.attest = att;
    s.attest_len = sizeof(att);
    s.sig = sig;
    s.sig_len = sizeof(sig);
    s.pub = pub;
    s.pub_len = sizeof(pub);
    if (attest_tpm2_stmt_encode(&s, &der, len, &err) != 0)
        DIE("statement: %s", err.msg);
    return der;
}

static void write_cert(const char *dir, X509 *x)
{
    char path[4096];
    FILE *f;

    if ((size_t)snprintf(path, sizeof(path), "%s/hostile-cert.pem", dir) >= sizeof(path)
        || (f = fopen(path, "w")) == NULL || !PEM_write_X509(f, x) || fclose(f) != 0)
        DIE("cannot write %s/hostile-cert.pem", dir);
}

static void one_request(const char *path, const char *cert_dir, int e_bits, EVP_PKEY *signer, EVP_PKEY *subject)
{
    attest_bundle *b = attest_bundle_new();
    attest_request_opts ro;
    attest_err err;
    unsigned char *bundle = NULL, *req = NULL, *st;
    size_t bundle_len = 0, req_len = 0, st_len = 0;
    FILE *f;
    int i;

    if (b == NULL)
        DIE("out of memory");
    for (i = 0; i < ATTEST_MAX_STATEMENTS; i++) {
        st = statement(&st_len);
        if (attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_TPM_CERTIFY), st, st_len, &err) != 0)
            DIE("bundle: %s", err.msg);
        OPENSSL_free(st);
    }
    for (i = 0; i < ATTEST_MAX_BUNDLE_CERTS; i++) {
        EVP_PKEY *k = huge_e_key(e_bits);
        X509 *x = cert(k, signer, i);

        if (attest_bundle_add_cert(b, x) != 0)
            DIE("bundle: certificate %d", i);
        if (i == 0 && cert_dir != NULL)
            write_cert(cert_dir, x);
        X509_free(x);
        EVP_PKEY_free(k);
    }
    if (attest_bundle_encode(b, &bundle, &bundle_len, &err) != 0)
        DIE("bundle: %s", err.msg);
    memset(&ro, 0, sizeof(ro));
    ro.subject = "/CN=hostile/O=attest bench";
    if (attest_request_build(subject, &ro, bundle, bundle_len, &req, &req_len, &err) != 0)
        DIE("attest_request_build: %s", err.msg);
    if ((f = fopen(path, "w")) == NULL || !PEM_write(f, "CERTIFICATE REQUEST", "", req, (long)req_len)
        || fclose(f) != 0)
        DIE("cannot write %s", path);
    OPENSSL_free(req);
    OPENSSL_free(bundle);
    attest_bundle_free(b);
}

int main(int argc, char **argv)
{
    EVP_PKEY *signer, *subject;
    char path[4096];
    int count, e_bits = 3070, i;

    if (argc < 3 || argc > 4 || (count = atoi(argv[2])) < 1 || (argc == 4 && (e_bits = atoi(argv[3])) < 2)
        || e_bits > MOD_BITS)
        DIE("usage: bench_gen_hostile OUTDIR COUNT [E_BITS (2..%d)]", MOD_BITS);
    signer = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    subject = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (signer == NULL || subject == NULL)
        DIE("keygen");
    for (i = 0; i < count; i++) {
        if ((size_t)snprintf(path, sizeof(path), "%s/hostile-%d.pem", argv[1], i) >= sizeof(path))
            DIE("path too long");
        one_request(path, i == 0 ? argv[1] : NULL, e_bits, signer, subject);
    }
    EVP_PKEY_free(subject);
    EVP_PKEY_free(signer);
    return 0;
}
