/* Describing requested extensions: the ones a CA decides on, structured; the rest as OpenSSL prints them. */
#include <stdio.h>
#include <string.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "attest/describe.h"
#include "attest/oids.h"

/* Unknown values larger than this are shown by length only (our attestation carries its own tree). */
#define EXT_HEX_MAX 1024

/* What a BIO collected, through the escaper: printers pass input bytes (even newlines) through. */
static json_object *bio_text(BIO *b)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);

    return attest_json_text((const unsigned char *)data, n > 0 ? (size_t)n : 0);
}

/* subjectAltName: one string per name, "DNS:x", "IP Address:127.0.0.1", as openssl x509 -text prints them. */
static json_object *describe_names(const GENERAL_NAMES *gens)
{
    json_object *a = json_object_new_array();
    int i;

    for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
        BIO *b = BIO_new(BIO_s_mem());

        if (b == NULL)
            break;
        GENERAL_NAME_print(b, sk_GENERAL_NAME_value(gens, i));
        json_object_array_add(a, bio_text(b));
        BIO_free(b);
    }
    return a;
}

static json_object *describe_eku(const EXTENDED_KEY_USAGE *eku)
{
    json_object *a = json_object_new_array();
    char buf[128];
    int i;

    for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
        json_object_array_add(a,
                              json_object_new_string(attest_oid_name(sk_ASN1_OBJECT_value(eku, i), buf, sizeof(buf))));
    return a;
}

static json_object *describe_bc(const BASIC_CONSTRAINTS *bc)
{
    json_object *o = json_object_new_object();
    int64_t pl;

    attest_json_add(o, "ca", json_object_new_boolean(bc->ca != 0));
    if (bc->pathlen != NULL && ASN1_INTEGER_get_int64(&pl, bc->pathlen))
        attest_json_add(o, "path_len", json_object_new_int64(pl));
    return o;
}

/* The value: structured for SAN, EKU and basicConstraints, OpenSSL's print otherwise, else hex; NULL: too long. */
static json_object *ext_value(X509_EXTENSION *x, int nid)
{
    const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(x);
    json_object *v = NULL;
    void *d;
    BIO *b;

    if (nid == NID_subject_alt_name || nid == NID_ext_key_usage || nid == NID_basic_constraints) {
        if ((d = X509V3_EXT_d2i(x)) == NULL)
            return json_object_new_string("(undecodable)");
        if (nid == NID_subject_alt_name) {
            v = describe_names(d);
            GENERAL_NAMES_free(d);
        } else if (nid == NID_ext_key_usage) {
            v = describe_eku(d);
            EXTENDED_KEY_USAGE_free(d);
        } else {
            v = describe_bc(d);
            BASIC_CONSTRAINTS_free(d);
        }
        return v;
    }
    if ((b = BIO_new(BIO_s_mem())) == NULL)
        return NULL;
    /* flag 0: unknown extensions fail rather than dump, so they get hex below. */
    if (X509V3_EXT_print(b, x, 0, 0) == 1)
        v = bio_text(b);
    BIO_free(b);
    if (v == NULL && ASN1_STRING_length(data) <= EXT_HEX_MAX)
        v = attest_json_hex(ASN1_STRING_get0_data(data), (size_t)ASN1_STRING_length(data));
    return v;
}

json_object *attest_describe_extensions(const STACK_OF(X509_EXTENSION) *exts)
{
    json_object *a = json_object_new_array();
    char name[128], dotted[96];
    int i;

    for (i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
        X509_EXTENSION *x = sk_X509_EXTENSION_value(exts, i);
        const ASN1_OBJECT *obj = X509_EXTENSION_get_object(x);
        json_object *e = json_object_new_object(), *v;
        int ours = attest_oid_find(obj) >= 0;

        /* Short names (keyUsage, subjectAltName, ours from our table); dotted when unknown. */
        if (ours)
            attest_oid_name(obj, name, sizeof(name));
        else if (OBJ_obj2nid(obj) != NID_undef)
            snprintf(name, sizeof(name), "%s", OBJ_nid2sn(OBJ_obj2nid(obj)));
        else
            OBJ_obj2txt(name, sizeof(name), obj, 1);
        OBJ_obj2txt(dotted, sizeof(dotted), obj, 1);
        attest_json_add(e, "name", json_object_new_string(name));
        attest_json_add(e, "oid", json_object_new_string(dotted));
        attest_json_add(e, "critical", json_object_new_boolean(X509_EXTENSION_get_critical(x)));
        attest_json_add(e, "length", json_object_new_int(ASN1_STRING_length(X509_EXTENSION_get_data(x))));
        if (!ours) {
            v = ext_value(x, OBJ_obj2nid(obj));
            attest_json_add(e, "value", v); /* absent: unknown and too long to show */
        }
        json_object_array_add(a, e);
    }
    return a;
}
