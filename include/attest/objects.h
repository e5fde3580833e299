/*
 * The object types attest decodes, describes and verifies, and the registry
 * of evidence engines they come from.
 *
 * One table: the request containers (CSR, bundle, CRMF) followed by every
 * engine's objects in engine order.  The provider's decoders and encoders,
 * the CLI's --type list, its usage text and completion, show and verify all
 * read it; nothing else lists the types.  attest/registry.h (not installed)
 * has the table's rows and the engines behind them.
 */
#ifndef ATTEST_OBJECTS_H
#define ATTEST_OBJECTS_H

#include "attest/export.h"

#include <stddef.h>

#include "attest/error.h"
#include "attest/verify.h"

/* Data types by position in the table.  The built-in positions are fixed (test_dummy_engine checks them). */
typedef int attest_datatype;
enum {
    ATTEST_DT_NONE = -1,
    ATTEST_DT_CSR = 0,        /* "AttestedCSR"       PKCS#10 with the attribute */
    ATTEST_DT_BUNDLE,         /* "AttestationBundle" */
    ATTEST_DT_CRMF,           /* "CrmfRequest"       CertReqMessages, or a CMP ir/cr/kur/p10cr (DER only) */
    ATTEST_DT_TPM2_STMT,      /* "TcgAttestCertify"  (engine tpm2) */
    ATTEST_DT_TPMS_ATTEST,    /* "TPMS_ATTEST"       raw TPM bytes */
    ATTEST_DT_TPMT_PUBLIC,    /* "TPMT_PUBLIC" */
    ATTEST_DT_TPMT_SIGNATURE, /* "TPMT_SIGNATURE" */
    ATTEST_DT_PKIX            /* "PkixEvidence"      (engine pkix) */
};

ATTEST_EXPORT size_t attest_object_count(void);
/* By name or alias, case-insensitive; ATTEST_DT_NONE if unknown. */
ATTEST_EXPORT attest_datatype attest_object_find(const char *name);
/* By PEM label ("NEW CERTIFICATE REQUEST" is a CSR); ATTEST_DT_NONE if none. */
ATTEST_EXPORT attest_datatype attest_object_by_pem(const char *label);
/* "AttestedCSR (csr), ..." style lists for usage text: sep between entries; static buffer. */
ATTEST_EXPORT const char *attest_object_names(int aliases, const char *sep);

/* A type's name, PEM label (NULL: none), form (DER or raw TPM bytes); by name or alias. */
ATTEST_EXPORT const char *attest_datatype_name(attest_datatype dt);
ATTEST_EXPORT const char *attest_datatype_pem_label(attest_datatype dt);
ATTEST_EXPORT int attest_datatype_is_asn1(attest_datatype dt);
ATTEST_EXPORT attest_datatype attest_datatype_from_name(const char *name);

/*
 * The one input path.  attest_detect: the type of DER bytes (the first
 * detectable type whose check passes), ATTEST_DT_NONE when none does.
 * attest_verify_any: the verdict on an input of type dt (ATTEST_DT_NONE:
 * detect; a request is tried first, and an input nothing recognises is
 * judged as a request so that csr.parse says what is wrong).  NULL only when
 * out of memory; a type that cannot be verified alone gets a verdict saying so.
 */
ATTEST_EXPORT attest_datatype attest_detect(const unsigned char *der, size_t len);
/* 1 when attest_verify_any judges dt on its own (a container, or a standalone engine's statement). */
ATTEST_EXPORT int attest_object_verifiable(attest_datatype dt);
ATTEST_EXPORT attest_verdict *attest_verify_any(const attest_verify_params *p, attest_datatype dt,
                                                const unsigned char *der, size_t len);

#endif
