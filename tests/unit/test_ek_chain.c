/*
 * The authority's request checks (evidence/ak_authority.c) on a real
 * manufacturer EK certificate: the STM P-256 EK chains to the STM roots
 * and to no other vendor's; its key must be the EK public area; the AK's
 * attributes and Name are checked; the issued AK certificate carries the
 * EK's TCG TPM attributes.  Each negative trips exactly one check id.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <tss2/tss2_mu.h>

#include "attest/ak_authority.h"
#include "attest/tpm2.h"

static char *vec(const char *name)
{
    static char path[1024];
    const char *d = getenv("ATTEST_VECTORS");

    snprintf(path, sizeof(path), "%s/%s", d != NULL ? d : "tests/vectors", name);
    return path;
}

static X509 *load(const char *name)
{
    FILE *f = fopen(vec(name), "rb");
    X509 *x;

    assert_non_null(f);
    x = strstr(name, ".der") ? d2i_X509_fp(f, NULL) : PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    return x;
}

static void read_all(const char *name, attest_bytes *b)
{
    FILE *f = fopen(vec(name), "rb");
    unsigned char buf[4096];

    assert_non_null(f);
    b->n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    b->p = OPENSSL_memdup(buf, b->n);
}

/* The STM EK as a TPMT_PUBLIC of the L-2 template (what the TPM would report). */
static void ek_public(X509 *ek, uint32_t attrs, attest_bytes *out)
{
    TPMT_PUBLIC p;
    unsigned char pt[65];
    size_t ptlen = 0, off = 0;

    memset(&p, 0, sizeof(p));
    assert_true(EVP_PKEY_get_octet_string_param(X509_get0_pubkey(ek), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
                                                sizeof(pt), &ptlen));
    assert_int_equal(ptlen, 65);
    p.type = TPM2_ALG_ECC;
    p.nameAlg = TPM2_ALG_SHA256;
    p.objectAttributes = attrs;
    p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
    p.parameters.eccDetail.symmetric.keyBits.aes = 128;
    p.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    p.unique.ecc.x.size = p.unique.ecc.y.size = 32;
    memcpy(p.unique.ecc.x.buffer, pt + 1, 32);
    memcpy(p.unique.ecc.y.buffer, pt + 33, 32);
    out->p = OPENSSL_malloc(sizeof(p));
    assert_int_equal(Tss2_MU_TPMT_PUBLIC_Marshal(&p, out->p, sizeof(p), &off), TSS2_RC_SUCCESS);
    out->n = off;
}

#define EK_ATTRS 0x000300b2u

static void name_of(attest_ak_request *r)
{
    unsigned char name[66];
    int n = attest_tpm2_name(r->ak_pub.p, r->ak_pub.n, name, sizeof(name), NULL);

    assert_true(n > 0);
    OPENSSL_free(r->ak_name.p);
    r->ak_name.p = OPENSSL_memdup(name, (size_t)n);
    r->ak_name.n = (size_t)n;
}

/* A request: the STM EK, and the swtpm AK of the vectors. */
static void request(attest_ak_request *r, X509 **ek)
{
    unsigned char *der = NULL;
    int n;

    memset(r, 0, sizeof(*r));
    *ek = load("tpm-ek/keylime_st_ecdsa_sha256_ek.der");
    n = i2d_X509(*ek, &der);
    r->ek_cert.p = der;
    r->ek_cert.n = (size_t)n;
    ek_public(*ek, EK_ATTRS, &r->ek_pub);
    read_all("swtpm-ecc/ak.tpmt_public", &r->ak_pub);
    name_of(r);
}

static attest_trust *trust(const char *const *anchors, int with_intermediate)
{
    attest_trust *t = attest_trust_new();
    X509 *x;

    assert_non_null(t);
    for (; *anchors != NULL; anchors++) {
        x = load(*anchors);
        assert_int_equal(attest_trust_add_anchor(t, x), 0);
        X509_free(x);
    }
    if (with_intermediate) {
        x = load("tpm-ek/keylime_STM_ECC_01I.pem");
        assert_int_equal(attest_trust_add_untrusted(t, x), 0);
        X509_free(x);
    }
    attest_trust_set_time(t, 1735689600); /* 2025-01-01: inside the EK's validity */
    return t;
}

static const char *const stm[] = { "tpm-ek/keylime_STM_ECC_01RT.pem", NULL };
static const char *const others[] = { "tpm-ek/keylime_INF_ECC_010RT.pem", "tpm-ek/keylime_INF_ECC_011.pem",
                                      "tpm-ek/keylime_INTEL_RT.pem",      "tpm-ek/keylime_INTEL_I.pem",
                                      "tpm-ek/keylime_NUVO_2110.pem",     NULL };

static void expect(const attest_ak_request *r, const attest_trust *t, const char *id)
{
    attest_err e;

    memset(&e, 0, sizeof(e));
    if (id == NULL) {
        if (attest_ak_request_check(NULL, r, t, &e) != 0)
            fail_msg("unexpected refusal: %s", e.msg);
        return;
    }
    assert_int_equal(attest_ak_request_check(NULL, r, t, &e), -1);
    if (strncmp(e.msg, id, strlen(id)) != 0)
        fail_msg("want %s, got: %s", id, e.msg);
}

static void test_stm_chain(void **state)
{
    attest_ak_request r;
    attest_trust *t = trust(stm, 1);
    X509 *ek;

    (void)state;
    request(&r, &ek);
    expect(&r, t, NULL);
    attest_trust_free(t);
    /* the STM root without its intermediate: no path */
    t = trust(stm, 0);
    expect(&r, t, "enroll.ek-chain");
    attest_trust_free(t);
    /* Infineon, Intel and Nuvoton roots: not this EK's manufacturer */
    t = trust(others, 1);
    expect(&r, t, "enroll.ek-chain");
    attest_trust_free(t);
    attest_ak_request_clear(&r);
    X509_free(ek);
}

static void test_ek_public(void **state)
{
    attest_ak_request r;
    attest_trust *t = trust(stm, 1);
    X509 *ek, *other = load("tpm-ek/keylime_STM_ECC_01I.pem");

    (void)state;
    request(&r, &ek);
    /* another P-256 key (the intermediate's) in the EK public area */
    OPENSSL_free(r.ek_pub.p);
    ek_public(other, EK_ATTRS, &r.ek_pub);
    expect(&r, t, "enroll.ek-public");
    /* the right key, but a signing key: not an EK */
    OPENSSL_free(r.ek_pub.p);
    ek_public(ek, (EK_ATTRS & ~TPMA_OBJECT_DECRYPT) | TPMA_OBJECT_SIGN_ENCRYPT, &r.ek_pub);
    expect(&r, t, "enroll.ek-public");
    attest_trust_free(t);
    attest_ak_request_clear(&r);
    X509_free(ek);
    X509_free(other);
}

static void test_ak_checks(void **state)
{
    attest_ak_request r;
    attest_trust *t = trust(stm, 1);
    X509 *ek;

    (void)state;
    request(&r, &ek);
    r.ak_name.p[r.ak_name.n - 1] ^= 1;
    expect(&r, t, "enroll.ak-name");
    /* objectAttributes: bytes 4..7 of TPMT_PUBLIC (after type, nameAlg) */
    r.ak_pub.p[5] &= (unsigned char)~0x01; /* restricted (bit 16) */
    name_of(&r);
    expect(&r, t, "enroll.ak-attributes");
    r.ak_pub.p[5] |= 0x01;
    r.ak_pub.p[7] &= (unsigned char)~0x02; /* fixedTPM (bit 1) */
    name_of(&r);
    expect(&r, t, "enroll.ak-attributes");
    r.ak_pub.p[7] |= 0x02;
    name_of(&r);
    expect(&r, t, NULL);
    attest_trust_free(t);
    attest_ak_request_clear(&r);
    X509_free(ek);
}

/* The AK certificate names the TPM by the EK certificate's TCG attributes. */
static void test_issue_san(void **state)
{
    attest_ak_request r;
    attest_ak_challenge c;
    attest_ak_state s;
    X509 *ek, *ca = X509_new(), *ak;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    GENERAL_NAMES *san;
    attest_err e;
    char buf[512];
    int crit = -1;

    (void)state;
    request(&r, &ek);
    assert_int_equal(attest_ak_challenge_make(NULL, &r, 0, &c, &s, &e), 0);
    assert_int_equal(c.id.n, ATTEST_AK_ID_LEN);
    assert_non_null(key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(ca), "CN", MBSTRING_ASC, (const unsigned char *)"AK CA", -1, -1,
                               0);
    X509_set_pubkey(ca, key);
    ak = attest_ak_cert_issue(NULL, NULL, &s, ca, key, 30, &e);
    if (ak == NULL)
        fail_msg("%s", e.msg);
    assert_true(X509_verify(ak, key) == 1);
    san = X509_get_ext_d2i(ak, NID_subject_alt_name, &crit, NULL);
    assert_non_null(san);
    assert_int_equal(crit, 1);
    X509_NAME_oneline(sk_GENERAL_NAME_value(san, 0)->d.directoryName, buf, sizeof(buf));
    assert_non_null(strstr(buf, "ST33HTPHAHB4"));
    assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(ak)), 0);
    assert_true(X509_get_extension_flags(ak) & EXFLAG_XKUSAGE);
    GENERAL_NAMES_free(san);
    /* a CA key that is not the CA certificate's */
    EVP_PKEY_free(key);
    key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_null(attest_ak_cert_issue(NULL, NULL, &s, ca, key, 30, &e));
    X509_free(ak);
    X509_free(ca);
    X509_free(ek);
    EVP_PKEY_free(key);
    attest_ak_request_clear(&r);
    attest_ak_challenge_clear(&c);
    attest_ak_state_clear(&s);
}

/* Messages round-trip; a trailing byte or a version 1 is refused. */
static void test_codec(void **state)
{
    attest_ak_request r, back;
    unsigned char *der = NULL, *bad;
    size_t len = 0;
    X509 *ek;
    attest_err e;

    (void)state;
    request(&r, &ek);
    assert_int_equal(attest_ak_request_encode(&r, &der, &len, &e), 0);
    assert_int_equal(attest_ak_request_decode(der, len, &back, &e), 0);
    assert_memory_equal(back.ak_name.p, r.ak_name.p, r.ak_name.n);
    attest_ak_request_clear(&back);
    bad = OPENSSL_malloc(len + 1);
    memcpy(bad, der, len);
    bad[len] = 0;
    assert_int_equal(attest_ak_request_decode(bad, len + 1, &back, &e), -1);
    /* 30 82 LL LL 02 01 00: the version's value byte */
    bad[6] = 1;
    assert_int_equal(attest_ak_request_decode(bad, len, &back, &e), -1);
    assert_non_null(strstr(e.msg, "version"));
    OPENSSL_free(bad);
    OPENSSL_free(der);
    attest_ak_request_clear(&r);
    X509_free(ek);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stm_chain), cmocka_unit_test(test_ek_public), cmocka_unit_test(test_ak_checks),
        cmocka_unit_test(test_issue_san), cmocka_unit_test(test_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
