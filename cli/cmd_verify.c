/* attest-req verify: judge an attested CSR (or a bare bundle with --pubkey). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/limits.h"
#include "attest/verify.h"
#include "cli.h"

#define EXIT_WARNING 3
#define EXIT_NONE 4
#define MAX_UNTRUSTED 16

static void verify_usage(FILE *f)
{
    fprintf(f, "usage: attest-req verify --in FILE --trust-dir DIR [options]\n"
            "  --in FILE          attested CSR, or bare AttestationBundle with --pubkey (PEM or DER; - for stdin)\n"
            "  --trust-dir DIR    trust anchors: every PEM/DER certificate file in DIR\n"
            "  --untrusted FILE   more intermediate certificates (repeatable; never anchors)\n"
            "  --pubkey FILE      the key a bare bundle must bind to\n"
            "  --at-time T        verification time: Unix seconds or 2024-11-01T00:00:00Z\n"
            "  --nonce HEX        demand this nonce (TPM extraData / PKIX transaction nonce)\n"
            "  --nonce-file F     the same, from a file (hex text or raw bytes)\n"
            "  --allow NAME       relax one policy point, with a warning (repeatable):\n"
            "                     %s\n"
            "  --strict           refuse older draft shapes of the bundle\n"
            "  --format F         text (default) or json (EAR-shaped)\n"
            "exit: 0 affirming, 1 contraindicated, 2 usage/I-O, 3 warning, 4 no attestation\n",
            attest_policy_allow_names());
}

static void notice_cb(void *arg, const char *msg)
{
    cli_notice(arg, "%s", msg);
}

static EVP_PKEY *load_pubkey(const cli_app *app, const char *path)
{
    unsigned char *data = NULL;
    size_t len = 0;
    BIO *b;
    EVP_PKEY *k = NULL;

    if (cli_read_file(app, path, &data, &len) != 0)
        return NULL;
    if ((b = BIO_new_mem_buf(data, (int)len)) != NULL) {
        k = PEM_read_bio_PUBKEY_ex(b, NULL, NULL, NULL, app->libctx, app->propq);
        if (k == NULL) {
            const unsigned char *p = data;

            k = d2i_PUBKEY_ex(NULL, &p, (long)len, app->libctx, app->propq);
        }
    }
    BIO_free(b);
    OPENSSL_free(data);
    if (k == NULL)
        cli_error(app, "%s: not a public key (PEM or DER SubjectPublicKeyInfo)", path);
    return k;
}

int cmd_verify(cli_app *app, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"in", required_argument, NULL, 'i'},
        {"trust-dir", required_argument, NULL, 'T'},
        {"untrusted", required_argument, NULL, 'u'},
        {"pubkey", required_argument, NULL, 'k'},
        {"at-time", required_argument, NULL, 'a'},
        {"nonce", required_argument, NULL, 'n'},
        {"nonce-file", required_argument, NULL, 'N'},
        {"allow", required_argument, NULL, 'A'},
        {"strict", no_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0}
    };
    const char *in = NULL, *trust_dir = NULL, *pubkey = NULL, *at_time = NULL, *nonce_hex = NULL;
    const char *nonce_file = NULL, *format = "text", *untrusted[MAX_UNTRUSTED];
    int n_untrusted = 0, opt, i, rc = EXIT_USAGE;
    unsigned char nonce[ATTEST_MAX_NONCE], *data = NULL;
    size_t nonce_len = 0, len = 0;
    attest_policy policy;
    attest_verify_params vp;
    attest_trust *trust = NULL;
    attest_verdict *v = NULL;
    cli_object obj = {0};
    EVP_PKEY *subject = NULL;
    attest_err err;
    BIO *out = NULL;
    time_t when = 0;

    attest_policy_default(&policy);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        switch (opt) {
        case 'i': in = optarg; break;
        case 'T': trust_dir = optarg; break;
        case 'u':
            if (n_untrusted == MAX_UNTRUSTED) {
                cli_error(app, "at most %d --untrusted files", MAX_UNTRUSTED);
                return EXIT_USAGE;
            }
            untrusted[n_untrusted++] = optarg;
            break;
        case 'k': pubkey = optarg; break;
        case 'a': at_time = optarg; break;
        case 'n': nonce_hex = optarg; break;
        case 'N': nonce_file = optarg; break;
        case 'A': {
            unsigned flag = attest_policy_allow_flag(optarg);

            if (flag == 0) {
                cli_error(app, "--allow: unknown relaxation '%s' (known: %s)", optarg, attest_policy_allow_names());
                return EXIT_USAGE;
            }
            policy.allow |= flag;
            break;
        }
        case 's': policy.strict_shape = 1; break;
        case 'f': format = optarg; break;
        case 'h': verify_usage(stdout); return EXIT_OK;
        default:
            switch (cli_common_option(app, opt, optarg)) {
            case 1: continue;
            case -1: return EXIT_USAGE;
            default:
                cli_error(app, "unknown option (try: attest-req verify --help)");
                return EXIT_USAGE;
            }
        }
    }
    if (optind < argc) {
        cli_error(app, "unexpected argument '%s' (try: attest-req verify --help)", argv[optind]);
        return EXIT_USAGE;
    }
    if (in == NULL) {
        cli_error(app, "--in FILE is required");
        return EXIT_USAGE;
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        cli_error(app, "--format must be text or json, not '%s'", format);
        return EXIT_USAGE;
    }
    if (at_time != NULL && cli_parse_time(at_time, &when) != 0) {
        cli_error(app, "--at-time: expected Unix seconds or YYYY-MM-DDTHH:MM:SSZ, not '%s'", at_time);
        return EXIT_USAGE;
    }
    if ((nonce_hex != NULL || nonce_file != NULL)
        && cli_load_nonce(app, nonce_hex, nonce_file, nonce, sizeof(nonce), &nonce_len) != 0)
        return EXIT_USAGE;
    if (cli_app_start(app) != 0)
        goto done;
    if ((trust = attest_trust_new()) == NULL)
        goto done;
    if (trust_dir == NULL) {
        cli_error(app, "--trust-dir DIR is required (the anchors the attestation keys must chain to)");
        goto done;
    }
    if (attest_trust_add_dir(trust, trust_dir, notice_cb, app, &err) != 0) {
        cli_error(app, "%s", err.msg);
        goto done;
    }
    for (i = 0; i < n_untrusted; i++) {
        if (attest_trust_add_untrusted_file(trust, untrusted[i], &err) != 0) {
            cli_error(app, "--untrusted %s", err.msg);
            goto done;
        }
    }
    if (when != 0)
        attest_trust_set_time(trust, when);
    if (pubkey != NULL && (subject = load_pubkey(app, pubkey)) == NULL)
        goto done;
    if (cli_read_file(app, in, &data, &len) != 0)
        goto done;

    memset(&vp, 0, sizeof(vp));
    vp.libctx = app->libctx;
    vp.propq = app->propq;
    vp.trust = trust;
    vp.policy = &policy;
    vp.subject_key = subject;
    if (nonce_hex != NULL || nonce_file != NULL) {
        vp.nonce = nonce;
        vp.nonce_len = nonce_len;
    }
    /* The provider's decoders tell a request from a bare bundle (PEM or DER). */
    ERR_set_mark();
    if (cli_decode(app, NULL, data, len, NULL, &obj) == 0 && obj.dt == ATTEST_DT_BUNDLE)
        v = attest_verify_bundle(&vp, obj.data, obj.len);
    else if (obj.data != NULL && obj.dt == ATTEST_DT_CSR)
        v = attest_verify_csr(&vp, obj.data, obj.len);
    else
        v = attest_verify_csr(&vp, data, len); /* csr.parse says what is wrong */
    ERR_pop_to_mark();
    if (v == NULL) {
        cli_error(app, "out of memory");
        rc = EXIT_FAIL;
        goto done;
    }
    snprintf(v->input, sizeof(v->input), "%s", in);
    if ((out = BIO_new_fp(stdout, BIO_NOCLOSE)) == NULL)
        goto done;
    if (strcmp(format, "json") == 0) {
        json_object *j = attest_verdict_json(v);

        attest_render_json(j, out, 1);
        json_object_put(j);
    } else {
        attest_verdict_text(v, out);
    }
    (void)BIO_flush(out);
    rc = attest_verdict_exit_code(v);
    if (rc == EXIT_FAIL) {
        BIO *e = BIO_new_fp(stderr, BIO_NOCLOSE);

        /* One line per failed check, for people reading stderr. */
        if (e != NULL) {
            BIO_printf(e, "attest-req: verify: %s: contraindicated\n", in);
            attest_verdict_failures(v, e);
        }
        BIO_free(e);
    }
done:
    BIO_free(out);
    attest_verdict_free(v);
    cli_object_clear(&obj);
    OPENSSL_free(data);
    EVP_PKEY_free(subject);
    attest_trust_free(trust);
    cli_app_end(app);
    return rc;
}
