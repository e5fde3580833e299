/*
 * The PKIX evidence claim table (draft -07 §3.2 of our notes): element,
 * value type and repeatability of each claim, plus small builders.
 */
#include <openssl/asn1t.h>
#include <openssl/x509.h>

#include "attest/pkix.h"
#include "attest/spki_key.h"

static const attest_pkix_claim_def defs[] = {
    { ATTEST_OID_PKIX_TX_NONCE, ATTEST_OID_PKIX_EL_TRANSACTION, PKIX_VALUE_OCTETS, 0 },
    { ATTEST_OID_PKIX_TX_TIMESTAMP, ATTEST_OID_PKIX_EL_TRANSACTION, PKIX_VALUE_TIME, 0 },
    { ATTEST_OID_PKIX_TX_AK_SPKI, ATTEST_OID_PKIX_EL_TRANSACTION, PKIX_VALUE_SPKI, 1 },
    { ATTEST_OID_PKIX_PL_VENDOR, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_UTF8, 0 },
    { ATTEST_OID_PKIX_PL_OEMID, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_OCTETS, 0 },
    { ATTEST_OID_PKIX_PL_HWMODEL, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_OCTETS, 0 },
    { ATTEST_OID_PKIX_PL_HWVERSION, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_UTF8, 0 },
    { ATTEST_OID_PKIX_PL_HWSERIAL, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_UTF8, 0 },
    { ATTEST_OID_PKIX_PL_SWNAME, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_UTF8, 0 },
    { ATTEST_OID_PKIX_PL_SWVERSION, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_UTF8, 0 },
    { ATTEST_OID_PKIX_PL_DEBUGSTAT, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_INT, 0 },
    { ATTEST_OID_PKIX_PL_UPTIME, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_INT, 0 },
    { ATTEST_OID_PKIX_PL_BOOTCOUNT, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_INT, 0 },
    { ATTEST_OID_PKIX_PL_FIPSBOOT, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_BOOL, 0 },
    { ATTEST_OID_PKIX_PL_FIPSVER, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_UTF8, 0 },
    { ATTEST_OID_PKIX_PL_FIPSLEVEL, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_INT, 0 },
    { ATTEST_OID_PKIX_PL_FIPSMODULE, ATTEST_OID_PKIX_EL_PLATFORM, PKIX_VALUE_UTF8, 0 },
    { ATTEST_OID_PKIX_KEY_IDENTIFIER, ATTEST_OID_PKIX_EL_KEY, PKIX_VALUE_UTF8, 1 },
    { ATTEST_OID_PKIX_KEY_SPKI, ATTEST_OID_PKIX_EL_KEY, PKIX_VALUE_SPKI, 0 },
    { ATTEST_OID_PKIX_KEY_EXTRACTABLE, ATTEST_OID_PKIX_EL_KEY, PKIX_VALUE_BOOL, 0 },
    { ATTEST_OID_PKIX_KEY_SENSITIVE, ATTEST_OID_PKIX_EL_KEY, PKIX_VALUE_BOOL, 0 },
    { ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE, ATTEST_OID_PKIX_EL_KEY, PKIX_VALUE_BOOL, 0 },
    { ATTEST_OID_PKIX_KEY_LOCAL, ATTEST_OID_PKIX_EL_KEY, PKIX_VALUE_BOOL, 0 },
    { ATTEST_OID_PKIX_KEY_EXPIRY, ATTEST_OID_PKIX_EL_KEY, PKIX_VALUE_TIME, 0 },
    { ATTEST_OID_PKIX_KEY_PURPOSE, ATTEST_OID_PKIX_EL_KEY, PKIX_VALUE_OID_SEQ, 0 },
};

const attest_pkix_claim_def *attest_pkix_claim_def_find(const ASN1_OBJECT *claim)
{
    int id = attest_oid_find(claim);
    size_t i;

    for (i = 0; id >= 0 && i < sizeof(defs) / sizeof(defs[0]); i++)
        if ((int)defs[i].claim == id)
            return &defs[i];
    return NULL;
}

/* SEQUENCE OF OBJECT IDENTIFIER, nothing else. */
static int is_oid_seq(const ASN1_STRING *seq)
{
    const unsigned char *p = seq->data;
    ASN1_SEQUENCE_ANY *s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, seq->length);
    int i, ok = s != NULL && p == seq->data + seq->length;

    for (i = 0; ok && i < sk_ASN1_TYPE_num(s); i++)
        ok = sk_ASN1_TYPE_value(s, i)->type == V_ASN1_OBJECT;
    sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
    return ok;
}

/*
 * SubjectPublicKeyInfo's shape (ATTEST_RAW_SPKI: X509_PUBKEY's template
 * without the key decoding d2i_X509_PUBKEY adds, which never fails a
 * well-formed SPKI and on OpenSSL 3.0 sets up a decoder context per call).
 */
static int is_spki(const ASN1_STRING *os)
{
    const unsigned char *p = os->data;
    ASN1_VALUE *k = ASN1_item_d2i(NULL, &p, os->length, ASN1_ITEM_rptr(ATTEST_RAW_SPKI));
    int ok = k != NULL && p == os->data + os->length;

    ASN1_item_free(k, ASN1_ITEM_rptr(ATTEST_RAW_SPKI));
    return ok;
}

int attest_pkix_value_ok(const attest_pkix_claim_def *def, const ASN1_TYPE *v)
{
    if (v == NULL)
        return 0;
    switch (def->kind) {
    case PKIX_VALUE_OCTETS: return v->type == V_ASN1_OCTET_STRING;
    case PKIX_VALUE_SPKI: return v->type == V_ASN1_OCTET_STRING && is_spki(v->value.octet_string);
    case PKIX_VALUE_TIME: return v->type == V_ASN1_GENERALIZEDTIME;
    case PKIX_VALUE_UTF8: return v->type == V_ASN1_UTF8STRING;
    case PKIX_VALUE_INT: return v->type == V_ASN1_INTEGER;
    case PKIX_VALUE_BOOL: return v->type == V_ASN1_BOOLEAN;
    case PKIX_VALUE_OID_SEQ: return v->type == V_ASN1_SEQUENCE && is_oid_seq(v->value.sequence);
    }
    return 0;
}

ATTEST_PKIX_ELEMENT *attest_pkix_element_new(attest_oid_id type)
{
    ATTEST_PKIX_ELEMENT *el = ATTEST_PKIX_ELEMENT_new();
    const ASN1_OBJECT *o = attest_oid_obj(type);

    if (el == NULL || o == NULL || (el->type = OBJ_dup(o)) == NULL) {
        ATTEST_PKIX_ELEMENT_free(el);
        return NULL;
    }
    return el;
}

int attest_pkix_add_claim(ATTEST_PKIX_ELEMENT *el, attest_oid_id claim, ASN1_TYPE *value)
{
    ATTEST_PKIX_CLAIM *c = ATTEST_PKIX_CLAIM_new();
    const ASN1_OBJECT *o = attest_oid_obj(claim);

    if (c == NULL || o == NULL || (c->type = OBJ_dup(o)) == NULL) {
        ATTEST_PKIX_CLAIM_free(c);
        ASN1_TYPE_free(value);
        return 0;
    }
    c->value = value;
    if (!sk_ATTEST_PKIX_CLAIM_push(el->claims, c)) {
        ATTEST_PKIX_CLAIM_free(c);
        return 0;
    }
    return 1;
}

const ASN1_OCTET_STRING *attest_pkix_key_spki(const ATTEST_PKIX_ELEMENT *el)
{
    int i;

    if (OBJ_cmp(el->type, attest_oid_obj(ATTEST_OID_PKIX_EL_KEY)) != 0)
        return NULL;
    for (i = 0; i < sk_ATTEST_PKIX_CLAIM_num(el->claims); i++) {
        const ATTEST_PKIX_CLAIM *c = sk_ATTEST_PKIX_CLAIM_value(el->claims, i);

        if (OBJ_cmp(c->type, attest_oid_obj(ATTEST_OID_PKIX_KEY_SPKI)) == 0)
            return c->value != NULL && c->value->type == V_ASN1_OCTET_STRING ? c->value->value.octet_string : NULL;
    }
    return NULL;
}
