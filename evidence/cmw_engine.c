/*
 * CMW statements (RATS conceptual message wrappers, id-pe-cmw and the TCG
 * DICE arc): CHOICE { json UTF8String, cbor OCTET STRING }.  Shown, not
 * verified: no verify function, so bundle.type skips them.
 */
#include <openssl/asn1.h>

#include "attest/describe.h"
#include "attest/engine.h"
#include "attest/oids.h"

static json_object *describe_cmw(const unsigned char *stmt, size_t len, attest_err *err)
{
    const unsigned char *p = stmt;
    ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &p, (long)len);
    json_object *o = json_object_new_object();

    (void)err;
    if (t != NULL && t->type == V_ASN1_UTF8STRING) {
        attest_json_add(o, "cmw_form", json_object_new_string("json"));
        attest_json_add(o, "json", attest_json_text(t->value.utf8string->data, (size_t)t->value.utf8string->length));
    } else if (t != NULL && t->type == V_ASN1_OCTET_STRING) {
        attest_json_add(o, "cmw_form", json_object_new_string("cbor"));
        attest_json_add(o, "cbor", attest_json_hex(t->value.octet_string->data, (size_t)t->value.octet_string->length));
    } else {
        attest_json_add(o, "cmw_form", json_object_new_string("unknown"));
        attest_json_add(o, "raw_der", attest_json_hex(stmt, len));
    }
    ASN1_TYPE_free(t);
    return o;
}

static const int oids[] = { ATTEST_OID_PE_CMW, ATTEST_OID_DICE_CMW };

const attest_engine attest_engine_cmw = {
    .name = "cmw",
    .kind = "cmw",
    .summary = "conceptual message wrapper",
    .oids = oids,
    .n_oids = sizeof(oids) / sizeof(oids[0]),
    .describe = describe_cmw,
};
