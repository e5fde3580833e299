/*
 * The object table's rows and the evidence engines behind them (verifier/
 * registry.c), for the library, the provider and the CLI.  Not installed.
 */
#ifndef ATTEST_REGISTRY_H
#define ATTEST_REGISTRY_H

#include <json-c/json.h>
#include <openssl/asn1.h>

#include "attest/bundle.h"
#include "attest/objects.h"

typedef struct attest_engine attest_engine;

typedef struct {
    const char *name;    /* stable data-type name: "TcgAttestCertify" (provider, JSON "type") */
    const char *alias;   /* --type and the provider's structure= property: "tpm2" */
    const char *pem;     /* PEM label, or NULL when the type has no PEM form */
    const char *summary; /* one line for decoder lists and usage text */
    int asn1;            /* DER (1) or raw TPM marshaling (0) */
    int detect;          /* tried, in table order, when an input's type is not given */
    /* Strictly decode: 0 when der is one of these.  No JSON is built. */
    int (*check)(const unsigned char *der, size_t len, attest_err *err);
    json_object *(*describe)(const unsigned char *der, size_t len, attest_err *err);
    /* The verdict on a container; NULL for engine objects (a standalone engine's statement is
     * judged by attest_verify_statement). */
    attest_verdict *(*verify)(const attest_verify_params *p, const unsigned char *der, size_t len);
} attest_object_type;

/* The provider has a decoder and encoders per row, in fixed slots: at most this many rows. */
#define ATTEST_MAX_OBJECT_TYPES 24
#define ATTEST_OBJECT_SLOTS(X) \
    X(0)                       \
    X(1)                       \
    X(2)                       \
    X(3)                       \
    X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)

const attest_object_type *attest_object_at(attest_datatype dt); /* NULL when out of range */

/* The engine an object belongs to; NULL for the containers. */
const attest_engine *attest_object_engine(attest_datatype dt);

/* Strictly decode der as dt (0: it is one); describe it as {"type", "content"}. */
int attest_object_check(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err);

/* ---- the engine registry ---- */
size_t attest_engine_count(void);
const attest_engine *attest_engine_at(size_t i);
/* The engine of a statement type (by OID); NULL when no engine knows it. */
const attest_engine *attest_engine_for_type(const ASN1_OBJECT *type);
/* The engine that judges a statement: by its type, and for a CMW record by its media type. */
const attest_engine *attest_engine_for_statement(const attest_statement *st);
const attest_engine *attest_engine_for_media_type(const char *media_type);
/* The engine whose statements are of this kind ("tpm2-certify"); NULL when none. */
const attest_engine *attest_engine_by_kind(const char *kind);
const char *attest_engine_name(const attest_engine *e);
const char *attest_engine_kind(const attest_engine *e); /* "tpm2-certify"; "other" for NULL */

/*
 * Every check id with its line of documentation, in the order the man page
 * lists them: the request and bundle checks, each engine's, then policy and
 * limits.  fn returns nonzero to stop.
 */
void attest_check_docs(int (*fn)(void *arg, const char *id, const char *what), void *arg);

#endif
