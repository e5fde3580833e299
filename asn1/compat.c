/* Behaviour kept the same across OpenSSL 3.0..3.5 and tpm2-tss 3..4 (see compat.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>

#include "attest/compat.h"

void attest_tss2_quiet_marshal(void)
{
    /* tss2's own log-level control: "module+level"; the user's setting wins. */
    if (getenv("TSS2_LOG") == NULL)
        setenv("TSS2_LOG", "marshal+none", 0);
}

unsigned long attest_ossl_reason(char *buf, size_t len)
{
    unsigned long e, best = 0, newest = 0;
    const char *data;
    int flags;
    char text[256] = "", best_text[256] = "";

    for (;;) {
        data = NULL;
        flags = 0;
        if ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) == 0)
            break;
        newest = e;
        if (data != NULL && (flags & ERR_TXT_STRING))
            snprintf(text, sizeof(text), "%s", data);
        else
            text[0] = '\0';
        /* Provider modules get library codes from ERR_get_next_error_library(). */
        if (ERR_GET_LIB(e) >= ERR_LIB_USER && !ERR_SYSTEM_ERROR(e)) {
            best = e;
            memcpy(best_text, text, sizeof(best_text));
        }
    }
    if (best == 0) {
        best = newest;
        memcpy(best_text, text, sizeof(best_text));
    }
    if (buf != NULL && len > 0)
        snprintf(buf, len, "%s", best_text);
    return best;
}
