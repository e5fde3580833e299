/* One-line errors: every failing call fills an attest_err the caller prints. */
#ifndef ATTEST_ERROR_H
#define ATTEST_ERROR_H

#include <stddef.h>

typedef struct {
    char msg[384];
} attest_err;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void attest_err_set(attest_err *e, const char *fmt, ...);
/* The same for a plain buffer (the ESAPI layer's err, errlen arguments). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void attest_errbuf_set(char *buf, size_t len, const char *fmt, ...);
/* Prefix an existing message with context ("bundle: ..."). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void attest_err_prefix(attest_err *e, const char *fmt, ...);

#endif
