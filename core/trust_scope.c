/* Vendor anchor scopes of the trust store (include/attest/trust_scope.h). */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>

#include "attest/certname.h"
#include "attest/limits.h"
#include "attest/trust_scope.h"
#include "trust_int.h"

static attest_trust *find_scope(const attest_trust *t, const char *name)
{
    size_t i;

    for (i = 0; t != NULL && name != NULL && i < t->n_scopes; i++)
        if (strcmp(t->scopes[i].name, name) == 0)
            return t->scopes[i].t;
    return NULL;
}

int attest_trust_add_scope_dir(attest_trust *t, const char *name, const char *dir, attest_notice_fn notice, void *arg,
                               attest_err *err)
{
    attest_trust *s = find_scope(t, name);
    struct attest_trust_scope *grown;

    if (strlen(name) >= sizeof(t->scopes[0].name)) {
        attest_err_set(err, "%s: vendor anchor directory name too long", dir);
        return -1;
    }
    if (s == NULL) {
        if (t->n_scopes == MAX_SCOPES) {
            attest_err_set(err, "%s: more than %d vendor anchor directories", dir, MAX_SCOPES);
            return -1;
        }
        if ((grown = OPENSSL_realloc(t->scopes, (t->n_scopes + 1) * sizeof(*grown))) == NULL
            || (s = attest_trust_new_ex(t->libctx, t->propq)) == NULL) {
            if (grown != NULL)
                t->scopes = grown;
            attest_err_set(err, "out of memory");
            return -1;
        }
        t->scopes = grown;
        s->is_scope = 1;
        snprintf(t->scopes[t->n_scopes].name, sizeof(t->scopes[0].name), "%s", name);
        t->scopes[t->n_scopes++].t = s;
    }
    return attest_trust_add_dir(s, dir, notice, arg, err);
}

int attest_trust_set_scope_names(attest_trust *t, const char *const *names, size_t n)
{
    size_t i, len = 2;
    char *s;

    for (i = 0; i < n; i++)
        len += strlen(names[i]) + 1;
    if ((s = OPENSSL_malloc(len)) == NULL)
        return -1;
    strcpy(s, ",");
    for (i = 0; i < n; i++) {
        strcat(s, names[i]);
        strcat(s, ",");
    }
    OPENSSL_free(t->scope_names);
    t->scope_names = s;
    return 0;
}

int attest_trust_is_scope_name(const attest_trust *t, const char *name, char *known, size_t cap)
{
    char want[40];
    const char *p;
    size_t n;

    if (t->scope_names == NULL)
        return 1;
    /* ",a,b," -> "a, b" */
    for (n = 0, p = t->scope_names + 1; *p != '\0' && n + 3 < cap; p++) {
        if (*p != ',')
            known[n++] = *p;
        else if (p[1] != '\0') {
            known[n++] = ',';
            known[n++] = ' ';
        }
    }
    if (cap > 0)
        known[n < cap ? n : cap - 1] = '\0';
    return snprintf(want, sizeof(want), ",%s,", name) < (int)sizeof(want) && strstr(t->scope_names, want) != NULL;
}

void attest_trust_free_scopes(attest_trust *t)
{
    size_t i;

    OPENSSL_free(t->scope_names);
    t->scope_names = NULL;
    for (i = 0; i < t->n_scopes; i++)
        attest_trust_free(t->scopes[i].t);
    OPENSSL_free(t->scopes);
    t->scopes = NULL;
    t->n_scopes = 0;
}

size_t attest_trust_scoped_anchor_count(const attest_trust *t)
{
    size_t i, n = 0;

    for (i = 0; i < t->n_scopes; i++)
        n += attest_trust_anchor_count(t->scopes[i].t);
    return n;
}

size_t attest_trust_scope_anchor_count(const attest_trust *t, const char *scope)
{
    attest_trust *s = find_scope(t, scope);

    return s != NULL ? attest_trust_anchor_count(s) : 0;
}

void attest_trust_scope_names(const attest_trust *t, char *buf, size_t len)
{
    size_t i, n = 0;

    if (len > 0)
        buf[0] = '\0';
    for (i = 0; i < t->n_scopes && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", t->scopes[i].name);
}

/* A store of the scope's anchors for one verification: the hooks are the store's. */
static X509_STORE *scope_store(attest_trust *s, const attest_chain_hooks *hooks)
{
    X509_STORE *store = X509_STORE_new();
    int i, ok = store != NULL;

    if (!CRYPTO_THREAD_write_lock(s->lock)) {
        X509_STORE_free(store);
        return NULL;
    }
    attest_trust_take_all(s);
    for (i = 0; ok && i < sk_X509_num(s->anchors); i++)
        ok = X509_STORE_add_cert(store, sk_X509_value(s->anchors, i));
    CRYPTO_THREAD_unlock(s->lock);
    if (ok && hooks != NULL && hooks->check_issued != NULL)
        X509_STORE_set_check_issued(store, hooks->check_issued);
    if (!ok) {
        X509_STORE_free(store);
        return NULL;
    }
    return store;
}

int attest_trust_verify_scoped(const attest_trust *ct, const char *scope, X509 *leaf, STACK_OF(X509) *extra,
                               const attest_chain_hooks *hooks, attest_err *err, STACK_OF(X509) **chain)
{
    attest_trust *t = (attest_trust *)ct, *s = find_scope(t, scope);
    X509_STORE *store = NULL;
    X509_STORE_CTX *ctx = NULL;
    STACK_OF(X509) *in = NULL;
    char when[48], name[160] = "?";
    time_t at;
    int i, ok = -1;

    if (chain != NULL)
        *chain = NULL;
    if (!CRYPTO_THREAD_write_lock(t->lock)) {
        attest_err_set(err, "cannot lock the trust store");
        return -1;
    }
    attest_trust_pin_time(t);
    at = t->at_time;
    CRYPTO_THREAD_unlock(t->lock);
    attest_time_text(at, when, sizeof(when));
    if (s == NULL || attest_trust_anchor_count(s) == 0) {
        attest_err_set(err,
                       "no %s anchors: give --trust-dir a directory with a %s/ subdirectory (the shipped "
                       "anchors/ directory has one)",
                       scope, scope);
        return -1;
    }
    ERR_set_mark();
    if ((store = scope_store(s, hooks)) == NULL || (ctx = X509_STORE_CTX_new_ex(t->libctx, t->propq)) == NULL
        || (in = sk_X509_new_null()) == NULL)
        goto oom;
    for (i = 0; i < sk_X509_num(t->untrusted); i++)
        if (!sk_X509_push(in, sk_X509_value(t->untrusted, i)))
            goto oom;
    for (i = 0; i < sk_X509_num(extra); i++)
        if (!sk_X509_push(in, sk_X509_value(extra, i)))
            goto oom;
    if (!X509_STORE_CTX_init(ctx, store, leaf, in))
        goto oom;
    X509_VERIFY_PARAM_set_depth(X509_STORE_CTX_get0_param(ctx), ATTEST_MAX_CHAIN_DEPTH);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at);
    if (hooks != NULL) {
        X509_STORE_CTX_set_app_data(ctx, hooks->app_data);
        if (hooks->verify_cb != NULL)
            X509_STORE_CTX_set_verify_cb(ctx, hooks->verify_cb);
    }
    if (X509_verify_cert(ctx) == 1) {
        ok = 0;
        attest_err_set(err, "at %s", when);
        if (chain != NULL && (*chain = X509_STORE_CTX_get1_chain(ctx)) == NULL)
            goto oom;
    } else {
        int e = X509_STORE_CTX_get_error(ctx);
        X509 *bad = X509_STORE_CTX_get_current_cert(ctx);

        if (bad != NULL)
            attest_cert_name(bad, name, sizeof(name));
        attest_err_set(err, "%s: %s (depth %d) at %s", X509_verify_cert_error_string(e), name,
                       X509_STORE_CTX_get_error_depth(ctx), when);
    }
    goto done;
oom:
    ok = -1;
    attest_err_set(err, "out of memory building the chain");
done:
    ERR_pop_to_mark();
    sk_X509_free(in);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ok;
}
