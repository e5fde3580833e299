/* The Luna PKC certificate profile, shared by the engine's verify and describe. */
#ifndef ATTEST_LUNA_PKC_H
#define ATTEST_LUNA_PKC_H

#include <stddef.h>
#include <openssl/x509.h>

#define LUNA_EKU_PKC      "1.3.6.1.4.1.12383.1.13" /* the PKC leaf: the attested key */
#define LUNA_EKU_HOC_ECC  "1.3.6.1.4.1.12383.1.15" /* Hardware Origin certificate, ECC chain */
#define LUNA_EKU_DAC      "1.3.6.1.4.1.12383.1.12" /* device authentication certificate, RSA chain */
#define LUNA_EKU_HOC_RSA  "1.3.6.1.4.1.12383.1.8"  /* Hardware Origin certificate, RSA chain */
#define LUNA_EKU_MFG      "1.3.6.1.4.1.12383.1.7"  /* manufacturing integrity, RSA chain */
#define LUNA_EXT_SERIAL   "1.3.6.1.4.1.12383.2.1"  /* HSM serial: 4 raw bytes, little-endian */
#define LUNA_EXT_FIRMWARE "1.3.6.1.4.1.12383.2.3"  /* firmware version: raw bytes */

typedef struct {
    unsigned long serial;
    unsigned char fw[16];
    size_t fw_len; /* 0: no firmware extension */
} luna_leaf;

/* 1 when x's extended key usage lists oid. */
int attest_luna_has_eku(X509 *x, const char *oid);
/* The leaf's profile: EKU PKC, one 4-byte serial extension.  -1 and why when it is not one. */
int attest_luna_leaf_parse(X509 *leaf, luna_leaf *out, char *why, size_t why_len);
/*
 * 1 when cert's ECDSA signature is minimal DER except that r or s is
 * negative (high bit set without the 0x00 pad), and, read as unsigned, it
 * verifies with issuer_key over cert's exact TBS bytes.  0 otherwise.
 */
int attest_luna_negative_s_verifies(X509 *cert, EVP_PKEY *issuer_key);

#endif
