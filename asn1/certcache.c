/* Decoded certificates cached by their exact bytes (see attest/certcache.h). */
#include <limits.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "attest/certcache.h"
#include "attest/digest.h"

#define SLOTS   32
#define SCRATCH 8 /* while frozen: what one input decodes, until attest_certcache_drop_scratch */

typedef struct {
    unsigned char *der;
    size_t len;
    X509 *x;                  /* NULL in a scratch slot: these bytes do not decode */
    unsigned char sha256[32]; /* of x's encoding, once asked for (has_sha256) */
    int has_sha256;
    OSSL_LIB_CTX *libctx; /* the context it was decoded in: a hit must be from the same */
    char *propq;
} slot;

static slot slots[SLOTS + SCRATCH]; /* the scratch slots last */
static size_t next_victim, next_scratch;
static int enabled = 1; /* under lock */
static int frozen;      /* under lock: the kept slots stay; what is new goes to the scratch slots */
static CRYPTO_RWLOCK *lock;
static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;

static void init_lock(void)
{
    lock = CRYPTO_THREAD_lock_new();
}

/* A reference to the cached certificate for der, or NULL; *on: whether to keep what is decoded. */
static int same_propq(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* *on: 0 off, 1 on, 2 on and frozen; *bad: a scratch slot says these bytes do not decode. */
static X509 *lookup(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq, int *on, int *bad)
{
    X509 *x = NULL;
    size_t i;

    *on = *bad = 0;
    if (!CRYPTO_THREAD_read_lock(lock))
        return NULL;
    *on = enabled ? 1 + frozen : 0;
    for (i = 0; enabled && i < SLOTS + SCRATCH && x == NULL && !*bad; i++)
        if (slots[i].der != NULL && slots[i].len == len && slots[i].libctx == libctx
            && same_propq(slots[i].propq, propq) && memcmp(slots[i].der, der, len) == 0) {
            if (slots[i].x == NULL)
                *bad = 1;
            else if (X509_up_ref(slots[i].x))
                x = slots[i].x;
        }
    CRYPTO_THREAD_unlock(lock);
    return x;
}

/* Under lock. */
static void empty(slot *s)
{
    OPENSSL_free(s->der);
    OPENSSL_free(s->propq);
    X509_free(s->x);
    memset(s, 0, sizeof(*s));
}

/*
 * Keep x for next time (frozen: in a scratch slot, and x NULL: bytes that do
 * not decode, kept only there); a failure only means no caching.
 */
static void insert(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq, X509 *x)
{
    unsigned char *copy = OPENSSL_memdup(der, len);
    char *pq = propq != NULL ? OPENSSL_strdup(propq) : NULL;
    slot *s;

    if (copy == NULL || (propq != NULL && pq == NULL) || (x != NULL && !X509_up_ref(x))) {
        OPENSSL_free(copy);
        OPENSSL_free(pq);
        return;
    }
    if (!CRYPTO_THREAD_write_lock(lock)) {
        OPENSSL_free(copy);
        OPENSSL_free(pq);
        X509_free(x);
        return;
    }
    if (!enabled || (x == NULL && !frozen)) {
        CRYPTO_THREAD_unlock(lock);
        OPENSSL_free(copy);
        OPENSSL_free(pq);
        X509_free(x);
        return;
    }
    if (frozen) {
        s = &slots[SLOTS + next_scratch];
        next_scratch = (next_scratch + 1) % SCRATCH;
    } else {
        s = &slots[next_victim];
        next_victim = (next_victim + 1) % SLOTS;
    }
    empty(s);
    s->der = copy;
    s->len = len;
    s->x = x;
    s->libctx = libctx;
    s->propq = pq;
    CRYPTO_THREAD_unlock(lock);
}

void attest_certcache_set_enabled(int on)
{
    size_t i;

    if (!CRYPTO_THREAD_run_once(&once, init_lock) || lock == NULL || !CRYPTO_THREAD_write_lock(lock))
        return;
    enabled = on != 0;
    frozen = 0;
    for (i = 0; i < SLOTS + SCRATCH; i++)
        if (!enabled || i >= SLOTS)
            empty(&slots[i]);
    CRYPTO_THREAD_unlock(lock);
}

void attest_certcache_drop_scratch(void)
{
    size_t i;

    if (!CRYPTO_THREAD_run_once(&once, init_lock) || lock == NULL || !CRYPTO_THREAD_write_lock(lock))
        return;
    for (i = SLOTS; i < SLOTS + SCRATCH; i++)
        empty(&slots[i]);
    CRYPTO_THREAD_unlock(lock);
}

void attest_certcache_freeze(void)
{
    if (!CRYPTO_THREAD_run_once(&once, init_lock) || lock == NULL || !CRYPTO_THREAD_write_lock(lock))
        return;
    frozen = 1;
    CRYPTO_THREAD_unlock(lock);
}

X509 *attest_cert_from_der_ex(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq)
{
    const unsigned char *p = der;
    X509 *x;
    int keep = 0, bad = 0;

    if (der == NULL || len == 0 || len > LONG_MAX)
        return NULL;
    if (CRYPTO_THREAD_run_once(&once, init_lock) && lock != NULL
        && ((x = lookup(der, len, libctx, propq, &keep, &bad)) != NULL || bad))
        return x;
    /* Decoded in the caller's library context: its key, and later its signature checks, use it. */
    if ((x = X509_new_ex(libctx, propq)) == NULL)
        return NULL;
    if (d2i_X509(&x, &p, (long)len) == NULL || p != der + len) {
        X509_free(x);
        if (keep == 2) /* frozen: the input's other readers need not try again */
            insert(der, len, libctx, propq, NULL);
        return NULL;
    }
    if (keep)
        insert(der, len, libctx, propq, x);
    return x;
}

X509 *attest_cert_from_der(const unsigned char *der, size_t len)
{
    return attest_cert_from_der_ex(der, len, NULL, NULL);
}

/* Under lock: the slot holding x (a slot holds a reference, so the same address is the same certificate). */
static slot *slot_of(const X509 *x)
{
    size_t i;

    for (i = 0; i < SLOTS + SCRATCH; i++)
        if (slots[i].x == x)
            return &slots[i];
    return NULL;
}

int attest_cert_sha256(const X509 *x, unsigned char out[32])
{
    unsigned int n = 0;
    slot *s;
    int found = 0;

    if (x == NULL || !CRYPTO_THREAD_run_once(&once, init_lock) || lock == NULL)
        return x != NULL && X509_digest(x, attest_sha256_md(), out, &n) && n == 32;
    if (CRYPTO_THREAD_read_lock(lock)) {
        if ((s = slot_of(x)) != NULL && s->has_sha256) {
            memcpy(out, s->sha256, sizeof(s->sha256));
            found = 1;
        }
        CRYPTO_THREAD_unlock(lock);
    }
    if (found)
        return 1;
    if (!X509_digest(x, attest_sha256_md(), out, &n) || n != 32)
        return 0;
    /* Kept for next time if x is (still) cached: computed on first use, not for every decode. */
    if (CRYPTO_THREAD_write_lock(lock)) {
        if ((s = slot_of(x)) != NULL) {
            memcpy(s->sha256, out, sizeof(s->sha256));
            s->has_sha256 = 1;
        }
        CRYPTO_THREAD_unlock(lock);
    }
    return 1;
}
