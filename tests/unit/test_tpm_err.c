/*
 * The TPM layer follows attest/error.h: one failing call per header
 * (tpm2_device.h, tpm2_enroll.h, tss2_privkey.h) must hand its caller one
 * terminated line in attest_err, return -1 (or ATTEST_TPM_UNREACHABLE where
 * the TPM cannot be reached), and accept a NULL err.  The err is filled with
 * a sentinel first so a call that leaves it alone, or writes an unterminated
 * or multi-line message, fails.  The TPM calls need SWTPM_LAB_TCTI.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "attest/error.h"
#include "attest/tpm2_device.h"
#include "attest/tpm2_enroll.h"
#include "attest/tss2_privkey.h"

static void poison(attest_err *e)
{
    memset(e->msg, 'X', sizeof(e->msg));
}

/* One line that begins with head and mentions want. */
static void assert_line(const attest_err *e, const char *head, const char *want)
{
    const char *end = memchr(e->msg, '\0', sizeof(e->msg));

    assert_non_null(end);
    assert_true(end > e->msg);
    assert_null(strchr(e->msg, '\n'));
    if (strncmp(e->msg, head, strlen(head)) != 0 || strstr(e->msg, want) == NULL)
        fail_msg("\"%s\": want \"%s...%s\"", e->msg, head, want);
}

static attest_tpm *lab_tpm(void)
{
    const char *tcti = getenv("SWTPM_LAB_TCTI");
    attest_tpm *t = NULL;
    attest_err err;

    if (tcti == NULL || *tcti == '\0')
        return NULL;
    if (attest_tpm_open(tcti, &t, &err) != 0)
        fail_msg("attest_tpm_open: %s", err.msg);
    return t;
}

/* tpm2_device.h: an unknown TCTI is unreachable; a missing handle is -1. */
static void test_device_err(void **state)
{
    static const attest_tpm_keyref missing = { 0x81000099u, NULL, 0 };
    attest_tpm *t = (attest_tpm *)0x1;
    unsigned char *pub = NULL;
    size_t len = 0;
    attest_err err;

    (void)state;
    poison(&err);
    assert_int_equal(attest_tpm_open("nosuchtcti:x", &t, &err), ATTEST_TPM_UNREACHABLE);
    assert_null(t);
    assert_line(&err, "TPM unreachable: TCTI \"nosuchtcti:x\": ", "");
    assert_int_equal(attest_tpm_open("nosuchtcti:x", &t, NULL), ATTEST_TPM_UNREACHABLE);

    /* no TPM and no key blob: refused before any TPM call */
    poison(&err);
    assert_int_equal(attest_tpm_read_public(NULL, &missing, &pub, &len, &err), -1);
    assert_line(&err, "attest_tpm_read_public: invalid argument", "");

    if ((t = lab_tpm()) == NULL)
        return;
    poison(&err);
    assert_int_equal(attest_tpm_read_public(t, &missing, &pub, &len, &err), -1);
    assert_line(&err, "key handle 0x81000099: TPM2_ReadPublic: ", "no object at this handle");
    assert_null(pub);
    assert_int_equal(attest_tpm_read_public(t, &missing, &pub, &len, NULL), -1);
    attest_tpm_close(t);
}

/* tpm2_enroll.h: an AK must go to a persistent handle. */
static void test_enroll_err(void **state)
{
    unsigned char *pub = NULL;
    size_t len = 0;
    attest_tpm *t;
    attest_err err;

    (void)state;
    if ((t = lab_tpm()) == NULL)
        skip();
    poison(&err);
    assert_int_equal(attest_tpm_ak_create(t, 0x80000001u, 0, 1, &pub, &len, &err), -1);
    assert_line(&err, "AK handle 0x80000001: not a persistent handle", "");
    assert_null(pub);
    assert_int_equal(attest_tpm_ak_create(t, 0x80000001u, 0, 1, &pub, &len, NULL), -1);
    attest_tpm_close(t);
}

/* tss2_privkey.h: no PEM block, and DER that is not a TPMKey. */
static void test_tss2_err(void **state)
{
    static const unsigned char der[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
    static const char text[] = "not a key";
    attest_tss2_key k;
    attest_err err;

    (void)state;
    poison(&err);
    assert_int_equal(attest_tss2_key_decode((const unsigned char *)text, sizeof(text) - 1, &k, &err), -1);
    assert_line(&err, "TSS2 key: no \"-----BEGIN TSS2 PRIVATE KEY-----\"", "");
    poison(&err);
    assert_int_equal(attest_tss2_key_decode(der, sizeof(der), &k, &err), -1);
    assert_line(&err, "TSS2 key: DER does not parse as TPMKey", "");
    assert_int_equal(attest_tss2_key_decode(der, sizeof(der), &k, NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_err),
        cmocka_unit_test(test_enroll_err),
        cmocka_unit_test(test_tss2_err),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
