/*
 * A test-only evidence format: one file and one row (dummy_engines.inc) make
 * it appear in verify, show, the provider's decoders and encoders and the
 * man page's check table (test_dummy_engine.sh).  Its statement is an OCTET
 * STRING holding the SubjectPublicKeyInfo DER of the key it claims; nobody
 * vouches for it, which is fine for a test of the plumbing.
 */
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "attest/describe.h"
#include "attest/engine.h"

#define CHK_DUMMY_PARSE       "dummy.parse"
#define CHK_DUMMY_KEY_BINDING "dummy.key-binding"

static ASN1_OCTET_STRING *decode(const unsigned char *der, size_t len, attest_err *err)
{
    const unsigned char *p = der;
    ASN1_OCTET_STRING *os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)len);

    if (os == NULL || p != der + len) {
        ASN1_OCTET_STRING_free(os);
        attest_err_set(err, "DummyEvidence: not one OCTET STRING");
        return NULL;
    }
    return os;
}

static int check(const unsigned char *der, size_t len, attest_err *err)
{
    ASN1_OCTET_STRING *os = decode(der, len, err);

    ASN1_OCTET_STRING_free(os);
    return os != NULL ? 0 : -1;
}

static json_object *describe(const unsigned char *der, size_t len, attest_err *err)
{
    ASN1_OCTET_STRING *os = decode(der, len, err);
    json_object *o;

    if (os == NULL)
        return NULL;
    o = json_object_new_object();
    attest_json_add(o, "claimed_spki", attest_json_hex(os->data, (size_t)os->length));
    ASN1_OCTET_STRING_free(os);
    return o;
}

static int verify(attest_vctx *v, const attest_statement *st, attest_submod *sub)
{
    attest_err err;
    ASN1_OCTET_STRING *os = decode(st->stmt, st->stmt_len, &err);
    unsigned char *spki = NULL;
    size_t n = 0;
    int bound;

    if (os == NULL) {
        attest_fail(&sub->checks, CHK_DUMMY_PARSE, "%s", err.msg);
        return 0; /* dummy.key-binding: recorded as not reached by the driver */
    }
    attest_pass(&sub->checks, CHK_DUMMY_PARSE, "%d bytes", os->length);
    bound = v->subject_key != NULL && attest_spki_der_of(NULL, v->subject_key, &spki, &n) == 0
        && n == (size_t)os->length && memcmp(spki, os->data, n) == 0;
    if (bound)
        attest_pass(&sub->checks, CHK_DUMMY_KEY_BINDING, "the claimed key is the subject key");
    else
        attest_fail(&sub->checks, CHK_DUMMY_KEY_BINDING, "the claimed key is not the subject key");
    OPENSSL_free(spki);
    ASN1_OCTET_STRING_free(os);
    return bound;
}

static const attest_object_type objects[] = {
    { "DummyEvidence", "dummy", "DUMMY EVIDENCE", "test-only evidence format", 1, 0, check, describe, NULL },
};

static const attest_check_doc checks[] = {
    { CHK_DUMMY_PARSE, "the dummy statement is one OCTET STRING" },
    { CHK_DUMMY_KEY_BINDING, "the key it claims is the request's subject key" },
};

const attest_engine attest_engine_dummy = {
    .name = "dummy",
    .kind = "dummy-evidence",
    .summary = "dummy evidence (test only)",
    .oid_text = "1.3.6.1.4.1.99999.77.1",
    .objects = objects,
    .n_objects = 1,
    .checks = checks,
    .n_checks = 2,
    .describe = describe,
    .verify = verify,
};
