/* A certificate's name for people: its subject, or when that is empty its TCG TPM attributes or issuer + serial. */
#ifndef ATTEST_CERTNAME_H
#define ATTEST_CERTNAME_H

#include <stddef.h>
#include <openssl/x509.h>

/*
 * "/CN=x/O=y"; for an empty subject (Windows AIK and TCG EK certificates)
 * "TPM manufacturer id:414D4400, model ..., version ..." from the
 * subjectAltName directoryName, else "serial 0x... from /CN=issuer".
 * Attribute values are escaped (attest_escape).
 */
void attest_cert_name(X509 *x, char *buf, size_t len);

#endif
