/*
 * ATTEST_PKIX_ARC moves the PKIX placeholder arc when set before the OID
 * table is first used (main() sets it before cmocka runs anything).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "attest/bundle.h"
#include "attest/registry.h"
#include "attest/oids.h"
#include "attest/pkix.h"

static const char *dotted(attest_oid_id id)
{
    const attest_oid_info *info = attest_oid_info_get(id);

    assert_non_null(info);
    return info->dotted;
}

static void test_arc_from_env(void **state)
{
    ASN1_OBJECT *o;

    (void)state;
    assert_string_equal(dotted(ATTEST_OID_PKIX_KEY_SPKI), "1.2.3.999.1.2.1");
    assert_string_equal(dotted(ATTEST_OID_PKIX_EL_TRANSACTION), "1.2.3.999.0.0");
    assert_string_equal(dotted(ATTEST_OID_PKIX_TX_NONCE), "1.2.3.999.1.0.0");
    assert_string_equal(dotted(ATTEST_OID_PKIX_CAP_SIGN), "1.2.3.999.2.4");
    /* the statement type follows the arc; EKU and fixed OIDs do not move */
    assert_string_equal(dotted(ATTEST_OID_PKIX_STATEMENT), "1.2.3.999");
    assert_string_equal(dotted(ATTEST_OID_KP_ATTESTATION_KEY), "1.3.6.1.5.5.7.3.999");
    assert_string_equal(dotted(ATTEST_OID_AA_ATTESTATION), "1.2.840.113549.1.9.16.2.59");
    assert_string_equal(dotted(ATTEST_OID_TPM_CERTIFY), "2.23.133.20.1");

    o = OBJ_txt2obj("1.2.3.999.1.2.1", 1);
    assert_non_null(o);
    assert_int_equal(attest_oid_find(o), ATTEST_OID_PKIX_KEY_SPKI);
    assert_int_equal(OBJ_cmp(o, attest_oid_obj(ATTEST_OID_PKIX_KEY_SPKI)), 0);
    ASN1_OBJECT_free(o);
    /* the default arc is no longer known */
    o = OBJ_txt2obj("1.3.6.1.5.5.999.1.2.1", 1);
    assert_non_null(o);
    assert_int_equal(attest_oid_find(o), -1);
    ASN1_OBJECT_free(o);
    o = OBJ_txt2obj("1.2.3.999", 1);
    assert_string_equal(attest_engine_name(attest_engine_for_type(o)), "pkix");
    ASN1_OBJECT_free(o);
}

static void test_configure_after_init_fails(void **state)
{
    (void)state;
    assert_int_equal(attest_oids_init(), 1);
    assert_int_equal(attest_oids_configure("1.3.6.1.5.5.999", NULL, NULL), 0);
    assert_int_equal(attest_oids_configure(NULL, NULL, NULL), 0);
    assert_string_equal(dotted(ATTEST_OID_PKIX_KEY_SPKI), "1.2.3.999.1.2.1");
}

/* Evidence from the samples (arc 1.3.6.1.5.5.999) still decodes, but its claims are unknown now. */
static void test_sample_claims_unknown(void **state)
{
    const char *dir = getenv("ATTEST_VECTORS");
    char path[4096];
    BIO *b;
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    attest_pkix *p = NULL;
    attest_err err = { { 0 } };
    const ATTEST_PKIX_ELEMENT *el;

    (void)state;
    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/pkix-evidence/evidence1.pem", dir);
    assert_non_null(b = BIO_new_file(path, "r"));
    assert_true(PEM_read_bio(b, &name, &header, &data, &len) > 0);
    assert_int_equal(attest_pkix_decode(data, (size_t)len, &p, &err), 0);
    el = sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, 0);
    assert_int_equal(attest_oid_find(el->type), -1);
    assert_null(attest_pkix_claim_def_find(sk_ATTEST_PKIX_CLAIM_value(el->claims, 0)->type));
    attest_pkix_free(p);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    BIO_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arc_from_env),
        cmocka_unit_test(test_configure_after_init_fails),
        cmocka_unit_test(test_sample_claims_unknown),
    };

    /* Before anything touches the OID table. */
    if (setenv("ATTEST_PKIX_ARC", "1.2.3.999", 1) != 0)
        return 1;
    unsetenv("ATTEST_PKIX_EKU");
    unsetenv("ATTEST_PKIX_STATEMENT_OID");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
