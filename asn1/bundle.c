/*
 * AttestationBundle codec.
 *
 *   AttestationBundle ::= SEQUENCE {
 *       attestations SEQUENCE SIZE (1..MAX) OF AttestationStatement,
 *       certs        SEQUENCE SIZE (1..MAX) OF LimitedCertChoices OPTIONAL }
 *   AttestationStatement ::= SEQUENCE { type OBJECT IDENTIFIER, stmt ANY }
 *
 * A statement is read as a SEQUENCE OF ANY so that the older shapes (a hint
 * after stmt, bindsPublicKey before it, attrs after it) decode through the
 * same template; OpenSSL's templates cannot express two optional ANYs.
 */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/x509.h>

#include "attest/bundle.h"
#include "attest/certcache.h"
#include "attest/der.h"
#include "attest/limits.h"
#include "attest/oids.h"

DEFINE_STACK_OF(ASN1_SEQUENCE_ANY)

typedef struct {
    STACK_OF(ASN1_SEQUENCE_ANY) *stmts;
    STACK_OF(ASN1_TYPE) *certs;
} ATTEST_WIRE_BUNDLE;

ASN1_SEQUENCE(ATTEST_WIRE_BUNDLE) = {
    ASN1_SEQUENCE_OF(ATTEST_WIRE_BUNDLE, stmts, ASN1_SEQUENCE_ANY),
    ASN1_SEQUENCE_OF_OPT(ATTEST_WIRE_BUNDLE, certs, ASN1_ANY),
} ASN1_SEQUENCE_END(ATTEST_WIRE_BUNDLE)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_WIRE_BUNDLE)

DEFINE_STACK_OF(ATTEST_WIRE_BUNDLE)
typedef STACK_OF(ATTEST_WIRE_BUNDLE) ATTEST_WIRE_BUNDLES;
ASN1_ITEM_TEMPLATE(ATTEST_WIRE_BUNDLES) = ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, ATTEST_WIRE_BUNDLES,
                                                                ATTEST_WIRE_BUNDLE)
    ASN1_ITEM_TEMPLATE_END(ATTEST_WIRE_BUNDLES) IMPLEMENT_ASN1_FUNCTIONS(ATTEST_WIRE_BUNDLES)

    /* [3] OtherCertificateFormat, read after re-tagging A3 -> 30. */
    typedef struct {
    ASN1_OBJECT *format;
    ASN1_TYPE *cert;
} ATTEST_OTHER_CERT;
ASN1_SEQUENCE(ATTEST_OTHER_CERT) = {
    ASN1_SIMPLE(ATTEST_OTHER_CERT, format, ASN1_OBJECT),
    ASN1_SIMPLE(ATTEST_OTHER_CERT, cert, ASN1_ANY),
} ASN1_SEQUENCE_END(ATTEST_OTHER_CERT)
IMPLEMENT_ASN1_FUNCTIONS(ATTEST_OTHER_CERT)

attest_bundle *attest_bundle_new(void)
{
    attest_bundle *b = OPENSSL_zalloc(sizeof(*b));

    if (b == NULL)
        return NULL;
    if ((b->certs = sk_X509_new_null()) == NULL) {
        OPENSSL_free(b);
        return NULL;
    }
    return b;
}

void attest_bundle_free(attest_bundle *b)
{
    size_t i;

    if (b == NULL)
        return;
    for (i = 0; i < b->n_stmts; i++) {
        ASN1_OBJECT_free(b->stmts[i].type);
        OPENSSL_free(b->stmts[i].stmt);
        OPENSSL_free(b->stmts[i].hint);
    }
    OPENSSL_free(b->stmts);
    sk_X509_pop_free(b->certs, X509_free);
    OPENSSL_free(b);
}

void attest_legacy_describe(unsigned legacy, char *buf, size_t buflen)
{
    static const char *names[] = { "list-of-bundles",  "hint-utf8string", "hint-ia5string",   "hint-choice",
                                   "binds-public-key", "statement-attrs", "cert-implicit-a0", "cert-attribute-cert" };
    size_t i, used = 0;

    if (buflen == 0)
        return;
    buf[0] = '\0';
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (legacy & (1u << i)) {
            int n = snprintf(buf + used, buflen - used, "%s%s", used ? "," : "", names[i]);

            if (n < 0 || (size_t)n >= buflen - used)
                return;
            used += (size_t)n;
        }
    }
}

/* The first identifier octet of a decoded ANY, as it was on the wire. */
static int any_tag_byte(const ASN1_TYPE *t)
{
    if (t->type == V_ASN1_OTHER || t->type == V_ASN1_SEQUENCE || t->type == V_ASN1_SET)
        return t->value.asn1_string->length > 0 ? t->value.asn1_string->data[0] : -1;
    return t->type; /* universal primitive: the tag number is the octet */
}

static int any_to_tlv(const ASN1_TYPE *t, unsigned char **out, size_t *len)
{
    unsigned char *p = NULL;
    int n = i2d_ASN1_TYPE((ASN1_TYPE *)t, &p);

    if (n <= 0)
        return 0;
    *out = p;
    *len = (size_t)n;
    return 1;
}

/* bindsPublicKey of -22/-23: [0] IMPLICIT BOOLEAN, i.e. 80 01 xx. */
static int is_binds_public_key(const ASN1_TYPE *t, int *value)
{
    const ASN1_STRING *s;

    if (t->type != V_ASN1_OTHER)
        return 0;
    s = t->value.asn1_string;
    if (s->length != 3 || s->data[0] != 0x80 || s->data[1] != 0x01)
        return 0;
    *value = s->data[2] != 0;
    return 1;
}

/* A trailing element after stmt: a legacy hint, or -22/-23 attrs. */
static int read_trailer(const ASN1_TYPE *t, attest_statement *st, attest_err *err)
{
    const ASN1_STRING *s = t->value.asn1_string;
    int tag = any_tag_byte(t);
    const unsigned char *text = NULL;
    int text_len = 0;

    if (t->type == V_ASN1_UTF8STRING || t->type == V_ASN1_IA5STRING) {
        st->legacy |= t->type == V_ASN1_UTF8STRING ? ATTEST_LEGACY_HINT_UTF8 : ATTEST_LEGACY_HINT_IA5;
        text = s->data;
        text_len = s->length;
    } else if (t->type == V_ASN1_OTHER && tag >= 0x80 && tag <= 0x83) {
        /* EvidenceHint CHOICE: short primitive TLV, text after the header. */
        long hdr_len;
        const unsigned char *p = s->data;
        int ptag, pclass;
        long plen;

        if (ASN1_get_object(&p, &plen, &ptag, &pclass, s->length) & 0x80) {
            attest_err_set(err, "statement hint [%d] is malformed", tag & 0x1f);
            return 0;
        }
        hdr_len = p - s->data;
        st->legacy |= ATTEST_LEGACY_HINT_CHOICE;
        text = s->data + hdr_len;
        text_len = (int)plen;
    } else if (t->type == V_ASN1_OTHER && tag == 0xA1) {
        st->legacy |= ATTEST_LEGACY_STMT_ATTRS;
        return 1;
    } else {
        attest_err_set(err, "statement has an unexpected element after stmt (tag 0x%02x)", tag & 0xff);
        return 0;
    }
    if ((st->hint = OPENSSL_strndup((const char *)text, (size_t)text_len)) == NULL) {
        attest_err_set(err, "out of memory");
        return 0;
    }
    return 1;
}

static int read_statement(ASN1_SEQUENCE_ANY *seq, attest_statement *st, attest_err *err)
{
    int n = sk_ASN1_TYPE_num(seq);
    const ASN1_TYPE *t0, *stmt, *trailer = NULL;
    int bpk = -1, v;

    st->binds_public_key = -1;
    if (n < 2 || n > 4) {
        attest_err_set(err, "statement has %d elements, expected type and stmt", n);
        return 0;
    }
    t0 = sk_ASN1_TYPE_value(seq, 0);
    if (t0->type != V_ASN1_OBJECT) {
        attest_err_set(err, "statement does not start with a type OID");
        return 0;
    }
    stmt = sk_ASN1_TYPE_value(seq, 1);
    if (n >= 3 && is_binds_public_key(stmt, &v)) {
        bpk = v;
        stmt = sk_ASN1_TYPE_value(seq, 2);
        if (n == 4)
            trailer = sk_ASN1_TYPE_value(seq, 3);
    } else if (n == 3) {
        trailer = sk_ASN1_TYPE_value(seq, 2);
    } else if (n == 4) {
        attest_err_set(err, "statement has 4 elements but no bindsPublicKey");
        return 0;
    }
    if (bpk >= 0) {
        st->binds_public_key = bpk;
        st->legacy |= ATTEST_LEGACY_BINDS_PUBKEY;
    }
    if ((st->type = OBJ_dup(t0->value.object)) == NULL || !any_to_tlv(stmt, &st->stmt, &st->stmt_len)) {
        attest_err_set(err, "out of memory");
        return 0;
    }
    /* stmt is an opaque ANY to OpenSSL: check what is inside it too. */
    if (attest_der_strict(st->stmt, st->stmt_len, err) != 0) {
        attest_err_prefix(err, "stmt");
        return 0;
    }
    if (trailer != NULL && !read_trailer(trailer, st, err))
        return 0;
    return 1;
}

/* d2i_X509 that must consume exactly len bytes (cached: batches repeat their chains). */
static X509 *cert_exact(const attest_bundle *b, const unsigned char *der, long len)
{
    return len > 0 ? attest_cert_from_der_ex(der, (size_t)len, b->libctx, b->propq) : NULL;
}

/* Re-tag a context-specific constructed TLV as a SEQUENCE and parse it. */
static X509 *cert_retagged(const attest_bundle *b, const ASN1_STRING *s)
{
    unsigned char *copy = OPENSSL_memdup(s->data, (size_t)s->length);
    X509 *x;

    if (copy == NULL)
        return NULL;
    copy[0] = 0x30;
    x = cert_exact(b, copy, s->length);
    OPENSSL_free(copy);
    return x;
}

static int read_cert(attest_bundle *b, const ASN1_TYPE *t, size_t idx, attest_err *err)
{
    int tag = any_tag_byte(t);
    X509 *x = NULL;

    if (t->type == V_ASN1_SEQUENCE) {
        x = cert_exact(b, t->value.sequence->data, t->value.sequence->length);
        if (x == NULL) {
            attest_err_set(err, "certs[%zu] is not a valid certificate", idx);
            return 0;
        }
    } else if (tag == 0xA3) {
        unsigned char *copy = OPENSSL_memdup(t->value.asn1_string->data, (size_t)t->value.asn1_string->length);
        const unsigned char *p = copy;
        ATTEST_OTHER_CERT *oc;

        if (copy == NULL) {
            attest_err_set(err, "out of memory");
            return 0;
        }
        copy[0] = 0x30;
        oc = d2i_ATTEST_OTHER_CERT(NULL, &p, t->value.asn1_string->length);
        if (oc == NULL || p != copy + t->value.asn1_string->length) {
            ATTEST_OTHER_CERT_free(oc);
            OPENSSL_free(copy);
            attest_err_set(err, "certs[%zu] is a malformed OtherCertificateFormat", idx);
            return 0;
        }
        ATTEST_OTHER_CERT_free(oc);
        OPENSSL_free(copy);
        b->n_other_certs++;
        return 1;
    } else if (tag == 0xA0) {
        if ((x = cert_retagged(b, t->value.asn1_string)) == NULL) {
            attest_err_set(err, "certs[%zu] [0] is not an implicitly tagged certificate", idx);
            return 0;
        }
        b->legacy |= ATTEST_LEGACY_CERT_A0;
    } else if (tag == 0xA1 || tag == 0xA2) {
        b->legacy |= ATTEST_LEGACY_CERT_ATTRCERT;
        b->n_ignored_certs++;
        return 1;
    } else {
        attest_err_set(err, "certs[%zu] has tag 0x%02x, expected a Certificate or [3] other", idx, tag & 0xff);
        return 0;
    }
    if (!sk_X509_push(b->certs, x)) {
        X509_free(x);
        attest_err_set(err, "out of memory");
        return 0;
    }
    return 1;
}

static int read_wire(attest_bundle *b, const ATTEST_WIRE_BUNDLE *w, attest_err *err)
{
    int i, ns = sk_ASN1_SEQUENCE_ANY_num(w->stmts);
    int nc = w->certs != NULL ? sk_ASN1_TYPE_num(w->certs) : 0;
    attest_statement *grown;

    if (ns <= 0) {
        attest_err_set(err, "attestations is empty (SIZE 1..MAX)");
        return 0;
    }
    if (w->certs != NULL && nc == 0) {
        attest_err_set(err, "certs is present but empty (SIZE 1..MAX)");
        return 0;
    }
    if (b->n_stmts + (size_t)ns > ATTEST_MAX_STATEMENTS) {
        attest_err_set(err, "more than %d statements", ATTEST_MAX_STATEMENTS);
        return 0;
    }
    if ((size_t)sk_X509_num(b->certs) + b->n_other_certs + (size_t)nc > ATTEST_MAX_BUNDLE_CERTS) {
        attest_err_set(err, "more than %d certificates", ATTEST_MAX_BUNDLE_CERTS);
        return 0;
    }
    grown = OPENSSL_realloc(b->stmts, (b->n_stmts + (size_t)ns) * sizeof(*grown));
    if (grown == NULL) {
        attest_err_set(err, "out of memory");
        return 0;
    }
    b->stmts = grown;
    for (i = 0; i < ns; i++) {
        attest_statement *st = &b->stmts[b->n_stmts];

        memset(st, 0, sizeof(*st));
        b->n_stmts++;
        if (!read_statement(sk_ASN1_SEQUENCE_ANY_value(w->stmts, i), st, err)) {
            attest_err_prefix(err, "attestations[%zu]", b->n_stmts - 1);
            return 0;
        }
        b->legacy |= st->legacy;
    }
    for (i = 0; i < nc; i++)
        if (!read_cert(b, sk_ASN1_TYPE_value(w->certs, i), (size_t)i, err))
            return 0;
    return 1;
}

/* The first statement of the first bundle starts with an OID: current shape. */
static int looks_current(const ATTEST_WIRE_BUNDLE *w)
{
    ASN1_SEQUENCE_ANY *s;

    if (sk_ASN1_SEQUENCE_ANY_num(w->stmts) <= 0)
        return 1; /* let read_wire report the empty list */
    s = sk_ASN1_SEQUENCE_ANY_value(w->stmts, 0);
    return sk_ASN1_TYPE_num(s) > 0 && sk_ASN1_TYPE_value(s, 0)->type == V_ASN1_OBJECT;
}

int attest_bundle_decode(const unsigned char *der, size_t len, attest_bundle **out, attest_err *err)
{
    return attest_bundle_decode_ex(der, len, NULL, NULL, out, err);
}

int attest_bundle_decode_ex(const unsigned char *der, size_t len, OSSL_LIB_CTX *libctx, const char *propq,
                            attest_bundle **out, attest_err *err)
{
    const unsigned char *p = der;
    ATTEST_WIRE_BUNDLE *w = NULL;
    ATTEST_WIRE_BUNDLES *list = NULL;
    attest_bundle *b = NULL;
    int ok = -1, i;

    *out = NULL;
    if (len == 0 || len > ATTEST_MAX_INPUT) {
        attest_err_set(err, "bundle: size %zu outside 1..%d bytes", len, ATTEST_MAX_INPUT);
        return -1;
    }
    if ((b = attest_bundle_new()) == NULL)
        goto oom;
    b->libctx = libctx;
    b->propq = propq;
    w = d2i_ATTEST_WIRE_BUNDLE(NULL, &p, (long)len);
    if (w != NULL && p == der + len && looks_current(w)) {
        if (!attest_der_reencodes(ASN1_ITEM_rptr(ATTEST_WIRE_BUNDLE), w, der, len)) {
            attest_err_set(err, "bundle: not DER (re-encoding differs)");
            goto fail;
        }
        if (!read_wire(b, w, err)) {
            attest_err_prefix(err, "bundle");
            goto fail;
        }
    } else {
        if (w != NULL && p != der + len) {
            attest_err_set(err, "bundle: %zu trailing bytes", len - (size_t)(p - der));
            goto fail;
        }
        p = der;
        list = d2i_ATTEST_WIRE_BUNDLES(NULL, &p, (long)len);
        if (list == NULL || p != der + len || sk_ATTEST_WIRE_BUNDLE_num(list) <= 0) {
            attest_err_set(
                err, "bundle: not an AttestationBundle (expected SEQUENCE { SEQUENCE OF { type, stmt }, certs })");
            goto fail;
        }
        if (!attest_der_reencodes(ASN1_ITEM_rptr(ATTEST_WIRE_BUNDLES), list, der, len)) {
            attest_err_set(err, "bundle: not DER (re-encoding differs)");
            goto fail;
        }
        b->legacy |= ATTEST_LEGACY_BUNDLE_LIST;
        for (i = 0; i < sk_ATTEST_WIRE_BUNDLE_num(list); i++) {
            if (!looks_current(sk_ATTEST_WIRE_BUNDLE_value(list, i))) {
                attest_err_set(err, "bundle: bundle %d does not hold statements", i);
                goto fail;
            }
            if (!read_wire(b, sk_ATTEST_WIRE_BUNDLE_value(list, i), err)) {
                attest_err_prefix(err, "bundle %d", i);
                goto fail;
            }
        }
    }
    b->libctx = NULL; /* for decoding only: propq is the caller's and need not outlive this call */
    b->propq = NULL;
    *out = b;
    b = NULL;
    ok = 0;
    goto fail;
oom:
    attest_err_set(err, "bundle: out of memory");
fail:
    ATTEST_WIRE_BUNDLE_free(w);
    ATTEST_WIRE_BUNDLES_free(list);
    attest_bundle_free(b);
    return ok;
}

int attest_bundle_add_statement(attest_bundle *b, const ASN1_OBJECT *type, const unsigned char *stmt_tlv, size_t len,
                                attest_err *err)
{
    attest_statement *grown, *st;
    const unsigned char *p = stmt_tlv;
    ASN1_TYPE *probe;

    if (b->n_stmts >= ATTEST_MAX_STATEMENTS) {
        attest_err_set(err, "bundle: more than %d statements", ATTEST_MAX_STATEMENTS);
        return -1;
    }
    /* The stmt must be exactly one TLV. */
    probe = d2i_ASN1_TYPE(NULL, &p, (long)len);
    ASN1_TYPE_free(probe);
    if (probe == NULL || p != stmt_tlv + len) {
        attest_err_set(err, "bundle: statement value is not one DER element");
        return -1;
    }
    grown = OPENSSL_realloc(b->stmts, (b->n_stmts + 1) * sizeof(*grown));
    if (grown == NULL)
        goto oom;
    b->stmts = grown;
    st = &b->stmts[b->n_stmts];
    memset(st, 0, sizeof(*st));
    st->binds_public_key = -1;
    if ((st->type = OBJ_dup(type)) == NULL || (st->stmt = OPENSSL_memdup(stmt_tlv, len)) == NULL) {
        ASN1_OBJECT_free(st->type);
        goto oom;
    }
    st->stmt_len = len;
    b->n_stmts++;
    return 0;
oom:
    attest_err_set(err, "bundle: out of memory");
    return -1;
}

int attest_bundle_add_cert(attest_bundle *b, X509 *cert)
{
    if (sk_X509_num(b->certs) >= ATTEST_MAX_BUNDLE_CERTS || !X509_up_ref(cert))
        return -1;
    if (!sk_X509_push(b->certs, cert)) {
        X509_free(cert);
        return -1;
    }
    return 0;
}

static ASN1_TYPE *tlv_to_any(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;

    return d2i_ASN1_TYPE(NULL, &p, (long)len);
}

int attest_bundle_encode(const attest_bundle *b, unsigned char **der, size_t *len, attest_err *err)
{
    ATTEST_WIRE_BUNDLE *w = ATTEST_WIRE_BUNDLE_new();
    unsigned char *cder = NULL;
    int i, n, ok = -1;
    size_t s;

    /* ATTEST_WIRE_BUNDLE_new() already made the (empty) statement list. */
    if (w == NULL || (w->stmts == NULL && (w->stmts = sk_ASN1_SEQUENCE_ANY_new_null()) == NULL))
        goto oom;
    if (b->n_stmts == 0) {
        attest_err_set(err, "bundle: no statements to encode");
        goto fail;
    }
    for (s = 0; s < b->n_stmts; s++) {
        ASN1_SEQUENCE_ANY *seq = sk_ASN1_TYPE_new_null();
        ASN1_TYPE *t = ASN1_TYPE_new(), *v = tlv_to_any(b->stmts[s].stmt, b->stmts[s].stmt_len);
        ASN1_OBJECT *o = OBJ_dup(b->stmts[s].type);

        if (seq == NULL || t == NULL || v == NULL || o == NULL || !sk_ASN1_SEQUENCE_ANY_push(w->stmts, seq)) {
            sk_ASN1_TYPE_free(seq);
            ASN1_TYPE_free(t);
            ASN1_TYPE_free(v);
            ASN1_OBJECT_free(o);
            goto oom;
        }
        ASN1_TYPE_set(t, V_ASN1_OBJECT, o);
        if (!sk_ASN1_TYPE_push(seq, t)) {
            ASN1_TYPE_free(t);
            ASN1_TYPE_free(v);
            goto oom;
        }
        if (!sk_ASN1_TYPE_push(seq, v)) {
            ASN1_TYPE_free(v);
            goto oom;
        }
    }
    if (sk_X509_num(b->certs) > 0) {
        if ((w->certs = sk_ASN1_TYPE_new_null()) == NULL)
            goto oom;
        for (i = 0; i < sk_X509_num(b->certs); i++) {
            ASN1_TYPE *t;

            cder = NULL;
            if ((n = i2d_X509(sk_X509_value(b->certs, i), &cder)) <= 0)
                goto oom;
            t = tlv_to_any(cder, (size_t)n);
            OPENSSL_free(cder);
            cder = NULL;
            if (t == NULL || !sk_ASN1_TYPE_push(w->certs, t)) {
                ASN1_TYPE_free(t);
                goto oom;
            }
        }
    }
    *der = NULL;
    if ((n = i2d_ATTEST_WIRE_BUNDLE(w, der)) <= 0)
        goto oom;
    *len = (size_t)n;
    ok = 0;
    goto fail;
oom:
    attest_err_set(err, "bundle: encoding failed (out of memory)");
fail:
    ATTEST_WIRE_BUNDLE_free(w);
    return ok;
}
