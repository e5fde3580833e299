/*
 * What the vendor engines share: named quirks, chains to their own anchors
 * (with the quirks' hooks), anchor expiry, key binding by public key.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "attest/certname.h"
#include "attest/certcache.h"
#include "attest/engine.h"
#include "attest/keys.h"
#include "attest/spki_key.h"
#include "attest/trust_scope.h"

#define ANCHOR_WARN_DAYS 90

static void add_name(char *list, size_t cap, const char *name)
{
    size_t n = strlen(list), k = strlen(name);
    const char *p = list;

    while ((p = strstr(p, name)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[k] == ',' || p[k] == '\0'))
            return; /* already listed */
        p += k;
    }
    if (n + k + 3 < cap)
        snprintf(list + n, cap - n, "%s%s", n ? ", " : "", name);
}

int attest_vctx_quirk(attest_vctx *v, const char *name)
{
    size_t i;
    int known = 0;

    for (i = 0; v->engine != NULL && i < v->engine->n_quirks; i++)
        known |= strcmp(v->engine->quirks[i].name, name) == 0;
    if (!known || v->p->policy->strict_shape) {
        add_name(v->quirks_refused, sizeof(v->quirks_refused), name);
        return 0;
    }
    add_name(v->quirks_used, sizeof(v->quirks_used), name);
    return 1;
}

void attest_vctx_quirks_check(const attest_vctx *v, attest_checks *c)
{
    if (v->quirks_refused[0] != '\0')
        attest_fail(c, CHK_POLICY_QUIRKS, "vendor quirks refused by --strict: %s", v->quirks_refused);
    else if (v->quirks_used[0] != '\0')
        attest_warn(c, CHK_POLICY_QUIRKS, "relaxed for real devices: %s (--strict refuses them; see attest(7))",
                    v->quirks_used);
}

typedef struct {
    attest_vctx *v;
    const attest_vendor_chain *o;
    int anchor_expired; /* the anchor's validity had passed: accepted, warned by chain.anchor-expiry */
} chain_state;

static int chain_cb(int ok, X509_STORE_CTX *ctx)
{
    chain_state *cs = X509_STORE_CTX_get_app_data(ctx);
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int e = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
    X509 *cert = X509_STORE_CTX_get_current_cert(ctx), *issuer;

    if (ok || cs == NULL || cert == NULL)
        return ok;
    /* RFC 5280 §6.1.1: an anchor is a key and a name; the certificate's dates are the vendor's bookkeeping. */
    if (e == X509_V_ERR_CERT_HAS_EXPIRED && depth == sk_X509_num(chain) - 1 && X509_self_signed(cert, 0) == 1) {
        cs->anchor_expired = 1;
        return 1;
    }
    issuer = depth + 1 < sk_X509_num(chain) ? sk_X509_value(chain, depth + 1) : cert;
    return cs->o->relax != NULL && cs->o->relax(cs->o->arg, cs->v, e, depth, cert, issuer);
}

/* An issuer whose name differs from the certificate's issuer field, found by the key that signed it. */
static int issued_by_key(X509_STORE_CTX *ctx, X509 *x, X509 *issuer)
{
    chain_state *cs = X509_STORE_CTX_get_app_data(ctx);
    EVP_PKEY *k;

    if (X509_check_issued(issuer, x) == X509_V_OK)
        return 1;
    if (cs == NULL || cs->o->issuer_by_signature == NULL || x == issuer || (k = X509_get0_pubkey(issuer)) == NULL)
        return 0;
    return X509_verify(x, k) == 1;
}

/* The first link of chain whose issuer name disagrees with the certificate above it; -1 when none. */
static int name_mismatch(STACK_OF(X509) *chain)
{
    int i;

    for (i = 0; i + 1 < sk_X509_num(chain); i++)
        if (X509_NAME_cmp(X509_get_issuer_name(sk_X509_value(chain, i)),
                          X509_get_subject_name(sk_X509_value(chain, i + 1)))
            != 0)
            return i;
    return -1;
}

static void anchor_expiry(attest_vctx *v, attest_submod *sub, X509 *anchor, int expired)
{
    time_t at = 0, soon;
    char name[160], date[48] = "?";
    const ASN1_TIME *na = X509_get0_notAfter(anchor);
    struct tm tm;

    attest_trust_time(v->p->trust, &at);
    soon = at + (time_t)ANCHOR_WARN_DAYS * 86400;
    attest_cert_name(anchor, name, sizeof(name));
    if (ASN1_TIME_to_tm(na, &tm))
        strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    if (expired && v->p->policy->strict_shape)
        attest_fail(&sub->checks, CHK_CHAIN_ANCHOR_EXPIRY, "anchor %s expired on %s (refused by --strict)", name, date);
    else if (expired || X509_cmp_time(na, &at) < 0)
        attest_warn(&sub->checks, CHK_CHAIN_ANCHOR_EXPIRY,
                    "anchor %s expired on %s: its key still anchors the chain; install the vendor's reissued root",
                    name, date);
    else if (X509_cmp_time(na, &soon) < 0)
        attest_warn(&sub->checks, CHK_CHAIN_ANCHOR_EXPIRY, "anchor %s expires on %s, within %d days", name, date,
                    ANCHOR_WARN_DAYS);
    else
        attest_pass(&sub->checks, CHK_CHAIN_ANCHOR_EXPIRY, "anchor %s valid until %s", name, date);
}

int attest_vendor_chain_check(attest_vctx *v, attest_submod *sub, const char *check_id, X509 *leaf,
                              const attest_vendor_chain *o, STACK_OF(X509) **path)
{
    chain_state cs = { v, o, 0 };
    attest_chain_hooks hooks = { chain_cb, issued_by_key, &cs };
    STACK_OF(X509) *extra = sk_X509_dup(v->bundle_certs), *chain = NULL;
    unsigned char top_sha[32];
    attest_err err;
    char names[160], who[160];
    int i, bad, r = -1;

    if (path != NULL)
        *path = NULL;
    if (extra == NULL && v->bundle_certs != NULL)
        goto oom;
    if (extra == NULL && (extra = sk_X509_new_null()) == NULL)
        goto oom;
    for (i = 0; i < sk_X509_num(o->extra); i++)
        if (!sk_X509_push(extra, sk_X509_value(o->extra, i)))
            goto oom;
    /* limits.signatures: a path costs a signature per link; one must be left before trying. */
    if (!attest_vctx_sig_op(v)) {
        attest_fail(&sub->checks, check_id,
                    "not verified: the input's signature operations are spent (limits.signatures)");
        goto done;
    }
    if (attest_trust_verify_scoped(v->p->trust, o->scope, leaf, extra, &hooks, &err, &chain) != 0) {
        attest_fail(&sub->checks, check_id, "%s", err.msg);
        goto done;
    }
    for (i = 2; i < sk_X509_num(chain); i++)
        (void)attest_vctx_sig_op(v); /* the links beyond the first, counted once verified */
    if ((bad = name_mismatch(chain)) >= 0) {
        attest_cert_name(sk_X509_value(chain, bad), names, sizeof(names));
        attest_cert_name(sk_X509_value(chain, bad + 1), who, sizeof(who));
        if (o->issuer_by_signature == NULL || !attest_vctx_quirk(v, o->issuer_by_signature)) {
            attest_fail(&sub->checks, check_id, "%s names another issuer than %s, whose key signed it%s", names, who,
                        o->issuer_by_signature != NULL ? " (quirk refused by --strict)" : "");
            goto done;
        }
    }
    attest_cert_name(sk_X509_value(chain, sk_X509_num(chain) - 1), names, sizeof(names));
    attest_pass(&sub->checks, check_id, "%d certificate(s) to %s anchor %s %s", sk_X509_num(chain), o->scope, names,
                err.msg);
    anchor_expiry(v, sub, sk_X509_value(chain, sk_X509_num(chain) - 1), cs.anchor_expired);
    if (attest_cert_sha256(sk_X509_value(chain, sk_X509_num(chain) - 1), top_sha))
        attest_submod_record_chain(sub, leaf, top_sha);
    if (path != NULL) { /* the validated path, leaf first, anchor last */
        *path = chain;
        chain = NULL;
    }
    r = 0;
    goto done;
oom:
    attest_fail(&sub->checks, check_id, "out of memory");
done:
    sk_X509_pop_free(chain, X509_free);
    sk_X509_free(extra);
    return r;
}

int attest_vendor_key_binding(attest_vctx *v, attest_submod *sub, const char *check_id, const unsigned char *spki,
                              size_t spki_len)
{
    unsigned char *subj = NULL;
    size_t subj_len = 0;
    EVP_PKEY *k = NULL;
    int same;

    /* The attested key is recorded either way: the verdict names it (attested_key). */
    OPENSSL_free(sub->akpub);
    sub->akpub = OPENSSL_memdup(spki, spki_len);
    sub->akpub_len = sub->akpub != NULL ? spki_len : 0;
    if (v->subject_key == NULL) {
        attest_skip(&sub->checks, check_id, "no subject key given (a request or --pubkey): binding not checked");
        return 0;
    }
    if (attest_spki_der_of(v->subject_spki, v->subject_key, &subj, &subj_len) != 0) {
        attest_fail(&sub->checks, check_id, "cannot encode the subject key");
        return 0;
    }
    same = subj_len == spki_len && memcmp(subj, spki, spki_len) == 0;
    ERR_set_mark(); /* an attested value that is no key does not match: not an error */
    if (!same && (k = attest_spki_der_pkey(spki, spki_len, v->p->libctx, v->p->propq)) != NULL)
        same = attest_key_public_eq(k, v->subject_key) == 1; /* the same key in another encoding */
    ERR_pop_to_mark();
    EVP_PKEY_free(k);
    OPENSSL_free(subj);
    if (!same) {
        attest_fail(&sub->checks, check_id, "the attested key is not the subject key");
        return 0;
    }
    attest_pass(&sub->checks, check_id, "the attested key is the subject key");
    return 1;
}
