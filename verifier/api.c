/* The public API's own functions (attest/verify.h, attest/version.h): verdict accessors, the EAR as text, the version. */
#include <string.h>
#include <openssl/crypto.h>

#include "attest/verdict.h"
#include "attest/version.h"

char *attest_verdict_to_json(const attest_verdict *v, int pretty)
{
    json_object *j = attest_verdict_json(v);
    int flags = (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN)
        | JSON_C_TO_STRING_NOSLASHESCAPE; /* as attest-req prints it */
    const char *s = j != NULL ? json_object_to_json_string_ext(j, flags) : NULL;
    char *out = s != NULL ? OPENSSL_strdup(s) : NULL;

    json_object_put(j);
    return out;
}

size_t attest_verdict_statement_count(const attest_verdict *v)
{
    return v != NULL ? v->n_subs : 0;
}

const char *attest_verdict_statement_name(const attest_verdict *v, size_t i)
{
    return v != NULL && i < v->n_subs ? v->subs[i].name : NULL;
}

const char *attest_verdict_statement_kind(const attest_verdict *v, size_t i)
{
    return v != NULL && i < v->n_subs ? v->subs[i].kind : NULL;
}

attest_status attest_verdict_statement_status(const attest_verdict *v, size_t i)
{
    return v != NULL && i < v->n_subs ? attest_checks_status(&v->subs[i].checks) : ATTEST_STATUS_CONTRAINDICATED;
}

static const attest_checks *checks_of(const attest_verdict *v, size_t where)
{
    if (v == NULL)
        return NULL;
    if (where == ATTEST_VERDICT_TOP)
        return &v->checks;
    return where < v->n_subs ? &v->subs[where].checks : NULL;
}

size_t attest_verdict_check_count(const attest_verdict *v, size_t where)
{
    const attest_checks *c = checks_of(v, where);

    return c != NULL ? c->n : 0;
}

int attest_verdict_check(const attest_verdict *v, size_t where, size_t i, const char **id, attest_check_result *result,
                         attest_severity *severity, const char **detail)
{
    const attest_checks *c = checks_of(v, where);

    if (c == NULL || i >= c->n)
        return 0;
    if (id != NULL)
        *id = c->v[i].id;
    if (result != NULL)
        *result = c->v[i].result;
    if (severity != NULL)
        *severity = c->v[i].severity;
    if (detail != NULL)
        *detail = c->v[i].detail;
    return 1;
}

const char *attest_version(void)
{
    return ATTEST_VERSION;
}
