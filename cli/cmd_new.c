/*
 * attest-req new: build and sign an attested CSR.
 *   --evidence tpm2: TPM2_Certify of the key by the AK (ESAPI, with the nonce),
 *   then the request is signed by the key through its provider (tpm2-openssl).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/bundle.h"
#include "attest/limits.h"
#include "attest/oids.h"
#include "attest/request.h"
#include "attest/tpm2.h"
#include "attest/tpm2_produce.h"
#include "cli.h"

#define MAX_LIST 16

typedef struct {
    const char *evidence, *key, *ak, *ak_cert, *tcti, *subject, *out, *outform, *md;
    const char *nonce_hex, *nonce_file;
    const char *ak_chain[MAX_LIST], *addext[MAX_LIST];
    int n_ak_chain, n_addext, pss;
    unsigned char nonce[ATTEST_MAX_NONCE];
    size_t nonce_len;
} new_opts;

static void new_usage(FILE *f)
{
    fputs("usage: attest-req new --evidence tpm2 --key KEY --ak HANDLE --ak-cert FILE --subject DN [options]\n"
          "  --evidence tpm2     TPM 2.0 certify evidence (TcgAttestCertify)\n"
          "  --key KEY           the key to certify and sign with: handle:0x81000010, 0x81000010,\n"
          "                      or a TSS2 PRIVATE KEY file (tpm2-openssl)\n"
          "  --ak HANDLE         the attestation key's persistent handle\n"
          "  --ak-cert FILE      the AK certificate (goes in the bundle)\n"
          "  --ak-chain FILE     intermediate certificates for the bundle (repeatable)\n"
          "  --tcti TCTI         TPM connection (default: ATTEST_TCTI, TPM2TOOLS_TCTI, TCTI)\n"
          "  --nonce HEX         the verifier's nonce, as TPM2_Certify qualifyingData\n"
          "  --nonce-file F      the same, from a file (hex text or raw bytes)\n"
          "  --subject DN        /CN=name/O=org (openssl's form)\n"
          "  --addext EXT        an extension as in openssl req -addext (repeatable)\n"
          "  --md NAME           request signature digest (default by key)\n"
          "  --pss               RSA keys: sign the request with RSASSA-PSS\n"
          "  --out FILE          output, written atomically (default: - for stdout)\n"
          "  --outform pem|der   default pem\n", f);
}

static int parse_opts(cli_app *app, int argc, char **argv, new_opts *o)
{
    static const struct option longopts[] = {
        {"evidence", required_argument, NULL, 'e'}, {"key", required_argument, NULL, 'k'},
        {"ak", required_argument, NULL, 'a'}, {"ak-cert", required_argument, NULL, 'c'},
        {"ak-chain", required_argument, NULL, 'C'}, {"tcti", required_argument, NULL, 't'},
        {"nonce", required_argument, NULL, 'n'}, {"nonce-file", required_argument, NULL, 'N'},
        {"subject", required_argument, NULL, 's'}, {"addext", required_argument, NULL, 'x'},
        {"md", required_argument, NULL, 'm'}, {"pss", no_argument, NULL, 'p'},
        {"out", required_argument, NULL, 'o'}, {"outform", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0}
    };
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        switch (opt) {
        case 'e': o->evidence = optarg; break;
        case 'k': o->key = optarg; break;
        case 'a': o->ak = optarg; break;
        case 'c': o->ak_cert = optarg; break;
        case 't': o->tcti = optarg; break;
        case 'n': o->nonce_hex = optarg; break;
        case 'N': o->nonce_file = optarg; break;
        case 's': o->subject = optarg; break;
        case 'm': o->md = optarg; break;
        case 'p': o->pss = 1; break;
        case 'o': o->out = optarg; break;
        case 'O': o->outform = optarg; break;
        case 'C':
        case 'x': {
            const char **list = opt == 'C' ? o->ak_chain : o->addext;
            int *n = opt == 'C' ? &o->n_ak_chain : &o->n_addext;

            if (*n == MAX_LIST) {
                cli_error(app, "at most %d --%s options", MAX_LIST, opt == 'C' ? "ak-chain" : "addext");
                return -1;
            }
            list[(*n)++] = optarg;
            break;
        }
        case 'h': new_usage(stdout); return 1;
        default:
            switch (cli_common_option(app, opt, optarg)) {
            case 1: continue;
            case -1: return -1;
            default:
                cli_error(app, "unknown option (try: attest-req new --help)");
                return -1;
            }
        }
    }
    if (optind < argc) {
        cli_error(app, "unexpected argument '%s' (try: attest-req new --help)", argv[optind]);
        return -1;
    }
    if (o->evidence == NULL || strcmp(o->evidence, "tpm2") != 0) {
        cli_error(app, "--evidence tpm2 is required (the evidence format)");
        return -1;
    }
#define REQUIRE(field, flag)                                  \
    if (o->field == NULL) {                                   \
        cli_error(app, "%s is required for --evidence %s", flag, o->evidence); \
        return -1;                                            \
    }
    REQUIRE(key, "--key")
    REQUIRE(ak, "--ak")
    REQUIRE(ak_cert, "--ak-cert")
    REQUIRE(subject, "--subject")
#undef REQUIRE
    {
        /* A malformed DN is a usage error (2), found before the TPM is touched. */
        attest_err err;
        X509_NAME *dn = attest_parse_subject(o->subject, &err);

        if (dn == NULL) {
            cli_error(app, "--subject '%s': %s", o->subject, err.msg);
            return -1;
        }
        X509_NAME_free(dn);
    }
    if (strcmp(o->outform, "pem") != 0 && strcmp(o->outform, "der") != 0) {
        cli_error(app, "--outform must be pem or der");
        return -1;
    }
    if ((o->nonce_hex != NULL || o->nonce_file != NULL)
        && cli_load_nonce(app, o->nonce_hex, o->nonce_file, o->nonce, sizeof(o->nonce), &o->nonce_len) != 0)
        return -1;
    return 0;
}

/* The TCTI the TPM is reached by; tpm2-openssl only reads TPM2OPENSSL_TCTI. */
static const char *resolve_tcti(cli_app *app, const char *tcti)
{
    static const char *vars[] = {"ATTEST_TCTI", "TPM2TOOLS_TCTI", "TCTI"};
    size_t i;

    for (i = 0; tcti == NULL && i < sizeof(vars) / sizeof(vars[0]); i++)
        tcti = getenv(vars[i]);
    if (tcti != NULL && (getenv("TPM2OPENSSL_TCTI") == NULL || tcti != getenv("TPM2OPENSSL_TCTI")))
        setenv("TPM2OPENSSL_TCTI", tcti, 1);
    /* tss2 logs every failure to stderr; we print one line of our own instead. */
    if (!app->verbose && getenv("TSS2_LOG") == NULL)
        setenv("TSS2_LOG", "all+none", 1);
    return tcti;
}

/* The AK certificate must certify the AK we are about to sign with. */
static int check_ak_cert(cli_app *app, attest_tpm *tpm, uint32_t ak, X509 *cert, const char *path)
{
    attest_tpm_keyref ref = { ak, NULL, 0 };
    unsigned char *pub = NULL;
    size_t pub_len = 0;
    TPMT_PUBLIC tp;
    EVP_PKEY *k = NULL;
    attest_err err;
    char buf[256];
    int ok = -1, rc;

    if ((rc = attest_tpm_read_public(tpm, &ref, &pub, &pub_len, buf, sizeof(buf))) != 0) {
        cli_error(app, "--ak 0x%08x: %s", ak, buf);
        return rc == ATTEST_TPM_UNREACHABLE ? -2 : -1;
    }
    if (attest_tpmt_public_parse(pub, pub_len, &tp, &err) != 0 || (k = attest_tpmt_public_to_pkey(&tp, NULL, &err)) == NULL)
        cli_error(app, "--ak 0x%08x: %s", ak, err.msg);
    else if (EVP_PKEY_eq(k, X509_get0_pubkey(cert)) != 1)
        cli_error(app, "--ak-cert %s does not certify the AK at 0x%08x (different public key)", path, ak);
    else
        ok = 0;
    EVP_PKEY_free(k);
    OPENSSL_free(pub);
    ERR_clear_error();
    return ok;
}

/* TPM2_Certify through ESAPI; the connection is closed before the provider opens its own. */
static int make_tpm2_statement(cli_app *app, const new_opts *o, const char *tcti, X509 *ak_cert,
                               unsigned char **stmt, size_t *stmt_len)
{
    attest_tpm *tpm = NULL;
    attest_tpm_keyref key;
    unsigned char *blob = NULL;
    uint32_t ak;
    attest_err err;
    char buf[256];
    int rc;

    if (cli_tpm_keyref(app, o->ak, &key, &blob) != 0 || key.tss2_pem != NULL) {
        OPENSSL_free(blob);
        if (key.tss2_pem != NULL)
            cli_error(app, "--ak must be a persistent handle (0x81...)");
        return -1;
    }
    ak = key.handle;
    if (cli_tpm_keyref(app, o->key, &key, &blob) != 0)
        return -1;
    if ((rc = attest_tpm_open(tcti, &tpm, buf, sizeof(buf))) != 0) {
        cli_error(app, "cannot reach the TPM: %s", buf);
        OPENSSL_free(blob);
        return rc == ATTEST_TPM_UNREACHABLE ? -2 : -1;
    }
    rc = check_ak_cert(app, tpm, ak, ak_cert, o->ak_cert);
    if (rc == 0) {
        rc = attest_tpm2_produce(tpm, &key, ak, o->nonce_len ? o->nonce : NULL, o->nonce_len, stmt, stmt_len,
                                 NULL, &err);
        if (rc != 0)
            cli_error(app, "%s", err.msg);
    }
    attest_tpm_close(tpm);
    OPENSSL_free(blob);
    return rc == ATTEST_TPM_UNREACHABLE ? -2 : rc;
}

/* The key that signs must be the key the TPM certified. */
static int check_signing_key(cli_app *app, const unsigned char *stmt, size_t len, EVP_PKEY *key, const char *spec)
{
    attest_tpm2_stmt s;
    TPMT_PUBLIC tp;
    EVP_PKEY *certified = NULL;
    attest_err err;
    int ok = -1;

    if (attest_tpm2_stmt_decode(stmt, len, &s, &err) != 0 || attest_tpmt_public_parse(s.pub, s.pub_len, &tp, &err) != 0
        || (certified = attest_tpmt_public_to_pkey(&tp, app->libctx, &err)) == NULL)
        cli_error(app, "internal: cannot read back the evidence: %s", err.msg);
    else if (EVP_PKEY_eq(certified, key) != 1)
        cli_error(app, "--key %s: the signing key is not the key the TPM certified", spec);
    else
        ok = 0;
    EVP_PKEY_free(certified);
    attest_tpm2_stmt_clear(&s);
    ERR_clear_error();
    return ok;
}

static int build_bundle(cli_app *app, const new_opts *o, const unsigned char *stmt, size_t stmt_len,
                        X509 *ak_cert, unsigned char **der, size_t *len)
{
    attest_bundle *b = attest_bundle_new();
    STACK_OF(X509) *chain = sk_X509_new_null();
    attest_err err;
    int i, ok = -1;

    if (b == NULL || chain == NULL)
        goto done;
    if (attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_TPM_CERTIFY), stmt, stmt_len, &err) != 0) {
        cli_error(app, "%s", err.msg);
        goto done;
    }
    if (attest_bundle_add_cert(b, ak_cert) != 0)
        goto done;
    for (i = 0; i < o->n_ak_chain; i++)
        if (cli_load_certs(app, o->ak_chain[i], chain) < 0)
            goto done;
    for (i = 0; i < sk_X509_num(chain); i++) {
        if (attest_bundle_add_cert(b, sk_X509_value(chain, i)) != 0) {
            cli_error(app, "too many certificates for one bundle");
            goto done;
        }
    }
    if (attest_bundle_encode(b, der, len, &err) != 0) {
        cli_error(app, "%s", err.msg);
        goto done;
    }
    ok = 0;
done:
    sk_X509_pop_free(chain, X509_free);
    attest_bundle_free(b);
    return ok;
}

static int write_request(cli_app *app, const new_opts *o, const unsigned char *der, size_t len)
{
    BIO *mem;
    BUF_MEM *bm = NULL;
    int ok;

    if (strcmp(o->outform, "der") == 0)
        return cli_write_file(app, o->out, der, len);
    if ((mem = BIO_new(BIO_s_mem())) == NULL)
        return -1;
    ok = PEM_write_bio(mem, "CERTIFICATE REQUEST", "", der, (long)len) > 0 && BIO_get_mem_ptr(mem, &bm) > 0
         && cli_write_file(app, o->out, (unsigned char *)bm->data, bm->length) == 0;
    BIO_free(mem);
    return ok ? 0 : -1;
}

int cmd_new(cli_app *app, int argc, char **argv)
{
    new_opts o;
    const char *tcti;
    X509 *ak_cert = NULL;
    EVP_PKEY *key = NULL;
    unsigned char *stmt = NULL, *bundle = NULL, *req = NULL;
    size_t stmt_len = 0, bundle_len = 0, req_len = 0;
    attest_request_opts ro;
    attest_err err;
    int rc = EXIT_USAGE, r;

    memset(&o, 0, sizeof(o));
    o.out = "-";
    o.outform = "pem";
    if ((r = parse_opts(app, argc, argv, &o)) != 0)
        return r > 0 ? EXIT_OK : EXIT_USAGE;
    tcti = resolve_tcti(app, o.tcti);
    if ((ak_cert = cli_load_cert(app, o.ak_cert)) == NULL)
        goto done;
    rc = EXIT_FAIL;
    r = make_tpm2_statement(app, &o, tcti, ak_cert, &stmt, &stmt_len);
    if (r != 0) {
        rc = r == -2 ? EXIT_USAGE : EXIT_FAIL;
        goto done;
    }
    if (build_bundle(app, &o, stmt, stmt_len, ak_cert, &bundle, &bundle_len) != 0)
        goto done;
    if (cli_is_tpm_key(o.key) && cli_want_provider(app, "tpm2") != 0)
        goto done;
    if (cli_app_start(app) != 0) {
        rc = EXIT_USAGE;
        goto done;
    }
    if ((key = cli_load_private_key(app, o.key)) == NULL)
        goto done;
    if (check_signing_key(app, stmt, stmt_len, key, o.key) != 0)
        goto done;
    memset(&ro, 0, sizeof(ro));
    ro.subject = o.subject;
    ro.addext = o.addext;
    ro.n_addext = (size_t)o.n_addext;
    ro.md = o.md;
    ro.pss = o.pss;
    ro.libctx = app->libctx;
    ro.propq = app->propq;
    if (attest_request_build(key, &ro, bundle, bundle_len, &req, &req_len, &err) != 0) {
        cli_error(app, "%s", err.msg);
        goto done;
    }
    if (write_request(app, &o, req, req_len) != 0) {
        rc = EXIT_USAGE;
        goto done;
    }
    rc = EXIT_OK;
done:
    EVP_PKEY_free(key);
    X509_free(ak_cert);
    OPENSSL_free(stmt);
    OPENSSL_free(bundle);
    OPENSSL_free(req);
    cli_app_end(app);
    return rc;
}
