/*
 * crmf.popo, the CRMF proof of possession (RFC 4211 §4.1), on bare
 * CertReqMessages: a signature over the CertRequest needs a template
 * subject; a signature over a POPOSigningKeyInput needs that input to name
 * exactly the template's key (else another key's signature would prove
 * possession of the template key); the request is found by position, so a
 * certReqId other than its position still verifies.  The POPOSigningKeyInput
 * forms are spliced in by hand: OpenSSL's API makes only the first form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/crmf.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/checks.h"
#include "attest/crmf.h"
#include "attest/oids.h"
#include "attest/verdict.h"
#include "der_edit.h"
#include "testutil.h"

typedef struct {
    EVP_PKEY *key, *other;
    attest_trust *trust;
    attest_policy policy;
    attest_verify_params vp;
} fixture;

/* A bare CertReqMessages: one request per id, a template (subject CN=x unless bare) and a signature POPO. */
static unsigned char *msgs_with_ids(EVP_PKEY *key, const int *ids, int n, int with_subject, size_t *len)
{
    OSSL_CRMF_MSGS *msgs = OSSL_CRMF_MSGS_new();
    X509_NAME *subj = X509_NAME_new();
    unsigned char *der = NULL;
    int r, out;

    assert_non_null(msgs);
    assert_true(X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC, (const unsigned char *)"x", -1, -1, 0));
    for (r = 0; r < n; r++) {
        OSSL_CRMF_MSG *m = OSSL_CRMF_MSG_new();

        assert_non_null(m);
        assert_true(OSSL_CRMF_MSG_set_certReqId(m, ids[r]));
        assert_true(
            OSSL_CRMF_CERTTEMPLATE_fill(OSSL_CRMF_MSG_get0_tmpl(m), key, with_subject ? subj : NULL, NULL, NULL));
        assert_true(OSSL_CRMF_MSG_create_popo(OSSL_CRMF_POPO_SIGNATURE, m, key, EVP_sha256(), NULL, NULL));
        assert_true(sk_OSSL_CRMF_MSG_push(msgs, m) > 0);
    }
    assert_true((out = i2d_OSSL_CRMF_MSGS(msgs, &der)) > 0);
    *len = (size_t)out;
    X509_NAME_free(subj);
    OSSL_CRMF_MSGS_free(msgs);
    return der;
}

/* tag, minimal length, content: into out (room assumed), returning the bytes written. */
static size_t tlv(unsigned char *out, unsigned char tag, const unsigned char *c, size_t n)
{
    size_t h = 0;

    out[h++] = tag;
    if (n >= 256) {
        out[h++] = 0x82;
        out[h++] = (unsigned char)(n >> 8);
    } else if (n >= 128) {
        out[h++] = 0x81;
    }
    out[h++] = (unsigned char)n;
    memmove(out + h, c, n);
    return h + n;
}

/*
 * The first request of a message for tmpl_key, its POPO replaced by a
 * signature POPO over a POPOSigningKeyInput { sender dNSName "x", named's
 * SubjectPublicKeyInfo }, signed (ECDSA with SHA-256) by signer.
 */
static unsigned char *msgs_with_input(EVP_PKEY *tmpl_key, EVP_PKEY *named, EVP_PKEY *signer, size_t *len)
{
    static const unsigned char sender[] = { 0xa0, 0x03, 0x82, 0x01, 'x' };
    static const unsigned char ecdsa_sha256[] = {
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
    };
    static const int id0 = 0;
    unsigned char inner[512], input[512], body[1024], popo[1024], bits[160], *spki = NULL, *out;
    size_t base_len, inner_len, input_len, body_len, popo_len, sig_len = sizeof(bits) - 1, crm, old, old_len;
    unsigned char *base = msgs_with_ids(tmpl_key, &id0, 1, 1, &base_len);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int n = i2d_PUBKEY(named, &spki);

    assert_true(n > 0 && (size_t)n + sizeof(sender) < sizeof(inner));
    memcpy(inner, sender, sizeof(sender));
    memcpy(inner + sizeof(sender), spki, (size_t)n);
    inner_len = sizeof(sender) + (size_t)n;
    input_len = tlv(input, 0x30, inner, inner_len); /* what is signed: the input as a SEQUENCE */
    bits[0] = 0x00;
    assert_non_null(md);
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, signer), 1);
    assert_int_equal(EVP_DigestSign(md, bits + 1, &sig_len, input, input_len), 1);
    /* POPOSigningKey: poposkInput [0] IMPLICIT, algorithmIdentifier, signature */
    body_len = tlv(body, 0xa0, inner, inner_len);
    memcpy(body + body_len, ecdsa_sha256, sizeof(ecdsa_sha256));
    body_len += sizeof(ecdsa_sha256);
    body_len += tlv(body + body_len, 0x03, bits, sig_len + 1);
    popo_len = tlv(popo, 0xa1, body, body_len); /* ProofOfPossession: signature [1] IMPLICIT */
    crm = der_child(base, base_len, 0, 0, &old_len);
    old = der_child(base, base_len, crm, 1, &old_len);
    out = der_splice(base, base_len, old, old_len, popo, popo_len, len);
    EVP_MD_CTX_free(md);
    OPENSSL_free(spki);
    OPENSSL_free(base);
    return out;
}

/*
 * crmf.popo of the message's (first) request: its result, with a word its
 * detail must hold; a failure must be the only error (no attestation
 * extension is a skip, not an error).
 */
static void expect_popo(fixture *f, const unsigned char *der, size_t len, attest_check_result want, const char *word)
{
    attest_verdict *v = attest_verify_crmf(&f->vp, der, len);
    const attest_check *k;

    assert_non_null(v);
    assert_non_null(k = verdict_check(v, CHK_CRMF_POPO));
    if (k->result != want || strstr(k->detail, word) == NULL)
        fail_msg("crmf.popo: result %d, want %d; detail '%s' should say '%s'", k->result, want, k->detail, word);
    if (want == ATTEST_CHECK_FAIL && !verdict_only_failed(v, CHK_CRMF_POPO, ATTEST_SEV_ERROR, word)) {
        verdict_dump(v);
        fail_msg("crmf.popo is not the only failure");
    }
    attest_verdict_free(v);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_true(attest_oids_init());
    assert_non_null(f->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(f->other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(f->trust = attest_trust_new());
    attest_policy_default(&f->policy);
    f->vp.trust = f->trust;
    f->vp.policy = &f->policy;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    EVP_PKEY_free(f->key);
    EVP_PKEY_free(f->other);
    attest_trust_free(f->trust);
    free(f);
    return 0;
}

/* The input names the template key and the template key signed it: possession proven. */
static void test_input_same_key(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = msgs_with_input(f->key, f->key, f->key, &len);

    expect_popo(f, der, len, ATTEST_CHECK_PASS, "over the POPOSigningKeyInput");
    free(der);
}

/* Another key names itself in the input and signs it: that proves nothing about the template key. */
static void test_input_other_key(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = msgs_with_input(f->key, f->other, f->other, &len);

    expect_popo(f, der, len, ATTEST_CHECK_FAIL, "names another public key than the template");
    free(der);
}

/* The input names the template key, but another key signed it. */
static void test_input_bad_signature(void **state)
{
    fixture *f = *state;
    size_t len;
    unsigned char *der = msgs_with_input(f->key, f->key, f->other, &len);

    expect_popo(f, der, len, ATTEST_CHECK_FAIL, "does not verify with the template key");
    free(der);
}

/* No POPOSigningKeyInput and no subject in the template: RFC 4211 §4.1 refuses it (so did OpenSSL). */
static void test_no_subject(void **state)
{
    fixture *f = *state;
    static const int id0 = 0;
    size_t len;
    unsigned char *der = msgs_with_ids(f->key, &id0, 1, 0, &len);

    expect_popo(f, der, len, ATTEST_CHECK_FAIL, "no subject");
    OPENSSL_free(der);
}

/* certReqIds are labels: a request whose id is not its position still has its POPO checked (and passes). */
static void test_ids_not_positions(void **state)
{
    fixture *f = *state;
    static const int one[] = { 7 }, two[] = { 3, 1 };
    size_t len;
    unsigned char *der = msgs_with_ids(f->key, one, 1, 1, &len);
    attest_verdict *v;

    expect_popo(f, der, len, ATTEST_CHECK_PASS, "over the certReq");
    OPENSSL_free(der);
    der = msgs_with_ids(f->key, two, 2, 1, &len);
    assert_non_null(v = attest_verify_crmf(&f->vp, der, len));
    assert_int_equal(v->n_subs, 2); /* certReq[0], certReq[1] */
    assert_non_null(verdict_check(v, CHK_CRMF_POPO));
    assert_null(verdict_failed(v, CHK_CRMF_POPO)); /* in neither request */
    attest_verdict_free(v);
    OPENSSL_free(der);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_same_key),      cmocka_unit_test(test_input_other_key),
        cmocka_unit_test(test_input_bad_signature), cmocka_unit_test(test_no_subject),
        cmocka_unit_test(test_ids_not_positions),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
