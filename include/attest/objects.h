/*
 * The object types attest decodes, describes and verifies, and the registry
 * of evidence engines they come from.
 *
 * One table: the request containers (CSR, bundle, CRMF) followed by every
 * engine's objects in engine order.  The provider's decoders and encoders,
 * the CLI's --type list, its usage text and completion, show and verify all
 * read it; nothing else lists the types.
 */
#ifndef ATTEST_OBJECTS_H
#define ATTEST_OBJECTS_H

#include <stddef.h>
#include <json-c/json.h>

#include "attest/error.h"
#include "attest/verify.h"

typedef struct attest_engine attest_engine;

typedef struct {
    const char *name;     /* stable data-type name: "TcgAttestCertify" (provider, JSON "type") */
    const char *alias;    /* --type and the provider's structure= property: "tpm2" */
    const char *pem;      /* PEM label, or NULL when the type has no PEM form */
    const char *summary;  /* one line for decoder lists and usage text */
    int asn1;             /* DER (1) or raw TPM marshaling (0) */
    int detect;           /* tried, in table order, when an input's type is not given */
    /* Strictly decode: 0 when der is one of these.  No JSON is built. */
    int (*check)(const unsigned char *der, size_t len, attest_err *err);
    json_object *(*describe)(const unsigned char *der, size_t len, attest_err *err);
    /* The verdict on a container; NULL for engine objects (a standalone engine's statement is
     * judged by attest_verify_statement). */
    attest_verdict *(*verify)(const attest_verify_params *p, const unsigned char *der, size_t len);
} attest_object_type;

/* Data types by position in the table.  The built-in positions are fixed (test_registry checks them). */
typedef int attest_datatype;
enum {
    ATTEST_DT_NONE = -1,
    ATTEST_DT_CSR = 0,          /* "AttestedCSR"       PKCS#10 with the attribute */
    ATTEST_DT_BUNDLE,           /* "AttestationBundle" */
    ATTEST_DT_CRMF,             /* "CrmfRequest"       CertReqMessages, or a CMP ir/cr/kur/p10cr (DER only) */
    ATTEST_DT_TPM2_STMT,        /* "TcgAttestCertify"  (engine tpm2) */
    ATTEST_DT_TPMS_ATTEST,      /* "TPMS_ATTEST"       raw TPM bytes */
    ATTEST_DT_TPMT_PUBLIC,      /* "TPMT_PUBLIC" */
    ATTEST_DT_TPMT_SIGNATURE,   /* "TPMT_SIGNATURE" */
    ATTEST_DT_PKIX              /* "PkixEvidence"      (engine pkix) */
};

/* The provider has a decoder and encoders per row, in fixed slots: at most this many rows. */
#define ATTEST_MAX_OBJECT_TYPES 24
#define ATTEST_OBJECT_SLOTS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) \
    X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)

size_t attest_object_count(void);
const attest_object_type *attest_object_at(attest_datatype dt);  /* NULL when out of range */
/* By name or alias, case-insensitive; ATTEST_DT_NONE if unknown. */
attest_datatype attest_object_find(const char *name);
/* By PEM label ("NEW CERTIFICATE REQUEST" is a CSR); ATTEST_DT_NONE if none. */
attest_datatype attest_object_by_pem(const char *label);
/* The engine an object belongs to; NULL for the containers. */
const attest_engine *attest_object_engine(attest_datatype dt);
/* "AttestedCSR (csr), ..." style lists for usage text: sep between entries; static buffer. */
const char *attest_object_names(int aliases, const char *sep);

/* Compatibility names used across the tree. */
const char *attest_datatype_name(attest_datatype dt);
const char *attest_datatype_pem_label(attest_datatype dt);
int attest_datatype_is_asn1(attest_datatype dt);
attest_datatype attest_datatype_from_name(const char *name);

/* Strictly decode der as dt (0: it is one); describe it as {"type", "content"}. */
int attest_object_check(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err);
json_object *attest_describe(attest_datatype dt, const unsigned char *der, size_t len, attest_err *err);

/*
 * The one input path.  attest_detect: the type of DER bytes (the first
 * detectable type whose check passes), ATTEST_DT_NONE when none does.
 * attest_verify_any: the verdict on an input of type dt (ATTEST_DT_NONE:
 * detect; a request is tried first, and an input nothing recognises is
 * judged as a request so that csr.parse says what is wrong).  NULL only when
 * out of memory; a type that cannot be verified alone gets a verdict saying so.
 */
attest_datatype attest_detect(const unsigned char *der, size_t len);
/* 1 when attest_verify_any judges dt on its own (a container, or a standalone engine's statement). */
int attest_object_verifiable(attest_datatype dt);
attest_verdict *attest_verify_any(const attest_verify_params *p, attest_datatype dt,
                                  const unsigned char *der, size_t len);

/* ---- the engine registry ---- */
size_t attest_engine_count(void);
const attest_engine *attest_engine_at(size_t i);
/* The engine of a statement type (by OID); NULL when no engine knows it. */
const attest_engine *attest_engine_for_type(const ASN1_OBJECT *type);
const char *attest_engine_name(const attest_engine *e);
const char *attest_engine_kind(const attest_engine *e); /* "tpm2-certify"; "other" for NULL */

/*
 * Every check id with its line of documentation, in the order the man page
 * lists them: the request and bundle checks, each engine's, then policy and
 * limits.  fn returns nonzero to stop.
 */
void attest_check_docs(int (*fn)(void *arg, const char *id, const char *what), void *arg);

#endif
