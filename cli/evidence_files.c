/* --evidence-file: vendor evidence files read and imported into one bundle (verify and new). */
#include <stdio.h>
#include <string.h>

#include "attest/import.h"
#include "cli.h"

attest_bundle *cli_load_evidence(const cli_app *app, const char *const *paths, int n)
{
    attest_evidence_file files[CLI_MAX_EVIDENCE_FILES];
    unsigned char *data[CLI_MAX_EVIDENCE_FILES] = { NULL };
    attest_bundle *b = NULL;
    attest_err err;
    int i, ok = 1;

    memset(files, 0, sizeof(files)); /* gcc -O2 -Werror=maybe-uninitialized cannot see n files get filled */
    for (i = 0; i < n && ok; i++) {
        files[i].name = paths[i];
        ok = cli_read_file(app, paths[i], &data[i], &files[i].len) == 0;
        files[i].data = data[i];
    }
    if (ok && attest_evidence_import(files, (size_t)n, app->libctx, app->propq, &b, &err) != 0)
        cli_error(app, "--evidence-file: %s", err.msg);
    for (i = 0; i < n; i++)
        OPENSSL_free(data[i]);
    return b;
}

/* The first failed check of statement i, "id: detail", for a message. */
static const char *first_failure(const attest_verdict *v, size_t i)
{
    static char buf[400]; /* one message per run */
    const char *id, *detail;
    attest_check_result res;
    size_t k;

    for (k = 0; attest_verdict_check(v, i, k, &id, &res, NULL, &detail); k++)
        if (res == ATTEST_CHECK_FAIL) {
            snprintf(buf, sizeof(buf), "%s: %s", id, detail);
            return buf;
        }
    return "no key binding check";
}

/*
 * new --evidence-file: the bundle, refused when a statement's key binding
 * fails against KEY (evidence about another key would only fail at the CA).
 * Chains are not judged here: the CA has the anchors.
 */
int cli_vendor_bundle(const cli_app *app, const char *const *paths, int n, EVP_PKEY *key, const char *key_spec,
                      unsigned char **der, size_t *len)
{
    attest_bundle *b = cli_load_evidence(app, paths, n);
    attest_trust *t = attest_trust_new_ex(app->libctx, app->propq);
    attest_verdict *v = NULL;
    attest_verify_params p;
    attest_policy pol;
    attest_err err;
    size_t i, k;
    int r = -1;

    if (b == NULL || t == NULL) {
        r = -2; /* unreadable or not evidence: an I/O error */
        goto done;
    }
    attest_policy_default(&pol);
    memset(&p, 0, sizeof(p));
    p.libctx = app->libctx;
    p.propq = app->propq;
    p.trust = t;
    p.policy = &pol;
    p.subject_key = key;
    if ((v = attest_verify_evidence_files(&p, b)) == NULL) {
        cli_error(app, "out of memory");
        goto done;
    }
    for (i = 0; i < attest_verdict_statement_count(v); i++) {
        const char *id, *detail;
        attest_check_result res;

        int judged = 0;

        for (k = 0; attest_verdict_check(v, i, k, &id, &res, NULL, &detail); k++) {
            size_t l = strlen(id);

            if (l <= 12 || strcmp(id + l - 12, ".key-binding") != 0)
                continue;
            if (res == ATTEST_CHECK_FAIL) {
                cli_error(app, "--evidence-file: %s (%s): %s, not of --key %s", attest_verdict_statement_name(v, i),
                          attest_verdict_statement_kind(v, i), detail, key_spec);
                goto done;
            }
            judged = res == ATTEST_CHECK_PASS;
        }
        if (!judged) { /* never put evidence in a request without knowing which key it is about */
            cli_error(app, "--evidence-file: %s (%s): cannot tell which key it attests (%s)",
                      attest_verdict_statement_name(v, i), attest_verdict_statement_kind(v, i), first_failure(v, i));
            goto done;
        }
    }
    if (attest_bundle_encode(b, der, len, &err) != 0) {
        cli_error(app, "%s", err.msg);
        goto done;
    }
    r = 0;
done:
    attest_verdict_free(v);
    attest_trust_free(t);
    attest_bundle_free(b);
    return r;
}
