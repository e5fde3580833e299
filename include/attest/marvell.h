/*
 * Marvell LiquidSecurity key attestations (Google Cloud HSM CAVIUM_V1/V2
 * blobs): a big-endian header, one or two key objects of PKCS#11-style TLV
 * attributes, and the partition key's RSA-2048 signature (the last 256
 * bytes).  Layout: attest(7), "Vendor evidence: Marvell"; samples in
 * tests/vectors/vendors/marvell/.
 */
#ifndef ATTEST_MARVELL_H
#define ATTEST_MARVELL_H

#include <stddef.h>
#include <stdint.h>

#include "attest/error.h"

#define CHK_MARVELL_PARSE            "marvell.parse"
#define CHK_MARVELL_SIGNATURE        "marvell.signature"
#define CHK_MARVELL_CHAIN_MANUFACTURER "marvell.chain-manufacturer"
#define CHK_MARVELL_CHAIN_OWNER      "marvell.chain-owner"
#define CHK_MARVELL_SAME_KEY         "marvell.same-key"
#define CHK_MARVELL_KEY_ATTRIBUTES   "marvell.key-attributes"
#define CHK_MARVELL_KEY_BINDING      "marvell.key-binding"

#define ATTEST_MARVELL_CMW_TYPE "application/vnd.attest.marvell-liquidsecurity"
#define ATTEST_MARVELL_SIG_LEN  256
#define ATTEST_MARVELL_MAX_ATTRS 96

/* Attribute types (PKCS#11 CKA_* values as the HSM writes them). */
#define MV_CKA_CLASS             0x0000u
#define MV_CKA_LABEL             0x0003u
#define MV_CKA_KEY_TYPE          0x0100u
#define MV_CKA_ID                0x0102u
#define MV_CKA_SENSITIVE         0x0103u
#define MV_CKA_MODULUS           0x0120u /* RSA modulus; EC keys: the uncompressed point */
#define MV_CKA_MODULUS_BITS      0x0121u
#define MV_CKA_PUBLIC_EXPONENT   0x0122u
#define MV_CKA_EXTRACTABLE       0x0162u
#define MV_CKA_LOCAL             0x0163u
#define MV_CKA_NEVER_EXTRACTABLE 0x0164u
#define MV_CKA_ALWAYS_SENSITIVE  0x0165u

#define MV_CKO_PUBLIC_KEY  2u
#define MV_CKO_PRIVATE_KEY 3u
#define MV_CKK_RSA         0u
#define MV_CKK_EC          3u

typedef struct {
    uint32_t type;
    uint32_t len;
    const unsigned char *val;
} attest_mv_attr;

typedef struct {
    uint32_t handle;
    size_t n_attrs;
    attest_mv_attr attrs[ATTEST_MARVELL_MAX_ATTRS];
} attest_mv_object;

typedef struct {
    int version;              /* 2: CAVIUM_V2 (sized header), 1: CAVIUM_V1 (fixed offsets) */
    const unsigned char *sig; /* the last ATTEST_MARVELL_SIG_LEN bytes */
    size_t signed_len;        /* bytes the signature covers: all before it */
    attest_mv_object obj[2];
    size_t n_obj;
} attest_mv_blob;

/* Parse an inflated blob (d must outlive b): sizes must agree exactly.  0, or -1 and err. */
int attest_mv_parse(const unsigned char *d, size_t len, attest_mv_blob *b, attest_err *err);
/* The CMW statement value: its blob, inflated when gzip (OPENSSL_free *plain), parsed into b. */
int attest_mv_statement(const unsigned char *der, size_t len, unsigned char **plain, size_t *plain_len, int *gzip,
                        attest_mv_blob *b, attest_err *err);

const attest_mv_attr *attest_mv_find(const attest_mv_object *o, uint32_t type);
/* A 1..4-byte big-endian attribute value; -1 when absent or longer. */
long attest_mv_uint(const attest_mv_object *o, uint32_t type);
/* The object of class cls (MV_CKO_*), or NULL. */
const attest_mv_object *attest_mv_object_of(const attest_mv_blob *b, uint32_t cls);
/* A text attribute (label, id) up to its first NUL, escaped, into out. */
void attest_mv_text(const attest_mv_object *o, uint32_t type, char *out, size_t cap);
/*
 * The public key an object holds as SPKI DER (OPENSSL_free): RSA modulus and
 * exponent, or an EC point (curve by its length).  what gets "RSA-2048" or
 * "EC P-256".  0, or -1 and err.
 */
int attest_mv_object_spki(const attest_mv_object *o, unsigned char **der, size_t *len, char *what, size_t cap,
                          attest_err *err);

#endif
