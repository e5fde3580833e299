/*
 * Seed corpora for the fuzz targets, cut out of the test vectors with the
 * core library: seedgen VECTORS_DIR OUT_DIR [EXTRA_CSR...] writes
 * OUT_DIR/{csr,bundle,tpm2,pkix,verify}/NAME.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/pem.h>

#include "attest/bundle.h"
#include "attest/csr.h"

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
    if (attest_bundle_decode(c->bundle_der, c->bundle_len, &b, &err) != 0)
        goto done;
    for (i = 0; i < b->n_stmts; i++) {
        snprintf(name, sizeof(name), "%s-stmt%zu", tag, i);
        write_seed(out, b->stmts[i].kind == ATTEST_STMT_PKIX ? "pkix" : "tpm2", name, b->stmts[i].stmt,
                   b->stmts[i].stmt_len);
    }
done:
    attest_bundle_free(b);
    attest_csr_free(c);
}

int main(int argc, char **argv)
{
    static const char *raw[] = {"swtpm-rsa/certify1.tpms_attest", "swtpm-rsa/key.tpmt_public",
                                "swtpm-rsa/certify2.sig.tpmt_signature", "swtpm-ecc/certify2.tpms_attest",
                                "swtpm-ecc/key.tpmt_public", "swtpm-ecc/certify2.sig.tpmt_signature"};
    static const char *pkix[] = {"pkix-evidence/evidence1.pem", "pkix-evidence/evidence2.pem",
                                 "pkix-evidence/evidence3.pem"};
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
