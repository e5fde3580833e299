/*
 * The library's one error convention.  A function that can fail returns 0 on
 * success and -1 on failure, and takes an attest_err *err: on failure it
 * holds one line (no newline, NUL-terminated) for the caller to print as is.
 * err may be NULL when the caller does not want the text.  Functions that
 * hand back an object return it, NULL on failure, with the same err.
 * The one exception: the TPM layer (attest/tpm2_device.h, tpm2_enroll.h)
 * also returns ATTEST_TPM_UNREACHABLE (-2) when the TPM cannot be reached,
 * since callers map that to another exit status; err is filled as for -1.
 */
#ifndef ATTEST_ERROR_H
#define ATTEST_ERROR_H

#include "attest/export.h"

#include <stddef.h>

typedef struct {
    char msg[384];
} attest_err;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
ATTEST_EXPORT void
attest_err_set(attest_err *e, const char *fmt, ...);
/* Prefix an existing message with context ("bundle: ..."). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
ATTEST_EXPORT void
attest_err_prefix(attest_err *e, const char *fmt, ...);

#endif
