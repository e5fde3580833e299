/* PKIX mutation classes: b.sig-trunc, e.oid.pkix, j.pkix-claims and the two-block bags (g/h/i-2sig). */
#include "mutation.h"

/* ------------------------------------------------------------ PKIX (b.sig-trunc, e.oid.pkix, j, 2-sig bags) */

/* b.sig-trunc: each SignatureBlock's signatureValue cut at every byte, and one byte appended. */
void gen_sig_trunc(const base_t *b)
{
    char desc[200];
    expect_t e;
    int k;

    for (k = 0; k < b->naks; k++) {
        const mut_node *nd = &b->t.v[b->bval[k]];
        const unsigned char *c = b->t.der + content_off(b, b->bval[k]);
        unsigned char *ext, *r;
        size_t n, rlen = 0;

        memset(&e, 0, sizeof(e));
        e.want_rc = -1;
        e.resign = 1;
        e.oneof = S_PSIG;
        one_of_two(b, &e, k);
        for (n = 0; n <= nd->len; n++) {
            if (n == nd->len)
                describe(b, b->bval[k], desc, sizeof(desc), "block %d: a 0x00 byte appended to the signature", k);
            else
                describe(b, b->bval[k], desc, sizeof(desc), "block %d: signature cut to %zu bytes", k, n);
            if (S.counting) {
                S.counted++;
                continue;
            }
            assert_non_null(ext = OPENSSL_malloc(nd->len + 1));
            memcpy(ext, c, nd->len);
            ext[nd->len] = 0;
            assert_non_null(r = mut_retlv(&b->t, b->bval[k], ext, n == nd->len ? n + 1 : n, 0, &rlen));
            run_splice(b, "b.sig-trunc", &e, b->bval[k], r, rlen, desc);
            OPENSSL_free(r);
            OPENSSL_free(ext);
        }
    }
}

/* PKIX element and claim OIDs, and one no verifier knows. */
static const attest_oid_id pkix_oid_targets[] = {
    ATTEST_OID_PKIX_EL_TRANSACTION,
    ATTEST_OID_PKIX_EL_PLATFORM,
    ATTEST_OID_PKIX_EL_KEY,
    ATTEST_OID_PKIX_TX_NONCE,
    ATTEST_OID_PKIX_TX_TIMESTAMP,
    ATTEST_OID_PKIX_TX_AK_SPKI,
    ATTEST_OID_PKIX_PL_VENDOR,
    ATTEST_OID_PKIX_PL_FIPSLEVEL,
    ATTEST_OID_PKIX_KEY_IDENTIFIER,
    ATTEST_OID_PKIX_KEY_SPKI,
    ATTEST_OID_PKIX_KEY_EXTRACTABLE,
    ATTEST_OID_PKIX_KEY_SENSITIVE,
    ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE,
    ATTEST_OID_PKIX_KEY_LOCAL,
    ATTEST_OID_PKIX_KEY_PURPOSE,
    ATTEST_OID_PKIX_CAP_SIGN,
    ATTEST_OID_PKIX_CAP_ENCRYPT,
};

/*
 * e.oid.pkix: every OID inside the evidence swapped for each PKIX element and
 * claim OID (extractable <-> never-extractable, a claim typed as one of
 * another element, an element typed as another, ...), the AK's signatures
 * kept: inside the TbsEvidence pkix.signature must fail; inside a block the
 * block is refused (with two blocks the other one may carry the verdict).
 */
void gen_oids_pkix(const base_t *b)
{
    const mut_tree *t = &b->t;
    char desc[200], name[80];
    size_t k;
    int n;

    for (n = 0; n < t->n; n++) {
        const mut_node *nd = &t->v[n];

        if (nd->tag != 0x06 || !mut_within(t, n, b->ev))
            continue;
        for (k = 0; k < sizeof(pkix_oid_targets) / sizeof(pkix_oid_targets[0]); k++) {
            const ASN1_OBJECT *o = attest_oid_obj(pkix_oid_targets[k]);
            unsigned char *der = NULL;
            expect_t e = region_expect(b, n);
            int dl;

            assert_true((dl = i2d_ASN1_OBJECT(o, &der)) > 0);
            if ((size_t)dl == nd->hdr + nd->len && memcmp(der, t->der + nd->off, (size_t)dl) == 0) {
                OPENSSL_free(der);
                continue;
            }
            if (mut_within(t, n, b->ptbs))
                e.oneof = S_PSIG;
            OBJ_obj2txt(name, sizeof(name), o, 1);
            describe(b, n, desc, sizeof(desc), "OID -> %s (%s)", attest_oid_info_get(pkix_oid_targets[k])->sn, name);
            run_splice(b, "e.oid.pkix", &e, n, der, (size_t)dl, desc);
            OPENSSL_free(der);
        }
    }
}

/* ---- j.pkix-claims: the AK signs edited claims */

enum {
    J_ASIS,
    J_SWAP,
    J_MOVE,
    J_RETYPE,
    J_DUP_CLAIM,
    J_DUP_EL,
    J_BOOL,
    J_DROP,
    J_DROP_EL,
    J_INT_VALUE,
    J_NO_VALUE,
    J_NONCE,
    J_KEY_SPKI,
    J_AK_SPKI_ALL,
    J_DROP_AK_SPKI0,
    J_VERSION,
    J_FIPSLEVEL,
    J_KEY2
};
#define J_UNKNOWN ATTEST_OID_COUNT /* an element / claim type no verifier knows */

typedef struct {
    const char *what;
    int op;
    int a, b;           /* claim or element ids, per op */
    int v;              /* value, per op */
    const char *fail;   /* this check must fail (exit 1) ... */
    int equiv;          /* ... or this equivalence */
    int equiv2, other2; /* two blocks: equivalence and 1 + the AK that carries (0: as single) */
} jcase;

static ASN1_OBJECT *j_obj(int id)
{
    ASN1_OBJECT *o = id == J_UNKNOWN ? OBJ_txt2obj("1.3.6.1.4.1.55555.7.9", 1) : OBJ_dup(attest_oid_obj(id));

    assert_non_null(o);
    return o;
}

static ATTEST_PKIX_ELEMENT *j_el(attest_pkix *p, int type)
{
    int i;

    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements); i++) {
        ATTEST_PKIX_ELEMENT *el = sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, i);

        if (OBJ_cmp(el->type, attest_oid_obj(type)) == 0)
            return el;
    }
    fail_msg("no element %s", attest_oid_info_get(type)->sn);
    return NULL;
}

/* The claim and the element it is in. */
ATTEST_PKIX_CLAIM *j_claim(attest_pkix *p, int id, ATTEST_PKIX_ELEMENT **in)
{
    int i, j;

    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements); i++) {
        ATTEST_PKIX_ELEMENT *el = sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, i);

        for (j = 0; j < sk_ATTEST_PKIX_CLAIM_num(el->claims); j++) {
            ATTEST_PKIX_CLAIM *c = sk_ATTEST_PKIX_CLAIM_value(el->claims, j);

            if (OBJ_cmp(c->type, attest_oid_obj(id)) == 0) {
                if (in != NULL)
                    *in = el;
                return c;
            }
        }
    }
    fail_msg("no claim %s", attest_oid_info_get(id)->sn);
    return NULL;
}

static void j_set_spki(ATTEST_PKIX_CLAIM *c, EVP_PKEY *key)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);

    assert_true(n > 0);
    assert_int_equal(c->value->type, V_ASN1_OCTET_STRING);
    assert_true(ASN1_OCTET_STRING_set(c->value->value.octet_string, der, n));
    OPENSSL_free(der);
}

static void j_edit(attest_pkix *p, const jcase *jc)
{
    const forge_env *env = forge_env_get();
    ATTEST_PKIX_ELEMENT *el, *el2;
    ATTEST_PKIX_CLAIM *c, *c2;
    ASN1_OBJECT *tmp;
    ASN1_INTEGER *ai;
    int i;

    switch (jc->op) {
    case J_ASIS: break;
    case J_SWAP: /* the types of claims a and b swapped, values stay */
        c = j_claim(p, jc->a, NULL);
        c2 = j_claim(p, jc->b, NULL);
        tmp = c->type;
        c->type = c2->type;
        c2->type = tmp;
        break;
    case J_MOVE: /* claim a moved into the element of type b */
        c = j_claim(p, jc->a, &el);
        el2 = j_el(p, jc->b);
        assert_non_null(sk_ATTEST_PKIX_CLAIM_delete_ptr(el->claims, c));
        assert_true(sk_ATTEST_PKIX_CLAIM_push(el2->claims, c) > 0);
        break;
    case J_RETYPE: /* element a typed b */
        el = j_el(p, jc->a);
        ASN1_OBJECT_free(el->type);
        el->type = j_obj(jc->b);
        break;
    case J_DUP_CLAIM:
        c = j_claim(p, jc->a, &el);
        assert_non_null(c2 = ASN1_item_dup(ASN1_ITEM_rptr(ATTEST_PKIX_CLAIM), c));
        assert_true(sk_ATTEST_PKIX_CLAIM_push(el->claims, c2) > 0);
        break;
    case J_DUP_EL:
        el = j_el(p, jc->a);
        assert_non_null(el2 = ASN1_item_dup(ASN1_ITEM_rptr(ATTEST_PKIX_ELEMENT), el));
        assert_true(sk_ATTEST_PKIX_ELEMENT_push(p->ev->tbs->elements, el2) > 0);
        break;
    case J_BOOL: /* claim a set to v, claim b (if set) to the opposite */
        c = j_claim(p, jc->a, NULL);
        ASN1_TYPE_set(c->value, V_ASN1_BOOLEAN, jc->v ? (void *)c : NULL);
        if (jc->b != 0) {
            c = j_claim(p, jc->b, NULL);
            ASN1_TYPE_set(c->value, V_ASN1_BOOLEAN, jc->v ? NULL : (void *)c);
        }
        break;
    case J_DROP: /* claims a and (if set) b removed */
        for (i = 0; i < 2; i++) {
            int id = i == 0 ? jc->a : jc->b;

            if (i == 1 && id == 0)
                break;
            c = j_claim(p, id, &el);
            assert_non_null(sk_ATTEST_PKIX_CLAIM_delete_ptr(el->claims, c));
            ATTEST_PKIX_CLAIM_free(c);
        }
        break;
    case J_DROP_EL:
        el = j_el(p, jc->a);
        assert_non_null(sk_ATTEST_PKIX_ELEMENT_delete_ptr(p->ev->tbs->elements, el));
        ATTEST_PKIX_ELEMENT_free(el);
        break;
    case J_INT_VALUE: /* claim a's value an INTEGER v */
        c = j_claim(p, jc->a, NULL);
        assert_non_null(ai = ASN1_INTEGER_new());
        assert_true(ASN1_INTEGER_set(ai, jc->v));
        ASN1_TYPE_set(c->value, V_ASN1_INTEGER, ai);
        break;
    case J_NO_VALUE:
        c = j_claim(p, jc->a, NULL);
        ASN1_TYPE_free(c->value);
        c->value = NULL;
        break;
    case J_NONCE: /* another nonce of the same length */
        c = j_claim(p, ATTEST_OID_PKIX_TX_NONCE, NULL);
        c->value->value.octet_string->data[0] ^= 0x01;
        break;
    case J_KEY_SPKI: /* the key element reports another key */
        j_set_spki(j_claim(p, ATTEST_OID_PKIX_KEY_SPKI, NULL), env->key_ec2);
        break;
    case J_AK_SPKI_ALL: /* every ak-spki names another key */
        el = j_el(p, ATTEST_OID_PKIX_EL_TRANSACTION);
        for (i = 0; i < sk_ATTEST_PKIX_CLAIM_num(el->claims); i++) {
            c = sk_ATTEST_PKIX_CLAIM_value(el->claims, i);
            if (OBJ_cmp(c->type, attest_oid_obj(ATTEST_OID_PKIX_TX_AK_SPKI)) == 0)
                j_set_spki(c, i % 2 ? env->key_rsa : env->key_ec2);
        }
        break;
    case J_DROP_AK_SPKI0: /* the first ak-spki (AK 0's) removed */
        c = j_claim(p, ATTEST_OID_PKIX_TX_AK_SPKI, &el);
        assert_non_null(sk_ATTEST_PKIX_CLAIM_delete_ptr(el->claims, c));
        ATTEST_PKIX_CLAIM_free(c);
        break;
    case J_VERSION: assert_true(ASN1_INTEGER_set(p->ev->tbs->version, jc->v)); break;
    case J_FIPSLEVEL:
        c = j_claim(p, ATTEST_OID_PKIX_PL_FIPSLEVEL, NULL);
        assert_true(ASN1_INTEGER_set(c->value->value.integer, jc->v));
        break;
    case J_KEY2: /* a second key element: v 0 another key, same id; 1 the subject key, another id; 2 another key and id */
        el = j_el(p, ATTEST_OID_PKIX_EL_KEY);
        assert_non_null(el2 = ASN1_item_dup(ASN1_ITEM_rptr(ATTEST_PKIX_ELEMENT), el));
        for (i = 0; i < sk_ATTEST_PKIX_CLAIM_num(el2->claims); i++) {
            c = sk_ATTEST_PKIX_CLAIM_value(el2->claims, i);
            if (jc->v != 1 && OBJ_cmp(c->type, attest_oid_obj(ATTEST_OID_PKIX_KEY_SPKI)) == 0)
                j_set_spki(c, env->key_ec2);
            if (jc->v != 0 && OBJ_cmp(c->type, attest_oid_obj(ATTEST_OID_PKIX_KEY_IDENTIFIER)) == 0)
                assert_true(ASN1_STRING_set(c->value->value.utf8string, "mutation-k2", -1));
        }
        assert_true(sk_ATTEST_PKIX_ELEMENT_push(p->ev->tbs->elements, el2) > 0);
        break;
    default: fail_msg("j: op %d", jc->op);
    }
}

/* Every block re-signed by its AK over the edited tbs (PKCS#1 v1.5 / ECDSA, SHA-256). */
/* Every block of p re-signed by its AK over p's (edited) tbs, then p encoded; p is consumed. */
unsigned char *j_resign(const base_t *b, attest_pkix *p, size_t *len)
{
    unsigned char *tbs = NULL, *der = NULL;
    attest_err err;
    int k, n;

    assert_true((n = i2d_ATTEST_PKIX_TBS(p->ev->tbs, &tbs)) > 0);
    for (k = 0; k < b->naks; k++) {
        ATTEST_PKIX_SIGBLOCK *blk = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, k);
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        unsigned char sig[1024];
        size_t siglen = sizeof(sig);

        assert_non_null(m);
        assert_true(EVP_DigestSignInit_ex(m, NULL, "SHA256", NULL, NULL, b->aks[k], NULL) > 0);
        assert_true(EVP_DigestSign(m, sig, &siglen, tbs, (size_t)n) > 0);
        assert_true(ASN1_OCTET_STRING_set(blk->value, sig, (int)siglen));
        EVP_MD_CTX_free(m);
    }
    OPENSSL_free(tbs);
    assert_int_equal(attest_pkix_encode(p, &der, len, &err), 0);
    attest_pkix_free(p);
    return der;
}

static unsigned char *j_build(const base_t *b, const jcase *jc, size_t *len)
{
    attest_pkix *p = NULL;
    attest_err err;

    if (attest_pkix_decode(b->out.stmt, b->out.stmt_len, &p, &err) != 0)
        fail_msg("attest_pkix_decode: %s", err.msg);
    j_edit(p, jc);
    return j_resign(b, p, len);
}

/*
 * j.pkix-claims: what the AK itself might sign wrongly or a claims file might
 * say - claims swapped, moved into the wrong element, elements retyped or
 * repeated, values of the wrong type, weaker values - every block re-signed,
 * so only the claim checks (pkix.structure, pkix.key-binding, pkix.nonce,
 * pkix.key-policy, the ak-spki binding of pkix.signature) can refuse them.
 */
void gen_claims(const base_t *b)
{
    enum {
        TX = ATTEST_OID_PKIX_EL_TRANSACTION,
        PL = ATTEST_OID_PKIX_EL_PLATFORM,
        KEY = ATTEST_OID_PKIX_EL_KEY,
        NONCE = ATTEST_OID_PKIX_TX_NONCE,
        AKSPKI = ATTEST_OID_PKIX_TX_AK_SPKI,
        KID = ATTEST_OID_PKIX_KEY_IDENTIFIER,
        KSPKI = ATTEST_OID_PKIX_KEY_SPKI,
        EX = ATTEST_OID_PKIX_KEY_EXTRACTABLE,
        SENS = ATTEST_OID_PKIX_KEY_SENSITIVE,
        NEX = ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE,
        LOCAL = ATTEST_OID_PKIX_KEY_LOCAL,
        PURPOSE = ATTEST_OID_PKIX_KEY_PURPOSE,
        VENDOR = ATTEST_OID_PKIX_PL_VENDOR,
        TS = ATTEST_OID_PKIX_TX_TIMESTAMP
    };
    static const jcase jc[] = {
        { "control: every block re-signed as is", J_ASIS, 0, 0, 0, NULL, EQ_MUST, 0, 0 },
        /* claim types swapped, values kept */
        { "key-extractable <-> key-never-extractable", J_SWAP, EX, NEX, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0 },
        { "key-extractable <-> key-sensitive", J_SWAP, EX, SENS, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0 },
        { "key-extractable <-> key-local", J_SWAP, EX, LOCAL, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0 },
        { "key-never-extractable <-> key-local (both TRUE: the same claims)", J_SWAP, NEX, LOCAL, 0, NULL, EQ_MUST, 0,
          0 },
        { "key-identifier <-> key-spki", J_SWAP, KID, KSPKI, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "tx-nonce <-> tx-ak-spki", J_SWAP, NONCE, AKSPKI, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        /* a claim in the wrong element */
        { "key-extractable moved into the platform element", J_MOVE, EX, PL, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key-never-extractable moved into the transaction element", J_MOVE, NEX, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0,
          0 },
        { "key-sensitive moved into the platform element", J_MOVE, SENS, PL, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key-local moved into the transaction element", J_MOVE, LOCAL, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key-spki moved into the transaction element", J_MOVE, KSPKI, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key-identifier moved into the platform element", J_MOVE, KID, PL, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "tx-nonce moved into the key element", J_MOVE, NONCE, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "tx-ak-spki moved into the key element", J_MOVE, AKSPKI, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "platform vendor moved into the key element", J_MOVE, VENDOR, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        /* elements retyped */
        { "key element typed platform", J_RETYPE, KEY, PL, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key element typed transaction", J_RETYPE, KEY, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key element typed unknown (ignored: no key element)", J_RETYPE, KEY, J_UNKNOWN, 0, CHK_PKIX_KEY_BINDING,
          EQ_NO, 0, 0 },
        { "transaction element typed key", J_RETYPE, TX, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "transaction element typed unknown (no nonce)", J_RETYPE, TX, J_UNKNOWN, 0, CHK_PKIX_NONCE, EQ_NO, 0, 0 },
        { "platform element typed key", J_RETYPE, PL, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "platform element typed transaction", J_RETYPE, PL, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "control: platform element typed unknown (ignored)", J_RETYPE, PL, J_UNKNOWN, 0, NULL, EQ_MUST, 0, 0 },
        /* repeated */
        { "key-extractable twice", J_DUP_CLAIM, EX, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key-spki twice", J_DUP_CLAIM, KSPKI, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "tx-nonce twice", J_DUP_CLAIM, NONCE, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "tx-ak-spki twice", J_DUP_CLAIM, AKSPKI, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key element twice", J_DUP_EL, KEY, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "transaction element twice", J_DUP_EL, TX, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "platform element twice", J_DUP_EL, PL, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "second key element: another key, the same key-identifier", J_KEY2, 0, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0,
          0 },
        { "second key element: the subject key, another key-identifier", J_KEY2, 0, 0, 1, CHK_PKIX_STRUCTURE, EQ_NO, 0,
          0 },
        { "control: second key element about another key", J_KEY2, 0, 0, 2, NULL, EQ_MAY, 0, 0 },
        /* weaker values */
        /* regression: was affirmed as "non-exportable" while never-extractable stayed TRUE */
        { "key-extractable TRUE (key-never-extractable TRUE stays)", J_BOOL, EX, 0, 1, CHK_PKIX_KEY_POLICY, EQ_NO, 0,
          0 },
        { "key-sensitive FALSE", J_BOOL, SENS, 0, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0 },
        { "key-local FALSE", J_BOOL, LOCAL, 0, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0 },
        { "key-extractable TRUE, key-never-extractable FALSE", J_BOOL, EX, NEX, 1, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0 },
        { "key-never-extractable FALSE (key-extractable FALSE stays)", J_BOOL, NEX, 0, 0, NULL, EQ_MAY, 0, 0 },
        { "key-sensitive removed", J_DROP, SENS, 0, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0 },
        { "key-local removed", J_DROP, LOCAL, 0, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0 },
        { "key-extractable and key-never-extractable removed", J_DROP, EX, NEX, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0 },
        { "control: key-extractable removed (key-never-extractable TRUE)", J_DROP, EX, 0, 0, NULL, EQ_MUST, 0, 0 },
        /* the policy takes extractable FALSE alone as non-exportable today (the man page reads stricter) */
        { "key-never-extractable removed (key-extractable FALSE)", J_DROP, NEX, 0, 0, NULL, EQ_MAY, 0, 0 },
        { "control: key-purpose and tx-timestamp removed", J_DROP, PURPOSE, TS, 0, NULL, EQ_MUST, 0, 0 },
        { "key-identifier removed", J_DROP, KID, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key-spki removed", J_DROP, KSPKI, 0, 0, CHK_PKIX_KEY_BINDING, EQ_NO, 0, 0 },
        { "tx-nonce removed", J_DROP, NONCE, 0, 0, CHK_PKIX_NONCE, EQ_NO, 0, 0 },
        { "key element removed", J_DROP_EL, KEY, 0, 0, CHK_PKIX_KEY_BINDING, EQ_NO, 0, 0 },
        { "transaction element removed", J_DROP_EL, TX, 0, 0, CHK_PKIX_NONCE, EQ_NO, 0, 0 },
        /* wrong value types and ranges */
        { "key-extractable an INTEGER 0", J_INT_VALUE, EX, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key-sensitive an INTEGER 1", J_INT_VALUE, SENS, 0, 1, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "key-local without a value", J_NO_VALUE, LOCAL, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "tx-nonce without a value", J_NO_VALUE, NONCE, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "version 2", J_VERSION, 0, 0, 2, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "version 0", J_VERSION, 0, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "fipslevel 5", J_FIPSLEVEL, 0, 0, 5, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        { "fipslevel 0", J_FIPSLEVEL, 0, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0 },
        /* bindings */
        { "another nonce", J_NONCE, 0, 0, 0, CHK_PKIX_NONCE, EQ_NO, 0, 0 },
        { "key-spki of another key", J_KEY_SPKI, 0, 0, 0, CHK_PKIX_KEY_BINDING, EQ_NO, 0, 0 },
        { "every tx-ak-spki of another key", J_AK_SPKI_ALL, 0, 0, 0, CHK_PKIX_SIGNATURE, EQ_NO, 0, 0 },
        /* one AK: no ak-spki at all is allowed; two: AK 0 is no longer listed, AK 1 carries */
        { "control: AK 0's tx-ak-spki removed", J_DROP_AK_SPKI0, 0, 0, 0, NULL, EQ_MUST, EQ_MUST, 2 },
    };
    const size_t n = sizeof(jc) / sizeof(jc[0]);
    size_t i, len = 0;
    unsigned char *ev;
    expect_t e;

    if (S.counting) {
        S.counted += (long)n;
        return;
    }
    for (i = 0; i < n; i++) {
        const char *one[2];

        one[0] = jc[i].fail;
        one[1] = NULL;
        memset(&e, 0, sizeof(e));
        e.want_rc = -1;
        if (jc[i].fail != NULL) {
            e.oneof = one;
            e.want_rc = 1;
        }
        e.equiv = jc[i].equiv;
        if (b->naks == 2 && jc[i].other2 > 0) {
            e.equiv = jc[i].equiv2;
            e.other1 = jc[i].other2;
        }
        ev = j_build(b, &jc[i], &len);
        {
            size_t clen = 0;
            unsigned char *csr = csr_with_stmt(b, ev, len, b->akc, b->naks, &clen);

            run(b, "j.pkix-claims", &e, csr, clen, jc[i].what);
            OPENSSL_free(csr);
        }
        OPENSSL_free(ev);
    }
}

/*
 * Two blocks, both AK certificates in play (g/h/i-2sig): one AK's
 * certificate broken and the other's intact is equivalent by design (the
 * intact one carries); both broken must fail, with the first block's chain
 * reported.  Plus the bag's orders and either certificate alone.
 */
void gen_two(const base_t *b)
{
    static const struct {
        const char *cls, *what, *fail, *detail;
        long nb, na;
        int times, nid;
        const char *value;
    } ch[] = {
        { "h.validity-2sig", "expired a day ago", CHK_CHAIN_TRUST, "expired", -2 * 86400, -86400 + 60, 1, 0, NULL },
        { "h.validity-2sig", "valid from tomorrow", CHK_CHAIN_TRUST, "not yet valid", 86400, YEAR, 1, 0, NULL },
        { "h.validity-2sig", "notBefore after notAfter", CHK_CHAIN_TRUST, NULL, 3600, -3600, 1, 0, NULL },
        { "i.ak-profile-2sig", "EKU removed", CHK_CHAIN_AK_PROFILE, NULL, 0, 0, 0, NID_ext_key_usage, NULL },
        { "i.ak-profile-2sig", "EKU serverAuth", CHK_CHAIN_AK_PROFILE, NULL, 0, 0, 0, NID_ext_key_usage, "serverAuth" },
        { "i.ak-profile-2sig", "keyUsage keyEncipherment only", CHK_CHAIN_AK_PROFILE, NULL, 0, 0, 0, NID_key_usage,
          "critical,keyEncipherment" },
        { "i.ak-profile-2sig", "basicConstraints cA TRUE", CHK_CHAIN_AK_PROFILE, NULL, 0, 0, 0, NID_basic_constraints,
          "critical,CA:TRUE" },
    };
    const forge_env *env = forge_env_get();
    X509 *x[2], *o[2], *bag[3];
    char desc[160];
    expect_t e;
    size_t i;
    int k;

    if (b->naks != 2)
        return;
    if (S.counting) {
        S.counted += (long)(sizeof(ch) / sizeof(ch[0])) * 4 + 11;
        return;
    }
    for (i = 0; i < sizeof(ch) / sizeof(ch[0]); i++) {
        for (k = 0; k < 2; k++)
            x[k] = resigned_ak_k(b, k, ch[i].nb, ch[i].na, ch[i].times, ch[i].nid, ch[i].value, ch[i].nid != 0);
        e = ex_only(ch[i].fail, ch[i].detail);
        snprintf(desc, sizeof(desc), "both AK certificates: %s", ch[i].what);
        run_bag(b, ch[i].cls, &e, x, 2, desc);
        for (k = 0; k < 2; k++) {
            e = ex_equiv(EQ_MUST);
            e.other1 = 2 - k;
            bag[0] = k == 0 ? x[0] : b->akc[0];
            bag[1] = k == 1 ? x[1] : b->akc[1];
            snprintf(desc, sizeof(desc), "AK %d's certificate: %s, AK %d's intact", k, ch[i].what, 1 - k);
            run_bag(b, ch[i].cls, &e, bag, 2, desc);
        }
        /* the broken one after the intact one */
        e = ex_equiv(EQ_MUST);
        e.other1 = 2;
        bag[0] = b->akc[1];
        bag[1] = x[0];
        snprintf(desc, sizeof(desc), "[AK 1 intact, AK 0 %s]", ch[i].what);
        run_bag(b, ch[i].cls, &e, bag, 2, desc);
        X509_free(x[0]);
        X509_free(x[1]);
    }
    for (k = 0; k < 2; k++)
        o[k] = mk_ak_k(b, k, env->other_ca, env->other_ca_key);
    e = ex_equiv(EQ_MUST);
    e.other1 = 1;
    run_bag(b, "g.certs-2sig", &e, b->akc, 2, "control: [AK 0, AK 1]");
    bag[0] = b->akc[1];
    bag[1] = b->akc[0];
    run_bag(b, "g.certs-2sig", &e, bag, 2, "reordered [AK 1, AK 0]");
    bag[0] = env->root;
    bag[1] = b->akc[1];
    bag[2] = b->akc[0];
    run_bag(b, "g.certs-2sig", &e, bag, 3, "reordered [root, AK 1, AK 0]");
    run_bag(b, "g.certs-2sig", &e, &b->akc[0], 1, "AK 1's certificate removed");
    e.other1 = 2;
    run_bag(b, "g.certs-2sig", &e, &b->akc[1], 1, "AK 0's certificate removed");
    bag[0] = o[0];
    bag[1] = b->akc[1];
    bag[2] = env->other_ca;
    run_bag(b, "g.certs-2sig", &e, bag, 3, "AK 0's certificate from another CA, AK 1's intact");
    e.other1 = 1;
    bag[0] = b->akc[0];
    bag[1] = o[1];
    run_bag(b, "g.certs-2sig", &e, bag, 2, "AK 1's certificate from another CA, AK 0's intact");
    e = ex_only(CHK_CHAIN_TRUST, NULL);
    run_bag(b, "g.certs-2sig", &e, o, 2, "both AK certificates from another CA");
    bag[0] = o[1];
    bag[1] = env->other_ca;
    bag[2] = o[0];
    run_bag(b, "g.certs-2sig", &e, bag, 3, "both AK certificates from another CA, with that CA");
    e = ex_nocert(b, NULL);
    run_bag(b, "g.certs-2sig", &e, NULL, 0, "cert bag removed");
    bag[0] = env->root;
    run_bag(b, "g.certs-2sig", &e, bag, 1, "both AK certificates removed, the root kept");
    X509_free(o[0]);
    X509_free(o[1]);
}
