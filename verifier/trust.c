/*
 * Trust anchors from a plain directory (no rehash) and intermediates that
 * never become anchors.  Path validation is OpenSSL's X509_verify_cert.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/limits.h"
#include "attest/verify.h"

#define MAX_TRUST_FILES 4096

struct attest_trust {
    STACK_OF(X509) *anchors;
    STACK_OF(X509) *untrusted;
    time_t at_time;              /* 0: now */
};

attest_trust *attest_trust_new(void)
{
    attest_trust *t = OPENSSL_zalloc(sizeof(*t));

    if (t == NULL)
        return NULL;
    t->anchors = sk_X509_new_null();
    t->untrusted = sk_X509_new_null();
    if (t->anchors == NULL || t->untrusted == NULL) {
        attest_trust_free(t);
        return NULL;
    }
    return t;
}

void attest_trust_free(attest_trust *t)
{
    if (t == NULL)
        return;
    sk_X509_pop_free(t->anchors, X509_free);
    sk_X509_pop_free(t->untrusted, X509_free);
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

int attest_trust_add_anchor(attest_trust *t, X509 *x)
{
    return push_ref(t->anchors, x) ? 0 : -1;
}

int attest_trust_add_untrusted(attest_trust *t, X509 *x)
{
    return push_ref(t->untrusted, x) ? 0 : -1;
}

void attest_trust_set_time(attest_trust *t, time_t when)
{
    t->at_time = when;
}

size_t attest_trust_anchor_count(const attest_trust *t)
{
    return (size_t)sk_X509_num(t->anchors);
}

/* All certificates of a PEM file, or the one of a DER file; 0 certs is not an error here. */
static int load_certs(const char *path, STACK_OF(X509) *into, int *count, char *why, size_t whylen)
{
    BIO *b = NULL;
    X509 *x;
    struct stat st;
    int n = 0, ok = -1;

    if (stat(path, &st) != 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "not a regular file");
        return -1;
    }
    if (st.st_size == 0 || st.st_size > ATTEST_MAX_INPUT) {
        snprintf(why, whylen, st.st_size == 0 ? "empty file" : "larger than the input cap");
        return -1;
    }
    if ((b = BIO_new_file(path, "rb")) == NULL) {
        snprintf(why, whylen, "cannot open: %s", strerror(errno));
        return -1;
    }
    ERR_set_mark();
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(into, x)) {
            X509_free(x);
            goto done;
        }
        n++;
    }
    if (n == 0) {
        (void)BIO_reset(b);
        if ((x = d2i_X509_bio(b, NULL)) != NULL) {
            if (!sk_X509_push(into, x)) {
                X509_free(x);
                goto done;
            }
            n = 1;
        }
    }
    ok = 0;
done:
    ERR_pop_to_mark();
    BIO_free(b);
    *count = n;
    if (n == 0)
        snprintf(why, whylen, "no certificate in it");
    return ok;
}

int attest_trust_add_dir(attest_trust *t, const char *dir, attest_notice_fn notice, void *arg, attest_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096], msg[4096 + 160], why[128];
    int files = 0;

    if (d == NULL) {
        attest_err_set(err, "%s: cannot open trust directory: %s", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        int n = 0;

        if (e->d_name[0] == '.')
            continue;
        if (++files > MAX_TRUST_FILES) {
            closedir(d);
            attest_err_set(err, "%s: more than %d files in the trust directory", dir, MAX_TRUST_FILES);
            return -1;
        }
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
            continue;
        if (load_certs(path, t->anchors, &n, why, sizeof(why)) != 0 || n == 0) {
            if (notice != NULL) {
                snprintf(msg, sizeof(msg), "skipping %s: %s", path, why);
                notice(arg, msg);
            }
        }
    }
    closedir(d);
    if (sk_X509_num(t->anchors) == 0) {
        attest_err_set(err, "%s: no certificate found in the trust directory", dir);
        return -1;
    }
    return 0;
}

int attest_trust_add_untrusted_file(attest_trust *t, const char *file, attest_err *err)
{
    char why[128];
    int n = 0;

    if (load_certs(file, t->untrusted, &n, why, sizeof(why)) != 0 || n == 0) {
        attest_err_set(err, "%s: %s", file, why);
        return -1;
    }
    return 0;
}

X509 *attest_trust_find_by_skid(const attest_trust *t, const unsigned char *kid, size_t len)
{
    STACK_OF(X509) *lists[2] = { t->anchors, t->untrusted };
    int l, i;

    for (l = 0; l < 2; l++) {
        for (i = 0; i < sk_X509_num(lists[l]); i++) {
            X509 *x = sk_X509_value(lists[l], i);
            const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(x);

            if (skid != NULL && (size_t)skid->length == len && memcmp(skid->data, kid, len) == 0)
                return x;
        }
    }
    return NULL;
}

int attest_trust_verify(const attest_trust *t, X509 *leaf, STACK_OF(X509) *extra, attest_err *err)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *chain_in = sk_X509_new_null();
    X509_VERIFY_PARAM *vp;
    int i, ok = -1;

    if (store == NULL || ctx == NULL || chain_in == NULL) {
        attest_err_set(err, "out of memory");
        goto done;
    }
    for (i = 0; i < sk_X509_num(t->anchors); i++)
        if (!X509_STORE_add_cert(store, sk_X509_value(t->anchors, i)))
            goto oom;
    for (i = 0; i < sk_X509_num(t->untrusted); i++)
        if (!sk_X509_push(chain_in, sk_X509_value(t->untrusted, i)))
            goto oom;
    for (i = 0; i < sk_X509_num(extra); i++)
        if (!sk_X509_push(chain_in, sk_X509_value(extra, i)))
            goto oom;
    if (!X509_STORE_CTX_init(ctx, store, leaf, chain_in))
        goto oom;
    vp = X509_STORE_CTX_get0_param(ctx);
    /* Any certificate in the trust directory is an anchor, root or not. */
    X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_depth(vp, ATTEST_MAX_CHAIN_DEPTH);
    if (t->at_time != 0)
        X509_VERIFY_PARAM_set_time(vp, t->at_time);
    if (X509_verify_cert(ctx) == 1) {
        ok = 0;
    } else {
        int e = X509_STORE_CTX_get_error(ctx);

        attest_err_set(err, "%s (depth %d)", X509_verify_cert_error_string(e), X509_STORE_CTX_get_error_depth(ctx));
    }
    goto done;
oom:
    attest_err_set(err, "out of memory building the chain");
done:
    ERR_clear_error();
    sk_X509_free(chain_in);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ok;
}
