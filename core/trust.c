/*
 * Trust anchors from a plain directory (no rehash) and intermediates that
 * never become anchors.  Path validation is OpenSSL's X509_verify_cert.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/certfile.h"
#include "attest/certname.h"
#include "attest/certcache.h"
#include "attest/digest.h"
#include "attest/engine.h"
#include "attest/limits.h"
#include "attest/verdict.h"
#include "trust_index.h"
#include "trust_int.h"

#define MAX_TRUST_FILES 4096

attest_trust *attest_trust_new(void)
{
    return attest_trust_new_ex(NULL, NULL);
}

attest_trust *attest_trust_new_ex(OSSL_LIB_CTX *libctx, const char *propq)
{
    attest_trust *t = OPENSSL_zalloc(sizeof(*t));

    if (t == NULL)
        return NULL;
    t->libctx = libctx;
    if (propq != NULL && (t->propq = OPENSSL_strdup(propq)) == NULL) {
        OPENSSL_free(t);
        return NULL;
    }
    t->anchors = sk_X509_new_null();
    t->untrusted = sk_X509_new_null();
    t->lock = CRYPTO_THREAD_lock_new();
    t->cache = OPENSSL_zalloc(CACHE_SLOTS * sizeof(*t->cache));
    t->index = attest_trust_index_new();
    if (t->anchors == NULL || t->untrusted == NULL || t->lock == NULL || t->cache == NULL || t->index == NULL) {
        attest_trust_free(t);
        return NULL;
    }
    return t;
}

void attest_trust_free(attest_trust *t)
{
    size_t i;

    if (t == NULL)
        return;
    sk_X509_pop_free(t->anchors, X509_free);
    sk_X509_pop_free(t->untrusted, X509_free);
    attest_trust_index_free(t->index);
    X509_STORE_free(t->store);
    CRYPTO_THREAD_lock_free(t->lock);
    for (i = 0; t->cache != NULL && i < CACHE_SLOTS; i++)
        OPENSSL_free(t->cache[i]);
    OPENSSL_free(t->cache);
    OPENSSL_free(t->propq);
    attest_trust_free_scopes(t);
    OPENSSL_free(t);
}

static int push_ref(STACK_OF(X509) *sk, X509 *x)
{
    if (!X509_up_ref(x))
        return 0;
    if (!sk_X509_push(sk, x)) {
        X509_free(x);
        return 0;
    }
    return 1;
}

/* Chain results hold for the time and the certificates they were judged with: a change drops them. */
static void drop_cached_chains(attest_trust *t)
{
    size_t i;

    for (i = 0; t->cache != NULL && i < CACHE_SLOTS; i++) {
        OPENSSL_free(t->cache[i]);
        t->cache[i] = NULL;
    }
    t->generation++;
}

/* A certificate added to sk; an anchor added after the first chain goes into the store built then too. */
static int add_cert(attest_trust *t, STACK_OF(X509) *sk, X509 *x, int anchor)
{
    int locked = CRYPTO_THREAD_write_lock(t->lock), ok;

    ok = push_ref(sk, x) && (!anchor || t->store == NULL || X509_STORE_add_cert(t->store, x));
    drop_cached_chains(t);
    if (locked)
        CRYPTO_THREAD_unlock(t->lock);
    return ok ? 0 : -1;
}

int attest_trust_add_anchor(attest_trust *t, X509 *x)
{
    return add_cert(t, t->anchors, x, 1);
}

int attest_trust_add_untrusted(attest_trust *t, X509 *x)
{
    return add_cert(t, t->untrusted, x, 0);
}

void attest_trust_set_time(attest_trust *t, time_t when)
{
    int locked = CRYPTO_THREAD_write_lock(t->lock);

    if (!t->time_set || t->at_time != when)
        drop_cached_chains(t);
    t->at_time = when;
    t->time_set = 1;
    t->time_given = 1;
    if (locked)
        CRYPTO_THREAD_unlock(t->lock);
}

void attest_trust_pin_time(attest_trust *t)
{
    if (!t->time_set) {
        t->at_time = time(NULL);
        t->time_set = 1;
    }
}

int attest_trust_time(const attest_trust *ct, time_t *when)
{
    attest_trust *t = (attest_trust *)ct; /* pinning is not part of the trust's value */
    int given;

    if (!CRYPTO_THREAD_write_lock(t->lock)) {
        *when = time(NULL);
        return 0;
    }
    attest_trust_pin_time(t);
    *when = t->at_time;
    given = t->time_given;
    CRYPTO_THREAD_unlock(t->lock);
    return given;
}

void attest_time_text(time_t when, char *buf, size_t len)
{
    struct tm tm;

    if (OPENSSL_gmtime(&when, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "%lld (Unix seconds)", (long long)when);
}

size_t attest_trust_anchor_count(const attest_trust *t)
{
    return (size_t)sk_X509_num(t->anchors) + attest_trust_index_pending(t->index);
}

/* A regular, non-empty file within the input cap, opened; NULL with why. */
static BIO *open_cert_file(const char *path, char *why, size_t whylen)
{
    struct stat st;
    BIO *b;

    if (stat(path, &st) != 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "not a regular file");
        return NULL;
    }
    if (st.st_size == 0 || st.st_size > ATTEST_MAX_INPUT) {
        snprintf(why, whylen, st.st_size == 0 ? "empty file" : "larger than the input cap");
        return NULL;
    }
    if ((b = BIO_new_file(path, "rb")) == NULL)
        snprintf(why, whylen, "cannot open: %s", strerror(errno));
    return b;
}

/* All certificates of a PEM file, or the one of a DER file; 0 certs is not an error here. */
static int load_certs(const char *path, STACK_OF(X509) *into, int *count, char *why, size_t whylen)
{
    BIO *b;
    int n;

    if ((b = open_cert_file(path, why, whylen)) == NULL)
        return -1;
    n = attest_certs_read(b, into);
    BIO_free(b);
    *count = n > 0 ? n : 0;
    if (n < 0)
        snprintf(why, whylen, "out of memory");
    else if (n == 0)
        snprintf(why, whylen, "no certificate in it");
    return n < 0 ? -1 : 0;
}

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The provenance notes shipped beside anchors (PROVENANCE.md) are not certificates. */
static int is_provenance(const char *name)
{
    size_t n = strlen(name);

    return n > 3 && strcmp(name + n - 3, ".md") == 0;
}

int attest_trust_add_dir(attest_trust *t, const char *dir, attest_notice_fn notice, void *arg, attest_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096], msg[4096 + 320], why[128];
    int files = 0;

    if (d == NULL) {
        attest_err_set(err, "%s: cannot open trust directory: %s", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        int n = 0, r = -1;
        BIO *b;

        if (e->d_name[0] == '.')
            continue;
        if (++files > MAX_TRUST_FILES) {
            closedir(d);
            attest_err_set(err, "%s: more than %d files in the trust directory", dir, MAX_TRUST_FILES);
            return -1;
        }
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
            continue;
        if (is_dir(path)) {
            /* A subdirectory holds one evidence engine's anchors (anchors/yubikey/...). */
            char known[160];

            if (t->is_scope || !attest_trust_is_scope_name(t, e->d_name, known, sizeof(known))) {
                if (notice != NULL) {
                    if (t->is_scope)
                        snprintf(msg, sizeof(msg), "skipping %s: a directory inside a vendor anchor directory", path);
                    else
                        snprintf(msg, sizeof(msg),
                                 "skipping %s: a directory, and not one of the vendor anchor directories (%s)", path,
                                 known);
                    notice(arg, msg);
                }
            } else if (attest_trust_add_scope_dir(t, e->d_name, path, notice, arg, err) != 0) {
                closedir(d);
                return -1;
            }
            continue;
        }
        if (is_provenance(e->d_name))
            continue;
        /* Indexed, not decoded: anchors no chain reaches cost no key decode. */
        if ((b = open_cert_file(path, why, sizeof(why))) != NULL) {
            r = attest_trust_index_read(t->index, b, &n);
            BIO_free(b);
            if (n == 0)
                snprintf(why, sizeof(why), r == 0 ? "no certificate in it" : "out of memory");
        }
        if (r != 0 || n == 0) {
            if (notice != NULL) {
                snprintf(msg, sizeof(msg), "skipping %s: %s", path, why);
                notice(arg, msg);
            }
        }
    }
    closedir(d);
    if (attest_trust_anchor_count(t) + attest_trust_scoped_anchor_count(t) == 0) {
        attest_err_set(err, "%s: no certificate found in the trust directory", dir);
        return -1;
    }
    return 0;
}

int attest_trust_add_file(attest_trust *t, const char *file, attest_err *err)
{
    char why[128];
    int n = 0;

    if (load_certs(file, t->anchors, &n, why, sizeof(why)) != 0 || n == 0) {
        attest_err_set(err, "%s: %s", file, why);
        return -1;
    }
    return 0;
}

int attest_trust_add_untrusted_file(attest_trust *t, const char *file, attest_err *err)
{
    STACK_OF(X509) *in = sk_X509_new_null();
    char why[128], subj[96];
    int n = 0, i, bits, ok = -1;

    if (in == NULL || load_certs(file, in, &n, why, sizeof(why)) != 0 || n == 0) {
        attest_err_set(err, "%s: %s", file, in == NULL ? "out of memory" : why);
        goto done;
    }
    /* Chain building would verify signatures with these keys: the exponent cap of limits.h holds here too. */
    for (i = 0; i < n; i++) {
        if ((bits = attest_rsa_exponent_bits(X509_get0_pubkey(sk_X509_value(in, i)))) > ATTEST_MAX_RSA_EXPONENT_BITS) {
            X509_NAME_oneline(X509_get_subject_name(sk_X509_value(in, i)), subj, sizeof(subj));
            attest_err_set(err, "%s: certificate %d %s has a %d-bit RSA public exponent (at most %d bits are accepted)",
                           file, i + 1, subj, bits, ATTEST_MAX_RSA_EXPONENT_BITS);
            goto done;
        }
    }
    for (i = 0; i < n; i++)
        if (attest_trust_add_untrusted(t, sk_X509_value(in, i)) != 0) {
            attest_err_set(err, "%s: out of memory", file);
            goto done;
        }
    ok = 0;
done:
    sk_X509_pop_free(in, X509_free);
    return ok;
}

/* Under the lock: freshly decoded anchors join the anchors and, once it is built, the store (borrowed into seen). */
static int adopt(attest_trust *t, STACK_OF(X509) *fresh, STACK_OF(X509) *seen)
{
    X509 *x;

    while ((x = sk_X509_shift(fresh)) != NULL) {
        if (!sk_X509_push(t->anchors, x)) {
            X509_free(x);
            return -1;
        }
        if ((t->store != NULL && !X509_STORE_add_cert(t->store, x)) || (seen != NULL && !sk_X509_push(seen, x)))
            return -1;
    }
    return 0;
}

/* A search by key or key id looks at all of them. */
void attest_trust_take_all(attest_trust *t)
{
    STACK_OF(X509) *fresh;

    if (attest_trust_index_pending(t->index) == 0 || (fresh = sk_X509_new_null()) == NULL)
        return;
    if (attest_trust_index_take(t->index, NULL, t->libctx, t->propq, fresh) >= 0)
        (void)adopt(t, fresh, NULL);
    sk_X509_pop_free(fresh, X509_free);
}

/*
 * Under the lock: the indexed anchors a path from leaf can reach, decoded.  A
 * path only meets anchors named as the issuer of a certificate on it (or the
 * leaf itself, as any anchor may be the top), so: the subjects named by leaf,
 * extra and the intermediates, and then by the anchors that brings in.
 */
static int take_for_chain(attest_trust *t, X509 *leaf, STACK_OF(X509) *extra)
{
    STACK_OF(X509) *seen = NULL, *fresh = NULL;
    int i, ok = -1;

    if (attest_trust_index_pending(t->index) == 0)
        return 0;
    if ((seen = sk_X509_new_null()) == NULL || (fresh = sk_X509_new_null()) == NULL || !sk_X509_push(seen, leaf)
        || attest_trust_index_take(t->index, X509_get_subject_name(leaf), t->libctx, t->propq, fresh) < 0
        || adopt(t, fresh, seen) != 0)
        goto done;
    for (i = 0; i < sk_X509_num(extra); i++)
        if (!sk_X509_push(seen, sk_X509_value(extra, i)))
            goto done;
    for (i = 0; i < sk_X509_num(t->untrusted); i++)
        if (!sk_X509_push(seen, sk_X509_value(t->untrusted, i)))
            goto done;
    for (i = 0; i < sk_X509_num(seen) && attest_trust_index_pending(t->index) > 0; i++)
        if (attest_trust_index_take(t->index, X509_get_issuer_name(sk_X509_value(seen, i)), t->libctx, t->propq, fresh)
                < 0
            || adopt(t, fresh, seen) != 0)
            goto done;
    ok = 0;
done:
    sk_X509_pop_free(fresh, X509_free);
    sk_X509_free(seen);
    return ok;
}

X509 *attest_trust_find_by_skid(const attest_trust *ct, const unsigned char *kid, size_t len)
{
    attest_trust *t = (attest_trust *)ct; /* decoding the index does not change the trust's value */
    STACK_OF(X509) *lists[2] = { t->anchors, t->untrusted };
    X509 *found = NULL;
    int l, i;

    if (!CRYPTO_THREAD_write_lock(t->lock))
        return NULL;
    attest_trust_take_all(t);
    for (l = 0; l < 2 && found == NULL; l++) {
        for (i = 0; i < sk_X509_num(lists[l]) && found == NULL; i++) {
            X509 *x = sk_X509_value(lists[l], i);
            const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(x);

            if (skid != NULL && (size_t)skid->length == len && memcmp(skid->data, kid, len) == 0)
                found = x;
        }
    }
    CRYPTO_THREAD_unlock(t->lock);
    return found;
}

X509 *attest_trust_find_by_pubkey(const attest_trust *ct, EVP_PKEY *key)
{
    attest_trust *t = (attest_trust *)ct;
    STACK_OF(X509) *lists[2] = { t->anchors, t->untrusted };
    X509 *found = NULL;
    int l, i;

    if (!CRYPTO_THREAD_write_lock(t->lock))
        return NULL;
    attest_trust_take_all(t);
    ERR_set_mark(); /* keys of other types compare unequal, with an error we do not want */
    for (l = 0; found == NULL && l < 2; l++) {
        for (i = 0; found == NULL && i < sk_X509_num(lists[l]); i++) {
            X509 *x = sk_X509_value(lists[l], i);
            EVP_PKEY *k = X509_get0_pubkey(x);

            if (k != NULL && EVP_PKEY_eq(k, key) == 1)
                found = x;
        }
    }
    ERR_pop_to_mark();
    CRYPTO_THREAD_unlock(t->lock);
    return found;
}

void attest_trust_cache_stats(const attest_trust *t, size_t *hits, size_t *misses)
{
    *hits = t->hits;
    *misses = t->misses;
}

void attest_trust_set_cache(attest_trust *t, int on)
{
    t->no_cache = !on;
    t->cache_frozen = 0;
}

void attest_trust_freeze_cache(attest_trust *t)
{
    t->cache_frozen = 1;
}

/*
 * SHA-256 over the SHA-256 of the leaf and of each other certificate, in
 * order: the leaf always (no others: a NULL stack).  The certificates' own
 * digests come from the certificate cache, where a batch's chains live.
 */
static int cache_key(X509 *leaf, STACK_OF(X509) *extra, unsigned char key[SHA256_DIGEST_LENGTH])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char d[SHA256_DIGEST_LENGTH];
    int i, n_extra = extra != NULL ? sk_X509_num(extra) : 0;
    int ok = md != NULL && leaf != NULL && EVP_DigestInit_ex(md, attest_sha256_md(), NULL);

    for (i = -1; ok && i < n_extra; i++)
        ok = attest_cert_sha256(i < 0 ? leaf : sk_X509_value(extra, i), d) && EVP_DigestUpdate(md, d, sizeof(d));
    ok = ok && EVP_DigestFinal_ex(md, key, NULL);
    EVP_MD_CTX_free(md);
    return ok;
}

/* The entry for key, or NULL; for_insert: its slot, a new entry allocated (NULL when full or out of memory). */
static chain_entry *cache_slot(attest_trust *t, const unsigned char *key, int for_insert)
{
    size_t i, h = ((size_t)key[0] << 8 | key[1]) % CACHE_SLOTS;

    for (i = 0; i < CACHE_SLOTS; i++) {
        chain_entry **slot = &t->cache[(h + i) % CACHE_SLOTS];

        if (*slot == NULL)
            return for_insert ? (*slot = OPENSSL_zalloc(sizeof(**slot))) : NULL;
        if (memcmp((*slot)->key, key, SHA256_DIGEST_LENGTH) == 0)
            return *slot;
    }
    return NULL;
}

/* The store holds the anchors only; it is built once and shared (X509_STORE locks itself). */
static X509_STORE *get_store(attest_trust *t)
{
    X509_STORE *s;
    int i;

    if ((s = X509_STORE_new()) == NULL)
        return NULL;
    for (i = 0; i < sk_X509_num(t->anchors); i++) {
        if (!X509_STORE_add_cert(s, sk_X509_value(t->anchors, i))) {
            X509_STORE_free(s);
            return NULL;
        }
    }
    return s;
}

/* SHA-256 of the top of a validated chain: the anchor it ended at, for the verdict's records. */
static int anchor_digest(X509_STORE_CTX *ctx, unsigned char *anchor)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);

    return anchor == NULL
        || (sk_X509_num(chain) > 0 && attest_cert_sha256(sk_X509_value(chain, sk_X509_num(chain) - 1), anchor));
}

/*
 * *verdict: 1 when the result is about the chain itself and may be cached.
 * OpenSSL 3.0 reports a failed allocation in X509_verify_cert as an ordinary
 * chain error (a signature failure, a missing issuer), so only a validated
 * chain is known to be the chain's own answer; failures are checked again.
 */
static int verify_uncached(attest_trust *t, X509 *leaf, STACK_OF(X509) *extra, attest_err *err, unsigned char *anchor,
                           int *verdict)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new_ex(t->libctx, t->propq);
    STACK_OF(X509) *chain_in = sk_X509_new_null();
    X509_VERIFY_PARAM *vp;
    char when[48];
    int i, ok = -1;

    *verdict = 0;
    ERR_set_mark();
    if (ctx == NULL || chain_in == NULL)
        goto oom;
    for (i = 0; i < sk_X509_num(t->untrusted); i++)
        if (!sk_X509_push(chain_in, sk_X509_value(t->untrusted, i)))
            goto oom;
    for (i = 0; i < sk_X509_num(extra); i++)
        if (!sk_X509_push(chain_in, sk_X509_value(extra, i)))
            goto oom;
    if (!X509_STORE_CTX_init(ctx, t->store, leaf, chain_in))
        goto oom;
    vp = X509_STORE_CTX_get0_param(ctx);
    /* Any certificate in the trust directory is an anchor, root or not. */
    X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_depth(vp, ATTEST_MAX_CHAIN_DEPTH);
    X509_VERIFY_PARAM_set_time(vp, t->at_time);
    attest_time_text(t->at_time, when, sizeof(when));
    if (X509_verify_cert(ctx) == 1) {
        ok = 0;
        *verdict = anchor_digest(ctx, anchor);
        attest_err_set(err, "at %s", when); /* the time is part of what was verified */
    } else {
        int e = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
        X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
        char name[160] = "?", bound[48] = "";

        if (bad != NULL)
            attest_cert_name(bad, name, sizeof(name));
        if (bad != NULL && (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID)) {
            const ASN1_TIME *at = e == X509_V_ERR_CERT_HAS_EXPIRED ? X509_get0_notAfter(bad) : X509_get0_notBefore(bad);
            struct tm tm;

            if (ASN1_TIME_to_tm(at, &tm))
                strftime(bound, sizeof(bound), "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        if (e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
            /* The issuer is missing, not wrong: say where it can come from. */
            attest_err_set(err,
                           "%s: no issuer of %s (depth %d) among the anchors and intermediates at %s; add the "
                           "issuing CA certificate with --untrusted FILE (or new --ak-chain), or its root to the "
                           "trust anchors",
                           X509_verify_cert_error_string(e), name, depth, when);
        else if (bound[0])
            attest_err_set(err, "%s: %s (depth %d) %s %s, judged at %s", X509_verify_cert_error_string(e), name, depth,
                           e == X509_V_ERR_CERT_HAS_EXPIRED ? "expired at" : "is valid only from", bound, when);
        else
            attest_err_set(err, "%s: %s (depth %d) at %s", X509_verify_cert_error_string(e), name, depth, when);
    }
    goto done;
oom:
    attest_err_set(err, "out of memory building the chain");
done:
    ERR_pop_to_mark();
    sk_X509_free(chain_in);
    X509_STORE_CTX_free(ctx);
    return ok;
}

/*
 * Path validation through X509_verify_cert.  Batches meet the same AK chains
 * again and again, so validated chains are cached for the run, keyed by the exact
 * certificate bytes; the verification time is pinned at first use.
 */
int attest_trust_verify(const attest_trust *ct, X509 *leaf, STACK_OF(X509) *extra, attest_err *err)
{
    return attest_trust_verify_anchor(ct, leaf, extra, err, NULL);
}

int attest_trust_verify_anchor(const attest_trust *ct, X509 *leaf, STACK_OF(X509) *extra, attest_err *err,
                               unsigned char *anchor)
{
    attest_trust *t = (attest_trust *)ct; /* the cache is not part of the trust's value */
    unsigned char key[SHA256_DIGEST_LENGTH], e_anchor[SHA256_DIGEST_LENGTH] = { 0 };
    chain_entry *e;
    attest_err msg;
    unsigned long generation;
    int have_key, ok, verdict;

    if (!CRYPTO_THREAD_write_lock(t->lock)) {
        attest_err_set(err, "cannot lock the trust store");
        return -1;
    }
    attest_trust_pin_time(t);
    if (t->store == NULL && (t->store = get_store(t)) == NULL) {
        CRYPTO_THREAD_unlock(t->lock);
        attest_err_set(err, "out of memory building the trust store");
        return -1;
    }
    have_key = !t->no_cache && cache_key(leaf, extra, key);
    if (have_key && (e = cache_slot(t, key, 0)) != NULL) {
        t->hits++;
        ok = e->ok;
        attest_err_set(err, "%s", e->msg);
        if (anchor != NULL && ok == 0)
            memcpy(anchor, e->anchor, sizeof(e->anchor));
        CRYPTO_THREAD_unlock(t->lock);
        return ok;
    }
    t->misses++;
    generation = t->generation;
    if (take_for_chain(t, leaf, extra) != 0) {
        CRYPTO_THREAD_unlock(t->lock);
        attest_err_set(err, "out of memory building the trust store");
        return -1;
    }
    CRYPTO_THREAD_unlock(t->lock);

    ok = verify_uncached(t, leaf, extra, &msg, e_anchor, &verdict);
    if (err != NULL)
        *err = msg;
    if (anchor != NULL && ok == 0)
        memcpy(anchor, e_anchor, sizeof(e_anchor));

    /* Only what the chain itself decided holds for the rest of the batch. */
    if (have_key && verdict && !t->cache_frozen && CRYPTO_THREAD_write_lock(t->lock)) {
        /* judged while another thread set a new time or anchor: not stored */
        if (generation == t->generation && (e = cache_slot(t, key, 1)) != NULL && !e->used) {
            memcpy(e->key, key, sizeof(key));
            e->used = 1;
            e->ok = ok;
            snprintf(e->msg, sizeof(e->msg), "%s", msg.msg);
            memcpy(e->anchor, e_anchor, sizeof(e_anchor));
        }
        CRYPTO_THREAD_unlock(t->lock);
    }
    return ok;
}
