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

json_object *attest_describe_cert(X509 *x);
json_object *attest_describe_tpms_attest(const unsigned char *b, size_t n, attest_err *err);
json_object *attest_describe_tpmt_public(const unsigned char *b, size_t n, attest_err *err);
json_object *attest_describe_tpmt_signature(const unsigned char *b, size_t n);
json_object *attest_describe_tpm2_stmt_der(const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe_pkix_der(const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe_bundle_der(const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe_csr_der(const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe_crmf_der(const unsigned char *der, size_t len, attest_err *err);

json_object *attest_json_text(const unsigned char *s, size_t len); /* escaped */

/* Small helpers shared by the describers. */
json_object *attest_json_hex(const unsigned char *b, size_t n);
/*
 * o[key] = v (v is consumed; nothing added when o or v is NULL).  The key
 * of attest_json_add must be a string literal (it does not compile
 * otherwise): json-c keeps the pointer instead of copying it.  Any other key
 * goes through attest_json_add_copy.
 */
#define attest_json_add(o, key, v) attest_json_add_literal((o), "" key "", (v))
void attest_json_add_literal(json_object *o, const char *key, json_object *v);
void attest_json_add_copy(json_object *o, const char *key, json_object *v);
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
