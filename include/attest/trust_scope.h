/*
 * Vendor anchors: a trust directory's subdirectory named after an evidence
 * engine (anchors/yubikey/) holds anchors only that engine's chains may end
 * at.  Chains to them are verified with hooks for the engine's quirks.
 */
#ifndef ATTEST_TRUST_SCOPE_H
#define ATTEST_TRUST_SCOPE_H

#include <openssl/x509_vfy.h>

#include "attest/verify.h"

typedef struct {
    int (*verify_cb)(int ok, X509_STORE_CTX *ctx);                   /* NULL: OpenSSL's */
    int (*check_issued)(X509_STORE_CTX *ctx, X509 *x, X509 *issuer); /* NULL: OpenSSL's */
    void *app_data;                                                  /* X509_STORE_CTX_get_app_data */
} attest_chain_hooks;

/* Before attest_trust_add_dir: only subdirectories with these names are scopes, others are skipped with a notice
 * (the CLI passes its vendor engines' names).  Unset: every subdirectory is a scope. */
int attest_trust_set_scope_names(attest_trust *t, const char *const *names, size_t n);
/* Anchors of scope (decoded or not). */
size_t attest_trust_scope_anchor_count(const attest_trust *t, const char *scope);
/* The names of the scopes, for notices: "android, yubikey" ("" when none). */
void attest_trust_scope_names(const attest_trust *t, char *buf, size_t len);
/*
 * Path validation from leaf to a self-signed anchor of scope (no partial
 * chains), through extra and the untrusted certificates, at the run's time.
 * 0 and *chain (owned by the caller; may be NULL) on success, -1 and err.
 */
int attest_trust_verify_scoped(const attest_trust *t, const char *scope, X509 *leaf, STACK_OF(X509) *extra,
                               const attest_chain_hooks *hooks, attest_err *err, STACK_OF(X509) **chain);

#endif
