/*
 * What differs between the OpenSSL and tpm2-tss releases attest supports
 * (Debian 12: OpenSSL 3.0, tss2 3; Debian 13: OpenSSL 3.5, tss2 4), kept in
 * one place so callers see the same behaviour on both.
 */
#ifndef ATTEST_COMPAT_H
#define ATTEST_COMPAT_H

#include <stddef.h>

/*
 * tss2-mu 4 logs every refused unmarshal to stderr (log module "marshal"); attest probes with
 * tss2-mu and reports refusals itself.  Sets TSS2_LOG=marshal+none unless the
 * user set TSS2_LOG.  tss2 reads TSS2_LOG once per module at its first log
 * line, so call this early (CLI main, provider init), before threads.
 */
void attest_tss2_quiet_marshal(void);

/*
 * The error that says why an OpenSSL call failed: the newest one raised by a
 * loaded provider module (attest's own reason), else the newest one.  OpenSSL
 * >= 3.2 adds a generic EVP "provider signature failure" after the provider's
 * error, so "the last error" no longer names the reason.  Empties the error
 * queue; copies the error's text (or "") into buf; returns the packed code
 * (0 when the queue was empty).
 */
unsigned long attest_ossl_reason(char *buf, size_t len);

#endif
