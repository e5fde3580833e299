/*
 * --at-time: Unix seconds (negative before 1970) or RFC 3339 UTC
 * (2024-11-01T00:00:00Z), within what X.509 can express: 1950-01-01T00:00:00Z
 * .. 9999-12-31T23:59:59Z.  Anything else is refused, never clamped.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/asn1.h>

#include "cli.h"

#define TIME_MIN (-631152000LL) /* 1950-01-01T00:00:00Z */
#define TIME_MAX 253402300799LL /* 9999-12-31T23:59:59Z */

static int parse_seconds(const char *s, long long *out)
{
    const char *p = s + (*s == '-');
    char *end;

    if (*p == '\0')
        return -1;
    for (; *p != '\0'; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno == 0 && *end == '\0' ? 0 : -1;
}

/* YYYY-MM-DDTHH:MM:SSZ -> GeneralizedTime YYYYMMDDHHMMSSZ, validated by OpenSSL. */
static int parse_rfc3339(const char *s, long long *out)
{
    char buf[32];
    ASN1_TIME *t, *epoch;
    int days = 0, secs = 0, ok;

    if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':'
        || (s[19] != 'Z' && s[19] != 'z'))
        return -1;
    snprintf(buf, sizeof(buf), "%.4s%.2s%.2s%.2s%.2s%.2sZ", s, s + 5, s + 8, s + 11, s + 14, s + 17);
    t = ASN1_TIME_new();
    epoch = ASN1_TIME_set(NULL, 0);
    /* ASN1_GENERALIZEDTIME_set_string checks digits and field ranges. */
    ok =
        t != NULL && epoch != NULL && ASN1_GENERALIZEDTIME_set_string(t, buf) && ASN1_TIME_diff(&days, &secs, epoch, t);
    ASN1_TIME_free(t);
    ASN1_TIME_free(epoch);
    if (!ok)
        return -1;
    *out = (long long)days * 86400 + secs;
    return 0;
}

int cli_parse_time(const char *s, time_t *out)
{
    long long v;

    if (parse_seconds(s, &v) != 0 && parse_rfc3339(s, &v) != 0)
        return -1;
    if (v < TIME_MIN || v > TIME_MAX)
        return -1;
    *out = (time_t)v;
    return 0;
}
