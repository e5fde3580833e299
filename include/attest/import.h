/*
 * Vendor evidence as CAs receive it beside a request (a YubiKey's two
 * certificates, a Luna PKC, a Cloud HSM attestation and its chains, an
 * Android chain), turned into the AttestationBundle a request would carry:
 * attest-req verify --evidence-file judges it, new --evidence-file embeds it.
 */
#ifndef ATTEST_IMPORT_H
#define ATTEST_IMPORT_H

#include <stddef.h>
#include <openssl/types.h>

#include "attest/bundle.h"
#include "attest/error.h"

typedef struct {
    const char *name; /* for messages */
    const unsigned char *data;
    size_t len;
} attest_evidence_file;

/*
 * Each file is PEM (certificates, PKCS#7), DER (a certificate, a certs-only
 * PKCS#7) or, holding no certificate, a vendor blob (raw or gzip).  A file
 * whose first certificate an engine claims (claims_cert) becomes that
 * engine's statement with the rest in the cert bag; a blob an engine claims
 * (claims_blob) a CMW statement of its media type; other certificates go to
 * the cert bag.  At least one statement, or -1 with err naming the file.
 */
int attest_evidence_import(const attest_evidence_file *files, size_t n, OSSL_LIB_CTX *libctx, const char *propq,
                           attest_bundle **out, attest_err *err);

/* A request judged with evidence files beside it (their statements after its own). */
#include "attest/verify.h"
attest_verdict *attest_verify_csr_evidence(const attest_verify_params *p, const unsigned char *der, size_t len,
                                           const attest_bundle *evidence);
/* Evidence files alone, bound to p->subject_key, or (NULL) to no key: then at best a warning. */
attest_verdict *attest_verify_evidence_files(const attest_verify_params *p, const attest_bundle *evidence);

#endif
