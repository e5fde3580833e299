/*
 * Software MakeCredential (evidence/credential.c) against the worked values
 * of the credential-activation digest, which swtpm's ActivateCredential
 * opened; the TPM itself is the judge in test_credential_tpm.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <tss2/tss2_tpm2_types.h>

#include "attest/credential.h"

static size_t unhex(const char *h, unsigned char *out, size_t cap)
{
    size_t n = strlen(h) / 2, i;

    assert_true(n <= cap);
    for (i = 0; i < n; i++)
        out[i] = (unsigned char)(OPENSSL_hexchar2int(h[2 * i]) << 4 | OPENSSL_hexchar2int(h[2 * i + 1]));
    return n;
}

static void assert_hex(const unsigned char *b, size_t n, const char *want)
{
    unsigned char w[256];
    size_t wn = unhex(want, w, sizeof(w));

    assert_int_equal(n, wn);
    assert_memory_equal(b, w, n);
}

typedef struct {
    const char *name, *cred, *seed, *sym, *hkey, *enc, *mac;
} vec;

/* credential-activation.md §4: RSA-2048 L-1 EK and P-256 L-2 EK, both SHA-256 / AES-128. */
static const vec vecs[] = {
    { "000bca3d8785c3e4553cc067379cf7f6783777698592a1496021f884aab9f87e70a5",
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
      "5a163769275ae87e57effb34f8c9ace2e2b618a4b5f875b11073acabd2f953f0", "56cecaedddd235d5d6afec350ee133eb",
      "a37d70462c1746ff47f8b9a4cf4de259ca75927eedbda171e498b37c71657cd6",
      "2ca62977d0ac5ef494b7c3b6d6a96e559707711eb52ed1aa81f7ce768ce73defef29",
      "036cf0eb5d4cc44601aa7f85d534ba81396901835cbcf28dfa6e81947a161cab" },
    { "000b32bbd9fed3385e8f838ebd945cba176af224a366c5c7ee687304dccf7e04320d", "deadbeefcafef00d",
      "bfcf4329ad39f437eeedd117ad3bf22acb8c5bf847e2d205ed5a1b7bc4964ff8", "2f28582e86023d5ff7d137fb82ff919f",
      "d967d26ce0be009ff813622befbbe47550dbe90328090f032fe7c7ba80ff5584", "aaeb21de2726e65f564a",
      "6678f838ed6e25895f531c96b5086c8d1ef45129d991c170b28b82b3ff9acca1" },
};

static void test_kdfa_worked(void **state)
{
    unsigned char name[64], seed[64], out[32];
    size_t i, nl, sl;
    attest_err e;

    (void)state;
    for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
        nl = unhex(vecs[i].name, name, sizeof(name));
        sl = unhex(vecs[i].seed, seed, sizeof(seed));
        assert_int_equal(attest_kdfa(NULL, TPM2_ALG_SHA256, seed, sl, "STORAGE", name, nl, NULL, 0, out, 16, &e), 0);
        assert_hex(out, 16, vecs[i].sym);
        assert_int_equal(attest_kdfa(NULL, TPM2_ALG_SHA256, seed, sl, "INTEGRITY", NULL, 0, NULL, 0, out, 32, &e), 0);
        assert_hex(out, 32, vecs[i].hkey);
    }
}

static void test_wrap_worked(void **state)
{
    unsigned char name[64], seed[64], cred[64], *id = NULL;
    size_t i, nl, sl, cl, idl = 0;
    attest_err e;

    (void)state;
    for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
        nl = unhex(vecs[i].name, name, sizeof(name));
        sl = unhex(vecs[i].seed, seed, sizeof(seed));
        cl = unhex(vecs[i].cred, cred, sizeof(cred));
        assert_int_equal(
            attest_credential_wrap(NULL, TPM2_ALG_SHA256, 128, seed, sl, name, nl, cred, cl, &id, &idl, &e), 0);
        /* size || 0020 || HMAC || encIdentity */
        assert_int_equal(idl, 2 + 2 + 32 + 2 + cl);
        assert_int_equal(id[0] << 8 | id[1], idl - 2);
        assert_int_equal(id[2] << 8 | id[3], 32);
        assert_hex(id + 4, 32, vecs[i].mac);
        assert_hex(id + 36, idl - 36, vecs[i].enc);
        OPENSSL_free(id);
        id = NULL;
    }
}

/* A different Name gives a different HMAC: the TPM's integrity check would fail. */
static void test_wrap_binds_name(void **state)
{
    unsigned char name[64], seed[64], cred[64], *a = NULL, *b = NULL;
    size_t nl, sl, cl, al = 0, bl = 0;
    attest_err e;

    (void)state;
    nl = unhex(vecs[0].name, name, sizeof(name));
    sl = unhex(vecs[0].seed, seed, sizeof(seed));
    cl = unhex(vecs[0].cred, cred, sizeof(cred));
    assert_int_equal(attest_credential_wrap(NULL, TPM2_ALG_SHA256, 128, seed, sl, name, nl, cred, cl, &a, &al, &e), 0);
    name[nl - 1] ^= 1;
    assert_int_equal(attest_credential_wrap(NULL, TPM2_ALG_SHA256, 128, seed, sl, name, nl, cred, cl, &b, &bl, &e), 0);
    assert_int_equal(al, bl);
    assert_memory_not_equal(a + 4, b + 4, 32);
    OPENSSL_free(a);
    OPENSSL_free(b);
}

/* KDFe = H(counter || Z || label\0 || U || V), one block for 32 bytes with SHA-256. */
static void test_kdfe_one_block(void **state)
{
    static const unsigned char z[32] = { 1, 2, 3 }, u[32] = { 4 }, v[32] = { 5 };
    unsigned char buf[4 + 32 + 9 + 64], want[32], got[32];
    unsigned int wl = 0;
    attest_err e;

    (void)state;
    memcpy(buf, "\0\0\0\1", 4);
    memcpy(buf + 4, z, 32);
    memcpy(buf + 36, "IDENTITY", 9);
    memcpy(buf + 45, u, 32);
    memcpy(buf + 77, v, 32);
    assert_true(EVP_Digest(buf, sizeof(buf), want, &wl, EVP_sha256(), NULL));
    assert_int_equal(attest_kdfe(NULL, TPM2_ALG_SHA256, z, 32, "IDENTITY", u, 32, v, 32, got, 32, &e), 0);
    assert_memory_equal(got, want, 32);
}

static void test_wrap_rejects(void **state)
{
    unsigned char seed[32] = { 0 }, name[34] = { 0 }, cred[65] = { 0 }, *id = NULL;
    size_t idl = 0;
    attest_err e;

    (void)state;
    assert_int_equal(attest_credential_wrap(NULL, TPM2_ALG_SHA256, 128, seed, 32, name, 34, cred, 65, &id, &idl, &e),
                     -1);
    assert_int_equal(attest_credential_wrap(NULL, TPM2_ALG_SHA256, 100, seed, 32, name, 34, cred, 8, &id, &idl, &e),
                     -1);
    assert_int_equal(attest_credential_wrap(NULL, 0x0099, 128, seed, 32, name, 34, cred, 8, &id, &idl, &e), -1);
    assert_null(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kdfa_worked),     cmocka_unit_test(test_wrap_worked),
        cmocka_unit_test(test_wrap_binds_name), cmocka_unit_test(test_kdfe_one_block),
        cmocka_unit_test(test_wrap_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
