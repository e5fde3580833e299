/* --at-time: Unix seconds or RFC 3339 UTC (2024-11-01T00:00:00Z). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/asn1.h>

#include "cli.h"

int cli_parse_time(const char *s, time_t *out)
{
    char buf[32];
    ASN1_TIME *t, *epoch;
    int days = 0, secs = 0, ok;
    size_t i, n = strlen(s);
    int all_digits = n > 0 && n < 20;

    for (i = 0; i < n && all_digits; i++)
        all_digits = isdigit((unsigned char)s[i]);
    if (all_digits) {
        *out = (time_t)strtoll(s, NULL, 10);
        return 0;
    }
    /* YYYY-MM-DDTHH:MM:SSZ -> GeneralizedTime YYYYMMDDHHMMSSZ, validated by OpenSSL. */
    if (n != 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':'
        || s[16] != ':' || (s[19] != 'Z' && s[19] != 'z'))
        return -1;
    snprintf(buf, sizeof(buf), "%.4s%.2s%.2s%.2s%.2s%.2sZ", s, s + 5, s + 8, s + 11, s + 14, s + 17);
    t = ASN1_TIME_new();
    epoch = ASN1_TIME_set(NULL, 0);
    ok = t != NULL && epoch != NULL && ASN1_TIME_set_string_X509(t, buf)
         && ASN1_TIME_diff(&days, &secs, epoch, t);
    ASN1_TIME_free(t);
    ASN1_TIME_free(epoch);
    if (!ok)
        return -1;
    *out = (time_t)days * 86400 + secs;
    return 0;
}
