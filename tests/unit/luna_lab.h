/* Helpers of the luna engine's tests (luna_lab.c). */
#ifndef LUNA_LAB_H
#define LUNA_LAB_H

#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/bundle.h"
#include "attest/verify.h"

#define PKC_EKU    "1.3.6.1.4.1.12383.1.13"
#define T_TODAY    1796601600 /* 2026-12-07T00:00:00Z */
#define T_MID_2030 1909094400 /* 2030-07-01T00:00:00Z: the ECC root expires 2030-08-12 */

typedef struct {
    attest_trust *trust;
    attest_policy pol;
    attest_verify_params p;
    char dir[64]; /* a temporary trust directory with luna/ (test roots), or "" */
} run;
typedef struct {
    EVP_PKEY *root_key, *hoc_key, *leaf_key;
    X509 *root, *hoc, *leaf;
} chain;

/* Every check of v (request and statements) with this id: result and severity of the first. */
int luna_find(const attest_verdict *v, const char *id, attest_check_result *r, attest_severity *s);
void assert_result(const attest_verdict *v, const char *id, attest_check_result want, attest_severity sev);
/* id failed as an error and is the only check that did (warnings may remain: the sample's quirk). */
void assert_only_error(const attest_verdict *v, const char *id);
void run_init(run *r, time_t when);
/* The shipped anchors (share/attest/anchors: luna/ is the engine's scope). */
void run_shipped(run *r, time_t when);
/* A temporary trust directory whose luna/ holds root. */
void run_test_root(run *r, X509 *root);
void run_free(run *r);
/* The sample PKC imported as --evidence-file does it. */
attest_bundle *sample_bundle(void);
/* The sample CSR (CRLF, label NEW CERTIFICATE REQUEST) as DER. */
unsigned char *sample_csr(long *len);
attest_verdict *verify_sample_csr(run *r);
EVP_PKEY *ec_key(const char *curve);
void add_ext(X509 *x, X509 *issuer, const char *name, const char *value);
/* A certificate for key named cn, signed by ikey (issuer NULL: self-signed); exts: name, value pairs. */
X509 *mk_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, const char *const *exts);
/* root <- HOC named hoc_cn (NULL: no HOC, the leaf under the root) <- leaf with leaf_exts. */
void mk_chain(chain *c, const char *hoc_cn, const char *const *leaf_exts);
void chain_free(chain *c);
/* A bundle as import makes it: the leaf as a statement of type 12383.1.13, the others in the bag. */
attest_bundle *bundle_of(X509 *leaf, X509 *a, X509 *b2);
attest_verdict *verify_bundle_key(run *r, attest_bundle *b, EVP_PKEY *key);
/*
 * Give x the Luna defect: re-sign until s has its high bit set (DER pads it
 * with 0x00), then drop the pad so s reads as negative.
 */
void make_negative_s(X509 *x, X509 *issuer_unused, EVP_PKEY *ikey);
/* The same; ff80: until s starts FF 8x..FF (what a negative DER INTEGER could not be minimal as: one in 512). */
void make_negative_s_as(X509 *x, EVP_PKEY *ikey, int ff80);

extern const char *const ROOT_EXTS[];
extern const char *const HOC_EXTS[];
extern const char *const LEAF_EXTS[];
extern const char *const LEAF_3BYTE_SERIAL[];

#endif
