/* The trust store's insides, shared by core/trust.c and core/trust_scope.c. */
#ifndef ATTEST_TRUST_INT_H
#define ATTEST_TRUST_INT_H

#include <openssl/sha.h>
#include <openssl/x509.h>

#include "attest/verify.h"
#include "trust_index.h"

#define CACHE_SLOTS 1024 /* chain results kept per run; full means no more caching */
#define MAX_SCOPES  16

/* A chain verdict, keyed by the exact bytes of the leaf and the offered intermediates. */
typedef struct {
    unsigned char key[SHA256_DIGEST_LENGTH];
    int used, ok;
    char msg[sizeof(((attest_err *)0)->msg)];
    unsigned char anchor[SHA256_DIGEST_LENGTH]; /* the chain's top, when ok */
} chain_entry;

struct attest_trust {
    STACK_OF(X509) *anchors; /* decoded; a trust directory's others wait in index */
    attest_trust_index *index;
    STACK_OF(X509) *untrusted;
    time_t at_time;    /* valid once time_set: pinned for the whole run */
    int time_set;      /* a flag, not at_time == 0: 1970-01-01 is a time like any other */
    int time_given;    /* set by the caller (--at-time), not read from the clock */
    X509_STORE *store; /* built once, on first use */
    CRYPTO_RWLOCK *lock;
    chain_entry **cache; /* CACHE_SLOTS slots, each entry allocated when first stored: a small run touches little */
    int no_cache;     /* attest_trust_set_cache(t, 0): every chain to X509_verify_cert */
    int cache_frozen; /* attest_trust_freeze_cache: results served, none stored */
    size_t hits, misses;
    unsigned long generation; /* bumped when cached results are dropped: a result judged before is not stored */
    OSSL_LIB_CTX *libctx; /* anchors decoded and chains verified in this context */
    char *propq;
    /* Anchors of one evidence engine (a trust directory's subdirectory): vendor roots judge only their vendor. */
    struct attest_trust_scope *scopes;
    size_t n_scopes;
    int is_scope;      /* a scope's own subdirectories are not scopes */
    char *scope_names; /* ",yubikey,luna," when set: other subdirectories are skipped with a notice */
};

struct attest_trust_scope {
    char name[32];
    attest_trust *t;
};

/* Under t->lock: the clock read once, at first use, then pinned. */
void attest_trust_pin_time(attest_trust *t);
/* Under t->lock: every indexed anchor decoded. */
void attest_trust_take_all(attest_trust *t);
/* A subdirectory of a trust directory: its certificates become the anchors of scope name. */
int attest_trust_add_scope_dir(attest_trust *t, const char *name, const char *dir, attest_notice_fn notice, void *arg,
                               attest_err *err);
void attest_trust_free_scopes(attest_trust *t);
/* 1 when a subdirectory called name is a scope (any name until attest_trust_set_scope_names); known gets the list. */
int attest_trust_is_scope_name(const attest_trust *t, const char *name, char *known, size_t cap);
size_t attest_trust_scoped_anchor_count(const attest_trust *t);

#endif
