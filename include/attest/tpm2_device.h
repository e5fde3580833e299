/*
 * TPM-facing half of the TPM2 evidence engine: open a TPM through a TCTI,
 * resolve key references (persistent handles or TSS2 PRIVATE KEY blobs),
 * and run TPM2_Certify / TPM2_ReadPublic / TPM2_Sign through ESAPI.
 *
 * Return values: 0 success; -1 failure; -2 the TPM is unreachable (TCTI
 * cannot connect, Esys_Initialize fails, the first command gets no
 * answer, or a later command fails in the TCTI layer, after which every
 * call on that attest_tpm returns -2).  The CLI maps -2 to exit 2.
 * (-2 is the one exception to the convention of attest/error.h.)
 * On failure err (if not NULL) holds one line naming the step and the
 * decoded TPM reason, e.g. "key handle 0x81000099: TPM2_ReadPublic:
 * tpm:handle(1):the handle is not correct for the use (0x18b)".
 * tss2 itself also logs to stderr unless TSS2_LOG says otherwise.
 *
 * Every buffer returned is allocated with OPENSSL_malloc: free it with
 * OPENSSL_free (or attest_tpm_certify_out_clear for a certify result).
 *
 * The TPM is used without a resource manager: every transient object loaded
 * here is flushed before the call returns, on success and on failure, and
 * every ESYS_TR for a persistent object is closed with Esys_TR_Close.
 * Other clients (tpm2-tools, tpm2-openssl) may use the same swtpm while an
 * attest_tpm is open, but they share its 3 transient slots.
 * An attest_tpm is not thread-safe.
 */
#ifndef ATTEST_TPM2_DEVICE_H
#define ATTEST_TPM2_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest/error.h"

#define ATTEST_TPM_UNREACHABLE (-2)
#define ATTEST_TPM_NONCE_MAX   64 /* policy cap on qualifyingData */

typedef struct attest_tpm attest_tpm; /* TCTI ctx + ESYS ctx */

/*
 * tcti: a tctildr string, e.g. "swtpm:host=127.0.0.1,port=2321" or
 * "swtpm:path=/x/swtpm.sock".  NULL (or "") -> env ATTEST_TCTI, then
 * TPM2TOOLS_TCTI, then TCTI, then the tctildr default search.
 */
int attest_tpm_open(const char *tcti, attest_tpm **out, attest_err *err);
/* That lookup: tcti itself, else the first set variable; NULL for the default search. */
const char *attest_tpm_tcti(const char *tcti);
void attest_tpm_close(attest_tpm *t);
/* What a TPM response code means to do, "guidance"; the raw code too when verbose (or no guidance). */
void attest_tpm_set_verbose(int on);
void attest_tpm_rc_text(uint32_t rc, char *buf, size_t len);

/*
 * A key reference.  If tss2_pem is set it wins: a "TSS2 PRIVATE KEY" (PEM,
 * or its DER) as written by tpm2-openssl, loaded under its parent: a
 * persistent handle 0x81xxxxxx as is, or for parent 0x40000001 (owner) a
 * freshly created primary from tpm2-openssl's SRK template (ECC P-256,
 * AES-128-CFB, noDA; RSA-2048 if the file says rsaParent), flushed right
 * after the load.  Otherwise handle: a persistent (0x81xxxxxx) or, without
 * a resource manager, a transient (0x80xxxxxx) object handle.
 * Only empty authValues are supported (hierarchy, parent and key).
 */
typedef struct {
    uint32_t handle;
    const unsigned char *tss2_pem;
    size_t tss2_pem_len;
} attest_tpm_keyref;

typedef struct {
    unsigned char *attest; /* TPMS_ATTEST, no TPM2B size prefix */
    size_t attest_len;
    unsigned char *sig; /* TPMT_SIGNATURE (Tss2_MU marshaled) */
    size_t sig_len;
    unsigned char *pub; /* TPMT_PUBLIC of the key, no prefix */
    size_t pub_len;
    unsigned char *ak_pub; /* TPMT_PUBLIC of the AK, no prefix */
    size_t ak_pub_len;
    uint32_t object_attributes; /* TPMA_OBJECT of the key */
} attest_tpm_certify_out;

/*
 * TPM2_Certify(objectHandle=key, signHandle=ak_handle, qualifyingData=nonce,
 * inScheme=NULL).  nonce_len is 0..min(64, this TPM's TPM2B_DATA capacity).
 * When the AK's own scheme is NULL, RSASSA or ECDSA with the AK's nameAlg
 * is requested instead.  out is overwritten (not freed) first.
 */
int attest_tpm_certify(attest_tpm *t, const attest_tpm_keyref *key, uint32_t ak_handle, const unsigned char *nonce,
                       size_t nonce_len, attest_tpm_certify_out *out, attest_err *err);
void attest_tpm_certify_out_clear(attest_tpm_certify_out *o);

/*
 * Marshaled TPMT_PUBLIC of a key.  For a TSS2 key blob it comes from the
 * blob itself and the TPM is not used (t may then be NULL).
 */
int attest_tpm_read_public(attest_tpm *t, const attest_tpm_keyref *key, unsigned char **pub, size_t *pub_len,
                           attest_err *err);

/*
 * on: from the next certify or sign on, keep that call's key object open
 * (its ESYS_TR, and for a TSS2 key blob the loaded object) and reuse it for
 * later calls with an equal key reference, so certify-then-sign reads (or
 * loads) the key once.  The held object is a transient slot while held:
 * off (or attest_tpm_close) flushes / closes it.
 */
void attest_tpm_hold_key(attest_tpm *t, int on);

/* Number of loaded transient objects (TPM2_CAP_HANDLES from 0x80000000). */
int attest_tpm_count_transients(attest_tpm *t, size_t *n, attest_err *err);

/*
 * TPM2_Sign of a precomputed digest with an unrestricted signing key (NULL
 * hashcheck ticket).  sig_scheme: TPM2_ALG_RSASSA (0x0014), TPM2_ALG_RSAPSS
 * (0x0016) or TPM2_ALG_ECDSA (0x0018); hash_alg: TPM2_ALG_SHA1/SHA256/
 * SHA384/SHA512 and dlen must be its size.  Output: DER ECDSA-Sig-Value for
 * ECDSA, the raw modulus-length signature for RSA.
 */
int attest_tpm_sign_digest(attest_tpm *t, const attest_tpm_keyref *key, uint16_t sig_scheme, uint16_t hash_alg,
                           const unsigned char *digest, size_t dlen, unsigned char **sig, size_t *sig_len,
                           attest_err *err);

/*
 * A TPMT_SIGNATURE as an X.509 signature value: DER ECDSA-Sig-Value (made
 * through ECDSA_SIG) for ECDSA, the raw signature for RSASSA / RSAPSS.  A
 * signature of another scheme than asked for is refused (-1).
 */
int attest_tpm_sig_bytes(const TPMT_SIGNATURE *s, uint16_t scheme, unsigned char **out, size_t *out_len,
                         attest_err *err);

/* Signing a request with TPM2_Sign (attest_request_opts.signer). */
typedef struct {
    attest_tpm *tpm;
    const attest_tpm_keyref *key;
    uint16_t scheme; /* TPM2_ALG_RSASSA/RSAPSS/ECDSA */
    uint16_t hash;   /* TPM2_ALG_SHA* */
    const char *md;  /* its OpenSSL name */
} attest_tpm_signer;

/*
 * Can the key (marshaled TPMT_PUBLIC) sign a request digested with md
 * (NULL: the request's default for the key; RSASSA-PSS for RSA keys if pss)
 * through TPM2_Sign?  0: s->scheme, s->hash and s->md are set; -1: why says why not (restricted or not a signing key,
 * a fixed scheme or hash that differs, an unknown digest).
 */
int attest_tpm_sign_plan(const unsigned char *pub, size_t pub_len, const char *md, int pss, attest_tpm_signer *s,
                         attest_err *why);
/* An attest_request_signer: arg is an attest_tpm_signer. */
int attest_tpm_request_signer(void *arg, const unsigned char *digest, size_t dlen, unsigned char **sig, size_t *sig_len,
                              attest_err *err);

#endif /* ATTEST_TPM2_DEVICE_H */
