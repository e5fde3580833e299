/* Describing PKIX Evidence: elements, claims by name with typed values, signature blocks. */
#include <stdio.h>
#include <string.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "attest/describe.h"
#include "attest/spki_key.h"
#include "attest/pkix.h"

static json_object *oid_json(const ASN1_OBJECT *o)
{
    char buf[128];

    return json_object_new_string(attest_oid_name(o, buf, sizeof(buf)));
}

static json_object *raw_der(const ASN1_TYPE *v)
{
    unsigned char *der = NULL;
    int n = i2d_ASN1_TYPE((ASN1_TYPE *)v, &der);
    json_object *o = json_object_new_object();

    attest_json_add(o, "raw_der", n > 0 ? attest_json_hex(der, (size_t)n) : NULL);
    OPENSSL_free(der);
    return o;
}

static json_object *oid_list(const ASN1_STRING *seq)
{
    const unsigned char *p = seq->data;
    ASN1_SEQUENCE_ANY *s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, seq->length);
    json_object *a = json_object_new_array();
    int i;

    for (i = 0; i < sk_ASN1_TYPE_num(s); i++)
        json_object_array_add(a, oid_json(sk_ASN1_TYPE_value(s, i)->value.object));
    sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
    return a;
}

/* Read without its key (d2i_X509_PUBKEY's decoder context on 3.0); attest_json_spki makes it. */
static json_object *spki_octets(const ASN1_STRING *os)
{
    X509_PUBKEY *k = attest_spki_read(os->data, (size_t)os->length);
    json_object *o = k != NULL ? attest_json_spki(k) : attest_json_hex(os->data, (size_t)os->length);

    X509_PUBKEY_free(k);
    return o;
}

/* Typed by the claim table when the value has the expected type, raw otherwise. */
static json_object *claim_value(const attest_pkix_claim_def *def, const ASN1_TYPE *v)
{
    if (v == NULL)
        return json_object_new_null();
    if (def == NULL || !attest_pkix_value_ok(def, v))
        return raw_der(v);
    switch (def->kind) {
    case PKIX_VALUE_OCTETS: return attest_json_hex(v->value.octet_string->data, (size_t)v->value.octet_string->length);
    case PKIX_VALUE_SPKI: return spki_octets(v->value.octet_string);
    case PKIX_VALUE_TIME: return attest_json_time(v->value.generalizedtime);
    case PKIX_VALUE_UTF8: return attest_json_text(v->value.utf8string->data, (size_t)v->value.utf8string->length);
    case PKIX_VALUE_INT: {
        int64_t i;

        if (ASN1_INTEGER_get_int64(&i, v->value.integer))
            return json_object_new_int64(i);
        return raw_der(v);
    }
    case PKIX_VALUE_BOOL: return json_object_new_boolean(v->value.boolean != 0);
    case PKIX_VALUE_OID_SEQ: return oid_list(v->value.sequence);
    }
    return raw_der(v);
}

static json_object *element_json(const ATTEST_PKIX_ELEMENT *el)
{
    json_object *o = json_object_new_object(), *claims = json_object_new_array();
    int i;

    attest_json_add(o, "type", oid_json(el->type));
    for (i = 0; i < sk_ATTEST_PKIX_CLAIM_num(el->claims); i++) {
        const ATTEST_PKIX_CLAIM *c = sk_ATTEST_PKIX_CLAIM_value(el->claims, i);
        const attest_pkix_claim_def *def = attest_pkix_claim_def_find(c->type);
        json_object *cj = json_object_new_object();

        attest_json_add(cj, "claim", oid_json(c->type));
        if (def == NULL)
            attest_json_add(cj, "known", json_object_new_boolean(0));
        attest_json_add(cj, "value", claim_value(def, c->value));
        json_object_array_add(claims, cj);
    }
    attest_json_add(o, "claims", claims);
    return o;
}

static json_object *sigblock_json(const ATTEST_PKIX_SIGBLOCK *sb)
{
    json_object *o = json_object_new_object(), *sid = json_object_new_object();
    char buf[128];

    if (sb->sid->key_id != NULL)
        attest_json_add(sid, "key_id", attest_json_hex(sb->sid->key_id->data, (size_t)sb->sid->key_id->length));
    if (sb->sid->spki != NULL)
        attest_json_add(sid, "spki", attest_json_spki(sb->sid->spki));
    if (sb->sid->cert != NULL)
        attest_json_add(sid, "certificate", attest_describe_cert(sb->sid->cert));
    attest_json_add(o, "signer", sid);
    attest_json_add(o, "algorithm", json_object_new_string(attest_oid_name(sb->alg->algorithm, buf, sizeof(buf))));
    attest_json_add(o, "value", attest_json_hex(sb->value->data, (size_t)sb->value->length));
    return o;
}

json_object *attest_describe_pkix_der(const unsigned char *der, size_t len, attest_err *err)
{
    attest_pkix *p = NULL;
    json_object *o, *els, *sigs, *ints;
    int64_t version = -1;
    int i;

    if (attest_pkix_decode(der, len, &p, err) != 0)
        return NULL;
    o = json_object_new_object();
    ASN1_INTEGER_get_int64(&version, p->ev->tbs->version);
    attest_json_add(o, "version", json_object_new_int64(version));
    els = json_object_new_array();
    for (i = 0; i < sk_ATTEST_PKIX_ELEMENT_num(p->ev->tbs->elements); i++)
        json_object_array_add(els, element_json(sk_ATTEST_PKIX_ELEMENT_value(p->ev->tbs->elements, i)));
    attest_json_add(o, "reported_elements", els);
    sigs = json_object_new_array();
    for (i = 0; i < sk_ATTEST_PKIX_SIGBLOCK_num(p->ev->sigs); i++)
        json_object_array_add(sigs, sigblock_json(sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, i)));
    attest_json_add(o, "signatures", sigs);
    if (p->ev->intermediates != NULL) {
        ints = json_object_new_array();
        for (i = 0; i < sk_X509_num(p->ev->intermediates); i++)
            json_object_array_add(ints, attest_describe_cert(sk_X509_value(p->ev->intermediates, i)));
        attest_json_add(o, "intermediate_certificates", ints);
        attest_json_add(o, "intermediates_tagging",
                        json_object_new_string(p->intermediates_explicit ? "explicit" : "implicit"));
    }
    attest_pkix_free(p);
    return o;
}
