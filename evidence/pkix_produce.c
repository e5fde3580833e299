/*
 * PKIX key attestation evidence, produce side: build the TbsEvidence from
 * what the caller knows (unknown claims are left out), then one
 * SignatureBlock per attestation key.  The AK may live in any provider, so
 * signing goes through EVP only and the AlgorithmIdentifier comes from the
 * signature implementation (OSSL_SIGNATURE_PARAM_ALGORITHM_ID).
 * Verified by evidence/pkix_verify.c.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "attest/der.h"
#include "attest/keys.h"
#include "attest/limits.h"
#include "attest/pkix.h"
#include "attest/pkix_produce.h"

void attest_pkix_claims_init(attest_pkix_claims *c)
{
    memset(c, 0, sizeof(*c));
    c->extractable = c->sensitive = c->never_extractable = c->local = -1;
}

void attest_pkix_platform_init(attest_pkix_platform *pl)
{
    memset(pl, 0, sizeof(*pl));
    pl->fipsboot = -1;
}

/* ------------------------------------------------------------ claim values */

static ASN1_TYPE *wrap(int type, void *v)
{
    ASN1_TYPE *t;

    if (v == NULL || (t = ASN1_TYPE_new()) == NULL)
        return NULL;
    ASN1_TYPE_set(t, type, v);
    return t;
}

static ASN1_TYPE *v_bytes(int type, const unsigned char *b, size_t n)
{
    ASN1_STRING *s = ASN1_STRING_type_new(type);
    ASN1_TYPE *t;

    if (s == NULL || !ASN1_STRING_set(s, b, (int)n) || (t = wrap(type, s)) == NULL) {
        ASN1_STRING_free(s);
        return NULL;
    }
    return t;
}

static ASN1_TYPE *v_utf8(const char *s)
{
    return v_bytes(V_ASN1_UTF8STRING, (const unsigned char *)s, strlen(s));
}

static ASN1_TYPE *v_bool(int b)
{
    ASN1_TYPE *t = ASN1_TYPE_new();

    if (t != NULL) {
        t->type = V_ASN1_BOOLEAN;
        t->value.boolean = b ? 0xff : 0;
    }
    return t;
}

static ASN1_TYPE *v_int(int64_t n)
{
    ASN1_INTEGER *i = ASN1_INTEGER_new();
    ASN1_TYPE *t;

    if (i == NULL || !ASN1_INTEGER_set_int64(i, n) || (t = wrap(V_ASN1_INTEGER, i)) == NULL) {
        ASN1_INTEGER_free(i);
        return NULL;
    }
    return t;
}

static ASN1_TYPE *v_time(time_t when)
{
    ASN1_GENERALIZEDTIME *g = ASN1_GENERALIZEDTIME_set(NULL, when);
    ASN1_TYPE *t;

    if ((t = wrap(V_ASN1_GENERALIZEDTIME, g)) == NULL)
        ASN1_GENERALIZEDTIME_free(g);
    return t;
}

/* An OCTET STRING holding the key's DER SubjectPublicKeyInfo. */
static ASN1_TYPE *v_spki(EVP_PKEY *key)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);
    ASN1_TYPE *t = n > 0 ? v_bytes(V_ASN1_OCTET_STRING, der, (size_t)n) : NULL;

    OPENSSL_free(der);
    return t;
}

static const struct {
    unsigned bit;
    attest_oid_id oid;
    const char *name;
} caps[] = {
    { ATTEST_PKIX_CAP_ENCRYPT, ATTEST_OID_PKIX_CAP_ENCRYPT, "encrypt" },
    { ATTEST_PKIX_CAP_DECRYPT, ATTEST_OID_PKIX_CAP_DECRYPT, "decrypt" },
    { ATTEST_PKIX_CAP_WRAP, ATTEST_OID_PKIX_CAP_WRAP, "wrap" },
    { ATTEST_PKIX_CAP_UNWRAP, ATTEST_OID_PKIX_CAP_UNWRAP, "unwrap" },
    { ATTEST_PKIX_CAP_SIGN, ATTEST_OID_PKIX_CAP_SIGN, "sign" },
    { ATTEST_PKIX_CAP_SIGN_RECOVER, ATTEST_OID_PKIX_CAP_SIGN_RECOVER, "sign-recover" },
    { ATTEST_PKIX_CAP_VERIFY, ATTEST_OID_PKIX_CAP_VERIFY, "verify" },
    { ATTEST_PKIX_CAP_VERIFY_RECOVER, ATTEST_OID_PKIX_CAP_VERIFY_RECOVER, "verify-recover" },
    { ATTEST_PKIX_CAP_DERIVE, ATTEST_OID_PKIX_CAP_DERIVE, "derive" },
};

unsigned attest_pkix_cap_from_name(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
        if (strcmp(caps[i].name, name) == 0)
            return caps[i].bit;
    return 0;
}

/* KeyPurposes ::= SEQUENCE OF OBJECT IDENTIFIER */
static ASN1_TYPE *v_purposes(unsigned bits)
{
    ASN1_SEQUENCE_ANY *seq = sk_ASN1_TYPE_new_null();
    ASN1_TYPE *t = NULL, *o;
    ASN1_OBJECT *obj;
    size_t i;
    int ok = seq != NULL;

    for (i = 0; ok && i < sizeof(caps) / sizeof(caps[0]); i++) {
        if (!(bits & caps[i].bit))
            continue;
        obj = OBJ_dup(attest_oid_obj(caps[i].oid));
        if (!(ok = (o = wrap(V_ASN1_OBJECT, obj)) != NULL))
            ASN1_OBJECT_free(obj);
        else if (!(ok = sk_ASN1_TYPE_push(seq, o) > 0))
            ASN1_TYPE_free(o);
    }
    if (ok)
        t = ASN1_TYPE_pack_sequence(ASN1_ITEM_rptr(ASN1_SEQUENCE_ANY), seq, NULL);
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    return t;
}

/* ------------------------------------------------------------ elements */

static int add(ATTEST_PKIX_ELEMENT *el, attest_oid_id id, ASN1_TYPE *v)
{
    return v != NULL && attest_pkix_add_claim(el, id, v);
}

static int add_text(ATTEST_PKIX_ELEMENT *el, attest_oid_id id, const char *s)
{
    return s == NULL || add(el, id, v_utf8(s));
}

static int add_bool(ATTEST_PKIX_ELEMENT *el, attest_oid_id id, int b)
{
    return b < 0 || add(el, id, v_bool(b));
}

/* Elements need at least one claim: an empty one is not pushed. */
static int push(ATTEST_PKIX_TBS *tbs, ATTEST_PKIX_ELEMENT *el)
{
    if (sk_ATTEST_PKIX_CLAIM_num(el->claims) == 0 || sk_ATTEST_PKIX_ELEMENT_push(tbs->elements, el) > 0)
        return 1;
    ATTEST_PKIX_ELEMENT_free(el);
    return 0;
}

static int build_transaction(ATTEST_PKIX_TBS *tbs, const attest_pkix_claims *c, EVP_PKEY *const *aks, size_t n)
{
    ATTEST_PKIX_ELEMENT *el = attest_pkix_element_new(ATTEST_OID_PKIX_EL_TRANSACTION);
    size_t i;
    int ok = el != NULL;

    if (ok && c->nonce != NULL)
        ok = add(el, ATTEST_OID_PKIX_TX_NONCE, v_bytes(V_ASN1_OCTET_STRING, c->nonce, c->nonce_len));
    if (ok && c->timestamp != 0)
        ok = add(el, ATTEST_OID_PKIX_TX_TIMESTAMP, v_time(c->timestamp));
    /* One ak-spki per signer binds the signers into what they sign (specs §3.3). */
    for (i = 0; ok && i < n; i++)
        ok = add(el, ATTEST_OID_PKIX_TX_AK_SPKI, v_spki(aks[i]));
    if (!ok) {
        ATTEST_PKIX_ELEMENT_free(el);
        return 0;
    }
    return push(tbs, el);
}

static int build_platform(ATTEST_PKIX_TBS *tbs, const attest_pkix_platform *pl)
{
    ATTEST_PKIX_ELEMENT *el = attest_pkix_element_new(ATTEST_OID_PKIX_EL_PLATFORM);
    int ok = el != NULL;

    ok = ok && add_text(el, ATTEST_OID_PKIX_PL_VENDOR, pl->vendor);
    /* hwmodel is an OCTET STRING in -07; the text's bytes go in as they are. */
    if (ok && pl->hwmodel != NULL)
        ok = add(el, ATTEST_OID_PKIX_PL_HWMODEL,
                 v_bytes(V_ASN1_OCTET_STRING, (const unsigned char *)pl->hwmodel, strlen(pl->hwmodel)));
    ok = ok && add_text(el, ATTEST_OID_PKIX_PL_HWVERSION, pl->hwversion);
    ok = ok && add_text(el, ATTEST_OID_PKIX_PL_HWSERIAL, pl->hwserial);
    ok = ok && add_text(el, ATTEST_OID_PKIX_PL_SWNAME, pl->swname);
    ok = ok && add_text(el, ATTEST_OID_PKIX_PL_SWVERSION, pl->swversion);
    ok = ok && add_bool(el, ATTEST_OID_PKIX_PL_FIPSBOOT, pl->fipsboot);
    ok = ok && add_text(el, ATTEST_OID_PKIX_PL_FIPSVER, pl->fipsver);
    if (ok && pl->fipslevel != 0)
        ok = add(el, ATTEST_OID_PKIX_PL_FIPSLEVEL, v_int(pl->fipslevel));
    ok = ok && add_text(el, ATTEST_OID_PKIX_PL_FIPSMODULE, pl->fipsmodule);
    if (!ok) {
        ATTEST_PKIX_ELEMENT_free(el);
        return 0;
    }
    return push(tbs, el);
}

static int build_key(ATTEST_PKIX_TBS *tbs, const attest_pkix_claims *c)
{
    ATTEST_PKIX_ELEMENT *el = attest_pkix_element_new(ATTEST_OID_PKIX_EL_KEY);
    int ok = el != NULL;

    ok = ok && add_text(el, ATTEST_OID_PKIX_KEY_IDENTIFIER, c->key_id);
    ok = ok && add(el, ATTEST_OID_PKIX_KEY_SPKI, v_spki(c->key));
    ok = ok && add_bool(el, ATTEST_OID_PKIX_KEY_EXTRACTABLE, c->extractable);
    ok = ok && add_bool(el, ATTEST_OID_PKIX_KEY_SENSITIVE, c->sensitive);
    ok = ok && add_bool(el, ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE, c->never_extractable);
    ok = ok && add_bool(el, ATTEST_OID_PKIX_KEY_LOCAL, c->local);
    if (ok && c->purposes != 0)
        ok = add(el, ATTEST_OID_PKIX_KEY_PURPOSE, v_purposes(c->purposes));
    if (!ok) {
        ATTEST_PKIX_ELEMENT_free(el);
        return 0;
    }
    return push(tbs, el);
}

/* ------------------------------------------------------------ signing */

/* The caller's digest, unless the key signs the message itself (NULL default). */
static const char *signer_md(const attest_pkix_signer *s)
{
    const char *md = attest_default_md(s->key);

    return md != NULL && s->md != NULL ? s->md : md;
}

/* When the provider does not report an AlgorithmIdentifier: the plain OID, RFC 5758 / 4055 parameters. */
static X509_ALGOR *fallback_alg(EVP_PKEY *key, const char *md, int pss)
{
    int sig_nid = NID_undef,
        pk_nid = EVP_PKEY_is_a(key, "EC") ? NID_X9_62_id_ecPublicKey
        : EVP_PKEY_is_a(key, "RSA")       ? NID_rsaEncryption
                                          : NID_undef;
    X509_ALGOR *a;

    if (pss || pk_nid == NID_undef || md == NULL || !OBJ_find_sigid_by_algs(&sig_nid, OBJ_sn2nid(md), pk_nid)
        || (a = X509_ALGOR_new()) == NULL)
        return NULL;
    if (!X509_ALGOR_set0(a, OBJ_nid2obj(sig_nid), pk_nid == NID_rsaEncryption ? V_ASN1_NULL : V_ASN1_UNDEF, NULL)) {
        X509_ALGOR_free(a);
        return NULL;
    }
    return a;
}

static X509_ALGOR *algorithm_id(EVP_PKEY_CTX *pctx, EVP_PKEY *key, const char *md, int pss)
{
    unsigned char aid[512];
    const unsigned char *q = aid;
    OSSL_PARAM params[2];
    X509_ALGOR *a = NULL;

    params[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, aid, sizeof(aid));
    params[1] = OSSL_PARAM_construct_end();
    /* A provider without the parameter is expected: drop its errors, not the caller's. */
    ERR_set_mark();
    if (EVP_PKEY_CTX_get_params(pctx, params) > 0 && OSSL_PARAM_modified(&params[0]) && params[0].return_size > 0
        && params[0].return_size <= sizeof(aid))
        a = d2i_X509_ALGOR(NULL, &q, (long)params[0].return_size);
    ERR_pop_to_mark();
    if (a == NULL)
        return fallback_alg(key, md, pss);
    attest_sigalg_canonical(a);
    return a;
}

static ATTEST_PKIX_SIGBLOCK *sign_block(const unsigned char *tbs, size_t tbs_len, const attest_pkix_signer *s,
                                        OSSL_LIB_CTX *libctx, const char *propq, attest_err *err)
{
    ATTEST_PKIX_SIGBLOCK *b = ATTEST_PKIX_SIGBLOCK_new();
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    const char *md = signer_md(s);
    int pss = s->pss || EVP_PKEY_is_a(s->key, "RSA-PSS");
    unsigned char *sig = NULL;
    size_t siglen = 0;
    char pq[96];
    int ok = -1;

    if (b == NULL || mctx == NULL) {
        attest_err_set(err, "evidence: out of memory");
        goto fail;
    }
    if (s->md != NULL && attest_default_md(s->key) == NULL) {
        attest_err_set(err, "evidence: %s signs without a separate digest (no md)", EVP_PKEY_get0_type_name(s->key));
        goto fail;
    }
    if (EVP_DigestSignInit_ex(mctx, &pctx, md, libctx, attest_key_propq(s->key, propq, pq, sizeof(pq)), s->key, NULL)
            <= 0
        /* An RSA-PSS key (a TPM AK with an RSAPSS scheme) is PSS already: its provider sets the rest. */
        || (pss && !EVP_PKEY_is_a(s->key, "RSA-PSS")
            && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0
                || EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) <= 0
                || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0))) {
        attest_err_set(err, "evidence: cannot sign with the %s attestation key%s%s", EVP_PKEY_get0_type_name(s->key),
                       md != NULL ? " and " : "", md != NULL ? md : "");
        goto fail;
    }
    X509_ALGOR_free(b->alg);
    if ((b->alg = algorithm_id(pctx, s->key, md, pss)) == NULL) {
        attest_err_set(err, "evidence: no AlgorithmIdentifier for a %s signature%s", EVP_PKEY_get0_type_name(s->key),
                       pss ? " with PSS" : "");
        goto fail;
    }
    if (EVP_DigestSign(mctx, NULL, &siglen, tbs, tbs_len) <= 0 || (sig = OPENSSL_malloc(siglen)) == NULL
        || EVP_DigestSign(mctx, sig, &siglen, tbs, tbs_len) <= 0
        || !ASN1_OCTET_STRING_set(b->value, sig, (int)siglen)) {
        attest_err_set(err, "evidence: signing with the %s attestation key failed", EVP_PKEY_get0_type_name(s->key));
        goto fail;
    }
    if (s->cert != NULL) {
        if (!X509_up_ref(s->cert))
            goto fail;
        b->sid->cert = s->cert;
    } else if (!X509_PUBKEY_set(&b->sid->spki, s->key)) {
        attest_err_set(err, "evidence: cannot encode the attestation key's SPKI");
        goto fail;
    }
    ok = 0;
fail:
    OPENSSL_free(sig);
    EVP_MD_CTX_free(mctx);
    if (ok != 0) {
        ATTEST_PKIX_SIGBLOCK_free(b);
        b = NULL;
    }
    return b;
}

static int check_input(const attest_pkix_claims *c, EVP_PKEY *const *aks, size_t n, attest_err *err)
{
    size_t i, j;

    if (c->key == NULL || c->key_id == NULL || c->key_id[0] == '\0') {
        attest_err_set(err, "evidence: the attested key and its key-id are required");
        return 0;
    }
    if (c->nonce != NULL && (c->nonce_len == 0 || c->nonce_len > ATTEST_MAX_NONCE)) {
        attest_err_set(err, "evidence: nonce of %zu bytes (1..%d)", c->nonce_len, ATTEST_MAX_NONCE);
        return 0;
    }
    if (c->platform != NULL && (c->platform->fipslevel < 0 || c->platform->fipslevel > 4)) {
        attest_err_set(err, "evidence: fipslevel %d outside 1..4", c->platform->fipslevel);
        return 0;
    }
    if (n > ATTEST_MAX_SIGNATURES) {
        attest_err_set(err, "evidence: more than %d signers", ATTEST_MAX_SIGNATURES);
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (aks[i] == NULL) {
            attest_err_set(err, "evidence: signer %zu has no key", i);
            return 0;
        }
        /* Duplicate ak-spki values are malformed (specs §3.7 rule 11). */
        for (j = 0; j < i; j++) {
            if (attest_key_public_eq(aks[i], aks[j]) == 1) {
                attest_err_set(err, "evidence: signers %zu and %zu use the same key", j, i);
                return 0;
            }
        }
    }
    return 1;
}

int attest_pkix_make_tbs(const attest_pkix_claims *c, EVP_PKEY *const *aks, size_t n_aks, unsigned char **tbs,
                         size_t *len, attest_err *err)
{
    ATTEST_PKIX_TBS *t = NULL;
    int n, ok = -1;

    *tbs = NULL;
    *len = 0;
    ERR_set_mark(); /* the caller's queue is not ours to clear */
    if (!check_input(c, aks, n_aks, err))
        goto fail;
    if ((t = ATTEST_PKIX_TBS_new()) == NULL || !ASN1_INTEGER_set(t->version, 1) || !build_transaction(t, c, aks, n_aks)
        || (c->platform != NULL && !build_platform(t, c->platform)) || !build_key(t, c)) {
        attest_err_set(err, "evidence: cannot build the claims (out of memory or unencodable key)");
        goto fail;
    }
    if ((n = i2d_ATTEST_PKIX_TBS(t, tbs)) <= 0) {
        attest_err_set(err, "evidence: cannot encode the claims");
        goto fail;
    }
    *len = (size_t)n;
    ok = 0;
fail:
    ATTEST_PKIX_TBS_free(t);
    ERR_pop_to_mark();
    return ok;
}

/* The bytes are exactly one DER TbsEvidence: an AK signs attestation, nothing else. */
static ATTEST_PKIX_TBS *tbs_exact(const unsigned char *tbs, size_t len, attest_err *err)
{
    const unsigned char *p = tbs;
    ATTEST_PKIX_TBS *t;

    /* A refusal is ours to explain; keep libcrypto's decoding noise out of the queue. */
    ERR_set_mark();
    t = d2i_ATTEST_PKIX_TBS(NULL, &p, (long)len);
    ERR_pop_to_mark();
    if (t == NULL || p != tbs + len || !attest_der_reencodes(ASN1_ITEM_rptr(ATTEST_PKIX_TBS), t, tbs, len)) {
        attest_err_set(err, "evidence: the data to sign is not one DER TbsEvidence");
        ATTEST_PKIX_TBS_free(t);
        t = NULL;
    }
    return t;
}

int attest_pkix_sign_tbs(const unsigned char *tbs, size_t tbs_len, const attest_pkix_signer *s, OSSL_LIB_CTX *libctx,
                         const char *propq, unsigned char **block, size_t *len, attest_err *err)
{
    ATTEST_PKIX_TBS *t;
    ATTEST_PKIX_SIGBLOCK *b;
    int n;

    *block = NULL;
    if ((t = tbs_exact(tbs, tbs_len, err)) == NULL)
        return -1;
    ATTEST_PKIX_TBS_free(t);
    if ((b = sign_block(tbs, tbs_len, s, libctx, propq, err)) == NULL)
        return -1;
    n = i2d_ATTEST_PKIX_SIGBLOCK(b, block);
    ATTEST_PKIX_SIGBLOCK_free(b);
    if (n <= 0) {
        attest_err_set(err, "evidence: cannot encode the signature block");
        return -1;
    }
    *len = (size_t)n;
    return 0;
}

int attest_pkix_assemble(const unsigned char *tbs, size_t tbs_len, const unsigned char *const *blocks,
                         const size_t *block_lens, size_t n, unsigned char **der, size_t *len, attest_err *err)
{
    ATTEST_PKIX_EVIDENCE *ev = ATTEST_PKIX_EVIDENCE_new();
    attest_pkix *p = NULL;
    size_t i;
    int ok = -1;

    *der = NULL;
    if (ev == NULL)
        goto oom;
    ATTEST_PKIX_TBS_free(ev->tbs);
    if ((ev->tbs = tbs_exact(tbs, tbs_len, err)) == NULL) {
        ATTEST_PKIX_EVIDENCE_free(ev);
        return -1;
    }
    for (i = 0; i < n; i++) {
        const unsigned char *q = blocks[i];
        ATTEST_PKIX_SIGBLOCK *b = d2i_ATTEST_PKIX_SIGBLOCK(NULL, &q, (long)block_lens[i]);

        if (b == NULL || q != blocks[i] + block_lens[i]) {
            ATTEST_PKIX_SIGBLOCK_free(b);
            ATTEST_PKIX_EVIDENCE_free(ev);
            attest_err_set(err, "evidence: signature block %zu is not one DER SignatureBlock", i);
            return -1;
        }
        if (sk_ATTEST_PKIX_SIGBLOCK_push(ev->sigs, b) <= 0) {
            ATTEST_PKIX_SIGBLOCK_free(b);
            ATTEST_PKIX_EVIDENCE_free(ev);
            goto oom;
        }
    }
    if ((p = attest_pkix_wrap(ev, err)) == NULL)
        return -1;
    ok = attest_pkix_encode(p, der, len, err);
    attest_pkix_free(p);
    return ok;
oom:
    attest_err_set(err, "evidence: out of memory");
    return -1;
}

int attest_pkix_build(const attest_pkix_claims *c, const attest_pkix_signer *s, size_t n_signers, OSSL_LIB_CTX *libctx,
                      const char *propq, unsigned char **der, size_t *len, attest_err *err)
{
    EVP_PKEY *aks[ATTEST_MAX_SIGNATURES] = { NULL };
    unsigned char *tbs = NULL, *blocks[ATTEST_MAX_SIGNATURES] = { NULL };
    size_t tbs_len = 0, blens[ATTEST_MAX_SIGNATURES] = { 0 }, i;
    int ok = -1;

    *der = NULL;
    *len = 0;
    if (n_signers > ATTEST_MAX_SIGNATURES) {
        attest_err_set(err, "evidence: more than %d signers", ATTEST_MAX_SIGNATURES);
        return -1;
    }
    for (i = 0; i < n_signers; i++)
        aks[i] = s[i].key;
    ERR_set_mark();
    if (attest_pkix_make_tbs(c, aks, n_signers, &tbs, &tbs_len, err) != 0) {
        ERR_pop_to_mark();
        return -1;
    }
    /* From here the signed bytes are fixed: every block signs the same tbs. */
    for (i = 0; i < n_signers; i++) {
        if (attest_pkix_sign_tbs(tbs, tbs_len, &s[i], libctx, propq, &blocks[i], &blens[i], err) != 0) {
            attest_err_prefix(err, "signer %zu", i);
            goto fail;
        }
    }
    ok = attest_pkix_assemble(tbs, tbs_len, (const unsigned char *const *)blocks, blens, n_signers, der, len, err);
fail:
    for (i = 0; i < n_signers; i++)
        OPENSSL_free(blocks[i]);
    OPENSSL_free(tbs);
    ERR_pop_to_mark();
    return ok;
}
