/*
 * What the yubikey engine's tests share (test_yubikey.c: the real samples;
 * test_yubikey_forms.c: made-up certificates and carriers): the shipped
 * anchors, a throw-away key, verification of a request, a sample or a
 * slot certificate, and a small certificate / request maker.
 */
#ifndef YUBIKEY_UTIL_H
#define YUBIKEY_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/x509.h>

#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/verify.h"
#include "attest/yubikey.h"
#include "testutil.h"

#define YK "vendors/yubikey/"

extern const attest_engine attest_engine_yubikey;
extern attest_trust *shipped; /* share/attest/anchors: the yubikey/ scope */
extern EVP_PKEY *tkey;        /* a throw-away P-256 key for made-up certificates and requests */

int yk_setup(void **state);
int yk_teardown(void **state);

/* The DER of a PEM CSR vector (a UTF-8 BOM before it skipped); the certificate it carries under oid. */
unsigned char *csr_der(const char *rel, size_t *len);
X509 *carried(const char *rel, const char *oid);
void default_policy(attest_policy *pol);
attest_verdict *verify_csr(const unsigned char *der, size_t len, const attest_trust *t, const attest_policy *pol);
attest_verdict *verify_sample(const char *rel, const attest_trust *t, const attest_policy *pol);
/* A bundle of the slot certificate (its DER as given) and the cert bag, judged against key. */
attest_verdict *verify_slot_der(const unsigned char *slot, size_t slot_len, X509 *const *bag, size_t n_bag,
                                EVP_PKEY *key, const attest_trust *t, const attest_policy *pol);
attest_verdict *verify_slot(X509 *slot, X509 *const *bag, size_t n_bag, EVP_PKEY *key, const attest_trust *t,
                            const attest_policy *pol);
/* Exactly id fails, with sev (and detail in its text unless NULL); id passes (with detail). */
void expect_only(attest_verdict *v, const char *id, attest_severity sev, const char *detail);
void expect_pass(const attest_verdict *v, const char *id, const char *detail);

typedef struct {
    const char *oid;
    const void *val;
    int len;
} ext_t;

/* A certificate for key, issued by ikey/issuer (NULL: self-signed); ca: -2 no basicConstraints, -1 CA:FALSE,
 * >= 0 CA:TRUE with that pathlen; exts as raw extnValue contents. */
X509 *make_cert(EVP_PKEY *key, const char *cn, EVP_PKEY *ikey, X509 *issuer, int ca, const ext_t *exts, size_t n);
/* A request for tkey with exts in extensionRequest (DER, malloc'd). */
unsigned char *request_with(const ext_t *exts, size_t n, size_t *len);
int der_of(X509 *x, unsigned char **der);
/* A trust directory DIR/yubikey/root.pem (dir: 256 bytes), and its removal. */
attest_trust *trust_with(X509 *root, char *dir);
void trust_dir_remove(const char *dir);

extern const unsigned char fw_574[3], pol_23[2], ff_03[1], serial_der[6];

#endif
