/*
 * show --certs-out / --evidence-out: the certificates and the raw evidence of a
 * request, bundle or evidence, as the bytes inside it.  Every file is staged
 * first and renamed into place only when all were written: all or nothing.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/bundle.h"
#include "attest/crmf.h"
#include "attest/csr.h"
#include "attest/pkix.h"
#include "cli.h"

struct cli_extract {
    size_t n;
    char **path, **tmp;
};

/* What the object holds: a bundle, or one standalone statement (and its certificates). */
typedef struct {
    attest_csr *csr;
    attest_crmf *crmf;
    attest_bundle *bundle;
    attest_pkix *pkix;
    const unsigned char *stmt; /* standalone evidence */
    size_t stmt_len;
    STACK_OF(X509) *certs; /* borrowed */
} holder;

static void holder_free(holder *h)
{
    attest_bundle_free(h->bundle);
    attest_pkix_free(h->pkix);
    attest_csr_free(h->csr);
    attest_crmf_free(h->crmf);
}

/* 0; -1 after one line (the object cannot hold what was asked, or does not decode). */
static int open_holder(const cli_app *app, const cli_object *obj, holder *h)
{
    const unsigned char *bder = NULL;
    size_t blen = 0;
    attest_err err;

    switch (obj->dt) {
    case ATTEST_DT_CSR:
        if (attest_csr_decode(obj->data, obj->len, &h->csr, &err) != 0)
            goto bad;
        bder = h->csr->bundle_der, blen = h->csr->bundle_len;
        break;
    case ATTEST_DT_CRMF:
        if (attest_crmf_decode(obj->data, obj->len, NULL, NULL, &h->crmf, &err) != 0)
            goto bad;
        if (h->crmf->bodytype == OSSL_CMP_P10CR) {
            if (attest_csr_decode(h->crmf->p10_der, h->crmf->p10_len, &h->csr, &err) != 0)
                goto bad;
            bder = h->csr->bundle_der, blen = h->csr->bundle_len;
        } else {
            bder = h->crmf->bundle_der, blen = h->crmf->bundle_len;
        }
        break;
    case ATTEST_DT_BUNDLE: bder = obj->data, blen = obj->len; break;
    case ATTEST_DT_PKIX:
        if (attest_pkix_decode(obj->data, obj->len, &h->pkix, &err) != 0)
            goto bad;
        h->stmt = obj->data, h->stmt_len = obj->len;
        h->certs = h->pkix->ev->intermediates;
        return 0;
    case ATTEST_DT_TPM2_STMT: h->stmt = obj->data, h->stmt_len = obj->len; return 0;
    default:
        cli_error(app, "a %s holds no attestation statement or certificate to extract", attest_datatype_name(obj->dt));
        return -1;
    }
    if (bder == NULL) {
        cli_error(app, "the %s carries no attestation to extract from", attest_datatype_name(obj->dt));
        return -1;
    }
    if (attest_bundle_decode(bder, blen, &h->bundle, &err) != 0)
        goto bad;
    h->certs = h->bundle->certs;
    return 0;
bad:
    cli_error(app, "%s", err.msg);
    return -1;
}

static int add_file(const cli_app *app, cli_extract *x, const char *path, const unsigned char *b, size_t n)
{
    if ((x->path[x->n] = OPENSSL_strdup(path)) == NULL)
        return -1;
    if (cli_stage_file(app, path, b, n, &x->tmp[x->n]) != 0) {
        OPENSSL_free(x->path[x->n]);
        return -1;
    }
    x->n++;
    return 0;
}

static int stage_certs(const cli_app *app, cli_extract *x, STACK_OF(X509) *certs, const char *path)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;
    int i, ok = -1;

    if (b == NULL)
        return -1;
    for (i = 0; i < sk_X509_num(certs); i++)
        if (!PEM_write_bio_X509(b, sk_X509_value(certs, i)))
            goto done;
    n = BIO_get_mem_data(b, &data);
    ok = add_file(app, x, path, (const unsigned char *)data, (size_t)n);
done:
    BIO_free(b);
    return ok;
}

/* One statement: FILE.  Several: FILE.0, FILE.1, ... (the index of attestations[] in show's output). */
static int stage_evidence(const cli_app *app, cli_extract *x, const holder *h, const char *path)
{
    size_t i, n = h->bundle != NULL ? h->bundle->n_stmts : 1;
    char *name;
    int ok = 0;

    if (h->bundle == NULL)
        return add_file(app, x, path, h->stmt, h->stmt_len);
    if (n == 1)
        return add_file(app, x, path, h->bundle->stmts[0].stmt, h->bundle->stmts[0].stmt_len);
    if ((name = OPENSSL_malloc(strlen(path) + 24)) == NULL)
        return -1;
    for (i = 0; ok == 0 && i < n; i++) {
        sprintf(name, "%s.%zu", path, i);
        ok = add_file(app, x, name, h->bundle->stmts[i].stmt, h->bundle->stmts[i].stmt_len);
    }
    OPENSSL_free(name);
    return ok;
}

cli_extract *cli_extract_stage(const cli_app *app, const cli_object *obj, const char *certs_out,
                               const char *evidence_out, int *rc)
{
    holder h = { 0 };
    cli_extract *x = OPENSSL_zalloc(sizeof(*x));
    size_t cap;

    *rc = EXIT_FAIL;
    if (x == NULL || open_holder(app, obj, &h) != 0)
        goto fail;
    cap = 1 + (h.bundle != NULL ? h.bundle->n_stmts : 1);
    x->path = OPENSSL_zalloc(cap * sizeof(char *));
    x->tmp = OPENSSL_zalloc(cap * sizeof(char *));
    if (x->path == NULL || x->tmp == NULL)
        goto fail;
    if (certs_out != NULL && sk_X509_num(h.certs) <= 0) {
        cli_error(app, "--certs-out: the %s carries no certificates", attest_datatype_name(obj->dt));
        goto fail;
    }
    if (evidence_out != NULL && h.bundle != NULL && h.bundle->n_stmts == 0) {
        cli_error(app, "--evidence-out: the %s carries no attestation statement", attest_datatype_name(obj->dt));
        goto fail;
    }
    /* From here a failure is the file system's: exit 2, like --out. */
    *rc = EXIT_USAGE;
    if (certs_out != NULL && stage_certs(app, x, h.certs, certs_out) != 0)
        goto fail;
    if (evidence_out != NULL && stage_evidence(app, x, &h, evidence_out) != 0)
        goto fail;
    holder_free(&h);
    *rc = EXIT_OK;
    return x;
fail:
    holder_free(&h);
    cli_extract_discard(x);
    return NULL;
}

int cli_extract_commit(const cli_app *app, cli_extract *x)
{
    size_t i;
    int ok = 0;

    for (i = 0; i < x->n; i++) {
        if (ok == 0)
            ok = cli_commit_file(app, x->path[i], x->tmp[i]);
        else
            cli_discard_file(x->tmp[i]);
        x->tmp[i] = NULL;
    }
    cli_extract_discard(x);
    return ok;
}

void cli_extract_discard(cli_extract *x)
{
    size_t i;

    if (x == NULL)
        return;
    for (i = 0; i < x->n; i++) {
        cli_discard_file(x->tmp[i]);
        OPENSSL_free(x->path[i]);
    }
    OPENSSL_free(x->path);
    OPENSSL_free(x->tmp);
    OPENSSL_free(x);
}
