#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attest/error.h"

void attest_err_set(attest_err *e, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

void attest_err_prefix(attest_err *e, const char *fmt, ...)
{
    char old[sizeof(e->msg)];
    va_list ap;
    int n;

    if (e == NULL)
        return;
    memcpy(old, e->msg, sizeof(old));
    va_start(ap, fmt);
    n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    /* Append ": old" after the head; a long message is cut, never overrun. */
    if (n >= 0 && (size_t)n < sizeof(e->msg) - 2) {
        e->msg[n] = ':';
        e->msg[n + 1] = ' ';
        memcpy(e->msg + n + 2, old, sizeof(e->msg) - (size_t)n - 2);
        e->msg[sizeof(e->msg) - 1] = '\0';
    }
}
