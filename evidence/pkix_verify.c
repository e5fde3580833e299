/*
 * PKIX key attestation evidence, verify side (draft-ietf-rats-pkix-key-attestation
 * -07, specs §3.3-3.5): structure rules, signature blocks and their AK,
 * binding to the subject key, the transaction nonce and the key's claims.
 * Evidence is built by evidence/pkix_produce.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/certname.h"
#include "attest/keys.h"
#include "attest/checks.h"
#include "attest/describe.h"
#include "attest/engine.h"
#include "attest/limits.h"
#include "attest/pkix.h"
#include "attest/spki_key.h"
#include "pkix_sigalg.h"

#define ELEMENTS(p) ((p)->ev->tbs->elements)

/* Append "; "-separated text to a detail buffer; truncation is harmless. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
addf(char *buf, size_t cap, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;

    if (used + 3 >= cap)
        return;
    if (used > 0) {
        memcpy(buf + used, "; ", 3);
        used += 2;
    }
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - used, fmt, ap);
    va_end(ap);
}

static int el_is(const ATTEST_PKIX_ELEMENT *el, attest_oid_id id)
{
    return OBJ_cmp(el->type, attest_oid_obj(id)) == 0;
}

/* The first value of a claim in an element, NULL when absent. */
static const ASN1_TYPE *claim_get(const ATTEST_PKIX_ELEMENT *el, attest_oid_id id)
{
    const ASN1_OBJECT *o = attest_oid_obj(id);
    int i;

    for (i = 0; i < sk_ATTEST_PKIX_CLAIM_num(el->claims); i++) {
        const ATTEST_PKIX_CLAIM *c = sk_ATTEST_PKIX_CLAIM_value(el->claims, i);

        if (OBJ_cmp(c->type, o) == 0)
            return c->value;
    }
    return NULL;
}

/* -1 absent (or not a BOOLEAN: unknown), else 0/1. */
static int claim_bool(const ATTEST_PKIX_ELEMENT *el, attest_oid_id id)
{
    const ASN1_TYPE *t = claim_get(el, id);

    if (t == NULL || t->type != V_ASN1_BOOLEAN)
        return -1;
    return t->value.boolean != 0;
}

static const ATTEST_PKIX_ELEMENT *first_element(const attest_pkix *p, attest_oid_id type)
{
    int i;

    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(ELEMENTS(p)); i++)
        if (el_is(sk_ATTEST_PKIX_ELEMENT_value(ELEMENTS(p), i), type))
            return sk_ATTEST_PKIX_ELEMENT_value(ELEMENTS(p), i);
    return NULL;
}

/* ------------------------------------------------------------ structure */

/* A claim whose value must be unique (identifiers and SPKIs), for the duplicate scan. */
typedef struct {
    int id, el;
    const ASN1_STRING *s;
} uniq;

static int uniq_cmp(const void *a, const void *b)
{
    const uniq *x = a, *y = b;

    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    if (x->s->length != y->s->length)
        return x->s->length < y->s->length ? -1 : 1;
    return memcmp(x->s->data, y->s->data, (size_t)x->s->length);
}

/* Sorted, equal values sit together; identifiers and key SPKIs may repeat only inside one element. */
static void find_duplicates(uniq *u, size_t n, char *why, size_t cap)
{
    size_t i, j;

    qsort(u, n, sizeof(*u), uniq_cmp);
    for (i = 0; i < n; i = j) {
        int dup = 0;

        for (j = i + 1; j < n && uniq_cmp(&u[i], &u[j]) == 0; j++)
            dup |= u[j].id == ATTEST_OID_PKIX_TX_AK_SPKI || u[j].el != u[i].el;
        if (!dup)
            continue;
        if (u[i].id == ATTEST_OID_PKIX_KEY_IDENTIFIER)
            addf(why, cap, "key identifier \"%.*s\" in two key elements", u[i].s->length > 40 ? 40 : u[i].s->length,
                 (const char *)u[i].s->data);
        else if (u[i].id == ATTEST_OID_PKIX_KEY_SPKI)
            addf(why, cap, "key elements %d and %d report the same key-spki", u[i].el, u[i + 1].el);
        else
            addf(why, cap, "duplicate ak-spki value");
    }
}

/* The claims of one known element: placement, value type, repetition, ranges. */
static void check_claims(const ATTEST_PKIX_ELEMENT *el, int idx, int el_id, uniq *u, size_t *nu, int *unknown,
                         char *why, size_t cap)
{
    int counts[ATTEST_OID_COUNT] = { 0 };
    int j, idents = 0;
    char buf[64];
    const char *name;

    for (j = 0; j < sk_ATTEST_PKIX_CLAIM_num(el->claims); j++) {
        const ATTEST_PKIX_CLAIM *c = sk_ATTEST_PKIX_CLAIM_value(el->claims, j);
        const attest_pkix_claim_def *def = attest_pkix_claim_def_find(c->type);

        if (def == NULL) {
            (*unknown)++;
            continue;
        }
        name = attest_oid_name(c->type, buf, sizeof(buf));
        if ((int)def->element != el_id) {
            addf(why, cap, "element %d: %s does not belong in this element", idx, name);
            continue;
        }
        if (++counts[def->claim] == 2 && !def->repeatable)
            addf(why, cap, "element %d: %s repeated", idx, name);
        if (!attest_pkix_value_ok(def, c->value)) {
            addf(why, cap, "element %d: %s %s", idx, name,
                 c->value == NULL ? "has no value" : "has a value of the wrong type");
            continue;
        }
        if (def->claim == ATTEST_OID_PKIX_PL_FIPSLEVEL) {
            int64_t lvl = 0;

            if (!ASN1_INTEGER_get_int64(&lvl, c->value->value.integer) || lvl < 1 || lvl > 4)
                addf(why, cap, "element %d: fipslevel outside 1..4", idx);
        }
        if (def->claim == ATTEST_OID_PKIX_KEY_IDENTIFIER)
            idents++;
        if (def->claim == ATTEST_OID_PKIX_KEY_IDENTIFIER || def->claim == ATTEST_OID_PKIX_KEY_SPKI
            || def->claim == ATTEST_OID_PKIX_TX_AK_SPKI)
            u[(*nu)++] = (uniq){ (int)def->claim, idx, c->value->value.asn1_string };
    }
    if (el_id == ATTEST_OID_PKIX_EL_KEY && idents == 0)
        addf(why, cap, "key element %d has no key-identifier", idx);
}

/* specs §3.4 plus the value checks of the reference validator (§3.7). */
static void check_structure(const attest_pkix *p, attest_checks *c)
{
    char why[320] = "";
    int64_t version = 0;
    int i, n_tx = 0, n_pl = 0, n_key = 0, unknown_el = 0, unknown_claims = 0, n_claims = 0;
    size_t nu = 0;
    uniq *u;

    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(ELEMENTS(p)); i++)
        n_claims += sk_ATTEST_PKIX_CLAIM_num(sk_ATTEST_PKIX_ELEMENT_value(ELEMENTS(p), i)->claims);
    if ((u = OPENSSL_malloc(sizeof(*u) * (size_t)(n_claims + 1))) == NULL) {
        attest_fail(c, CHK_PKIX_STRUCTURE, "out of memory");
        return;
    }
    if (!ASN1_INTEGER_get_int64(&version, p->ev->tbs->version) || version != 1)
        addf(why, sizeof(why), "version is not 1");
    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(ELEMENTS(p)); i++) {
        const ATTEST_PKIX_ELEMENT *el = sk_ATTEST_PKIX_ELEMENT_value(ELEMENTS(p), i);
        int id = attest_oid_find(el->type);

        if (id == ATTEST_OID_PKIX_EL_TRANSACTION)
            n_tx++;
        else if (id == ATTEST_OID_PKIX_EL_PLATFORM)
            n_pl++;
        else if (id == ATTEST_OID_PKIX_EL_KEY)
            n_key++;
        else {
            /* Unrecognised elements are ignored, their claims with them (§3.4). */
            unknown_el++;
            continue;
        }
        check_claims(el, i, id, u, &nu, &unknown_claims, why, sizeof(why));
    }
    if (n_tx > 1)
        addf(why, sizeof(why), "%d transaction elements (at most one)", n_tx);
    if (n_pl > 1)
        addf(why, sizeof(why), "%d platform elements (at most one)", n_pl);
    find_duplicates(u, nu, why, sizeof(why));
    OPENSSL_free(u);
    if (why[0] != '\0') {
        attest_fail(c, CHK_PKIX_STRUCTURE, "malformed evidence: %s", why);
        return;
    }
    attest_pass(
        c, CHK_PKIX_STRUCTURE,
        "version 1, %d transaction, %d platform, %d key element(s); ignored %d unknown element(s), %d unknown claim(s)",
        n_tx, n_pl, n_key, unknown_el, unknown_claims);
}

/* ------------------------------------------------------------ signatures */

/* Is the SPKI claim (der) the key?  The claim's key is refused, as everywhere, for an oversized RSA exponent. */
static int same_key(attest_vctx *v, const unsigned char *der, size_t len, EVP_PKEY *key, const unsigned char *kder,
                    size_t klen, const char *where)
{
    EVP_PKEY *k;
    int eq;

    if (kder != NULL && klen == len && memcmp(kder, der, len) == 0)
        return 1;
    ERR_set_mark(); /* a claim that is no key does not match: not an error */
    k = attest_spki_der_pkey(der, len, v->p->libctx, v->p->propq); /* the same key in another encoding? */
    ERR_pop_to_mark();
    if (k == NULL)
        return 0;
    eq = attest_vctx_key_usable(v, k, where) && attest_key_public_eq(k, key) == 1;
    EVP_PKEY_free(k);
    return eq;
}

/* -1: no ak-spki claims; 1: key is one of them; 0: it is not.  (A second
 * transaction element already fails pkix.structure.) */
static int ak_listed(attest_vctx *v, const attest_pkix *p, EVP_PKEY *key, const X509_PUBKEY *spki)
{
    const ATTEST_PKIX_ELEMENT *tx = first_element(p, ATTEST_OID_PKIX_EL_TRANSACTION);
    const ASN1_OBJECT *ak = attest_oid_obj(ATTEST_OID_PKIX_TX_AK_SPKI);
    unsigned char *kder = NULL;
    size_t klen = 0;
    int j, found = -1;

    (void)attest_spki_der_of(spki, key, &kder, &klen);
    for (j = 0; tx != NULL && j < sk_ATTEST_PKIX_CLAIM_num(tx->claims) && found != 1; j++) {
        const ATTEST_PKIX_CLAIM *c = sk_ATTEST_PKIX_CLAIM_value(tx->claims, j);

        if (OBJ_cmp(c->type, ak) == 0)
            found = c->value != NULL && c->value->type == V_ASN1_OCTET_STRING
                && same_key(v, c->value->value.octet_string->data, (size_t)c->value->value.octet_string->length, key,
                            kder, klen, "an ak-spki claim");
    }
    OPENSSL_free(kder);
    return found;
}

/* The AK certificate for a key or keyId: bundle certs, evidence intermediates, then the trust store. */
static X509 *find_cert(attest_vctx *v, const attest_pkix *p, EVP_PKEY *key, const ASN1_OCTET_STRING *kid)
{
    STACK_OF(X509) *lists[2] = { v->bundle_certs, p->ev->intermediates };
    int l, i;

    for (l = 0; l < 2; l++) {
        for (i = 0; i < sk_X509_num(lists[l]); i++) {
            X509 *x = sk_X509_value(lists[l], i);
            const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(x);

            if (key != NULL ? X509_get0_pubkey(x) != NULL && attest_key_public_eq(X509_get0_pubkey(x), key) == 1
                            : skid != NULL && ASN1_OCTET_STRING_cmp(skid, kid) == 0)
                return x;
        }
    }
    if (v->p->trust == NULL)
        return NULL;
    return key != NULL ? attest_trust_find_by_pubkey(v->p->trust, key)
                       : attest_trust_find_by_skid(v->p->trust, kid->data, (size_t)kid->length);
}

/* 1 when x's SubjectPublicKeyInfo is byte for byte spki (same bytes, same key). */
static int same_spki(X509 *x, const X509_PUBKEY *spki)
{
    unsigned char *a = NULL, *b = NULL;
    int na = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &a), nb = i2d_X509_PUBKEY(spki, &b);
    int same = na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0;

    OPENSSL_free(a);
    OPENSSL_free(b);
    return same;
}

/*
 * A bundle certificate or evidence intermediate whose SPKI is byte for byte
 * the signer's: its key is already decoded (certificate cache), so none is
 * made for the SPKI.  A key encoded another way is still found by find_cert,
 * through the decoded key.
 */
static X509 *cert_with_spki(attest_vctx *v, const attest_pkix *p, const X509_PUBKEY *spki)
{
    STACK_OF(X509) *lists[2] = { v->bundle_certs, p->ev->intermediates };
    int l, i;

    for (l = 0; l < 2; l++)
        for (i = 0; i < sk_X509_num(lists[l]); i++)
            if (same_spki(sk_X509_value(lists[l], i), spki))
                return sk_X509_value(lists[l], i);
    return NULL;
}

typedef struct {
    EVP_PKEY *key;           /* borrowed, or own */
    EVP_PKEY *own;           /* a key made from the sid's SPKI: freed by the caller */
    X509 *cert;              /* borrowed, NULL: no certificate known */
    const X509_PUBKEY *spki; /* borrowed: what key was decoded from */
} signer;

/* Resolve the SignerIdentifier; -1 with why when the block cannot be verified. */
static int resolve_signer(attest_vctx *v, const attest_pkix *p, const ATTEST_PKIX_SID *sid, signer *s, char *why,
                          size_t cap)
{
    char kid[48];

    memset(s, 0, sizeof(*s));
    ERR_set_mark(); /* an undecodable key is reported through why */
    if (sid->cert != NULL) {
        s->cert = sid->cert;
        s->key = X509_get0_pubkey(sid->cert);
        s->spki = X509_get_X509_PUBKEY(sid->cert);
        /* Both given: the same bytes agree; otherwise the keys must be equal. */
        if (s->key != NULL && sid->spki != NULL && !same_spki(sid->cert, sid->spki)
            && (s->own = attest_spki_pkey(sid->spki, v->p->libctx, v->p->propq)) != NULL
            && attest_key_public_eq(s->key, s->own) != 1) {
            snprintf(why, cap, "sid certificate and subjectPublicKeyInfo disagree");
            ERR_pop_to_mark();
            return -1;
        }
    } else if (sid->spki != NULL) {
        if ((s->cert = cert_with_spki(v, p, sid->spki)) != NULL)
            s->key = X509_get0_pubkey(s->cert); /* the same bytes: that certificate's key, decoded once */
        else if ((s->key = s->own = attest_spki_pkey(sid->spki, v->p->libctx, v->p->propq)) != NULL)
            s->cert = find_cert(v, p, s->key, NULL);
        s->spki = sid->spki;
    } else if (sid->key_id != NULL) {
        if ((s->cert = find_cert(v, p, NULL, sid->key_id)) == NULL) {
            attest_hex(sid->key_id->data, (size_t)sid->key_id->length, kid, sizeof(kid));
            snprintf(why, cap, "keyId %s cannot be resolved", kid);
            ERR_pop_to_mark();
            return -1;
        }
        s->key = X509_get0_pubkey(s->cert);
        s->spki = X509_get_X509_PUBKEY(s->cert);
    } else {
        snprintf(why, cap, "empty SignerIdentifier");
        ERR_pop_to_mark();
        return -1;
    }
    ERR_pop_to_mark();
    if (s->key == NULL) {
        const ASN1_OBJECT *kalg = NULL;
        char oid[80] = "";

        if (s->spki != NULL && X509_PUBKEY_get0_param((ASN1_OBJECT **)&kalg, NULL, NULL, NULL, s->spki) && kalg != NULL
            && OBJ_obj2nid(kalg) == NID_undef) {
            /* A key type this OpenSSL does not know (ML-DSA before 3.5): not wrong, just not checkable here. */
            OBJ_obj2txt(oid, sizeof(oid), kalg, 1);
            snprintf(why, cap, "unsupported-algorithm: signer key algorithm %s", oid);
            return ATTEST_SIGALG_UNSUPPORTED;
        }
        snprintf(why, cap, "the signer's public key cannot be decoded");
        return -1;
    }
    return 0;
}

/* One block: BLOCK_OK accepted; BLOCK_BAD refused; BLOCK_UNCHECKED does not count (not verifiable
 * here, or a signer the tbs does not list); why is its outcome. */
enum { BLOCK_BAD = 0, BLOCK_OK = 1, BLOCK_UNCHECKED = 2 };

static int check_block(attest_vctx *v, const attest_pkix *p, const ATTEST_PKIX_SIGBLOCK *b, signer *s, char *why,
                       size_t cap)
{
    sigalg alg;
    char name[64], where[160], subj[96];
    int r;

    if ((r = resolve_signer(v, p, b->sid, s, why, cap)) != 0
        || (r = attest_pkix_sigalg_of(b->alg, &alg, why, cap)) != 0)
        return r == ATTEST_SIGALG_UNSUPPORTED ? BLOCK_UNCHECKED : BLOCK_BAD;
    OBJ_obj2txt(name, sizeof(name), b->alg->algorithm, 0);
    if (!attest_pkix_sigalg_key_fits(s->key, &alg)) {
        snprintf(why, cap, "%s with a %s key", name, EVP_PKEY_get0_type_name(s->key));
        return BLOCK_BAD;
    }
    /* Cheap checks before the signature operation: the key's exponent, then the input's budget. */
    if (s->cert != NULL)
        attest_cert_name(s->cert, subj, sizeof(subj));
    snprintf(where, sizeof(where), "the evidence signer %s", s->cert != NULL ? subj : "(bare SPKI)");
    if (!attest_vctx_key_usable(v, s->key, where)) {
        snprintf(why, cap, "the signer's RSA public exponent is over %d bits (limits.rsa-exponent)",
                 ATTEST_MAX_RSA_EXPONENT_BITS);
        return BLOCK_UNCHECKED; /* refused by limits.rsa-exponent, not verified */
    }
    if (!attest_vctx_sig_op(v)) {
        snprintf(why, cap, "not verified: the input's %d signature operations are spent (limits.signatures)",
                 ATTEST_MAX_SIG_OPS);
        return BLOCK_UNCHECKED;
    }
    if (!attest_pkix_sigalg_verify(v->p->libctx, v->p->propq, s->key, &alg, b->value, p->tbs_der, p->tbs_len)) {
        snprintf(why, cap, "%s signature does not verify", name);
        return BLOCK_BAD;
    }
    if (ak_listed(v, p, s->key, s->spki) == 0) {
        /* The signature is sound, the tbs just does not vouch for its signer: the block does not count. */
        snprintf(why, cap, "%s verifies, but the signer is not among the ak-spki claims", name);
        return BLOCK_UNCHECKED;
    }
    snprintf(why, cap, "%s verified", name);
    attest_vctx_note_md(v, alg.md != NULL ? EVP_get_digestbyname(alg.md) : NULL, "the evidence signature");
    attest_vctx_note_key(v, s->key, "the evidence AK");
    return BLOCK_OK;
}

/* The AK chain may use the bundle's certs and the evidence's own intermediates (their keys checked first). */
static void check_ak_cert(attest_vctx *v, const attest_pkix *p, X509 *ak, attest_checks *c)
{
    STACK_OF(X509) *saved = v->bundle_certs, *all = sk_X509_new_null();
    char where[160], subj[96];
    int i, ok = all != NULL;

    for (i = 0; ok && i < sk_X509_num(saved); i++)
        ok = sk_X509_push(all, sk_X509_value(saved, i)) > 0;
    for (i = 0; ok && i < sk_X509_num(p->ev->intermediates); i++) {
        X509 *x = sk_X509_value(p->ev->intermediates, i);

        attest_cert_name(x, subj, sizeof(subj));
        snprintf(where, sizeof(where), "evidence intermediate %d %s", i, subj);
        if (attest_vctx_key_usable(v, X509_get0_pubkey(x), where))
            ok = sk_X509_push(all, x) > 0;
    }
    if (!ok) {
        attest_fail(c, CHK_CHAIN_TRUST, "out of memory");
        attest_skip(c, CHK_CHAIN_AK_PROFILE, "out of memory");
    } else {
        v->bundle_certs = all;
        attest_ak_check_chain(v, ak, c);
        attest_ak_check_profile(v, ak, ATTEST_AK_FOR_PKIX, c);
        v->bundle_certs = saved;
    }
    sk_X509_free(all);
}

/* Chain and AK-profile checks for one signer, into a scratch list. */
static attest_status judge_signer(attest_vctx *v, const attest_pkix *p, const signer *s, attest_checks *out)
{
    if (s->cert == NULL) {
        attest_fail(out, CHK_CHAIN_TRUST, "no certificate for the signer (bare SPKI not found among the certificates)");
        attest_skip(out, CHK_CHAIN_AK_PROFILE, "no AK certificate");
    } else {
        check_ak_cert(v, p, s->cert, out);
    }
    return attest_checks_status(out);
}

/* The signature blocks, then the accepted signers' chains; ok: the accepted signers (keys the caller frees). */
static void judge_blocks(attest_vctx *v, const attest_pkix *p, attest_checks *c, signer *ok, int *n_ok)
{
    int i, n = sk_ATTEST_PKIX_SIGBLOCK_num(p->ev->sigs), accepted = 0, bad = 0, unchecked = 0;
    char detail[320] = "", why[160];
    signer s;
    attest_checks first = { 0 }, scratch;
    int refused = v->sig_ops_refused;

    if (n == 0) {
        attest_fail(c, CHK_PKIX_SIGNATURE, "unsigned evidence: no SignatureBlock, its claims cannot be relied on");
        attest_skip(c, CHK_CHAIN_TRUST, "no signer");
        attest_skip(c, CHK_CHAIN_AK_PROFILE, "no signer");
        return;
    }
    for (i = 0; i < n; i++) {
        const ATTEST_PKIX_SIGBLOCK *b = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, i);
        int r;

        why[0] = '\0';
        r = check_block(v, p, b, &s, why, sizeof(why));
        if (r == BLOCK_OK && accepted < ATTEST_MAX_SIGNATURES) {
            ok[accepted++] = s;
            *n_ok = accepted;
        } else {
            EVP_PKEY_free(s.own);
        }
        bad += r == BLOCK_BAD;
        unchecked += r == BLOCK_UNCHECKED;
        addf(detail, sizeof(detail), "[%d] %s: %s", i,
             b->sid->cert != NULL         ? "certificate"
                 : b->sid->spki != NULL   ? "SPKI"
                 : b->sid->key_id != NULL ? "keyId"
                                          : "sid",
             why);
    }
    /*
     * Hybrid policy (design §6): every block whose algorithm is supported must
     * verify, and at least one must; require_all_signatures also refuses a
     * block that does not count (unknown algorithm, a limit, an unlisted signer).
     */
    if (accepted > 0 && (bad > 0 || (unchecked > 0 && v->p->policy->require_all_signatures))) {
        attest_fail(c, CHK_PKIX_SIGNATURE, "%d of %d signature block(s) accepted, %s: %s", accepted, n,
                    bad > 0 ? "a block with a supported algorithm does not verify"
                            : "a block is not accepted (--require-all-signatures)",
                    detail);
        attest_skip(c, CHK_CHAIN_TRUST, "signature blocks refused");
        attest_skip(c, CHK_CHAIN_AK_PROFILE, "signature blocks refused");
        return;
    }
    if (accepted == 0) {
        if (v->sig_ops_refused > refused)
            /* Not run, and not sound: an error, though nothing failed here (limits.signatures did). */
            attest_check_add(c, CHK_PKIX_SIGNATURE, ATTEST_CHECK_SKIP, ATTEST_SEV_ERROR,
                             "no signature block accepted: %s", detail);
        else
            attest_fail(c, CHK_PKIX_SIGNATURE, "no signature block accepted: %s", detail);
        attest_skip(c, CHK_CHAIN_TRUST, "no accepted signer");
        attest_skip(c, CHK_CHAIN_AK_PROFILE, "no accepted signer");
        return;
    }
    attest_pass(c, CHK_PKIX_SIGNATURE, "%d of %d signature block(s) accepted: %s", accepted, n, detail);
    /*
     * Blocks can be added or removed without trace, so their order means
     * nothing: one accepted signer that chains to an anchor is enough.
     * Without one, report the first accepted signer's chain.
     */
    for (i = 0; i < accepted; i++) {
        memset(&scratch, 0, sizeof(scratch));
        if (judge_signer(v, p, &ok[i], &scratch) != ATTEST_STATUS_CONTRAINDICATED) {
            attest_checks_append(c, &scratch);
            OPENSSL_free(scratch.v);
            OPENSSL_free(first.v);
            return;
        }
        if (i == 0)
            first = scratch;
        else
            OPENSSL_free(scratch.v);
    }
    attest_checks_append(c, &first);
    OPENSSL_free(first.v);
}

static void check_signatures(attest_vctx *v, const attest_pkix *p, attest_checks *c)
{
    signer ok[ATTEST_MAX_SIGNATURES];
    int i, n_ok = 0;

    judge_blocks(v, p, c, ok, &n_ok);
    for (i = 0; i < n_ok; i++)
        EVP_PKEY_free(ok[i].own);
}

/* ------------------------------------------------------------ the key */

/* The key element about the subject key, or NULL (the check is recorded). */
static const ATTEST_PKIX_ELEMENT *check_binding(attest_vctx *v, const attest_pkix *p, attest_submod *sub)
{
    attest_checks *c = &sub->checks;
    const ATTEST_PKIX_ELEMENT *bound = NULL;
    const ASN1_OCTET_STRING *spki = NULL;
    const ASN1_TYPE *id;
    unsigned char *sder = NULL;
    size_t slen = 0;
    char kid[96];
    int i, n_key = 0, matches = 0;

    if (v->subject_key == NULL) {
        /* Without a key to bind to, the evidence proves nothing about any request: at best a warning. */
        attest_skip_warn(c, CHK_PKIX_KEY_BINDING,
                         "no subject key given (--pubkey): the evidence is not bound to a key");
        return NULL;
    }
    (void)attest_spki_der_of(v->subject_spki, v->subject_key, &sder, &slen);
    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(ELEMENTS(p)); i++) {
        const ATTEST_PKIX_ELEMENT *el = sk_ATTEST_PKIX_ELEMENT_value(ELEMENTS(p), i);
        const ASN1_OCTET_STRING *t;

        if (!el_is(el, ATTEST_OID_PKIX_EL_KEY))
            continue;
        n_key++;
        t = attest_pkix_key_spki(el);
        if (t != NULL && same_key(v, t->data, (size_t)t->length, v->subject_key, sder, slen, "a key-spki claim")) {
            if (matches++ == 0) {
                bound = el;
                spki = t;
            }
        }
    }
    OPENSSL_free(sder);
    if (matches == 0) {
        attest_fail(c, CHK_PKIX_KEY_BINDING, "none of the %d key element(s) reports the subject key (%s-%d)", n_key,
                    EVP_PKEY_get0_type_name(v->subject_key), EVP_PKEY_get_bits(v->subject_key));
        return NULL;
    }
    if (matches > 1) {
        attest_fail(c, CHK_PKIX_KEY_BINDING, "%d key elements report the subject key: ambiguous", matches);
        return NULL;
    }
    /* The identifier's type was checked by pkix.structure; print it only if it is text. */
    id = claim_get(bound, ATTEST_OID_PKIX_KEY_IDENTIFIER);
    kid[0] = '\0';
    if (id != NULL && id->type == V_ASN1_UTF8STRING) /* HSM-written text: escaped, cut between characters */
        attest_escape(id->value.utf8string->data, (size_t)id->value.utf8string->length, kid, sizeof(kid), 0);
    if ((sub->akpub = OPENSSL_memdup(spki->data, (size_t)spki->length)) != NULL)
        sub->akpub_len = (size_t)spki->length;
    attest_pass(c, CHK_PKIX_KEY_BINDING, "key element \"%s\" reports the subject key (%s-%d)", kid,
                EVP_PKEY_get0_type_name(v->subject_key), EVP_PKEY_get_bits(v->subject_key));
    return bound;
}

static void check_nonce(attest_vctx *v, const attest_pkix *p, attest_submod *sub)
{
    const ATTEST_PKIX_ELEMENT *tx = first_element(p, ATTEST_OID_PKIX_EL_TRANSACTION);
    const ASN1_TYPE *t = tx != NULL ? claim_get(tx, ATTEST_OID_PKIX_TX_NONCE) : NULL;
    const ASN1_OCTET_STRING *n = t != NULL && t->type == V_ASN1_OCTET_STRING ? t->value.octet_string : NULL;

    attest_engine_nonce(v, sub, CHK_PKIX_NONCE, "transaction nonce", n != NULL ? n->data : NULL,
                        n != NULL ? (size_t)n->length : 0, n != NULL);
}

/* Missing claims are unknown, and unknown is not proven (design §3 policy defaults). */
static void check_key_policy(attest_vctx *v, const ATTEST_PKIX_ELEMENT *el, attest_checks *c)
{
    unsigned allow = v->p->policy->allow;
    int ex, nex, sens, local;
    char hard[200] = "", soft[200] = "";

    if (el == NULL) {
        attest_skip(c, CHK_PKIX_KEY_POLICY, "no key element bound to the subject key");
        return;
    }
    ex = claim_bool(el, ATTEST_OID_PKIX_KEY_EXTRACTABLE);
    nex = claim_bool(el, ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE);
    sens = claim_bool(el, ATTEST_OID_PKIX_KEY_SENSITIVE);
    local = claim_bool(el, ATTEST_OID_PKIX_KEY_LOCAL);
#define PROBLEM(cond, flag, ...)                    \
    if (cond) {                                     \
        char *dst = (allow & (flag)) ? soft : hard; \
        addf(dst, sizeof(hard), __VA_ARGS__);       \
    }
    /* extractable TRUE is exportable whatever never-extractable says (the two contradict each other) */
    PROBLEM(ex == 1 || (ex < 0 && nex != 1), ATTEST_ALLOW_EXPORTABLE_KEY,
            "exportable (extractable %s, never-extractable %s)", ex < 0 ? "unknown" : "TRUE",
            nex < 0   ? "unknown"
                : nex ? "TRUE"
                      : "FALSE")
    PROBLEM(sens != 1, ATTEST_ALLOW_EXPORTABLE_KEY, "sensitive %s", sens < 0 ? "unknown" : "FALSE")
    PROBLEM(local != 1, ATTEST_ALLOW_IMPORTED_KEY, "local %s (not proven generated in the module)",
            local < 0 ? "unknown" : "FALSE")
#undef PROBLEM
    if (hard[0])
        attest_fail(c, CHK_PKIX_KEY_POLICY, "%s", hard);
    else if (soft[0])
        attest_warn(c, CHK_PKIX_KEY_POLICY, "%s (allowed by policy)", soft);
    else
        attest_pass(c, CHK_PKIX_KEY_POLICY, "non-exportable, sensitive, generated in the module");
}

/* The checks it does not reach are recorded by the driver (verifier/verify.c). */
int attest_pkix_verify(attest_vctx *v, const attest_statement *st, attest_submod *sub)
{
    attest_checks *c = &sub->checks;
    attest_pkix *p = NULL;
    const ATTEST_PKIX_ELEMENT *bound;
    attest_err err;

    if (attest_pkix_decode_ex(st->stmt, st->stmt_len, v->p->libctx, v->p->propq, &p, &err) != 0) {
        attest_fail(c, CHK_PKIX_STRUCTURE, "%s", err.msg);
        return 0;
    }
    ERR_set_mark(); /* the checks say what failed; the caller's queue stays as it was */
    check_structure(p, c);
    check_signatures(v, p, c);
    bound = check_binding(v, p, sub);
    check_nonce(v, p, sub);
    check_key_policy(v, bound, c);
    attest_pkix_free(p);
    ERR_pop_to_mark();
    return bound != NULL;
}
