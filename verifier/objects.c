/* The object-type table, and describing CSRs, bundles and CRMF requests. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/crmf.h"
#include "attest/csr.h"
#include "attest/describe.h"
#include "attest/oids.h"
#include "attest/pkix.h"
#include "attest/tpm2.h"

static const struct {
    const char *name, *pem, *alias;
    int asn1;
} dts[ATTEST_DT_COUNT] = {
    [ATTEST_DT_CSR] = {"AttestedCSR", "CERTIFICATE REQUEST", "csr", 1},
    [ATTEST_DT_BUNDLE] = {"AttestationBundle", "ATTESTATION BUNDLE", "bundle", 1},
    [ATTEST_DT_TPM2_STMT] = {"TcgAttestCertify", "TCG ATTEST CERTIFY", "tpm2", 1},
    [ATTEST_DT_PKIX] = {"PkixEvidence", "EVIDENCE", "pkix", 1},
    [ATTEST_DT_TPMS_ATTEST] = {"TPMS_ATTEST", "TPMS ATTEST", "tpms-attest", 0},
    [ATTEST_DT_TPMT_PUBLIC] = {"TPMT_PUBLIC", "TPMT PUBLIC", "tpmt-public", 0},
    [ATTEST_DT_TPMT_SIGNATURE] = {"TPMT_SIGNATURE", "TPMT SIGNATURE", "tpmt-signature", 0},
    /* No PEM label exists for CRMF/CMP messages: they travel as DER (application/pkixcmp). */
    [ATTEST_DT_CRMF] = {"CrmfRequest", NULL, "crmf", 1},
};

const char *attest_datatype_name(attest_datatype dt)
{
    return (unsigned)dt < ATTEST_DT_COUNT ? dts[dt].name : NULL;
}

const char *attest_datatype_pem_label(attest_datatype dt)
{
    return (unsigned)dt < ATTEST_DT_COUNT ? dts[dt].pem : NULL;
}

int attest_datatype_is_asn1(attest_datatype dt)
{
    return (unsigned)dt < ATTEST_DT_COUNT && dts[dt].asn1;
}

int attest_datatype_from_name(const char *name)
{
    int i;

    for (i = 0; name != NULL && i < ATTEST_DT_COUNT; i++)
        if (strcasecmp(name, dts[i].name) == 0 || strcasecmp(name, dts[i].alias) == 0)
            return i;
    return -1;
}

/* CMW: CHOICE { json UTF8String, cbor OCTET STRING }; shown, not verified. */
static json_object *describe_cmw(const unsigned char *stmt, size_t len)
{
    const unsigned char *p = stmt;
    ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &p, (long)len);
    json_object *o = json_object_new_object();

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

static json_object *describe_stmt_value(attest_stmt_kind kind, const unsigned char *stmt, size_t len)
{
    attest_err err;
    json_object *o = NULL;

    switch (kind) {
    case ATTEST_STMT_TPM2_CERTIFY:
        o = attest_describe_tpm2_stmt_der(stmt, len, &err);
        break;
    case ATTEST_STMT_PKIX:
        o = attest_describe_pkix_der(stmt, len, &err);
        break;
    case ATTEST_STMT_CMW:
        return describe_cmw(stmt, len);
    default:
        o = json_object_new_object();
        attest_json_add(o, "raw_der", attest_json_hex(stmt, len));
        return o;
    }
    if (o == NULL) {
        o = json_object_new_object();
        attest_json_add(o, "error", json_object_new_string(err.msg));
        attest_json_add(o, "raw_der", attest_json_hex(stmt, len));
    }
    return o;
}

static json_object *describe_bundle(const attest_bundle *b)
{
    json_object *o = json_object_new_object(), *stmts = json_object_new_array(), *certs;
    char legacy[256], buf[128];
    size_t i;
    int k;

    attest_legacy_describe(b->legacy, legacy, sizeof(legacy));
    attest_json_add(o, "legacy_shape", json_object_new_boolean(b->legacy != 0));
    if (b->legacy)
        attest_json_add(o, "legacy_features", json_object_new_string(legacy));
    for (i = 0; i < b->n_stmts; i++) {
        const attest_statement *st = &b->stmts[i];
        json_object *s = json_object_new_object();
        char dotted[96];

        OBJ_obj2txt(dotted, sizeof(dotted), st->type, 1);
        attest_json_add(s, "type", json_object_new_string(attest_oid_name(st->type, buf, sizeof(buf))));
        attest_json_add(s, "type_oid", json_object_new_string(dotted));
        attest_json_add(s, "kind", json_object_new_string(attest_stmt_kind_name(st->kind)));
        if (st->hint != NULL)
            attest_json_add(s, "hint", attest_json_text((const unsigned char *)st->hint, strlen(st->hint)));
        if (st->binds_public_key >= 0)
            attest_json_add(s, "binds_public_key", json_object_new_boolean(st->binds_public_key));
        attest_json_add(s, "statement", describe_stmt_value(st->kind, st->stmt, st->stmt_len));
        json_object_array_add(stmts, s);
    }
    attest_json_add(o, "attestations", stmts);
    certs = json_object_new_array();
    for (k = 0; k < sk_X509_num(b->certs); k++)
        json_object_array_add(certs, attest_describe_cert(sk_X509_value(b->certs, k)));
    attest_json_add(o, "certs", certs);
    if (b->n_other_certs)
        attest_json_add(o, "other_certs", json_object_new_int((int)b->n_other_certs));
    if (b->n_ignored_certs)
        attest_json_add(o, "ignored_certs", json_object_new_int((int)b->n_ignored_certs));
    return o;
}

json_object *attest_describe_bundle_der(const unsigned char *der, size_t len, attest_err *err)
{
    attest_bundle *b = NULL;
    json_object *o;

    if (attest_bundle_decode(der, len, &b, err) != 0)
        return NULL;
    o = describe_bundle(b);
    attest_bundle_free(b);
    return o;
}

/* The bundle of a request, or why there is none to show. */
static json_object *describe_request_bundle(const unsigned char *der, size_t len)
{
    attest_err sub;

    return attest_json_or_error(attest_describe_bundle_der(der, len, &sub), &sub);
}

json_object *attest_describe_csr_der(const unsigned char *der, size_t len, attest_err *err)
{
    attest_csr *c = NULL;
    json_object *o;
    X509_PUBKEY *spki;
    STACK_OF(X509_EXTENSION) *exts;
    char buf[128];
    int nid;

    if (attest_csr_decode(der, len, &c, err) != 0)
        return NULL;
    o = json_object_new_object();
    attest_json_add(o, "subject", attest_json_name(X509_REQ_get_subject_name(c->req)));
    spki = X509_REQ_get_X509_PUBKEY(c->req);
    if (spki != NULL)
        attest_json_add(o, "public_key", attest_json_spki(spki));
    nid = X509_REQ_get_signature_nid(c->req);
    attest_json_add(o, "signature_algorithm", json_object_new_string(nid != NID_undef ? OBJ_nid2sn(nid) : "unknown"));
    exts = X509_REQ_get_extensions(c->req);
    attest_json_add(o, "requested_extensions", attest_describe_extensions(exts));
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    attest_json_add(o, "attestation_attributes", json_object_new_int(c->n_attest_attrs));
    if (c->in_ext_request)
        attest_json_add(o, "attestation_in_extension_request", json_object_new_boolean(1));
    if (c->n_attest_attrs > 0) {
        attest_json_add(o, "attestation_values", json_object_new_int(c->n_values));
        if (c->bundle_der != NULL) {
            attest_json_add(o, "attestation_bundle", describe_request_bundle(c->bundle_der, c->bundle_len));
        } else {
            snprintf(buf, sizeof(buf), "value is ASN.1 type %d, not a SEQUENCE", c->value_type);
            attest_json_add(o, "attestation_bundle", json_object_new_string(buf));
        }
    }
    attest_csr_free(c);
    return o;
}

json_object *attest_describe_crmf_der(const unsigned char *der, size_t len, attest_err *err)
{
    attest_crmf *c = NULL;
    json_object *o;
    char alg[80];

    if (attest_crmf_decode(der, len, NULL, NULL, &c, err) != 0)
        return NULL;
    o = json_object_new_object();
    attest_json_add(o, "message", json_object_new_string(c->bodytype == ATTEST_CRMF_BARE ? "CertReqMessages" : "PKIMessage"));
    if (c->bodytype != ATTEST_CRMF_BARE)
        attest_json_add(o, "body", json_object_new_string(attest_crmf_body_name(c->bodytype)));
    if (c->bodytype == OSSL_CMP_P10CR) {
        attest_err sub;

        attest_json_add(o, "request", attest_json_or_error(attest_describe_csr_der(c->p10_der, c->p10_len, &sub), &sub));
        attest_crmf_free(c);
        return o;
    }
    attest_json_add(o, "requests", json_object_new_int(c->n_reqs));
    attest_json_add(o, "cert_req_id", json_object_new_int64(c->cert_req_id));
    if (c->subject != NULL)
        attest_json_add(o, "subject", attest_json_name(c->subject));
    if (c->spki != NULL)
        attest_json_add(o, "public_key", attest_json_spki(c->spki));
    attest_json_add(o, "popo", json_object_new_string(attest_crmf_popo_name(c->popo_type)));
    if (c->popo_alg != NULL) {
        OBJ_obj2txt(alg, sizeof(alg), c->popo_alg->algorithm, 0);
        attest_json_add(o, "popo_algorithm", json_object_new_string(alg));
    }
    attest_json_add(o, "requested_extensions", attest_describe_extensions(c->exts));
    attest_json_add(o, "attestation_extensions", json_object_new_int(c->n_attest_exts));
    if (c->n_attest_exts > 0)
        attest_json_add(o, "attestation_bundle", describe_request_bundle(c->bundle_der, c->bundle_len));
    attest_crmf_free(c);
    return o;
}

static int check_raw_tpm(attest_datatype dt, const unsigned char *b, size_t n, attest_err *err)
{
    TPMS_ATTEST a;
    TPMT_PUBLIC p;
    TPMT_SIGNATURE s;

    switch (dt) {
    case ATTEST_DT_TPMS_ATTEST:
        /* Raw bytes carry no type: demand the TPM's magic before calling it one. */
        if (n < 4 || memcmp(b, "\xff" "TCG", 4) != 0) {
            attest_err_set(err, "TPMS_ATTEST: magic is not ff544347");
            return -1;
        }
        return attest_tpms_attest_parse(b, n, &a, err);
    case ATTEST_DT_TPMT_PUBLIC:
        return attest_tpmt_public_parse(b, n, &p, err);
    default:
        if (!attest_tpmt_signature_parse(b, n, &s)) {
            attest_err_set(err, "TPMT_SIGNATURE: not a marshaled TPMT_SIGNATURE");
            return -1;
        }
        return 0;
    }
}

int attest_object_check(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err)
{
    json_object *o;

    if (!attest_datatype_is_asn1(dt))
        return check_raw_tpm(dt, der, len, err);
    if (dt == ATTEST_DT_CSR) {
        attest_csr *c = NULL;
        int ok = attest_csr_decode(der, len, &c, err);

        attest_csr_free(c);
        return ok;
    }
    if (dt == ATTEST_DT_CRMF) {
        attest_crmf *c = NULL;
        int ok = attest_crmf_decode(der, len, NULL, NULL, &c, err);

        attest_crmf_free(c);
        return ok;
    }
    o = attest_describe(dt, der, len, err);
    json_object_put(o);
    return o != NULL ? 0 : -1;
}

json_object *attest_describe(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err)
{
    json_object *o = NULL, *w;

    switch (dt) {
    case ATTEST_DT_CSR: o = attest_describe_csr_der(der, len, err); break;
    case ATTEST_DT_BUNDLE: o = attest_describe_bundle_der(der, len, err); break;
    case ATTEST_DT_TPM2_STMT: o = attest_describe_tpm2_stmt_der(der, len, err); break;
    case ATTEST_DT_PKIX: o = attest_describe_pkix_der(der, len, err); break;
    case ATTEST_DT_CRMF: o = attest_describe_crmf_der(der, len, err); break;
    case ATTEST_DT_TPMS_ATTEST:
        if (check_raw_tpm(dt, der, len, err) == 0)
            o = attest_describe_tpms_attest(der, len, err);
        break;
    case ATTEST_DT_TPMT_PUBLIC: o = attest_describe_tpmt_public(der, len, err); break;
    case ATTEST_DT_TPMT_SIGNATURE:
        if (check_raw_tpm(dt, der, len, err) == 0)
            o = attest_describe_tpmt_signature(der, len);
        break;
    default:
        attest_err_set(err, "unknown data type");
        return NULL;
    }
    if (o == NULL)
        return NULL;
    w = json_object_new_object();
    attest_json_add(w, "type", json_object_new_string(attest_datatype_name(dt)));
    attest_json_add(w, "content", o);
    return w;
}
