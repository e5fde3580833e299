/*
 * Naming certificates in verdicts: the subject; for an empty subject (Windows
 * AIK and TCG EK certificates) the TCG TPM attributes of the subjectAltName,
 * escaped; else issuer and serial.  Never a blank.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/x509v3.h>

#include "attest/certname.h"
#include "attest/oids.h"

static X509 *cert(const char *cn, int tpm_san, const char *model)
{
    X509 *x = X509_new();
    X509_NAME *issuer = X509_NAME_new();

    assert_non_null(x);
    assert_true(X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC, (const unsigned char *)"EK CA", -1, -1, 0));
    assert_true(X509_set_issuer_name(x, issuer));
    assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234));
    if (cn != NULL) {
        X509_NAME *s = X509_NAME_new();

        assert_true(X509_NAME_add_entry_by_txt(s, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0));
        assert_true(X509_set_subject_name(x, s));
        X509_NAME_free(s);
    }
    if (tpm_san) {
        GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
        GENERAL_NAME *g = GENERAL_NAME_new();
        X509_NAME *dn = X509_NAME_new();
        const char *oids[] = { "2.23.133.2.1", "2.23.133.2.2", "2.23.133.2.3" };
        const char *vals[] = { "id:414D4400", model, "id:00070002" };
        int i;

        for (i = 0; i < 3; i++) {
            ASN1_OBJECT *o = OBJ_txt2obj(oids[i], 1);

            assert_true(X509_NAME_add_entry_by_OBJ(dn, o, MBSTRING_UTF8, (const unsigned char *)vals[i], -1, -1, 0));
            ASN1_OBJECT_free(o);
        }
        GENERAL_NAME_set0_value(g, GEN_DIRNAME, dn);
        assert_true(sk_GENERAL_NAME_push(gens, g));
        assert_true(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 1, 0));
        GENERAL_NAMES_free(gens);
    }
    X509_NAME_free(issuer);
    return x;
}

static void expect(X509 *x, const char *want)
{
    char buf[256];

    attest_cert_name(x, buf, sizeof(buf));
    if (strcmp(buf, want) != 0)
        fail_msg("got \"%s\", want \"%s\"", buf, want);
    X509_free(x);
}

static void test_subject(void **state)
{
    (void)state;
    expect(cert("AK one", 1, "SLB9670"), "/CN=AK one");
}

static void test_tpm_attributes(void **state)
{
    (void)state;
    expect(cert(NULL, 1, "SLB9670"), "TPM manufacturer id:414D4400, model SLB9670, version id:00070002");
    /* Control characters from the certificate are escaped, not printed. */
    expect(cert(NULL, 1, "evil\nline"), "TPM manufacturer id:414D4400, model evil\\0Aline, version id:00070002");
}

static void test_issuer_serial(void **state)
{
    (void)state;
    expect(cert(NULL, 0, NULL), "serial 0x1234 from /CN=EK CA");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject),
        cmocka_unit_test(test_tpm_attributes),
        cmocka_unit_test(test_issuer_serial),
    };

    if (!attest_oids_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
