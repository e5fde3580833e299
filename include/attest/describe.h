/*
 * Describing decoded objects as a tree (json-c), rendered as JSON or as
 * indented text.  The provider's text and JSON encoders and the CLI's
 * verdict output share this one printer.
 */
#ifndef ATTEST_DESCRIBE_H
#define ATTEST_DESCRIBE_H

#include <stddef.h>
#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "attest/error.h"
#include "attest/escape.h"

/* The object kinds the provider decodes and encodes, by stable name. */
typedef enum {
    ATTEST_DT_CSR = 0,          /* "AttestedCSR"      PKCS#10 with the attribute */
    ATTEST_DT_BUNDLE,           /* "AttestationBundle" */
    ATTEST_DT_TPM2_STMT,        /* "TcgAttestCertify" */
    ATTEST_DT_PKIX,             /* "PkixEvidence" */
    ATTEST_DT_TPMS_ATTEST,      /* "TPMS_ATTEST"      raw TPM bytes */
    ATTEST_DT_TPMT_PUBLIC,      /* "TPMT_PUBLIC" */
    ATTEST_DT_TPMT_SIGNATURE,   /* "TPMT_SIGNATURE" */
    ATTEST_DT_CRMF,             /* "CrmfRequest"      CertReqMessages, or a CMP ir/cr/kur/p10cr (DER only) */
    ATTEST_DT_COUNT
} attest_datatype;

const char *attest_datatype_name(attest_datatype dt);
const char *attest_datatype_pem_label(attest_datatype dt); /* NULL: the type has no PEM form */
int attest_datatype_from_name(const char *name); /* -1 if unknown (case-insensitive, aliases) */
int attest_datatype_is_asn1(attest_datatype dt);

/* Strictly decode der as dt; 0 when it is one. */
int attest_object_check(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err);

json_object *attest_describe_cert(X509 *x);
json_object *attest_describe_tpms_attest(const unsigned char *b, size_t n, attest_err *err);
json_object *attest_describe_tpmt_public(const unsigned char *b, size_t n, attest_err *err);
json_object *attest_describe_tpmt_signature(const unsigned char *b, size_t n);
json_object *attest_describe_tpm2_stmt_der(const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe_pkix_der(const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe_bundle_der(const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe_csr_der(const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe_crmf_der(const unsigned char *der, size_t len, attest_err *err);

json_object *attest_json_text(const unsigned char *s, size_t len);            /* escaped */

/* Small helpers shared by the describers. */
json_object *attest_json_hex(const unsigned char *b, size_t n);
void attest_json_add(json_object *o, const char *key, json_object *v);
/* o itself, or {"error": why} when o could not be made. */
json_object *attest_json_or_error(json_object *o, const attest_err *e);
json_object *attest_json_time(const ASN1_TIME *t);
json_object *attest_json_name(const X509_NAME *n); /* the same, as a string */
/* Requested extensions: name, oid, critical, length, value (see describe_ext.c). */
json_object *attest_describe_extensions(const STACK_OF(X509_EXTENSION) *exts);
json_object *attest_json_spki(const X509_PUBKEY *k);

int attest_render_text(json_object *o, BIO *out);
int attest_render_json(json_object *o, BIO *out, int pretty);

#endif
