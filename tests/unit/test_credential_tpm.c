/*
 * Software MakeCredential (evidence/credential.c) judged by the TPM:
 * swtpm's TPM2_ActivateCredential must return the credential for RSA-2048
 * (low-range template, created on demand), ECC P-256 (low range) and
 * ECC P-384 (high range, SHA-384 / AES-256) EKs, and must refuse a blob
 * with a flipped HMAC byte or bound to another AK's Name.
 * Needs SWTPM_LAB_TCTI (swtpm-lab.sh run) and tpm2-tools for the EKs.
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
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "attest/credential.h"
#include "attest/tpm2.h"
#include "attest/tpm2_device.h"
#include "attest/tpm2_enroll.h"

#define AK1 0x81008101u
#define AK2 0x81008102u

static char dir[] = "/tmp/test_credential_tpm.XXXXXX";

__attribute__((format(printf, 1, 2))) static int sh(const char *fmt, ...);
static int sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    return system(cmd);
}

static EVP_PKEY *pem_pub(const char *name)
{
    char path[256];
    EVP_PKEY *k;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_non_null(f = fopen(path, "r"));
    k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(k);
    return k;
}

static int setup(void **state)
{
    const char *tcti = getenv("SWTPM_LAB_TCTI");

    (void)state;
    if (tcti == NULL || *tcti == '\0' || mkdtemp(dir) == NULL)
        return 0;
    /* RSA EK left transient (found through the template); P-256 and P-384 persisted */
    if (sh("cd %s && tpm2_createek -G rsa -c ek.ctx -f pem -u ek-rsa.pem >log 2>&1 && tpm2_flushcontext -t"
           " && tpm2_createek -G ecc -c 0x81010002 -f pem -u ek-p256.pem >>log 2>&1 && tpm2_flushcontext -t"
           " && tpm2_createek -G ecc384 -c 0x81010016 -f pem -u ek-p384.pem >>log 2>&1 && tpm2_flushcontext -t",
           dir)
        != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh("rm -rf %s", dir);
    return 0;
}

static attest_tpm *open_tpm(void)
{
    attest_tpm *t = NULL;
    attest_err err;

    if (getenv("SWTPM_LAB_TCTI") == NULL || *getenv("SWTPM_LAB_TCTI") == '\0')
        skip();
    assert_int_equal(attest_tpm_open(getenv("SWTPM_LAB_TCTI"), &t, &err), 0);
    return t;
}

static void close_tpm(attest_tpm *t)
{
    size_t n = 99;
    attest_err err;

    assert_int_equal(attest_tpm_count_transients(t, &n, &err), 0);
    assert_int_equal(n, 0);
    attest_tpm_close(t);
}

static size_t ak_name(attest_tpm *t, uint32_t h, int rsa, unsigned char *name)
{
    unsigned char *pub = NULL;
    size_t len = 0;
    attest_err err;
    int n;

    assert_int_equal(attest_tpm_ak_create(t, h, rsa, 1, &pub, &len, &err), 0);
    n = attest_tpm2_name(pub, len, name, 68, NULL);
    assert_true(n > 0);
    OPENSSL_free(pub);
    return (size_t)n;
}

static void one_ek(const char *pem, int rsa_ak)
{
    attest_tpm *t = open_tpm();
    EVP_PKEY *k = pem_pub(pem);
    unsigned char name[68], name2[68], cred[32], *ek = NULL, *id = NULL, *sec = NULL, *out = NULL;
    size_t nl, ekl = 0, idl = 0, secl = 0, outl = 0;
    attest_err err;
    attest_err e;

    nl = ak_name(t, AK1, rsa_ak, name);
    ak_name(t, AK2, 0, name2);
    assert_int_equal(attest_tpm_ek_public(t, k, &ek, &ekl, &err), 0);
    assert_true(RAND_bytes(cred, sizeof(cred)) > 0);

    /* the right Name: the TPM returns the credential */
    assert_int_equal(attest_make_credential(NULL, ek, ekl, name, nl, cred, sizeof(cred), &id, &idl, &sec, &secl, &e),
                     0);
    if (attest_tpm_activate(t, AK1, ek, ekl, id, idl, sec, secl, &out, &outl, &err) != 0)
        fail_msg("%s: %s", pem, err.msg);
    assert_int_equal(outl, sizeof(cred));
    assert_memory_equal(out, cred, sizeof(cred));
    OPENSSL_free(out);
    out = NULL;

    /* a flipped HMAC byte: TPM_RC_INTEGRITY */
    id[5] ^= 1;
    assert_int_equal(attest_tpm_activate(t, AK1, ek, ekl, id, idl, sec, secl, &out, &outl, &err), -1);
    assert_non_null(strstr(err.msg, "integrity"));
    OPENSSL_free(id);
    OPENSSL_free(sec);

    /* bound to AK2's Name, activated for AK1: refused */
    assert_int_equal(attest_make_credential(NULL, ek, ekl, name2, nl, cred, sizeof(cred), &id, &idl, &sec, &secl, &e),
                     0);
    assert_int_equal(attest_tpm_activate(t, AK1, ek, ekl, id, idl, sec, secl, &out, &outl, &err), -1);
    assert_null(out);
    /* and opens for AK2 */
    assert_int_equal(attest_tpm_activate(t, AK2, ek, ekl, id, idl, sec, secl, &out, &outl, &err), 0);
    assert_memory_equal(out, cred, sizeof(cred));
    OPENSSL_free(out);
    OPENSSL_free(id);
    OPENSSL_free(sec);
    OPENSSL_free(ek);
    EVP_PKEY_free(k);
    close_tpm(t);
}

static void test_rsa_ek_template(void **state)
{
    (void)state;
    one_ek("ek-rsa.pem", 1);
}
static void test_p256_ek_persistent(void **state)
{
    (void)state;
    one_ek("ek-p256.pem", 0);
}
static void test_p384_ek_high_range(void **state)
{
    (void)state;
    one_ek("ek-p384.pem", 0);
}

/* A blob made for one EK does not open with another. */
static void test_other_ek(void **state)
{
    attest_tpm *t = open_tpm();
    EVP_PKEY *kr = pem_pub("ek-rsa.pem"), *ke = pem_pub("ek-p256.pem");
    unsigned char name[68], cred[16] = { 1 }, *ekr = NULL, *eke = NULL, *id = NULL, *sec = NULL, *out = NULL;
    size_t nl, lr = 0, le = 0, idl = 0, secl = 0, outl = 0;
    attest_err err;
    attest_err e;

    (void)state;
    nl = ak_name(t, AK1, 0, name);
    assert_int_equal(attest_tpm_ek_public(t, kr, &ekr, &lr, &err), 0);
    assert_int_equal(attest_tpm_ek_public(t, ke, &eke, &le, &err), 0);
    assert_int_equal(attest_make_credential(NULL, ekr, lr, name, nl, cred, sizeof(cred), &id, &idl, &sec, &secl, &e),
                     0);
    assert_int_equal(attest_tpm_activate(t, AK1, eke, le, id, idl, sec, secl, &out, &outl, &err), -1);
    assert_null(out);
    OPENSSL_free(id);
    OPENSSL_free(sec);
    OPENSSL_free(ekr);
    OPENSSL_free(eke);
    EVP_PKEY_free(kr);
    EVP_PKEY_free(ke);
    close_tpm(t);
}

/* An occupied handle is kept unless forced. */
static void test_ak_create_occupied(void **state)
{
    attest_tpm *t = open_tpm();
    unsigned char *pub = NULL;
    size_t len = 0;
    attest_err err;

    (void)state;
    assert_int_equal(attest_tpm_ak_create(t, AK1, 0, 1, &pub, &len, &err), 0);
    OPENSSL_free(pub);
    assert_int_equal(attest_tpm_ak_create(t, AK1, 0, 0, &pub, &len, &err), -1);
    assert_non_null(strstr(err.msg, "occupied"));
    assert_null(pub);
    assert_int_equal(attest_tpm_ak_create(t, 0x80000001u, 0, 1, &pub, &len, &err), -1);
    close_tpm(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_ek_template),    cmocka_unit_test(test_p256_ek_persistent),
        cmocka_unit_test(test_p384_ek_high_range), cmocka_unit_test(test_other_ek),
        cmocka_unit_test(test_ak_create_occupied),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
