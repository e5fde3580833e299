/* Verdict assertions shared by the unit tests (see testutil.h); these need attestcore. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/bio.h>

#include "testutil.h"

static const attest_checks *checks_at(const attest_verdict *v, size_t i)
{
    return i == 0 ? &v->checks : &v->subs[i - 1].checks;
}

const attest_check *verdict_check(const attest_verdict *v, const char *id)
{
    const attest_check *k = NULL;
    size_t i;

    for (i = 0; k == NULL && i <= v->n_subs; i++)
        k = attest_checks_find(checks_at(v, i), id);
    return k;
}

const attest_check *verdict_failed(const attest_verdict *v, const char *id)
{
    size_t i, j;

    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = checks_at(v, i);

        for (j = 0; j < c->n; j++)
            if (c->v[j].result == ATTEST_CHECK_FAIL && strcmp(c->v[j].id, id) == 0)
                return &c->v[j];
    }
    return NULL;
}

int verdict_only_failed(const attest_verdict *v, const char *id, attest_severity sev, const char *detail)
{
    size_t i, j;
    int found = 0;

    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = checks_at(v, i);

        for (j = 0; j < c->n; j++) {
            const attest_check *k = &c->v[j];

            if (strcmp(k->id, id) == 0 && k->result == ATTEST_CHECK_FAIL) {
                if (found++ || k->severity != sev || (detail != NULL && strstr(k->detail, detail) == NULL))
                    return 0;
            } else if (k->severity != ATTEST_SEV_INFO) {
                return 0;
            }
        }
    }
    return found == 1;
}

void verdict_dump(const attest_verdict *v)
{
    BIO *b = BIO_new_fp(stderr, BIO_NOCLOSE);

    if (b != NULL)
        attest_verdict_text(v, b);
    BIO_free(b);
}

void assert_verdict_exit(const attest_verdict *v, int want)
{
    int rc;

    assert_non_null(v);
    if ((rc = attest_verdict_exit_code(v)) != want) {
        verdict_dump(v);
        fail_msg("verdict exit code %d, expected %d", rc, want);
    }
}

void assert_check_failed(const attest_verdict *v, const char *id)
{
    assert_non_null(v);
    if (verdict_failed(v, id) == NULL) {
        verdict_dump(v);
        fail_msg("check %s did not fail", id);
    }
}

void assert_only_failed(const attest_verdict *v, const char *id)
{
    assert_non_null(v);
    if (!verdict_only_failed(v, id, ATTEST_SEV_ERROR, NULL)) {
        verdict_dump(v);
        fail_msg("expected exactly %s to fail (error) and nothing else to error or warn", id);
    }
}
