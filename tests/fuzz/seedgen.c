/*
 * Seed corpora for the fuzz targets, cut out of the test vectors with the
 * core library: seedgen VECTORS_DIR OUT_DIR [EXTRA_CSR...] writes
 * OUT_DIR/{csr,bundle,tpm2,pkix,verify,crmf}/NAME.  The vectors hold no CRMF
 * or CMP messages: each request's bundle is put into a CertReqMessages and
 * into CMP ir and p10cr messages (OpenSSL's CRMF/CMP API, a throw-away key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/cmp.h>
#include <openssl/crmf.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/oids.h"

#include "attest/bundle.h"
#include "attest/csr.h"
#include "attest/registry.h"

static int write_seed(const char *out, const char *dir, const char *name, const unsigned char *b, size_t n)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", out, dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/%s/%s", out, dir, name);
    if ((f = fopen(path, "wb")) == NULL)
        return -1;
    fwrite(b, 1, n, f);
    return fclose(f);
}

/* DER of a PEM file (any label), or the file as it is. */
static unsigned char *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *name = NULL, *hdr = NULL;
    unsigned char *der = NULL;
    long len = 0;

    if (f == NULL)
        return NULL;
    if (PEM_read(f, &name, &hdr, &der, &len) <= 0) {
        rewind(f);
        der = OPENSSL_malloc(1 << 20);
        len = der != NULL ? (long)fread(der, 1, 1 << 20, f) : 0;
    }
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    fclose(f);
    *n = (size_t)len;
    return der;
}

static X509_EXTENSION *bundle_ext(const unsigned char *bundle, size_t n)
{
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *x = NULL;

    if (os != NULL && ASN1_OCTET_STRING_set(os, bundle, (int)n))
        x = X509_EXTENSION_create_by_OBJ(NULL, attest_oid_obj(ATTEST_OID_AA_ATTESTATION), 0, os);
    ASN1_OCTET_STRING_free(os);
    return x;
}

/* The request as a CMP client sends it; no server answers (the transfer callback keeps it). */
typedef struct {
    unsigned char *der;
    int len;
} kept_msg;

static OSSL_CMP_MSG *keep_request(OSSL_CMP_CTX *ctx, const OSSL_CMP_MSG *req)
{
    kept_msg *k = OSSL_CMP_CTX_get_transfer_cb_arg(ctx);

    if (k->der == NULL)
        k->len = i2d_OSSL_CMP_MSG(req, &k->der);
    return NULL;
}

/* Quiet: the sessions fail on purpose (nothing answers). */
static int no_log(const char *func, const char *file, int line, OSSL_CMP_severity level, const char *msg)
{
    (void)func;
    (void)file;
    (void)line;
    (void)level;
    (void)msg;
    return 1;
}

static void cmp_seed(const char *out, const char *name, int body, EVP_PKEY *key, const unsigned char *bundle, size_t n,
                     X509_REQ *p10)
{
    OSSL_CMP_CTX *ctx = OSSL_CMP_CTX_new(NULL, NULL);
    X509_EXTENSIONS *exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION *x = bundle_ext(bundle, n);
    X509_NAME *subj = X509_NAME_new();
    kept_msg kept = { NULL, 0 };

    if (ctx == NULL || exts == NULL || x == NULL || subj == NULL || !sk_X509_EXTENSION_push(exts, x))
        goto done;
    x = NULL;
    X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC, (const unsigned char *)"seed", -1, -1, 0);
    OSSL_CMP_CTX_set_log_cb(ctx, no_log);
    OSSL_CMP_CTX_set1_referenceValue(ctx, (const unsigned char *)"1234", 4);
    OSSL_CMP_CTX_set1_secretValue(ctx, (const unsigned char *)"pass", 4);
    OSSL_CMP_CTX_set1_recipient(ctx, subj);
    OSSL_CMP_CTX_set1_subjectName(ctx, subj);
    if (EVP_PKEY_up_ref(key))
        OSSL_CMP_CTX_set0_newPkey(ctx, 1, key);
    if (OSSL_CMP_CTX_set0_reqExtensions(ctx, exts))
        exts = NULL;
    if (p10 != NULL)
        OSSL_CMP_CTX_set1_p10CSR(ctx, p10);
    OSSL_CMP_CTX_set_transfer_cb(ctx, keep_request);
    OSSL_CMP_CTX_set_transfer_cb_arg(ctx, &kept);
    (void)OSSL_CMP_exec_certreq(ctx, body, NULL);
    ERR_clear_error();
    if (kept.der != NULL && kept.len > 0)
        write_seed(out, "crmf", name, kept.der, (size_t)kept.len);
done:
    OPENSSL_free(kept.der);
    X509_NAME_free(subj);
    X509_EXTENSION_free(x);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    OSSL_CMP_CTX_free(ctx);
}

/* The bundle as CRMF: a bare CertReqMessages (signature POPO), CMP ir, and CMP p10cr with the request. */
static void crmf_seeds(const char *out, const char *tag, const unsigned char *bundle, size_t n,
                       const unsigned char *csr, size_t csr_len)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    OSSL_CRMF_MSGS *msgs = OSSL_CRMF_MSGS_new();
    OSSL_CRMF_MSG *m = OSSL_CRMF_MSG_new();
    X509_EXTENSION *x = bundle_ext(bundle, n);
    const unsigned char *p = csr;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)csr_len);
    unsigned char *der = NULL;
    char name[256];
    int len;

    if (key == NULL || msgs == NULL || m == NULL || x == NULL)
        goto done;
    OSSL_CRMF_MSG_set_certReqId(m, 0);
    OSSL_CRMF_CERTTEMPLATE_fill(OSSL_CRMF_MSG_get0_tmpl(m), key, NULL, NULL, NULL);
    if (OSSL_CRMF_MSG_push0_extension(m, x))
        x = NULL;
    OSSL_CRMF_MSG_create_popo(OSSL_CRMF_POPO_SIGNATURE, m, key, EVP_sha256(), NULL, NULL);
    if (sk_OSSL_CRMF_MSG_push(msgs, m) > 0)
        m = NULL;
    if ((len = i2d_OSSL_CRMF_MSGS(msgs, &der)) > 0) {
        snprintf(name, sizeof(name), "%s-crmf", tag);
        write_seed(out, "crmf", name, der, (size_t)len);
    }
    snprintf(name, sizeof(name), "%s-ir", tag);
    cmp_seed(out, name, OSSL_CMP_IR, key, bundle, n, NULL);
    if (req != NULL) {
        snprintf(name, sizeof(name), "%s-p10cr", tag);
        cmp_seed(out, name, OSSL_CMP_P10CR, key, bundle, n, req);
    }
done:
    OPENSSL_free(der);
    X509_REQ_free(req);
    X509_EXTENSION_free(x);
    OSSL_CRMF_MSG_free(m);
    OSSL_CRMF_MSGS_free(msgs);
    EVP_PKEY_free(key);
}

static void from_csr(const char *out, const char *tag, const unsigned char *der, size_t n)
{
    attest_csr *c = NULL;
    attest_bundle *b = NULL;
    attest_err err;
    char name[256];
    size_t i;

    write_seed(out, "csr", tag, der, n);
    write_seed(out, "verify", tag, der, n);
    if (attest_csr_decode(der, n, &c, &err) != 0 || c->bundle_der == NULL)
        goto done;
    write_seed(out, "bundle", tag, c->bundle_der, c->bundle_len);
    write_seed(out, "verify", "bundle", c->bundle_der, c->bundle_len);
    crmf_seeds(out, tag, c->bundle_der, c->bundle_len, der, n);
    if (attest_bundle_decode(c->bundle_der, c->bundle_len, &b, &err) != 0)
        goto done;
    for (i = 0; i < b->n_stmts; i++) {
        snprintf(name, sizeof(name), "%s-stmt%zu", tag, i);
        const char *e = attest_engine_name(attest_engine_for_type(b->stmts[i].type));

        /* Seeds for the engines that have a target; "other" statements have none. */
        if (e != NULL && (strcmp(e, "pkix") == 0 || strcmp(e, "tpm2") == 0))
            write_seed(out, e, name, b->stmts[i].stmt, b->stmts[i].stmt_len);
    }
done:
    attest_bundle_free(b);
    attest_csr_free(c);
}

int main(int argc, char **argv)
{
    static const char *raw[] = {
        "swtpm-rsa/certify1.tpms_attest", "swtpm-rsa/key.tpmt_public", "swtpm-rsa/certify2.sig.tpmt_signature",
        "swtpm-ecc/certify2.tpms_attest", "swtpm-ecc/key.tpmt_public", "swtpm-ecc/certify2.sig.tpmt_signature"
    };
    static const char *pkix[] = { "pkix-evidence/evidence1.pem", "pkix-evidence/evidence2.pem",
                                  "pkix-evidence/evidence3.pem" };
    char path[4096], name[64];
    unsigned char *d;
    size_t n, i;
    int a;

    if (argc < 3) {
        fprintf(stderr, "usage: seedgen VECTORS_DIR OUT_DIR [CSR...]\n");
        return 2;
    }
    mkdir(argv[2], 0755);
    for (a = 0; a < 2; a++) {
        snprintf(path, sizeof(path), "%s/csr-attestation/tcgAttestTpmCertify.%s.pem", argv[1],
                 a ? "HEAD-02aed20" : "9245d16");
        if ((d = load(path, &n)) != NULL)
            from_csr(argv[2], a ? "lamps-head" : "lamps-9245d16", d, n);
        OPENSSL_free(d);
    }
    for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", argv[1], raw[i]);
        snprintf(name, sizeof(name), "raw%zu", i);
        if ((d = load(path, &n)) != NULL)
            write_seed(argv[2], "tpm2", name, d, n);
        OPENSSL_free(d);
    }
    for (i = 0; i < sizeof(pkix) / sizeof(pkix[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", argv[1], pkix[i]);
        snprintf(name, sizeof(name), "evidence%zu", i + 1);
        if ((d = load(path, &n)) != NULL)
            write_seed(argv[2], "pkix", name, d, n);
        OPENSSL_free(d);
    }
    for (a = 3; a < argc; a++) {
        snprintf(name, sizeof(name), "extra%d", a - 3);
        if ((d = load(argv[a], &n)) != NULL)
            from_csr(argv[2], name, d, n);
        OPENSSL_free(d);
    }
    return 0;
}
