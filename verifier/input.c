/*
 * The one input path: what an input is, and its verdict.  The CLI calls
 * these; the provider's decoders call the same checks through the object
 * table.
 */
#include <string.h>
#include <openssl/err.h>

#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/registry.h"
#include "verify_int.h"

attest_datatype attest_detect(const unsigned char *der, size_t len)
{
    size_t i, n = attest_object_count();
    attest_err err;

    for (i = 0; i < n; i++) {
        const attest_object_type *t = attest_object_at((attest_datatype)i);
        int ok;

        if (!t->detect)
            continue;
        ERR_set_mark();
        ok = t->check(der, len, &err) == 0;
        ERR_pop_to_mark();
        if (ok)
            return (attest_datatype)i;
    }
    return ATTEST_DT_NONE;
}

/* The statement object of an engine whose evidence carries its own certificates (PKIX). */
static int standalone_statement(attest_datatype dt)
{
    const attest_engine *e = attest_object_engine(dt);

    return e != NULL && e->standalone && e->verify != NULL && e->n_objects > 0
        && attest_object_at(dt) == &e->objects[0];
}

/* A verdict that says the object cannot be judged on its own. */
static attest_verdict *not_alone(const attest_verify_params *p, const attest_object_type *t, const unsigned char *der,
                                 size_t len)
{
    attest_verdict *v = attest_verdict_new();

    if (v == NULL)
        return NULL;
    attest_verdict_record_params(v, p);
    attest_verdict_record_input(v, der, len);
    attest_fail(&v->checks, CHK_CSR_PARSE,
                "a %s is not verified on its own: give the request or bundle that carries it",
                t != NULL ? t->name : "object of unknown type");
    return v;
}

attest_verdict *attest_verify_any(const attest_verify_params *p, attest_datatype dt, const unsigned char *der,
                                  size_t len)
{
    const attest_object_type *t;
    const attest_check *parse;
    attest_verdict *v;

    if (dt == ATTEST_DT_NONE) {
        /* Requests are the common case: judge as one, and detect only when it is not one. */
        v = attest_verify_csr(p, der, len);
        if (v == NULL
            || ((parse = attest_checks_find(&v->checks, CHK_CSR_PARSE)) != NULL && parse->result == ATTEST_CHECK_PASS))
            return v;
        if ((dt = attest_detect(der, len)) == ATTEST_DT_NONE || dt == ATTEST_DT_CSR)
            return v; /* csr.parse says what is wrong */
        attest_verdict_free(v);
    }
    if ((t = attest_object_at(dt)) != NULL && t->verify != NULL)
        return t->verify(p, der, len);
    if (standalone_statement(dt))
        return attest_verify_statement(p, attest_object_engine(dt), der, len);
    return not_alone(p, t, der, len);
}

int attest_object_verifiable(attest_datatype dt)
{
    const attest_object_type *t = attest_object_at(dt);

    return t != NULL && (t->verify != NULL || standalone_statement(dt));
}
