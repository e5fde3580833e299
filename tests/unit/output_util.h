/* Helpers of the output tests: safe-text and JSON checks, request builders (output_util.c). */
#ifndef OUTPUT_UTIL_H
#define OUTPUT_UTIL_H

#include <json-c/json.h>
#include <openssl/bio.h>

#include "attest/describe.h"
#include "attest/registry.h"
#include "pkix_lab.h"

char *bio_string(BIO *b);
/* Valid UTF-8 by glibc's decoder (the caller sets a UTF-8 LC_CTYPE), no control but '\n'. */
void assert_safe_text(const char *s);
/* No line of out equals or starts with forged. */
void assert_no_line(const char *out, const char *forged);
/* Strict, UTF-8-validated JSON; the parsed object is returned. */
json_object *assert_json(const char *s);
/* A verdict's text (with its failure lines), or its JSON rendered, checked and parsed back. */
char *verdict_text(const attest_verdict *v);
json_object *verdict_json(const attest_verdict *v);
/* `show`: describe as text (*text) and JSON, both checked; the parsed JSON is returned. */
json_object *show(attest_datatype dt, const unsigned char *der, size_t len, char **text);
json_object *find_key(json_object *o, const char *key);
const char *claim_string(json_object *o, const char *name);

/* Lab evidence with key-id and vendor replaced; extractable makes pkix.key-policy fail. */
unsigned char *evidence_with(const char *key_id, const char *vendor, int extractable, size_t *len);
unsigned char *bundle_of(const ASN1_OBJECT *type, const unsigned char *stmt, size_t len, X509 *cert, size_t *blen);
/* A CSR for lab.subject with subject CN=cn (UTF-8) carrying the bundle. */
unsigned char *csr_of(const unsigned char *bundle, size_t blen, const char *cn, size_t *len);
/* Verified with the default policy and the lab nonce. */
attest_verdict *verify_with(const attest_trust *trust, const unsigned char *der, size_t len);

#endif
