/*
 * attest-req ak: AK enrollment by credential activation.
 *   TPM owner:  create, request, activate   (ESAPI, evidence/tpm2_enroll.c)
 *   authority:  challenge, issue            (no TPM, evidence/ak_authority.c)
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/ak_authority.h"
#include "attest/ak_enroll.h"
#include "attest/escape.h"
#include "attest/tpm2.h"
#include "attest/tpm2_enroll.h"
#include "cli.h"

typedef struct {
    const char *ak, *alg, *ek_cert, *in, *out, *ek_trust_dir, *untrusted, *state, *ca_cert, *ca_key, *tcti;
    long ttl, days;
    int force;
} ak_opts;

static const struct {
    const char *name, *opts, *usage;
} subs[] = {
    { "create", "aAft",
      "ak create --ak HANDLE [--alg ecc|rsa] [--force] [--tcti TCTI]\n"
      "    a restricted signing AK (fixedTPM, fixedParent, sensitiveDataOrigin, restricted, sign),\n"
      "    persisted at HANDLE; an occupied handle is refused unless --force" },
    { "request", "aEot",
      "ak request --ak HANDLE [--ek-cert FILE] --out REQ [--tcti TCTI]\n"
      "    the enrollment request (DER): EK certificate (from NV unless --ek-cert), EK and AK public areas, AK Name" },
    { "challenge", "iTUsoL",
      "ak challenge --in REQ --ek-trust-dir DIR [--untrusted FILE] --state DIR --out CHALLENGE\n"
      "             [--ttl SECONDS]\n"
      "    authority: check the request, MakeCredential to its EK, keep the secret in DIR (default TTL 3600 s)" },
    { "activate", "aiot",
      "ak activate --ak HANDLE --in CHALLENGE --out RESPONSE [--tcti TCTI]\n"
      "    TPM2_ActivateCredential: answer the challenge" },
    { "issue", "isCKoD",
      "ak issue --in RESPONSE --state DIR --ca-cert CERT --ca-key KEY --out AK.pem [--days N]\n"
      "    authority: the AK certificate, if the response carries the secret (once; before the TTL)" },
};
#define N_SUBS (sizeof(subs) / sizeof(subs[0]))

static void ak_usage(FILE *f)
{
    size_t i;

    fputs("usage: attest-req ak SUBCOMMAND [options]\n", f);
    for (i = 0; i < N_SUBS; i++)
        fprintf(f, "  %s\n", subs[i].usage);
    fputs("  --ca-key takes a file or a provider URI (pkcs11:, handle:, ...); see attest-req(1)\n", f);
}

static int parse_handle(const cli_app *app, const char *s, uint32_t *h)
{
    char *end;
    unsigned long v;

    if (strncmp(s, "handle:", 7) == 0)
        s += 7;
    errno = 0;
    v = strtoul(s, &end, 0);
    if (errno != 0 || *s == '\0' || *end != '\0' || (v >> 24) != 0x81) {
        cli_error(app, "--ak: '%s' is not a persistent handle (0x81xxxxxx)", s);
        return -1;
    }
    *h = (uint32_t)v;
    return 0;
}

static void quiet_tss(const cli_app *app)
{
    /* tss2 logs every failure to stderr; we print one line of our own instead */
    if (!app->verbose && getenv("TSS2_LOG") == NULL)
        setenv("TSS2_LOG", "all+none", 1);
}

static int open_tpm(cli_app *app, const ak_opts *o, attest_tpm **t)
{
    attest_err err;
    int rc;

    quiet_tss(app);
    if ((rc = attest_tpm_open(o->tcti, t, &err)) != 0) {
        cli_error(app, "cannot reach the TPM: %s", err.msg);
        return rc == ATTEST_TPM_UNREACHABLE ? EXIT_USAGE : EXIT_FAIL;
    }
    return EXIT_OK;
}

static int tpm_rc(int rc)
{
    return rc == 0 ? EXIT_OK : rc == ATTEST_TPM_UNREACHABLE ? EXIT_USAGE : EXIT_FAIL;
}

static int write_out(const cli_app *app, const char *path, unsigned char *der, size_t len)
{
    int rc = cli_write_file(app, path, der, len) == 0 ? EXIT_OK : EXIT_USAGE;

    OPENSSL_free(der);
    return rc;
}

static int do_create(cli_app *app, const ak_opts *o)
{
    unsigned char *pub = NULL, name[2 + 64];
    attest_tpm *t = NULL;
    size_t len = 0;
    uint32_t h;
    attest_err err;
    char hex[2 * sizeof(name) + 1];
    int rc, n;

    if (o->alg != NULL && strcmp(o->alg, "ecc") != 0 && strcmp(o->alg, "rsa") != 0) {
        cli_error(app, "--alg must be ecc or rsa, not '%s'", o->alg);
        return EXIT_USAGE;
    }
    if (parse_handle(app, o->ak, &h) != 0)
        return EXIT_USAGE;
    if ((rc = open_tpm(app, o, &t)) != EXIT_OK)
        return rc;
    rc = attest_tpm_ak_create(t, h, o->alg != NULL && strcmp(o->alg, "rsa") == 0, o->force, &pub, &len, &err);
    attest_tpm_close(t);
    if (rc != 0) {
        cli_error(app, "%s", err.msg);
        return tpm_rc(rc);
    }
    n = attest_tpm2_name(pub, len, name, sizeof(name), NULL);
    printf("ak 0x%08x name %s\n", h, attest_hex(name, n > 0 ? (size_t)n : 0, hex, sizeof(hex)));
    OPENSSL_free(pub);
    return EXIT_OK;
}

static int do_request(cli_app *app, const ak_opts *o)
{
    attest_tpm_keyref ref = { 0, NULL, 0 };
    attest_ak_request r;
    attest_tpm *t = NULL;
    unsigned char name[2 + 64], *der = NULL;
    const unsigned char *p;
    size_t len = 0;
    uint32_t ix = 0;
    X509 *ek = NULL;
    attest_err e;
    int rc, n;

    memset(&r, 0, sizeof(r));
    if (parse_handle(app, o->ak, &ref.handle) != 0)
        return EXIT_USAGE;
    if (o->ek_cert != NULL) {
        if ((ek = cli_load_cert(app, o->ek_cert)) == NULL)
            return EXIT_USAGE;
        if ((n = i2d_X509(ek, &r.ek_cert.p)) <= 0)
            goto fail;
        r.ek_cert.n = (size_t)n;
    }
    if ((rc = open_tpm(app, o, &t)) != EXIT_OK)
        goto done;
    if (ek == NULL) {
        if ((rc = attest_tpm_ek_cert_read(t, 0, &r.ek_cert.p, &r.ek_cert.n, &ix, &e)) != 0)
            goto tpmfail;
        p = r.ek_cert.p;
        ek = d2i_X509(NULL, &p, (long)r.ek_cert.n);
    }
    if (ek == NULL) {
        cli_error(app, "the EK certificate does not decode");
        goto fail;
    }
    if ((rc = attest_tpm_ek_public(t, X509_get0_pubkey(ek), &r.ek_pub.p, &r.ek_pub.n, &e)) != 0
        || (rc = attest_tpm_read_public(t, &ref, &r.ak_pub.p, &r.ak_pub.n, &e)) != 0)
        goto tpmfail;
    if ((n = attest_tpm2_name(r.ak_pub.p, r.ak_pub.n, name, sizeof(name), &e)) < 0) {
        cli_error(app, "AK 0x%08x: %s", ref.handle, e.msg);
        goto fail;
    }
    r.ak_name.p = OPENSSL_memdup(name, (size_t)n);
    r.ak_name.n = (size_t)n;
    if (r.ak_name.p == NULL || attest_ak_request_encode(&r, &der, &len, &e) != 0) {
        cli_error(app, "%s", e.msg);
        goto fail;
    }
    rc = write_out(app, o->out, der, len);
    if (rc == EXIT_OK && ix != 0)
        cli_notice(app, "EK certificate from NV index 0x%08x", ix);
    goto done;
tpmfail:
    cli_error(app, "%s", e.msg);
    rc = tpm_rc(rc);
    goto done;
fail:
    rc = EXIT_FAIL;
done:
    attest_tpm_close(t);
    X509_free(ek);
    attest_ak_request_clear(&r);
    return rc;
}

static int do_activate(cli_app *app, const ak_opts *o)
{
    attest_ak_challenge c;
    attest_ak_response r;
    attest_tpm *t = NULL;
    unsigned char *in = NULL, *der = NULL;
    size_t inlen = 0, len = 0;
    uint32_t h;
    attest_err e;
    int rc = EXIT_USAGE;

    memset(&r, 0, sizeof(r));
    memset(&c, 0, sizeof(c));
    if (parse_handle(app, o->ak, &h) != 0 || cli_read_file(app, o->in, &in, &inlen) != 0)
        goto done;
    if (attest_ak_challenge_decode(in, inlen, &c, &e) != 0) {
        cli_error(app, "%s: %s", o->in, e.msg);
        rc = EXIT_FAIL;
        goto done;
    }
    if ((rc = open_tpm(app, o, &t)) != EXIT_OK)
        goto done;
    if ((rc = attest_tpm_activate(t, h, c.ek_pub.p, c.ek_pub.n, c.blob.p, c.blob.n, c.secret.p, c.secret.n,
                                  &r.credential.p, &r.credential.n, &e))
        != 0) {
        cli_error(app, "%s", e.msg);
        rc = tpm_rc(rc);
        goto done;
    }
    r.id = c.id; /* borrowed */
    rc = attest_ak_response_encode(&r, &der, &len, &e);
    r.id.p = NULL;
    r.id.n = 0;
    if (rc != 0) {
        cli_error(app, "%s", e.msg);
        rc = EXIT_FAIL;
        goto done;
    }
    rc = write_out(app, o->out, der, len);
done:
    attest_tpm_close(t);
    OPENSSL_free(in);
    attest_ak_challenge_clear(&c);
    attest_ak_response_clear(&r);
    return rc;
}

static void notice(void *arg, const char *msg)
{
    cli_notice((const cli_app *)arg, "%s", msg);
}

static int do_challenge(cli_app *app, const ak_opts *o)
{
    attest_trust *roots = NULL;
    attest_ak_request r;
    attest_ak_challenge c;
    attest_ak_state s;
    unsigned char *in = NULL, *cder = NULL, *sder = NULL;
    size_t inlen = 0, clen = 0, slen = 0;
    attest_err e;
    int rc = EXIT_USAGE;

    memset(&r, 0, sizeof(r));
    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));
    if (o->ttl <= 0) {
        cli_error(app, "--ttl must be a positive number of seconds");
        return EXIT_USAGE;
    }
    if (cli_app_start(app) != 0 || cli_read_file(app, o->in, &in, &inlen) != 0)
        goto done;
    if ((roots = attest_trust_new()) == NULL || attest_trust_add_dir(roots, o->ek_trust_dir, notice, app, &e) != 0
        || (o->untrusted != NULL && attest_trust_add_untrusted_file(roots, o->untrusted, &e) != 0)) {
        cli_error(app, "%s", roots != NULL ? e.msg : "out of memory");
        goto done;
    }
    rc = EXIT_FAIL;
    if (attest_ak_request_decode(in, inlen, &r, &e) != 0) {
        cli_error(app, "%s: %s", o->in, e.msg);
        goto done;
    }
    if (attest_ak_request_check(app->libctx, &r, roots, &e) != 0
        || attest_ak_challenge_make(app->libctx, &r, (int64_t)time(NULL) + o->ttl, &c, &s, &e) != 0
        || attest_ak_state_encode(&s, &sder, &slen, &e) != 0 || attest_ak_challenge_encode(&c, &cder, &clen, &e) != 0) {
        cli_error(app, "%s", e.msg);
        goto done;
    }
    if (attest_ak_state_put(o->state, c.id.p, c.id.n, sder, slen, &e) != 0) {
        cli_error(app, "%s", e.msg);
        rc = EXIT_USAGE;
        goto done;
    }
    rc = write_out(app, o->out, cder, clen);
    cder = NULL;
done:
    OPENSSL_free(in);
    OPENSSL_free(cder);
    OPENSSL_clear_free(sder, slen);
    attest_ak_request_clear(&r);
    attest_ak_challenge_clear(&c);
    attest_ak_state_clear(&s);
    attest_trust_free(roots);
    cli_app_end(app);
    return rc;
}

static int do_issue(cli_app *app, const ak_opts *o)
{
    attest_ak_response r;
    attest_ak_state s;
    unsigned char *in = NULL, *sder = NULL, *pem = NULL;
    size_t inlen = 0, slen = 0;
    X509 *ca = NULL, *ak = NULL;
    EVP_PKEY *key = NULL;
    BIO *b = NULL;
    char *mem;
    long n;
    attest_err e;
    int rc = EXIT_USAGE;

    memset(&r, 0, sizeof(r));
    memset(&s, 0, sizeof(s));
    if (o->days <= 0 || o->days > 36500) {
        cli_error(app, "--days must be 1 to 36500");
        return EXIT_USAGE;
    }
    if (cli_app_start(app) != 0 || cli_read_file(app, o->in, &in, &inlen) != 0
        || (ca = cli_load_cert(app, o->ca_cert)) == NULL || (key = cli_load_private_key(app, o->ca_key)) == NULL)
        goto done;
    rc = EXIT_FAIL;
    if (attest_ak_response_decode(in, inlen, &r, &e) != 0) {
        cli_error(app, "%s: %s", o->in, e.msg);
        goto done;
    }
    /* taken before it is judged: a wrong answer burns the challenge too */
    if (attest_ak_state_take(o->state, r.id.p, r.id.n, &sder, &slen, &e) != 0
        || attest_ak_state_decode(sder, slen, &s, &e) != 0) {
        cli_error(app, "%s", e.msg);
        goto done;
    }
    if ((int64_t)time(NULL) > s.not_after) {
        cli_error(app, "enroll.expired: the challenge expired %lld s ago",
                  (long long)((int64_t)time(NULL) - s.not_after));
        goto done;
    }
    if (r.credential.n != s.credential.n || CRYPTO_memcmp(r.credential.p, s.credential.p, s.credential.n) != 0) {
        cli_error(app,
                  "enroll.credential: the response does not carry the secret (not activated by the TPM "
                  "holding the EK and the AK)");
        goto done;
    }
    if ((ak = attest_ak_cert_issue(app->libctx, app->propq, &s, ca, key, (int)o->days, &e)) == NULL) {
        cli_error(app, "%s", e.msg);
        goto done;
    }
    if ((b = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_X509(b, ak) || (n = BIO_get_mem_data(b, &mem)) <= 0
        || (pem = OPENSSL_memdup(mem, (size_t)n)) == NULL) {
        cli_error(app, "cannot encode the AK certificate");
        goto done;
    }
    rc = write_out(app, o->out, pem, (size_t)n);
done:
    BIO_free(b);
    X509_free(ak);
    X509_free(ca);
    EVP_PKEY_free(key);
    OPENSSL_free(in);
    OPENSSL_clear_free(sder, slen);
    attest_ak_response_clear(&r);
    attest_ak_state_clear(&s);
    cli_app_end(app);
    return rc;
}

static int need(const cli_app *app, const char *sub, const char *opt, const char *v)
{
    if (v != NULL)
        return 0;
    cli_error(app, "ak %s needs %s (try: attest-req ak --help)", sub, opt);
    return -1;
}

int cmd_ak(cli_app *app, int argc, char **argv)
{
    static const struct option longopts[] = { { "ak", required_argument, NULL, 'a' },
                                              { "alg", required_argument, NULL, 'A' },
                                              { "force", no_argument, NULL, 'f' },
                                              { "tcti", required_argument, NULL, 't' },
                                              { "ek-cert", required_argument, NULL, 'E' },
                                              { "out", required_argument, NULL, 'o' },
                                              { "in", required_argument, NULL, 'i' },
                                              { "ek-trust-dir", required_argument, NULL, 'T' },
                                              { "untrusted", required_argument, NULL, 'U' },
                                              { "state", required_argument, NULL, 's' },
                                              { "ttl", required_argument, NULL, 'L' },
                                              { "ca-cert", required_argument, NULL, 'C' },
                                              { "ca-key", required_argument, NULL, 'K' },
                                              { "days", required_argument, NULL, 'D' },
                                              { "help", no_argument, NULL, 'h' },
                                              CLI_COMMON_LONGOPTS,
                                              { NULL, 0, NULL, 0 } };
    ak_opts o = { 0 };
    const char *sub;
    size_t k;
    char *end;
    int opt;

    o.ttl = ATTEST_AK_TTL_DEFAULT;
    o.days = 365;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        ak_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    sub = argv[1];
    for (k = 0; k < N_SUBS && strcmp(subs[k].name, sub) != 0; k++)
        ;
    if (k == N_SUBS) {
        cli_error(app, "unknown ak subcommand '%s' (create, request, challenge, activate, issue)", sub);
        return EXIT_USAGE;
    }
    optind = 1;
    argc--;
    argv++;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: attest-req %s\n", subs[k].usage);
            return EXIT_OK;
        }
        if (opt < 256 && opt != '?' && opt != ':' && strchr(subs[k].opts, opt) == NULL) {
            cli_error(app, "option %s does not apply to ak %s", argv[optind - 1], sub);
            return EXIT_USAGE;
        }
        switch (opt) {
        case 'a': o.ak = optarg; break;
        case 'A': o.alg = optarg; break;
        case 'f': o.force = 1; break;
        case 't': o.tcti = optarg; break;
        case 'E': o.ek_cert = optarg; break;
        case 'o': o.out = optarg; break;
        case 'i': o.in = optarg; break;
        case 'T': o.ek_trust_dir = optarg; break;
        case 'U': o.untrusted = optarg; break;
        case 's': o.state = optarg; break;
        case 'C': o.ca_cert = optarg; break;
        case 'K': o.ca_key = optarg; break;
        case 'L':
        case 'D':
            errno = 0;
            *(opt == 'L' ? &o.ttl : &o.days) = strtol(optarg, &end, 10);
            if (errno != 0 || *optarg == '\0' || *end != '\0') {
                cli_error(app, "%s: '%s' is not a number", argv[optind - 1], optarg);
                return EXIT_USAGE;
            }
            break;
        default:
            switch (cli_common_option(app, opt, optarg)) {
            case 1: continue;
            case -1: return EXIT_USAGE;
            default: cli_bad_option(app, argv, "ak"); return EXIT_USAGE;
            }
        }
    }
    if (optind < argc) {
        cli_error(app, "unexpected argument '%s' (try: attest-req ak --help)", argv[optind]);
        return EXIT_USAGE;
    }
    switch (k) {
    case 0: return need(app, sub, "--ak", o.ak) ? EXIT_USAGE : do_create(app, &o);
    case 1: return need(app, sub, "--ak", o.ak) || need(app, sub, "--out", o.out) ? EXIT_USAGE : do_request(app, &o);
    case 2:
        return need(app, sub, "--in", o.in) || need(app, sub, "--ek-trust-dir", o.ek_trust_dir)
                || need(app, sub, "--state", o.state) || need(app, sub, "--out", o.out)
            ? EXIT_USAGE
            : do_challenge(app, &o);
    case 3:
        return need(app, sub, "--ak", o.ak) || need(app, sub, "--in", o.in) || need(app, sub, "--out", o.out)
            ? EXIT_USAGE
            : do_activate(app, &o);
    default:
        return need(app, sub, "--in", o.in) || need(app, sub, "--state", o.state)
                || need(app, sub, "--ca-cert", o.ca_cert) || need(app, sub, "--ca-key", o.ca_key)
                || need(app, sub, "--out", o.out)
            ? EXIT_USAGE
            : do_issue(app, &o);
    }
}
