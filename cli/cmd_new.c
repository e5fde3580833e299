/*
 * attest-req new: build and sign an attested CSR.
 *   --evidence tpm2: TPM2_Certify of the key by the AK (ESAPI, with the nonce);
 *   --evidence pkix: PKIX evidence about the key, signed by each AK through
 *   the attest provider's key attestation signature (or --evidence-file, an
 *   evidence an HSM made).
 * The request is then signed: a TPM key by TPM2_Sign over the ESAPI
 * connection the certify used (one connection, no provider), falling back
 * to tpm2-openssl for keys TPM2_Sign cannot serve that way (restricted, a
 * fixed scheme); any other key through its own provider.
 * attest-req evidence: the PKIX evidence alone, for HSM-side tooling.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/keys.h"
#include "attest/bundle.h"
#include "attest/limits.h"
#include "attest/oids.h"
#include "attest/pkix_produce.h"
#include "attest/request.h"
#include "attest/tpm2.h"
#include "attest/tpm2_produce.h"
#include "attest/engine.h"
#include "cli.h"
#include "new_tpm2.h"

#define MAX_LIST 16

typedef struct {
    int standalone; /* the `evidence` command */
    const char *evidence, *key, *tcti, *subject, *out, *outform, *md, *evidence_file;
    const char *nonce_hex, *nonce_file, *claims, *key_id, *ak_md;
    const char *cmp_reqexts; /* openssl config snippet carrying the bundle for openssl cmp -reqexts */
    const char *aks[CLI_MAX_AKS], *ak_certs[CLI_MAX_AKS], *ak_chain[MAX_LIST], *addext[MAX_LIST];
    const char *vendor_files[CLI_MAX_EVIDENCE_FILES]; /* --evidence-file without --evidence: vendor evidence */
    int n_aks, n_ak_certs, n_ak_chain, n_addext, pss, ak_pss, n_vendor_files;
    unsigned char nonce[ATTEST_MAX_NONCE];
    size_t nonce_len;
} new_opts;

static void new_usage(FILE *f)
{
    fputs("usage: attest-req new --evidence tpm2|pkix --key KEY --ak AK --ak-cert FILE --subject DN [options]\n"
          "       attest-req new --evidence-file FILE... --key KEY --subject DN [options]\n"
          "  --evidence-file F   without --evidence: vendor evidence about KEY (a YubiKey's slot and F9\n"
          "                      certificates, a Luna PKC, a Cloud HSM attestation and its chains, an\n"
          "                      Android chain; repeatable) put into the request's bundle as is\n"
          "  --evidence tpm2     TPM 2.0 certify evidence (TcgAttestCertify); --ak is the AK's handle\n"
          "  --evidence pkix     PKIX key attestation evidence, signed by each --ak (any provider)\n"
          "  --key KEY           the key to attest and sign the request with: a file, a provider URI,\n"
          "                      handle:0x81000010, 0x81000010, or a TSS2 PRIVATE KEY file\n"
          "  --ak AK             attestation key (pkix: repeatable, file or URI such as handle:0x81008001)\n"
          "  --ak-cert FILE      the AK certificate (pkix: one per --ak, in order; goes in the bundle)\n"
          "  --ak-chain FILE     intermediate certificates for the bundle (repeatable)\n"
          "  --evidence-file F   pkix: an evidence made elsewhere (an HSM) instead of --ak\n"
          "  --claims FILE       pkix: what is known about the key and module (name = value lines)\n"
          "  --key-id ID         pkix: the key-identifier claim (default from the key)\n"
          "  --ak-md NAME        pkix: the AK signature's digest;  --ak-pss  RSA AKs sign with PSS\n"
          "  --tcti TCTI         TPM connection (default: ATTEST_TCTI, TPM2TOOLS_TCTI, TCTI)\n"
          "  --nonce HEX         the verifier's nonce (TPM qualifyingData / PKIX transaction nonce)\n"
          "  --nonce-file F      the same, from a file (hex text or raw bytes)\n"
          "  --subject DN        /CN=name/O=org (openssl's form)\n"
          "  --addext EXT        an extension as in openssl req -addext (repeatable)\n"
          "  --md NAME           request signature digest (default by key)\n"
          "  --pss               RSA keys: sign the request with RSASSA-PSS\n"
          "  --out FILE          output, written atomically (default: - for stdout)\n"
          "  --outform pem|der   default pem\n"
          "  --cmp-reqexts FILE  also write an openssl config section [attest_reqexts] carrying the same\n"
          "                      bundle as a CRMF extension, for openssl cmp -reqexts attest_reqexts -config FILE\n",
          f);
}

static void evidence_usage(FILE *f)
{
    fputs("usage: attest-req evidence --key KEY --ak AK [--ak-cert FILE]... [options]\n"
          "  PKIX key attestation evidence about KEY, signed by every --ak, written alone\n"
          "  (PEM label EVIDENCE, or DER).  Options as for new --evidence pkix:\n"
          "  --key, --ak, --ak-cert, --claims, --key-id, --ak-md, --ak-pss, --tcti, --nonce,\n"
          "  --nonce-file, --out, --outform\n",
          f);
}

static int add_to(cli_app *app, const char **list, int *n, int cap, const char *v, const char *flag)
{
    if (*n == cap) {
        cli_error(app, "at most %d %s options", cap, flag);
        return -1;
    }
    list[(*n)++] = v;
    return 0;
}

/* 1 when an engine of the registry produces this --evidence format; names lists them ("tpm2 or --evidence pkix"). */
static int producible(const char *format, char *names, size_t cap)
{
    size_t i, used = 0;
    int found = 0;

    names[0] = '\0';
    for (i = 0; i < attest_engine_count(); i++) {
        const char *p = attest_engine_at(i)->produce;
        int n;

        if (p == NULL)
            continue;
        found |= format != NULL && strcmp(format, p) == 0;
        n = snprintf(names + used, cap - used, "%s%s", used ? " or --evidence " : "", p);
        if (n > 0 && (size_t)n < cap - used)
            used += (size_t)n;
    }
    return found;
}

static int vendor_mode(const new_opts *o)
{
    return !o->standalone && o->evidence == NULL && o->n_vendor_files > 0;
}

static int check_required(cli_app *app, const new_opts *o)
{
    const char *missing = o->key == NULL ? "--key" : NULL;
    char formats[128];

    if (vendor_mode(o)) {
        if (missing == NULL && o->subject == NULL)
            missing = "--subject";
        if (missing != NULL)
            cli_error(app, "%s is required", missing);
        else if (o->n_aks > 0 || o->n_ak_certs > 0 || o->n_ak_chain > 0 || o->claims != NULL || o->nonce_len > 0
                 || o->key_id != NULL)
            cli_error(app,
                      "vendor evidence (--evidence-file without --evidence) takes no --ak, --ak-cert, "
                      "--ak-chain, --claims, --key-id or --nonce: the device made it already");
        else
            return 0;
        return -1;
    }
    if (o->n_vendor_files > 1) {
        cli_error(app, "--evidence %s takes one --evidence-file", o->evidence != NULL ? o->evidence : "pkix");
        return -1;
    }
    if (!o->standalone) {
        if (!producible(o->evidence, formats, sizeof(formats))) {
            cli_error(app,
                      "--evidence %s is required (the evidence format), or --evidence-file FILE for vendor evidence",
                      formats);
            return -1;
        }
        if (missing == NULL && o->subject == NULL)
            missing = "--subject";
    }
    if (missing == NULL && o->n_aks == 0 && o->evidence_file == NULL)
        missing = "--ak";
    if (missing == NULL && (o->standalone || strcmp(o->evidence, "tpm2") == 0) && o->n_ak_certs == 0 && !o->standalone)
        missing = "--ak-cert";
    if (missing != NULL) {
        cli_error(app, "%s is required", missing);
        return -1;
    }
    if (!o->standalone && strcmp(o->evidence, "tpm2") == 0
        && (o->n_aks != 1 || o->n_ak_certs != 1 || o->evidence_file != NULL || o->claims != NULL)) {
        cli_error(app, "--evidence tpm2 takes one --ak and one --ak-cert (no --evidence-file or --claims)");
        return -1;
    }
    if (o->n_ak_certs > o->n_aks && o->evidence_file == NULL) {
        cli_error(app, "more --ak-cert than --ak options");
        return -1;
    }
    if (o->evidence_file != NULL && o->n_aks > 0) {
        cli_error(app, "give --evidence-file or --ak, not both");
        return -1;
    }
    return 0;
}

static int parse_opts(cli_app *app, int argc, char **argv, new_opts *o)
{
    static const struct option longopts[] = { { "evidence", required_argument, NULL, 'e' },
                                              { "key", required_argument, NULL, 'k' },
                                              { "ak", required_argument, NULL, 'a' },
                                              { "ak-cert", required_argument, NULL, 'c' },
                                              { "ak-chain", required_argument, NULL, 'C' },
                                              { "tcti", required_argument, NULL, 't' },
                                              { "nonce", required_argument, NULL, 'n' },
                                              { "nonce-file", required_argument, NULL, 'N' },
                                              { "subject", required_argument, NULL, 's' },
                                              { "addext", required_argument, NULL, 'x' },
                                              { "md", required_argument, NULL, 'm' },
                                              { "pss", no_argument, NULL, 'p' },
                                              { "out", required_argument, NULL, 'o' },
                                              { "outform", required_argument, NULL, 'O' },
                                              { "evidence-file", required_argument, NULL, 'E' },
                                              { "claims", required_argument, NULL, 'l' },
                                              { "key-id", required_argument, NULL, 'I' },
                                              { "ak-md", required_argument, NULL, 'M' },
                                              { "ak-pss", no_argument, NULL, 'P' },
                                              { "cmp-reqexts", required_argument, NULL, 'R' },
                                              { "help", no_argument, NULL, 'h' },
                                              CLI_COMMON_LONGOPTS,
                                              { NULL, 0, NULL, 0 } };
    int opt, i;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        /* Options that only `new` has. */
        if (o->standalone && strchr("esxmpECER", opt) != NULL && opt != 0) {
            cli_error(app, "this option belongs to attest-req new (try: attest-req evidence --help)");
            return -1;
        }
        switch (opt) {
        case 'e': o->evidence = optarg; break;
        case 'k': o->key = optarg; break;
        case 'a':
            if (add_to(app, o->aks, &o->n_aks, CLI_MAX_AKS, optarg, "--ak") != 0)
                return -1;
            break;
        case 'c':
            if (add_to(app, o->ak_certs, &o->n_ak_certs, CLI_MAX_AKS, optarg, "--ak-cert") != 0)
                return -1;
            break;
        case 'C':
            if (add_to(app, o->ak_chain, &o->n_ak_chain, MAX_LIST, optarg, "--ak-chain") != 0)
                return -1;
            break;
        case 'x':
            if (add_to(app, o->addext, &o->n_addext, MAX_LIST, optarg, "--addext") != 0)
                return -1;
            break;
        case 't': o->tcti = optarg; break;
        case 'n': o->nonce_hex = optarg; break;
        case 'N': o->nonce_file = optarg; break;
        case 's': o->subject = optarg; break;
        case 'm': o->md = optarg; break;
        case 'p': o->pss = 1; break;
        case 'o': o->out = optarg; break;
        case 'O': o->outform = optarg; break;
        case 'E':
            if (o->n_vendor_files == CLI_MAX_EVIDENCE_FILES) {
                cli_error(app, "at most %d --evidence-file files", CLI_MAX_EVIDENCE_FILES);
                return -1;
            }
            o->vendor_files[o->n_vendor_files++] = optarg;
            if (o->evidence_file == NULL)
                o->evidence_file = optarg;
            break;
        case 'l': o->claims = optarg; break;
        case 'I': o->key_id = optarg; break;
        case 'M': o->ak_md = optarg; break;
        case 'P': o->ak_pss = 1; break;
        case 'R': o->cmp_reqexts = optarg; break;
        case 'h': (o->standalone ? evidence_usage : new_usage)(stdout); return 1;
        default:
            switch (cli_common_option(app, opt, optarg)) {
            case 1: continue;
            case -1: return -1;
            default: cli_bad_option(app, argv, o->standalone ? "evidence" : "new"); return -1;
            }
        }
    }
    if (optind < argc) {
        cli_error(app, "unexpected argument '%s' (try: attest-req %s --help)", argv[optind],
                  o->standalone ? "evidence" : "new");
        return -1;
    }
    if (check_required(app, o) != 0 || cli_check_key_file(app, o->key) != 0)
        return -1;
    for (i = 0; i < o->n_aks; i++)
        if (cli_check_key_file(app, o->aks[i]) != 0)
            return -1;
    if (o->subject != NULL) {
        /* A malformed DN is a usage error (2), found before the TPM is touched. */
        attest_err err;
        X509_NAME *dn = attest_parse_subject(o->subject, &err);

        if (dn == NULL) {
            cli_error(app, "--subject '%s': %s", o->subject, err.msg);
            return -1;
        }
        X509_NAME_free(dn);
    }
    if (o->cmp_reqexts != NULL && strcmp(o->cmp_reqexts, "-") == 0 && strcmp(o->out, "-") == 0) {
        cli_error(app, "--cmp-reqexts - and --out - would both write to stdout: give one of them a file");
        return -1;
    }
    {
        /* Extensions and the claims file's syntax are usage errors (2), found before any key is touched. */
        attest_err err;
        attest_pkix_claims c;
        attest_pkix_platform pl;
        attest_pkix_strings hold = { 0 };
        int bad;

        if (attest_request_check_addext(o->addext, (size_t)o->n_addext, &err) != 0) {
            cli_error(app, "%s", err.msg);
            return -1;
        }
        attest_pkix_claims_init(&c);
        attest_pkix_platform_init(&pl);
        bad = o->claims != NULL && attest_pkix_claims_load(o->claims, &c, &pl, &hold, &err) != 0;
        attest_pkix_strings_free(&hold);
        if (bad) {
            cli_error(app, "--claims %s", err.msg);
            return -1;
        }
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

static const char *resolve_tcti(cli_app *app, const char *tcti)
{
    tcti = attest_tpm_tcti(tcti);
    if (tcti != NULL && (getenv("TPM2OPENSSL_TCTI") == NULL || tcti != getenv("TPM2OPENSSL_TCTI")))
        setenv("TPM2OPENSSL_TCTI", tcti, 1);
    attest_tpm_set_verbose(app->verbose);
    /* tss2 logs every failure to stderr; we print one line of our own instead
     * (marshal+none is main's default, not the user's choice). */
    if (!app->verbose && (getenv("TSS2_LOG") == NULL || strcmp(getenv("TSS2_LOG"), "marshal+none") == 0))
        setenv("TSS2_LOG", "all+none", 1);
    return tcti;
}
/* Still made (the caller may verify --at-time), but said: a verifier at the current time refuses it. */
static void warn_validity(const cli_app *app, X509 *cert, const char *path)
{
    const ASN1_TIME *nb = X509_get0_notBefore(cert), *na = X509_get0_notAfter(cert);
    const ASN1_TIME *when = X509_cmp_current_time(na) < 0 ? na : X509_cmp_current_time(nb) > 0 ? nb : NULL;
    struct tm tm;
    char buf[32] = "?";

    if (when == NULL)
        return;
    if (ASN1_TIME_to_tm(when, &tm))
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cli_notice(app, "warning: --ak-cert %s is %s %s: verify at the current time will fail chain.trust", path,
               when == na ? "expired since" : "not valid before", buf);
}

/* Certificates for the bundle: the AK certificates, then --ak-chain. */
static int load_bundle_certs(cli_app *app, const new_opts *o, X509 **ak_certs, STACK_OF(X509) *all)
{
    int i;

    for (i = 0; i < o->n_ak_certs; i++) {
        if ((ak_certs[i] = cli_load_cert(app, o->ak_certs[i])) == NULL || !X509_up_ref(ak_certs[i]))
            return -1;
        if (!sk_X509_push(all, ak_certs[i])) {
            X509_free(ak_certs[i]); /* the reference meant for all */
            return -1;
        }
        warn_validity(app, ak_certs[i], o->ak_certs[i]);
    }
    for (i = 0; i < o->n_ak_chain; i++)
        if (cli_load_certs(app, o->ak_chain[i], all) < 0)
            return -1;
    return 0;
}

static int build_bundle(cli_app *app, attest_oid_id type, const unsigned char *stmt, size_t stmt_len,
                        STACK_OF(X509) *certs, unsigned char **der, size_t *len)
{
    attest_bundle *b = attest_bundle_new();
    attest_err err;
    int i, ok = -1;

    if (b == NULL)
        return -1;
    if (attest_bundle_add_statement(b, attest_oid_obj(type), stmt, stmt_len, &err) != 0) {
        cli_error(app, "%s", err.msg);
        goto done;
    }
    for (i = 0; i < sk_X509_num(certs); i++) {
        if (attest_bundle_add_cert(b, sk_X509_value(certs, i)) != 0) {
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
    attest_bundle_free(b);
    return ok;
}

static int write_out(cli_app *app, const new_opts *o, const char *label, const unsigned char *der, size_t len)
{
    BIO *mem;
    BUF_MEM *bm = NULL;
    int ok;

    if (strcmp(o->outform, "der") == 0)
        return cli_write_file(app, o->out, der, len);
    if ((mem = BIO_new(BIO_s_mem())) == NULL)
        return -1;
    ok = PEM_write_bio(mem, label, "", der, (long)len) > 0 && BIO_get_mem_ptr(mem, &bm) > 0
        && cli_write_file(app, o->out, (unsigned char *)bm->data, bm->length) == 0;
    BIO_free(mem);
    return ok ? 0 : -1;
}

/*
 * The bundle as an openssl config section for `openssl cmp -reqexts
 * attest_reqexts -config FILE`: X509V3's DER: form puts the bytes into
 * extnValue unchanged, so the CRMF template carries the same evidence as
 * the CSR's attribute.
 */
static int write_cmp_reqexts(cli_app *app, const char *path, const unsigned char *bundle, size_t len)
{
    static const char head[] = "[attest_reqexts]\n1.2.840.113549.1.9.16.2.59 = DER:";
    size_t hexlen = 2 * len + 1, n = sizeof(head) - 1;
    char *text = OPENSSL_malloc(n + hexlen + 1);
    int ok;

    if (text == NULL) {
        cli_error(app, "out of memory");
        return -1;
    }
    memcpy(text, head, n);
    ok = OPENSSL_buf2hexstr_ex(text + n, hexlen, NULL, bundle, len, '\0');
    if (ok) {
        n += 2 * len;
        text[n++] = '\n';
        ok = cli_write_file(app, path, (unsigned char *)text, n) == 0;
    }
    OPENSSL_free(text);
    return ok ? 0 : -1;
}

static void pkix_opts_from(const new_opts *o, const char *tcti, cli_pkix_opts *po)
{
    memset(po, 0, sizeof(*po));
    po->key = o->key;
    po->tcti = tcti;
    memcpy(po->aks, o->aks, sizeof(po->aks));
    po->n_aks = o->n_aks;
    po->claims = o->claims;
    po->key_id = o->key_id;
    po->ak_md = o->ak_md;
    po->ak_pss = o->ak_pss;
    po->nonce = o->nonce;
    po->nonce_len = o->nonce_len;
}

/* The PKIX statement: made here with the AKs, or taken from --evidence-file. */
static int make_pkix_statement(cli_app *app, const new_opts *o, const char *tcti, EVP_PKEY *subject,
                               X509 *const *ak_certs, unsigned char **stmt, size_t *len)
{
    cli_pkix_opts po;
    unsigned char *data = NULL;
    size_t n = 0;
    cli_object obj = { 0 };
    int rc;

    if (o->evidence_file == NULL) {
        pkix_opts_from(o, tcti, &po);
        return cli_make_pkix_evidence(app, &po, subject, ak_certs, stmt, len);
    }
    if (cli_read_file(app, o->evidence_file, &data, &n) != 0)
        return -2;
    rc = cli_decode(app, o->evidence_file, data, n, "pkix", &obj);
    OPENSSL_free(data);
    if (rc != 0 || cli_check_evidence_names_key(app, obj.data, obj.len, subject, o->evidence_file) != 0) {
        cli_object_clear(&obj);
        return -1;
    }
    *stmt = obj.data;
    *len = obj.len;
    return 0;
}

/*
 * After a provider-side failure with a TPM key: if the TPM went away meanwhile
 * (killed, disconnected), say so in the one error line and make it exit 2
 * (I/O), not a missing key or a failed signature.
 */
static int tpm_gone(cli_app *app, const char *spec, const char *tcti)
{
    attest_tpm *tpm = NULL;
    attest_err err;

    if (!cli_is_tpm_key(spec) || attest_tpm_open(tcti, &tpm, &err) != ATTEST_TPM_UNREACHABLE) {
        attest_tpm_close(tpm);
        return 0;
    }
    cli_error(app, "cannot reach the TPM: %s", err.msg);
    return 1;
}

/* What will keep the request from verifying as made: stderr only, the run still succeeds. */
static void warn_unverifiable(cli_app *app, const new_opts *o, X509 *const *ak_certs)
{
    char name[160];
    int i;

    for (i = 0; o->n_ak_chain == 0 && i < CLI_MAX_AKS; i++) {
        if (ak_certs[i] == NULL || X509_check_issued(ak_certs[i], ak_certs[i]) == X509_V_OK)
            continue;
        X509_NAME_oneline(X509_get_issuer_name(ak_certs[i]), name, sizeof(name));
        fprintf(stderr,
                "attest-req: %s: warning: no --ak-chain: the AK certificate is issued by %s, which a "
                "verifier must then have as an anchor or --untrusted intermediate\n",
                app->cmd, name);
    }
    if (o->nonce_len == 0)
        fprintf(stderr,
                "attest-req: %s: warning: no --nonce: a verifier cannot check freshness (at best a "
                "warning verdict; refused under --nonce or --nonce-state)\n",
                app->cmd);
}

static int run(cli_app *app, new_opts *o)
{
    const char *tcti = resolve_tcti(app, o->tcti);
    X509 *ak_certs[CLI_MAX_AKS] = { NULL };
    STACK_OF(X509) *certs = sk_X509_new_null();
    EVP_PKEY *key = NULL;
    unsigned char *stmt = NULL, *bundle = NULL, *req = NULL;
    size_t stmt_len = 0, bundle_len = 0, req_len = 0;
    attest_request_opts ro;
    attest_err err;
    new_tpm2_session ts;
    int tpm2 = !o->standalone && o->evidence != NULL && strcmp(o->evidence, "tpm2") == 0, rc = EXIT_USAGE, r, i,
        tpm_signs = 0;

    memset(&ts, 0, sizeof(ts));

    if (certs == NULL || load_bundle_certs(app, o, ak_certs, certs) != 0)
        goto done;
    rc = EXIT_FAIL;
    if (tpm2) {
        if ((r = new_tpm2_certify(app, tcti, o->aks[0], o->key, o->nonce, o->nonce_len, ak_certs[0], o->ak_certs[0],
                                  &ts, &stmt, &stmt_len))
            != 0) {
            rc = r == -2 ? EXIT_USAGE : EXIT_FAIL;
            goto done;
        }
        tpm_signs = new_tpm2_plan(app, o->md, o->pss, &ts);
        /* The provider opens its own TPM connection: ours (and the slot it holds) go first. */
        if (!tpm_signs)
            new_tpm2_end(&ts);
    }
    for (i = 0; i < o->n_aks; i++)
        if (!tpm2 && cli_is_tpm_key(o->aks[i]) && cli_want_provider(app, "tpm2") != 0)
            goto done;
    if (!tpm_signs && cli_is_tpm_key(o->key) && cli_want_provider(app, "tpm2") != 0)
        goto done;
    /* TPM2_Sign signs and the library builds the bundle: OpenSSL's providers are enough (no attest.so to load). */
    app->core_only = tpm_signs;
    if (cli_app_start(app) != 0) {
        rc = EXIT_USAGE;
        goto done;
    }
    if (tpm_signs) {
        if ((key = new_tpm2_certified_key(app, &ts, app->libctx)) == NULL)
            goto done;
    } else {
        char kb[64];

        if ((key = attest_load_private_key(cli_key_uri(o->key, kb, sizeof(kb)), app->libctx, app->propq)) == NULL) {
            if (tpm_gone(app, o->key, tcti))
                rc = EXIT_USAGE;
            else
                rc = cli_no_private_key(app, o->key);
            goto done;
        }
    }
    if (vendor_mode(o)) {
        if ((r = cli_vendor_bundle(app, o->vendor_files, o->n_vendor_files, key, o->key, &bundle, &bundle_len)) != 0) {
            rc = r == -2 ? EXIT_USAGE : EXIT_FAIL;
            goto done;
        }
    } else if (tpm2) {
        /* TPM2_Sign's key is the certified one by construction; the provider's is compared. */
        if (!tpm_signs && new_tpm2_check_signing_key(app, stmt, stmt_len, key, o->key) != 0)
            goto done;
    } else if ((r = make_pkix_statement(app, o, tcti, key, ak_certs, &stmt, &stmt_len)) != 0) {
        rc = r == -2 ? EXIT_USAGE : EXIT_FAIL;
        goto done;
    }
    if (o->standalone) {
        rc = write_out(app, o, "EVIDENCE", stmt, stmt_len) == 0 ? EXIT_OK : EXIT_USAGE;
        goto done;
    }
    if (!vendor_mode(o)
        && build_bundle(app, tpm2 ? ATTEST_OID_TPM_CERTIFY : ATTEST_OID_PKIX_STATEMENT, stmt, stmt_len, certs, &bundle,
                        &bundle_len)
            != 0)
        goto done;
    memset(&ro, 0, sizeof(ro));
    ro.subject = o->subject;
    ro.addext = o->addext;
    ro.n_addext = (size_t)o->n_addext;
    ro.md = o->md;
    ro.pss = o->pss;
    ro.libctx = app->libctx;
    ro.propq = app->propq;
    if (tpm_signs) {
        ro.md = ts.signer.md;
        ro.signer = attest_tpm_request_signer;
        ro.signer_arg = &ts.signer;
    }
    if ((r = attest_request_build(key, &ro, bundle, bundle_len, &req, &req_len, &err)) != 0) {
        if (r == ATTEST_TPM_UNREACHABLE) {
            cli_error(app, "cannot reach the TPM: %s", err.msg);
            rc = EXIT_USAGE;
        } else if (!tpm_signs && tpm_gone(app, o->key, tcti))
            rc = EXIT_USAGE;
        else
            cli_error(app, "%s", err.msg);
        goto done;
    }
    /* The snippet first: a failed request write takes it away again, so nothing is left half done. */
    if (o->cmp_reqexts != NULL && write_cmp_reqexts(app, o->cmp_reqexts, bundle, bundle_len) != 0) {
        rc = EXIT_USAGE;
        goto done;
    }
    rc = write_out(app, o, "CERTIFICATE REQUEST", req, req_len) == 0 ? EXIT_OK : EXIT_USAGE;
    if (rc == EXIT_OK && !vendor_mode(o))
        warn_unverifiable(app, o, ak_certs);
    if (rc != EXIT_OK && o->cmp_reqexts != NULL && strcmp(o->cmp_reqexts, "-") != 0)
        (void)remove(o->cmp_reqexts);
done:
    new_tpm2_end(&ts);
    for (i = 0; i < CLI_MAX_AKS; i++)
        X509_free(ak_certs[i]);
    sk_X509_pop_free(certs, X509_free);
    EVP_PKEY_free(key);
    OPENSSL_free(stmt);
    OPENSSL_free(bundle);
    OPENSSL_free(req);
    cli_app_end(app);
    return rc;
}

static int command(cli_app *app, int argc, char **argv, int standalone)
{
    new_opts o;
    int r;

    /*
     * A TPM that goes away mid-command (swtpm killed, resource manager restarted)
     * turns the TCTI's next write into SIGPIPE, which would end the process
     * without a word: take EPIPE instead, reported as an unreachable TPM (exit 2).
     */
    signal(SIGPIPE, SIG_IGN);
    memset(&o, 0, sizeof(o));
    o.standalone = standalone;
    o.out = "-";
    o.outform = "pem";
    if ((r = parse_opts(app, argc, argv, &o)) != 0)
        return r > 0 ? EXIT_OK : EXIT_USAGE;
    return run(app, &o);
}

int cmd_new(cli_app *app, int argc, char **argv)
{
    return command(app, argc, argv, 0);
}

int cmd_evidence(cli_app *app, int argc, char **argv)
{
    return command(app, argc, argv, 1);
}
