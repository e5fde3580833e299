/*
 * The PKIX claims file: what the caller knows about the key and the module,
 * as "name = value" lines (see attest/pkix_produce.h).  Unknown names and
 * bad values are refused with file:line; nothing is guessed.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>

#include "attest/pkix_produce.h"

void attest_pkix_strings_free(attest_pkix_strings *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        OPENSSL_free(s->v[i]);
    s->n = 0;
}

enum { F_TEXT, F_KEYID, F_BOOL, F_FIPSBOOT, F_FIPSLEVEL, F_PURPOSE };

static const struct {
    const char *name;
    int kind;
    size_t off;
} fields[] = {
    { "vendor", F_TEXT, offsetof(attest_pkix_platform, vendor) },
    { "hwmodel", F_TEXT, offsetof(attest_pkix_platform, hwmodel) },
    { "hwversion", F_TEXT, offsetof(attest_pkix_platform, hwversion) },
    { "hwserial", F_TEXT, offsetof(attest_pkix_platform, hwserial) },
    { "swname", F_TEXT, offsetof(attest_pkix_platform, swname) },
    { "swversion", F_TEXT, offsetof(attest_pkix_platform, swversion) },
    { "fipsver", F_TEXT, offsetof(attest_pkix_platform, fipsver) },
    { "fipsmodule", F_TEXT, offsetof(attest_pkix_platform, fipsmodule) },
    { "fipsboot", F_FIPSBOOT, offsetof(attest_pkix_platform, fipsboot) },
    { "fipslevel", F_FIPSLEVEL, offsetof(attest_pkix_platform, fipslevel) },
    { "key-id", F_KEYID, 0 },
    { "extractable", F_BOOL, offsetof(attest_pkix_claims, extractable) },
    { "sensitive", F_BOOL, offsetof(attest_pkix_claims, sensitive) },
    { "never-extractable", F_BOOL, offsetof(attest_pkix_claims, never_extractable) },
    { "local", F_BOOL, offsetof(attest_pkix_claims, local) },
    { "purpose", F_PURPOSE, 0 },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int parse_bool(const char *v)
{
    return strcasecmp(v, "true") == 0 ? 1 : strcasecmp(v, "false") == 0 ? 0 : -1;
}

/* "sign, verify" -> bits; 0 when a name is unknown (bad set to it). */
static unsigned parse_purposes(char *v, const char **bad)
{
    unsigned bits = 0, bit;
    char *save = NULL, *tok;

    for (tok = strtok_r(v, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        tok = trim(tok);
        if ((bit = attest_pkix_cap_from_name(tok)) == 0) {
            *bad = tok;
            return 0;
        }
        bits |= bit;
    }
    *bad = "";
    return bits;
}

/* One "name = value" line into lc/lp; -1 with err on a bad line. */
static int load_line(char *line, const char *where, attest_pkix_claims *lc, attest_pkix_platform *lp,
                     attest_pkix_strings *lh, unsigned *seen, attest_err *err)
{
    char *eq = strchr(line, '='), *name, *val;
    const char *bad;
    size_t i;
    int b;

    if (eq == NULL) {
        attest_err_set(err, "%s: expected \"name = value\"", where);
        return -1;
    }
    *eq = '\0';
    name = trim(line);
    val = trim(eq + 1);
    for (i = 0; i < N_FIELDS && strcmp(fields[i].name, name) != 0; i++)
        ;
    if (i == N_FIELDS) {
        attest_err_set(err, "%s: unknown claim name \"%.40s\"", where, name);
        return -1;
    }
    if (*seen & (1u << i)) {
        attest_err_set(err, "%s: \"%s\" given twice", where, name);
        return -1;
    }
    *seen |= 1u << i;
    if (*val == '\0') {
        attest_err_set(err, "%s: \"%s\" has an empty value", where, name);
        return -1;
    }
    switch (fields[i].kind) {
    case F_TEXT:
    case F_KEYID:
        if (lh->n == sizeof(lh->v) / sizeof(lh->v[0]) || (lh->v[lh->n] = OPENSSL_strdup(val)) == NULL) {
            attest_err_set(err, "%s: out of memory", where);
            return -1;
        }
        if (fields[i].kind == F_KEYID)
            lc->key_id = lh->v[lh->n++];
        else
            *(const char **)((char *)lp + fields[i].off) = lh->v[lh->n++];
        break;
    case F_BOOL:
    case F_FIPSBOOT:
        if ((b = parse_bool(val)) < 0) {
            attest_err_set(err, "%s: \"%s\" must be true or false, not \"%.40s\"", where, name, val);
            return -1;
        }
        *(int *)((char *)(fields[i].kind == F_BOOL ? (void *)lc : (void *)lp) + fields[i].off) = b;
        break;
    case F_FIPSLEVEL:
        if (strlen(val) != 1 || val[0] < '1' || val[0] > '4') {
            attest_err_set(err, "%s: fipslevel must be 1, 2, 3 or 4, not \"%.40s\"", where, val);
            return -1;
        }
        lp->fipslevel = val[0] - '0';
        break;
    case F_PURPOSE:
        if ((lc->purposes = parse_purposes(val, &bad)) == 0) {
            attest_err_set(err,
                           "%s: unknown key purpose \"%.40s\" (sign, verify, encrypt, decrypt, wrap, unwrap, derive, "
                           "sign-recover, verify-recover)",
                           where, bad);
            return -1;
        }
        break;
    }
    if (fields[i].kind == F_TEXT || fields[i].kind == F_FIPSBOOT || fields[i].kind == F_FIPSLEVEL)
        lc->platform = lp;
    return 0;
}

int attest_pkix_claims_load(const char *path, attest_pkix_claims *c, attest_pkix_platform *pl,
                            attest_pkix_strings *hold, attest_err *err)
{
    FILE *f = fopen(path, "r");
    attest_pkix_claims lc = *c;
    attest_pkix_platform lp = *pl;
    attest_pkix_strings lh = { { NULL }, 0 };
    char line[1024], where[300], *s;
    unsigned seen = 0;
    int lineno = 0, ok = -1;
    size_t i;

    if (f == NULL) {
        attest_err_set(err, "%s: cannot open the claims file", path);
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        snprintf(where, sizeof(where), "%s:%d", path, ++lineno);
        if (strchr(line, '\n') == NULL && !feof(f)) {
            attest_err_set(err, "%s: line longer than %zu bytes", where, sizeof(line) - 2);
            goto fail;
        }
        s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        if (load_line(s, where, &lc, &lp, &lh, &seen, err) != 0)
            goto fail;
    }
    if (ferror(f)) {
        attest_err_set(err, "%s: read error", path);
        goto fail;
    }
    if (hold->n + lh.n > sizeof(hold->v) / sizeof(hold->v[0])) {
        attest_err_set(err, "%s: too many strings held", path);
        goto fail;
    }
    for (i = 0; i < lh.n; i++)
        hold->v[hold->n++] = lh.v[i];
    lh.n = 0;
    if (lc.platform == &lp)
        lc.platform = pl;
    *c = lc;
    *pl = lp;
    ok = 0;
fail:
    attest_pkix_strings_free(&lh);
    fclose(f);
    return ok;
}
