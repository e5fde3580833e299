/*
 * bench_gen_pkix OUTDIR NONCE_HEX - an attested CSR with PKIX key attestation
 * evidence, all in software, for the benchmark (tests/bench/run.sh).
 *
 * A P-256 root and intermediate, a P-256 attestation key whose certificate
 * (KU digitalSignature, EKU id-kp-attestationKey) the intermediate issues,
 * and a P-256 subject key.  The evidence is built with attest_pkix_build
 * (sid = SPKI, the transaction nonce), the bundle with attest_bundle_* (the
 * statement, the AK certificate and the intermediate), the request with
 * attest_request_build.  Writes OUTDIR/pkix-root.pem (the trust anchor) and
 * OUTDIR/pkix.pem (the request).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/oids.h"
#include "attest/pkix_produce.h"
#include "attest/request.h"

#define DIE(...)                                         \
    do {                                                 \
        fprintf(stderr, "bench_gen_pkix: " __VA_ARGS__); \
        fputc('\n', stderr);                             \
        ERR_print_errors_fp(stderr);                     \
        exit(1);                                         \
    } while (0)

enum { ROOT, INTERMEDIATE, AK };

static void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);

    if (e == NULL || !X509_add_ext(x, e, -1))
        DIE("extension %s=%s", OBJ_nid2sn(nid), value);
    X509_EXTENSION_free(e);
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, EVP_PKEY *ikey, X509 *issuer, int kind, long serial)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509V3_CTX ctx;
    char eku[96];

    if (x == NULL || n == NULL || !X509_set_version(x, X509_VERSION_3)
        || !ASN1_INTEGER_set(X509_get_serialNumber(x), serial)
        || !X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"attest bench", -1, -1, 0)
        || !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0)
        || !X509_set_subject_name(x, n) || !X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n)
        || X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) == NULL || !X509_set_pubkey(x, key))
        DIE("certificate %s", cn);
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    if (kind != ROOT)
        add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
    if (kind == AK) {
        add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
        snprintf(eku, sizeof(eku), "%s", attest_oid_info_get(ATTEST_OID_KP_ATTESTATION_KEY)->dotted);
        add_ext(x, &ctx, NID_ext_key_usage, eku);
    } else {
        add_ext(x, &ctx, NID_basic_constraints, kind == ROOT ? "critical,CA:TRUE" : "critical,CA:TRUE,pathlen:0");
        add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    if (X509_sign(x, ikey, EVP_sha256()) <= 0)
        DIE("signing %s", cn);
    X509_NAME_free(n);
    return x;
}

static void write_pem(const char *dir, const char *name, X509 *cert, const unsigned char *req, size_t req_len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "w")) == NULL)
        DIE("cannot write %s", path);
    if (cert != NULL ? !PEM_write_X509(f, cert) : !PEM_write(f, "CERTIFICATE REQUEST", "", req, (long)req_len))
        DIE("writing %s", path);
    if (fclose(f) != 0)
        DIE("writing %s", path);
}

int main(int argc, char **argv)
{
    unsigned char nonce[64], *ev = NULL, *bundle = NULL, *req = NULL;
    size_t nonce_len = 0, ev_len = 0, bundle_len = 0, req_len = 0;
    const char *hex;
    EVP_PKEY *root_key, *int_key, *ak_key, *subject;
    X509 *root, *inter, *ak;
    attest_pkix_claims c;
    attest_pkix_platform pl;
    attest_pkix_signer s;
    attest_bundle *b;
    attest_request_opts ro;
    attest_err err;
    static const char *const addext[] = { "keyUsage=critical,digitalSignature", "extendedKeyUsage=codeSigning" };

    if (argc != 3)
        DIE("usage: bench_gen_pkix OUTDIR NONCE_HEX");
    for (hex = argv[2]; hex[0] != '\0' && hex[1] != '\0' && nonce_len < sizeof(nonce); hex += 2) {
        unsigned v;

        if (sscanf(hex, "%2x", &v) != 1)
            DIE("bad nonce hex");
        nonce[nonce_len++] = (unsigned char)v;
    }
    if (*hex != '\0' || nonce_len == 0)
        DIE("nonce: 1..64 bytes of hex");

    root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    int_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ak_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    subject = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (root_key == NULL || int_key == NULL || ak_key == NULL || subject == NULL)
        DIE("keygen");
    root = make_cert(root_key, "attest bench PKIX root", root_key, NULL, ROOT, 1);
    inter = make_cert(int_key, "attest bench PKIX AK CA", root_key, root, INTERMEDIATE, 2);
    ak = make_cert(ak_key, "attest bench PKIX AK", int_key, inter, AK, 3);

    attest_pkix_platform_init(&pl);
    pl.vendor = "attest bench";
    pl.hwmodel = "software HSM";
    attest_pkix_claims_init(&c);
    c.nonce = nonce;
    c.nonce_len = nonce_len;
    c.timestamp = 1790000000;
    c.key = subject;
    c.key_id = "bench-key-1";
    c.extractable = 0;
    c.sensitive = 1;
    c.never_extractable = 1;
    c.local = 1;
    c.purposes = ATTEST_PKIX_CAP_SIGN;
    c.platform = &pl;
    memset(&s, 0, sizeof(s));
    s.key = ak_key; /* sid = SPKI: the verifier finds the AK certificate in the bundle */
    if (attest_pkix_build(&c, &s, 1, NULL, NULL, &ev, &ev_len, &err) != 0)
        DIE("attest_pkix_build: %s", err.msg);

    if ((b = attest_bundle_new()) == NULL
        || attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, ev_len, &err) != 0
        || attest_bundle_add_cert(b, ak) != 0 || attest_bundle_add_cert(b, inter) != 0
        || attest_bundle_encode(b, &bundle, &bundle_len, &err) != 0)
        DIE("bundle: %s", err.msg);

    memset(&ro, 0, sizeof(ro));
    ro.subject = "/CN=attest bench PKIX/O=attest";
    ro.addext = addext;
    ro.n_addext = sizeof(addext) / sizeof(addext[0]);
    if (attest_request_build(subject, &ro, bundle, bundle_len, &req, &req_len, &err) != 0)
        DIE("attest_request_build: %s", err.msg);

    write_pem(argv[1], "pkix-root.pem", root, NULL, 0);
    write_pem(argv[1], "pkix.pem", NULL, req, req_len);

    OPENSSL_free(req);
    OPENSSL_free(bundle);
    OPENSSL_free(ev);
    attest_bundle_free(b);
    X509_free(ak);
    X509_free(inter);
    X509_free(root);
    EVP_PKEY_free(subject);
    EVP_PKEY_free(ak_key);
    EVP_PKEY_free(int_key);
    EVP_PKEY_free(root_key);
    return 0;
}
