/* The request containers of the object table: checking and describing CSRs, bundles and CRMF requests. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/crmf.h"
#include "attest/csr.h"
#include "attest/describe.h"
#include "attest/engine.h"
#include "attest/registry.h"
#include "attest/oids.h"
#include "verify_int.h"

/* A statement's value as its engine describes it; raw DER for types no engine knows. */
static json_object *describe_stmt_value(const attest_engine *e, const unsigned char *stmt, size_t len)
{
    attest_err err;
    json_object *o = NULL;

    err.msg[0] = '\0';
    if (e == NULL || e->describe == NULL || (o = e->describe(stmt, len, &err)) == NULL) {
        o = json_object_new_object();
        if (e != NULL && e->describe != NULL)
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
        attest_json_add(s, "kind", json_object_new_string(attest_engine_kind(attest_engine_for_statement(st))));
        if (st->hint != NULL)
            attest_json_add(s, "hint", attest_json_text((const unsigned char *)st->hint, strlen(st->hint)));
        if (st->binds_public_key >= 0)
            attest_json_add(s, "binds_public_key", json_object_new_boolean(st->binds_public_key));
        attest_json_add(s, "statement", describe_stmt_value(attest_engine_for_statement(st), st->stmt, st->stmt_len));
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

    /* The light form: the same strict checks and fields, no X509_REQ (whose key decode costs a decoder context). */
    if (attest_csr_decode_light(der, len, &c, err) != 0)
        return NULL;
    o = json_object_new_object();
    attest_json_add(o, "subject", attest_json_name(c->subject));
    spki = c->spki;
    if (spki != NULL)
        attest_json_add(o, "public_key", attest_json_spki(spki));
    nid = OBJ_obj2nid(c->sig_alg->algorithm);
    attest_json_add(o, "signature_algorithm", json_object_new_string(nid != NID_undef ? OBJ_nid2sn(nid) : "unknown"));
    exts = attest_csr_requested_extensions(c);
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
    attest_json_add(o, "message",
                    json_object_new_string(c->bodytype == ATTEST_CRMF_BARE ? "CertReqMessages" : "PKIMessage"));
    if (c->bodytype != ATTEST_CRMF_BARE)
        attest_json_add(o, "body", json_object_new_string(attest_crmf_body_name(c->bodytype)));
    if (c->bodytype == OSSL_CMP_P10CR) {
        attest_err sub;

        attest_json_add(o, "request",
                        attest_json_or_error(attest_describe_csr_der(c->p10_der, c->p10_len, &sub), &sub));
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

static int check_csr(const unsigned char *der, size_t len, attest_err *err)
{
    attest_csr *c = NULL;
    int r = attest_csr_decode_light(der, len, &c, err); /* the full decode succeeds wherever this does */

    attest_csr_free(c);
    return r;
}

static int check_bundle(const unsigned char *der, size_t len, attest_err *err)
{
    attest_bundle *b = NULL;
    int r = attest_bundle_decode(der, len, &b, err);

    attest_bundle_free(b);
    return r;
}

static int check_crmf(const unsigned char *der, size_t len, attest_err *err)
{
    attest_crmf *c = NULL;
    int r = attest_crmf_decode(der, len, NULL, NULL, &c, err);

    attest_crmf_free(c);
    return r;
}

/* The request containers: the head of the object table (registry.c adds the engines'). */
static const attest_object_type containers[] = {
    { "AttestedCSR", "csr", "CERTIFICATE REQUEST", "PKCS#10 request carrying id-aa-attestation", 1, 1, check_csr,
      attest_describe_csr_der, attest_verify_csr },
    { "AttestationBundle", "bundle", "ATTESTATION BUNDLE", "CSR attestation AttestationBundle", 1, 1, check_bundle,
      attest_describe_bundle_der, attest_verify_bundle },
    /* No PEM label exists for CRMF/CMP messages: they travel as DER (application/pkixcmp). */
    { "CrmfRequest", "crmf", NULL, "CRMF CertReqMessages or CMP ir/cr/kur/p10cr (DER)", 1, 1, check_crmf,
      attest_describe_crmf_der, attest_verify_crmf },
};

const attest_object_type *attest_container_objects(size_t *n)
{
    *n = sizeof(containers) / sizeof(containers[0]);
    return containers;
}

int attest_object_check(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err)
{
    const attest_object_type *t = attest_object_at(dt);

    if (t == NULL) {
        attest_err_set(err, "unknown data type");
        return -1;
    }
    return t->check(der, len, err);
}

json_object *attest_describe(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err)
{
    const attest_object_type *t = attest_object_at(dt);
    json_object *o, *w;

    if (t == NULL) {
        attest_err_set(err, "unknown data type");
        return NULL;
    }
    if ((o = t->describe(der, len, err)) == NULL)
        return NULL;
    w = json_object_new_object();
    attest_json_add(w, "type", json_object_new_string(t->name));
    attest_json_add(w, "content", o);
    return w;
}
