/*
 * Vendor evidence through every arrival path, and its mutants.
 *
 * Each real sample is judged (1) as evidence files beside no request, bound
 * to the attested key, (2) as the same evidence inside a bare bundle, and
 * (3) where a real request exists, with it (the YubiKey carrier inside the
 * request; the Luna PKC beside its CSR): the status must be the sample's in
 * every path.  Then every bit of the statement (the leaf certificate, the
 * Cloud HSM attestation) is flipped, one mutant per byte, and the prefixes
 * are cut: no mutant may be affirmed or warned about; each is refused by
 * the importer or contraindicated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/gzip.h"
#include "attest/import.h"
#include "testutil.h"

#define MAX_FILES 4

typedef struct {
    const char *name;
    const char *files[MAX_FILES]; /* vector paths; files[0] holds the statement */
    const char *csr;              /* a real request for the key, or NULL */
    int carrier;                  /* the request carries the evidence itself */
    const char *nonce;            /* hex, or NULL */
    attest_status want;           /* with the shipped anchors, today */
} vendor_case;

static const vendor_case cases[] = {
    { "yubikey 5.7.4 (Attestation Root 1)",
      { "vendors/yubikey/tmc_csr_5_7_4_standard.pem" },
      "vendors/yubikey/tmc_csr_5_7_4_standard.pem",
      1,
      NULL,
      ATTEST_STATUS_AFFIRMING },
    { "yubikey 5.4.3 (PIV Root CA)",
      { "vendors/yubikey/tmc_attestation_1.pem" },
      "vendors/yubikey/tmc_attestation_1.pem",
      1,
      NULL,
      ATTEST_STATUS_WARNING },
    { "yubikey 5.7.2 (.3.11 carrier)",
      { "vendors/yubikey/tmc_5_7_2.pem" },
      "vendors/yubikey/tmc_5_7_2.pem",
      1,
      NULL,
      ATTEST_STATUS_AFFIRMING },
    { "yubikey 2018 (U2F root)",
      { "vendors/yubikey/piv-go_slot9a-key-cert-2018.pem", "vendors/yubikey/piv-go_f9-device-cert-2018.pem" },
      NULL,
      0,
      NULL,
      ATTEST_STATUS_WARNING },
    { "luna ECC PKC", { "vendors/luna/ecc-pkc.p7b" }, "vendors/luna/ecc-test.csr", 0, NULL, ATTEST_STATUS_WARNING },
    { "marvell EC (Cloud HSM)",
      { "vendors/marvell/smallstep_ec.dat", "vendors/marvell/smallstep_ec.certs" },
      NULL,
      0,
      NULL,
      ATTEST_STATUS_WARNING },
    { "marvell RSA (Cloud HSM)",
      { "vendors/marvell/smallstep_rsa.dat", "vendors/marvell/smallstep_rsa.certs" },
      NULL,
      0,
      NULL,
      ATTEST_STATUS_WARNING },
    { "android RSA TEE",
      { "vendors/android/RSA_SecurityLevel_TEE_cert0.der", "vendors/android/RSA_SecurityLevel_TEE_cert1.der",
        "vendors/android/RSA_SecurityLevel_TEE_cert2.der" },
      NULL,
      0,
      "616263",
      ATTEST_STATUS_WARNING },
};

static attest_trust *trust;
static attest_policy policy;

static int setup(void **state)
{
    attest_err err;
    char dir[4096];

    (void)state;
    snprintf(dir, sizeof(dir), "%s/share/attest/anchors", getenv("ATTEST_SRC"));
    attest_policy_default(&policy);
    return (trust = attest_trust_new()) == NULL || attest_trust_add_dir(trust, dir, NULL, NULL, &err) != 0;
}

static int teardown(void **state)
{
    (void)state;
    attest_trust_free(trust);
    return 0;
}

typedef struct {
    attest_evidence_file f[MAX_FILES];
    unsigned char *data[MAX_FILES];
    size_t n;
} files_t;

static int pem_blocks(const unsigned char *d, size_t len)
{
    size_t i;
    int n = 0;

    for (i = 0; i + 10 <= len; i++)
        n += memcmp(d + i, "-----BEGIN", 10) == 0;
    return n;
}

/* The case's files; the Cloud HSM attestation inflated (the engine reads both forms; mutants must hit the signed
 * bytes, not gzip's CRC). */
static void load(const vendor_case *c, files_t *fs)
{
    size_t i;

    memset(fs, 0, sizeof(*fs));
    for (i = 0; i < MAX_FILES && c->files[i] != NULL; i++) {
        size_t len;
        unsigned char *d = read_vec(c->files[i], &len), *plain = NULL;
        attest_err err;

        if (pem_blocks(d, len) == 1 && memcmp(d, "-----BEGIN", 10) == 0) { /* one PEM certificate: mutate its DER */
            BIO *bio = BIO_new_mem_buf(d, (int)len);
            X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
            unsigned char *der = NULL;
            int n = x != NULL ? i2d_X509(x, &der) : -1;

            BIO_free(bio);
            X509_free(x);
            if (n > 0) {
                free(d);
                d = malloc((size_t)n);
                memcpy(d, der, (size_t)n);
                len = (size_t)n;
            }
            OPENSSL_free(der);
        }
        if (attest_is_gzip(d, len)) {
            assert_int_equal(attest_gunzip(d, len, 1 << 20, &plain, &len, &err), 0);
            free(d);
            d = malloc(len);
            memcpy(d, plain, len);
            OPENSSL_free(plain);
        }
        fs->data[i] = d;
        fs->f[i].name = c->files[i];
        fs->f[i].data = d;
        fs->f[i].len = len;
    }
    fs->n = i;
}

static void unload(files_t *fs)
{
    size_t i;

    for (i = 0; i < fs->n; i++)
        free(fs->data[i]);
}

static void params(const vendor_case *c, attest_verify_params *p, EVP_PKEY *key, unsigned char *nonce)
{
    memset(p, 0, sizeof(*p));
    p->trust = trust;
    p->policy = &policy;
    p->subject_key = key;
    if (c->nonce != NULL) {
        long n = 0;
        unsigned char *b = OPENSSL_hexstr2buf(c->nonce, &n);

        memcpy(nonce, b, (size_t)n);
        OPENSSL_free(b);
        p->nonce = nonce;
        p->nonce_len = (size_t)n;
    }
}

/* Evidence files judged alone (key: the attested key, or NULL); -1 when the importer refuses them. */
static int judge_files(const vendor_case *c, const files_t *fs, EVP_PKEY *key, attest_verdict **out)
{
    attest_bundle *b = NULL;
    attest_verify_params p;
    unsigned char nonce[64];
    attest_err err;

    *out = NULL;
    if (attest_evidence_import(fs->f, fs->n, NULL, NULL, &b, &err) != 0)
        return -1;
    params(c, &p, key, nonce);
    *out = attest_verify_evidence_files(&p, b);
    attest_bundle_free(b);
    assert_non_null(*out);
    return 0;
}

/* The attested key, as the verdict records it (attested_key). */
static EVP_PKEY *attested_key(const attest_verdict *v)
{
    const unsigned char *p;

    assert_true(v->n_subs >= 1);
    if (v->subs[0].akpub == NULL)
        verdict_dump(v);
    assert_non_null(v->subs[0].akpub);
    p = v->subs[0].akpub;
    return d2i_PUBKEY(NULL, &p, (long)v->subs[0].akpub_len);
}

static unsigned char *csr_der(const char *rel, size_t *len)
{
    size_t n;
    unsigned char *pem = read_vec(rel, &n), *der = NULL, *copy;
    const unsigned char *p = pem;
    BIO *b;
    char *name = NULL, *hdr = NULL;
    long dl = 0;

    if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
        p += 3;
        n -= 3;
    }
    b = BIO_new_mem_buf(p, (int)n);
    assert_true(PEM_read_bio(b, &name, &hdr, &der, &dl) > 0);
    copy = malloc((size_t)dl);
    memcpy(copy, der, (size_t)dl);
    *len = (size_t)dl;
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    OPENSSL_free(der);
    BIO_free(b);
    free(pem);
    return copy;
}

static void expect(const vendor_case *c, const char *path, attest_verdict *v)
{
    if (attest_verdict_status(v) != c->want) {
        print_message("%s via %s: %s, want %s\n", c->name, path, attest_status_name(attest_verdict_status(v)),
                      attest_status_name(c->want));
        verdict_dump(v);
        fail();
    }
    /* Every path binds the key (the warning, if any, is the sample's own, not an unbound one). */
    assert_non_null(verdict_check(v, "policy.key-attested"));
    assert_int_equal(verdict_check(v, "policy.key-attested")->result, ATTEST_CHECK_PASS);
}

static void test_arrival_paths(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const vendor_case *c = &cases[i];
        attest_verdict *v = NULL;
        attest_verify_params p;
        unsigned char nonce[64], *der = NULL;
        size_t len = 0;
        attest_bundle *b = NULL;
        attest_err err;
        files_t fs;
        EVP_PKEY *key;

        if (c->carrier) { /* the request is the evidence: the carrier path, then its certificates as files */
            der = csr_der(c->csr, &len);
            params(c, &p, NULL, nonce);
            v = attest_verify_csr(&p, der, len);
            expect(c, "the request's carrier", v);
            attest_verdict_free(v);
            free(der);
            continue;
        }
        load(c, &fs);
        /* Alone, bound to no key: at best a warning. */
        assert_int_equal(judge_files(c, &fs, NULL, &v), 0);
        assert_int_not_equal(attest_verdict_status(v), ATTEST_STATUS_AFFIRMING);
        assert_non_null(key = attested_key(v));
        attest_verdict_free(v);
        /* Alone, bound to the attested key. */
        assert_int_equal(judge_files(c, &fs, key, &v), 0);
        expect(c, "evidence files and --pubkey", v);
        attest_verdict_free(v);
        /* Inside a bare bundle. */
        assert_int_equal(attest_evidence_import(fs.f, fs.n, NULL, NULL, &b, &err), 0);
        assert_int_equal(attest_bundle_encode(b, &der, &len, &err), 0);
        params(c, &p, key, nonce);
        v = attest_verify_bundle(&p, der, len);
        expect(c, "a bare bundle", v);
        attest_verdict_free(v);
        OPENSSL_free(der);
        attest_bundle_free(b);
        /* Beside the real request. */
        if (c->csr != NULL) {
            der = csr_der(c->csr, &len);
            assert_int_equal(attest_evidence_import(fs.f, fs.n, NULL, NULL, &b, &err), 0);
            params(c, &p, NULL, nonce);
            v = attest_verify_csr_evidence(&p, der, len, b);
            expect(c, "--evidence-file beside the request", v);
            attest_verdict_free(v);
            attest_bundle_free(b);
            free(der);
        }
        EVP_PKEY_free(key);
        unload(&fs);
    }
}

/* The byte range of files[0] the mutants touch: the statement (its first certificate, or the whole blob). */
static void statement_range(const files_t *fs, size_t *from, size_t *to)
{
    const unsigned char *p = fs->f[0].data;
    X509 *x = d2i_X509(NULL, &p, (long)fs->f[0].len);
    STACK_OF(X509) *certs;
    unsigned char *der = NULL;
    size_t i;
    int n;

    *from = 0;
    *to = fs->f[0].len;
    if (x != NULL) { /* one DER certificate: all of it */
        X509_free(x);
        return;
    }
    /* A PKCS#7: the leaf's bytes inside it (the others are the bag's: the anchors' copies are not used). */
    p = fs->f[0].data;
    {
        PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)fs->f[0].len);

        if (p7 == NULL)
            return; /* a blob: all of it */
        certs = p7->d.sign->cert;
        n = i2d_X509(sk_X509_value(certs, 0), &der);
        for (i = 0; n > 0 && i + (size_t)n <= fs->f[0].len; i++)
            if (memcmp(fs->f[0].data + i, der, (size_t)n) == 0) {
                *from = i;
                *to = i + (size_t)n;
                break;
            }
        OPENSSL_free(der);
        PKCS7_free(p7);
    }
}

static long judged, refused;

static void judge_mutant(const vendor_case *c, files_t *fs, EVP_PKEY *key, const char *what, size_t at)
{
    attest_verdict *v = NULL;

    if (judge_files(c, fs, key, &v) != 0) {
        refused++;
        return;
    }
    judged++;
    if (attest_verdict_status(v) != ATTEST_STATUS_CONTRAINDICATED) {
        print_message("%s: %s at byte %zu is %s\n", c->name, what, at, attest_status_name(attest_verdict_status(v)));
        verdict_dump(v);
        fail();
    }
    attest_verdict_free(v);
}

static void test_statement_mutants(void **state)
{
    size_t i, k;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const vendor_case *c = &cases[i];
        attest_verdict *v = NULL;
        files_t fs;
        EVP_PKEY *key;
        size_t from, to, len0;
        long before = judged, before_refused = refused;

        if (c->carrier)
            continue; /* its certificates sit inside a signed request: test_vendor_yubikey's carrier tests */
        load(c, &fs);
        assert_int_equal(judge_files(c, &fs, NULL, &v), 0);
        assert_non_null(key = attested_key(v));
        attest_verdict_free(v);
        statement_range(&fs, &from, &to);
        for (k = from; k < to; k++) {
            fs.data[0][k] ^= (unsigned char)(1u << (k % 8));
            judge_mutant(c, &fs, key, "a bit flipped", k);
            fs.data[0][k] ^= (unsigned char)(1u << (k % 8));
        }
        len0 = fs.f[0].len;
        for (k = 1; k < len0; k += 7) {
            fs.f[0].len = k;
            judge_mutant(c, &fs, key, "truncated", k);
        }
        fs.f[0].len = len0;
        print_message("%s: bytes %zu..%zu mutated: %ld mutants judged, %ld refused by the importer\n", c->name, from, to,
                      judged - before, refused - before_refused);
        EVP_PKEY_free(key);
        unload(&fs);
    }
    print_message("vendor mutants: %ld judged, all contraindicated; %ld refused by the importer\n", judged, refused);
    assert_true(judged > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arrival_paths),
        cmocka_unit_test(test_statement_mutants),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
