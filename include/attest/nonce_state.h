/*
 * Single-use nonces: a directory where a CA/RA records the nonces it hands
 * out and marks each one used when evidence carrying it is accepted.
 *
 * One file per nonce, named by its hex, holding its expiry; created with
 * O_EXCL then link()ed into place so no reader sees it half written.  Using
 * a nonce is link(NONCE, NONCE.used): the kernel (or the NFS server) lets
 * exactly one of any number of concurrent verifiers make that link.
 */
#ifndef ATTEST_NONCE_STATE_H
#define ATTEST_NONCE_STATE_H

#include <stddef.h>
#include <time.h>

#include "attest/error.h"
#include "attest/verdict.h"

#define ATTEST_NONCE_MIN_BYTES     8
#define ATTEST_NONCE_DEFAULT_BYTES 32
#define ATTEST_NONCE_DEFAULT_TTL   300
#define ATTEST_NONCE_MAX_TTL       (7L * 24 * 3600)

typedef enum {
    ATTEST_NONCE_OK,      /* issued here, not expired, and now marked used by this call */
    ATTEST_NONCE_UNKNOWN, /* never issued here (or expired and swept) */
    ATTEST_NONCE_USED,    /* already used: a replay */
    ATTEST_NONCE_EXPIRED, /* issued, but its time ran out (now marked used) */
    ATTEST_NONCE_ERROR    /* the directory could not be read or written: err says why */
} attest_nonce_result;

/*
 * A fresh random nonce of len bytes (ATTEST_NONCE_MIN_BYTES..ATTEST_MAX_NONCE),
 * recorded in dir with an expiry ttl seconds from now.  dir is created (0700)
 * when absent; one writable by group or others is refused.  Expired entries
 * are swept.  0, or -1 with err set.
 */
int attest_nonce_issue(const char *dir, long ttl, unsigned char *out, size_t len, attest_err *err);

/* Mark nonce used if it was issued in dir; *expires (may be NULL) gets its expiry when known. */
attest_nonce_result attest_nonce_consume(const char *dir, const unsigned char *nonce, size_t len, time_t now,
                                         time_t *expires, attest_err *err);

/* Remove the entries (and used marks) whose expiry is past; the number removed, or -1. */
long attest_nonce_sweep(const char *dir, time_t now, attest_err *err);

/*
 * nonce.state for a finished verdict: the nonce every statement reported
 * must be one and the same, issued in dir, unexpired and unused; it is then
 * marked used.  A verdict that already failed another check does not use
 * up its nonce (nonce.state is skipped, the verdict stays contraindicated).
 */
void attest_verdict_check_nonce_state(attest_verdict *v, const char *dir);

#endif
