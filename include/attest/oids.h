/*
 * The one OID table of attest: every object identifier the project knows,
 * with its short name, long name, dotted form and whether the arc is still a
 * placeholder in the drafts.
 *
 * The PKIX evidence arcs are unassigned; their defaults follow the published
 * samples and can be moved at run time (see attest_oids_configure()).
 */
#ifndef ATTEST_OIDS_H
#define ATTEST_OIDS_H

#include <stddef.h>
#include <openssl/asn1.h>

typedef enum {
    ATTEST_OID_AA_ATTESTATION = 0,      /* CSR attribute / CRMF extension */
    ATTEST_OID_TPM_CERTIFY,             /* tcg-attest-tpm-certify statement */
    ATTEST_OID_TCG_KP_AIK,              /* EKU on TPM AK certificates */
    ATTEST_OID_TCG_AT_TPM_MANUFACTURER, /* TPM attributes in a TPM certificate's subjectAltName */
    ATTEST_OID_TCG_AT_TPM_MODEL,
    ATTEST_OID_TCG_AT_TPM_VERSION,
    ATTEST_OID_PE_CMW,   /* CMW statement */
    ATTEST_OID_DICE_CMW, /* TCG DICE conceptual message wrapper */
    ATTEST_OID_DICE_TCBINFO,
    ATTEST_OID_PKIX_STATEMENT,     /* statement type for PKIX evidence (placeholder) */
    ATTEST_OID_KP_ATTESTATION_KEY, /* id-kp-attestationKey EKU (placeholder) */
    /* PKIX evidence elements */
    ATTEST_OID_PKIX_EL_TRANSACTION,
    ATTEST_OID_PKIX_EL_PLATFORM,
    ATTEST_OID_PKIX_EL_KEY,
    /* transaction claims */
    ATTEST_OID_PKIX_TX_NONCE,
    ATTEST_OID_PKIX_TX_TIMESTAMP,
    ATTEST_OID_PKIX_TX_AK_SPKI,
    /* platform claims */
    ATTEST_OID_PKIX_PL_VENDOR,
    ATTEST_OID_PKIX_PL_OEMID,
    ATTEST_OID_PKIX_PL_HWMODEL,
    ATTEST_OID_PKIX_PL_HWVERSION,
    ATTEST_OID_PKIX_PL_HWSERIAL,
    ATTEST_OID_PKIX_PL_SWNAME,
    ATTEST_OID_PKIX_PL_SWVERSION,
    ATTEST_OID_PKIX_PL_DEBUGSTAT,
    ATTEST_OID_PKIX_PL_UPTIME,
    ATTEST_OID_PKIX_PL_BOOTCOUNT,
    ATTEST_OID_PKIX_PL_FIPSBOOT,
    ATTEST_OID_PKIX_PL_FIPSVER,
    ATTEST_OID_PKIX_PL_FIPSLEVEL,
    ATTEST_OID_PKIX_PL_FIPSMODULE,
    /* key claims */
    ATTEST_OID_PKIX_KEY_IDENTIFIER,
    ATTEST_OID_PKIX_KEY_SPKI,
    ATTEST_OID_PKIX_KEY_EXTRACTABLE,
    ATTEST_OID_PKIX_KEY_SENSITIVE,
    ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE,
    ATTEST_OID_PKIX_KEY_LOCAL,
    ATTEST_OID_PKIX_KEY_EXPIRY,
    ATTEST_OID_PKIX_KEY_PURPOSE,
    /* key capabilities (values inside key-purpose) */
    ATTEST_OID_PKIX_CAP_ENCRYPT,
    ATTEST_OID_PKIX_CAP_DECRYPT,
    ATTEST_OID_PKIX_CAP_WRAP,
    ATTEST_OID_PKIX_CAP_UNWRAP,
    ATTEST_OID_PKIX_CAP_SIGN,
    ATTEST_OID_PKIX_CAP_SIGN_RECOVER,
    ATTEST_OID_PKIX_CAP_VERIFY,
    ATTEST_OID_PKIX_CAP_VERIFY_RECOVER,
    ATTEST_OID_PKIX_CAP_DERIVE,
    ATTEST_OID_COUNT
} attest_oid_id;

typedef struct {
    attest_oid_id id;
    const char *sn;     /* short name, registered with OpenSSL by the provider */
    const char *ln;     /* long name */
    const char *dotted; /* current dotted form (after configuration) */
    int placeholder;    /* 1: the arc is not assigned yet */
} attest_oid_info;

/*
 * Move the placeholder arcs.  NULL keeps the current value.  Called once,
 * before first use; later calls fail.  attest_oids_init() reads the
 * environment variables ATTEST_PKIX_ARC, ATTEST_PKIX_EKU and
 * ATTEST_PKIX_STATEMENT_OID when this was not called.
 */
int attest_oids_configure(const char *pkix_arc, const char *pkix_eku, const char *pkix_statement);
int attest_oids_init(void);

const attest_oid_info *attest_oid_info_get(attest_oid_id id);
/* A shared, immutable ASN1_OBJECT for id (never free it). */
const ASN1_OBJECT *attest_oid_obj(attest_oid_id id);
/* Lookup by value; -1 when unknown. */
int attest_oid_find(const ASN1_OBJECT *obj);
/* Short name for a known OID, else its dotted text in buf. */
const char *attest_oid_name(const ASN1_OBJECT *obj, char *buf, size_t buflen);

#endif
