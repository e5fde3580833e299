/*
 * attest-req verify: judge attested CSRs (or bare bundles with --pubkey).
 * One input or many: repeated --in, --in-list FILE, or a stream of PEM
 * requests on stdin; one verdict per input, the trust directory loaded once,
 * chain results cached for the run.  The exit code is the worst verdict.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/checks.h"
#include "attest/jws.h"
#include "attest/limits.h"
#include "attest/nonce_state.h"
#include "attest/engine.h"
#include "attest/trust_scope.h"
#include "attest/verdict.h"
#include "verify_batch.h"

#define MAX_UNTRUSTED 16
#ifndef ATTEST_ANCHORS_DIR /* set by the build for the installed CLI */
#define ATTEST_ANCHORS_DIR "DATADIR/attest/anchors"
#endif

typedef struct {
    const char **ins;
    int n_ins;
    const char *in_list, *pubkey, *at_time, *nonce_hex, *nonce_file, *nonce_state, *format, *sign_key;
    const char *untrusted[MAX_UNTRUSTED], *trust_files[MAX_UNTRUSTED], *trust_dirs[MAX_UNTRUSTED];
    const char *evidence[CLI_MAX_EVIDENCE_FILES];
    int n_untrusted, n_trust_files, n_trust_dirs, n_evidence, jobs;
    attest_policy policy;
} verify_opts;

static void verify_usage(FILE *f)
{
    fprintf(f,
            "usage: attest-req verify --in FILE... --trust-dir DIR [options]\n"
            "       attest-req verify [--in REQ] --evidence-file FILE... --trust-dir DIR [options]\n"
            "  --in FILE          attested CSR, bare AttestationBundle (with --pubkey) or standalone\n"
            "                     PKIX Evidence (PEM or DER); CRMF CertReqMessages or CMP ir/cr/kur/p10cr\n"
            "                     message (DER; CMP protection is not checked);\n"
            "                     repeatable; - reads stdin (a stream of PEM requests, or one DER)\n"
            "  --in-list FILE     more inputs: one path per line\n"
            "  --trust-dir DIR    trust anchors: every PEM/DER certificate file in DIR; a subdirectory\n"
            "                     named after an engine (yubikey/, luna/, marvell/, android/) holds\n"
            "                     anchors for that vendor's evidence only (repeatable; the installed\n"
            "                     vendor anchors: " ATTEST_ANCHORS_DIR ")\n"
            "  --evidence-file F  vendor evidence beside the request (repeatable): a YubiKey slot and\n"
            "                     F9 certificate, a Luna PKC (.p7b), a Cloud HSM attestation (.dat,\n"
            "                     gzip or raw) and its chains, an Android chain; PEM, DER or PKCS#7.\n"
            "                     Without --in the evidence is judged alone (against --pubkey, or\n"
            "                     bound to no key: at best a warning)\n"
            "  --trust-file FILE  trust anchors: every certificate in FILE (repeatable; with or\n"
            "                     without --trust-dir)\n"
            "  --untrusted FILE   more intermediate certificates (repeatable; never anchors)\n"
            "  --pubkey FILE      the key a bare bundle (or evidence files without --in) must bind to\n"
            "  --at-time T        judge at time T, not now (a relaxation: at best a warning):\n"
            "                     2024-11-01T00:00:00Z or Unix seconds, 1950 .. 9999\n"
            "  --nonce HEX        demand this nonce (TPM extraData / PKIX transaction nonce)\n"
            "  --nonce-file F     the same, from a file (hex text or raw bytes)\n"
            "  --nonce-state DIR  demand a single-use nonce issued by attest-req nonce --state DIR;\n"
            "                     it is marked used when the evidence passes (nonce.state)\n"
            "  --allow NAME       relax one policy point, with a warning (repeatable):\n"
            "                     %s\n"
            "                     (none admits a TPM AK certificate for PKIX evidence)\n"
            "  --strict           refuse older draft shapes of the bundle, vendor quirks and\n"
            "                     expired vendor anchors\n"
            "  --android-verified-boot\n"
            "                     Android evidence: a device not locked with verified boot fails\n"
            "                     (default: a warning)\n"
            "  --require-all-signatures\n"
            "                     PKIX evidence: refuse a signature block that cannot be verified\n"
            "                     here (e.g. ML-DSA on OpenSSL < 3.5), not only one that fails\n"
            "  --yubikey-pin-policy once|always, --yubikey-touch-policy cached|always\n"
            "                     YubiKey: the slot key's minimum PIN / touch policy\n"
            "  --refuse-vulnerable-firmware\n"
            "                     vendor firmware with a known advisory fails (default: warns)\n"
            "  --format F         text (default), json (an EAR; JSON Lines for several inputs) or\n"
            "                     jwt (the EAR as a compact JWS, one per line; needs --sign-key)\n"
            "  --sign-key KEY     the key that signs each verdict (file or provider URI)\n"
            "  --jobs N           verify N inputs at a time (default 1)\n"
            "exit: 0 affirming, 1 contraindicated, 2 usage/I-O, 3 warning, 4 no attestation;\n"
            "      for several inputs the worst of them (0 < 3 < 4 < 1 < 2)\n",
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

#define OPT_ANDROID_BOOT 0xa1d /* long-only options: values no letter takes */
/* YubiKey minimum policies: the device's policy bytes (attest/verify.h). */
enum { OPT_YK_PIN = 0x1201, OPT_YK_TOUCH, OPT_VULN_FW };
static int yubikey_policy_opt(cli_app *app, int pin, const char *arg, attest_policy *pol)
{
    if (pin && (strcmp(arg, "once") == 0 || strcmp(arg, "always") == 0))
        pol->yubikey_min_pin_policy = arg[0] == 'o' ? 2 : 3;
    else if (!pin && (strcmp(arg, "cached") == 0 || strcmp(arg, "always") == 0))
        pol->yubikey_min_touch_policy = arg[0] == 'c' ? 3 : 2;
    else {
        cli_error(app, "--yubikey-%s-policy must be %s, not '%s'", pin ? "pin" : "touch",
                  pin ? "once or always" : "cached or always", arg);
        return -1;
    }
    return 0;
}

static int parse_opts(cli_app *app, int argc, char **argv, verify_opts *o)
{
    static const struct option longopts[] = { { "in", required_argument, NULL, 'i' },
                                              { "in-list", required_argument, NULL, 'L' },
                                              { "trust-dir", required_argument, NULL, 'T' },
                                              { "trust-file", required_argument, NULL, 'F' },
                                              { "evidence-file", required_argument, NULL, 'E' },
                                              { "untrusted", required_argument, NULL, 'u' },
                                              { "pubkey", required_argument, NULL, 'k' },
                                              { "at-time", required_argument, NULL, 'a' },
                                              { "nonce", required_argument, NULL, 'n' },
                                              { "nonce-file", required_argument, NULL, 'N' },
                                              { "nonce-state", required_argument, NULL, 'S' },
                                              { "allow", required_argument, NULL, 'A' },
                                              { "strict", no_argument, NULL, 's' },
                                              { "require-all-signatures", no_argument, NULL, 'R' },
                                              { "android-verified-boot", no_argument, NULL, OPT_ANDROID_BOOT },
                                              { "yubikey-pin-policy", required_argument, NULL, OPT_YK_PIN },
                                              { "yubikey-touch-policy", required_argument, NULL, OPT_YK_TOUCH },
                                              { "refuse-vulnerable-firmware", no_argument, NULL, OPT_VULN_FW },
                                              { "format", required_argument, NULL, 'f' },
                                              { "jobs", required_argument, NULL, 'j' },
                                              { "sign-key", required_argument, NULL, 'K' },
                                              { "help", no_argument, NULL, 'h' },
                                              CLI_COMMON_LONGOPTS,
                                              { NULL, 0, NULL, 0 } };
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'i': o->ins[o->n_ins++] = optarg; break;
        case 'L': o->in_list = optarg; break;
        case 'T':
            if (o->n_trust_dirs == MAX_UNTRUSTED) {
                cli_error(app, "at most %d --trust-dir directories", MAX_UNTRUSTED);
                return -1;
            }
            o->trust_dirs[o->n_trust_dirs++] = optarg;
            break;
        case 'E':
            if (o->n_evidence == CLI_MAX_EVIDENCE_FILES) {
                cli_error(app, "at most %d --evidence-file files", CLI_MAX_EVIDENCE_FILES);
                return -1;
            }
            o->evidence[o->n_evidence++] = optarg;
            break;
        case 'u':
            if (o->n_untrusted == MAX_UNTRUSTED) {
                cli_error(app, "at most %d --untrusted files", MAX_UNTRUSTED);
                return -1;
            }
            o->untrusted[o->n_untrusted++] = optarg;
            break;
        case 'F':
            if (o->n_trust_files == MAX_UNTRUSTED) {
                cli_error(app, "at most %d --trust-file files", MAX_UNTRUSTED);
                return -1;
            }
            o->trust_files[o->n_trust_files++] = optarg;
            break;
        case 'k': o->pubkey = optarg; break;
        case 'a': o->at_time = optarg; break;
        case 'n': o->nonce_hex = optarg; break;
        case 'N': o->nonce_file = optarg; break;
        case 'S': o->nonce_state = optarg; break;
        case 'A': {
            unsigned flag = attest_policy_allow_flag(optarg);

            if (flag == 0) {
                cli_error(app, "--allow: unknown relaxation '%s' (known: %s)", optarg, attest_policy_allow_names());
                return -1;
            }
            o->policy.allow |= flag;
            break;
        }
        case 's': o->policy.strict_shape = 1; break;
        case 'R': o->policy.require_all_signatures = 1; break;
        case OPT_ANDROID_BOOT: o->policy.android_require_verified_boot = 1; break;
        case OPT_YK_PIN:
        case OPT_YK_TOUCH:
            if (yubikey_policy_opt(app, opt == OPT_YK_PIN, optarg, &o->policy) != 0)
                return -1;
            break;
        case OPT_VULN_FW: o->policy.vulnerable_firmware_fails = 1; break;
        case 'f': o->format = optarg; break;
        case 'K': o->sign_key = optarg; break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);

            if (*optarg == '\0' || *end != '\0' || n < 1 || n > MAX_JOBS) {
                cli_error(app, "--jobs must be 1..%d", MAX_JOBS);
                return -1;
            }
            o->jobs = (int)n;
            break;
        }
        case 'h': verify_usage(stdout); return 1;
        default:
            switch (cli_common_option(app, opt, optarg)) {
            case 1: continue;
            case -1: return -1;
            default: cli_bad_option(app, argv, "verify"); return -1;
            }
        }
    }
    if (optind < argc) {
        cli_error(app, "unexpected argument '%s' (try: attest-req verify --help)", argv[optind]);
        return -1;
    }
    if (o->n_ins == 0 && o->in_list == NULL && o->n_evidence == 0) {
        cli_error(app, "--in FILE (or --in-list FILE, or --evidence-file FILE) is required");
        return -1;
    }
    if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0 && strcmp(o->format, "jwt") != 0) {
        cli_error(app, "--format must be text, json or jwt, not '%s'", o->format);
        return -1;
    }
    if ((strcmp(o->format, "jwt") == 0) != (o->sign_key != NULL)) {
        cli_error(app,
                  o->sign_key != NULL ? "--sign-key signs JWS verdicts: add --format jwt"
                                      : "--format jwt needs --sign-key KEY (the verdicts' signer)");
        return -1;
    }
    if (o->nonce_state != NULL && (o->nonce_hex != NULL || o->nonce_file != NULL)) {
        cli_error(app, "give --nonce-state or --nonce/--nonce-file, not both");
        return -1;
    }
    if (o->n_trust_dirs == 0 && o->n_trust_files == 0) {
        cli_error(app,
                  "--trust-dir DIR or --trust-file FILE is required (the anchors the attestation keys must chain to)");
        return -1;
    }
    return 0;
}

/* A trust directory's subdirectories named after a vendor engine hold its anchors; others are skipped. */
static int set_vendor_scopes(attest_trust *t)
{
    const char *names[ATTEST_MAX_OBJECT_TYPES];
    size_t i, n = 0;

    for (i = 0; i < attest_engine_count() && n < ATTEST_MAX_OBJECT_TYPES; i++) {
        const attest_engine *e = attest_engine_at(i);

        if (e->claims_cert != NULL || e->claims_blob != NULL || e->from_request != NULL || e->cmw_type != NULL)
            names[n++] = e->name;
    }
    return attest_trust_set_scope_names(t, names, n);
}

static int load_trust(cli_app *app, const verify_opts *o, attest_trust **out)
{
    attest_trust *t = attest_trust_new_ex(app->libctx, app->propq);
    attest_err err;
    time_t when = 0;
    int i;

    if (t == NULL || set_vendor_scopes(t) != 0) {
        attest_trust_free(t);
        return -1;
    }
    for (i = 0; i < o->n_trust_files; i++) {
        if (attest_trust_add_file(t, o->trust_files[i], &err) != 0) {
            cli_error(app, "--trust-file %s", err.msg);
            attest_trust_free(t);
            return -1;
        }
    }
    for (i = 0; i < o->n_trust_dirs; i++) {
        if (attest_trust_add_dir(t, o->trust_dirs[i], notice_cb, app, &err) != 0) {
            cli_error(app, "%s", err.msg);
            attest_trust_free(t);
            return -1;
        }
    }
    for (i = 0; i < o->n_untrusted; i++) {
        if (attest_trust_add_untrusted_file(t, o->untrusted[i], &err) != 0) {
            cli_error(app, "--untrusted %s", err.msg);
            attest_trust_free(t);
            return -1;
        }
    }
    if (o->at_time != NULL) {
        if (cli_parse_time(o->at_time, &when) != 0) {
            cli_error(app,
                      "--at-time: expected 1950-01-01T00:00:00Z .. 9999-12-31T23:59:59Z (RFC 3339 UTC) or "
                      "Unix seconds -631152000 .. 253402300799, not '%s'",
                      o->at_time);
            attest_trust_free(t);
            return -1;
        }
        attest_trust_set_time(t, when);
    }
    *out = t;
    return 0;
}

int cmd_verify(cli_app *app, int argc, char **argv)
{
    verify_opts o;
    verifier v;
    cli_inputs *in = NULL;
    FILE *list = NULL;
    attest_trust *trust = NULL;
    attest_bundle *evidence = NULL;
    EVP_PKEY *subject = NULL, *signer = NULL;
    unsigned char nonce[ATTEST_MAX_NONCE];
    size_t nonce_len = 0;
    long total = 0;
    int r, rc = EXIT_USAGE, worst;

    memset(&o, 0, sizeof(o));
    memset(&v, 0, sizeof(v));
    o.format = "text";
    o.jobs = 1;
    attest_policy_default(&o.policy);
    if ((o.ins = OPENSSL_zalloc((size_t)argc * sizeof(*o.ins))) == NULL)
        return EXIT_USAGE;
    if ((r = parse_opts(app, argc, argv, &o)) != 0) {
        OPENSSL_free(o.ins);
        return r > 0 ? EXIT_OK : EXIT_USAGE;
    }
    if ((o.nonce_hex != NULL || o.nonce_file != NULL)
        && cli_load_nonce(app, o.nonce_hex, o.nonce_file, nonce, sizeof(nonce), &nonce_len) != 0)
        goto done;
    /*
     * OpenSSL's error strings take a few percent of a one-request run to load, and
     * verify shows none of them unless --verbose prints the error queue: every
     * reason it reports is its own (the one OpenSSL reason it quotes, a PEM block
     * that does not decode, is named in cli/inputs.c).
     */
    if (!app->verbose)
        OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
    app->core_only = 1;
    if (cli_app_start(app) != 0 || load_trust(app, &o, &trust) != 0)
        goto done;
    if (o.nonce_state != NULL) {
        attest_err err;

        /* Once per run: the directory must be usable, and expired entries go. */
        if (attest_nonce_sweep(o.nonce_state, time(NULL), &err) < 0) {
            cli_error(app, "%s", err.msg);
            goto done;
        }
        v.nonce_state = o.nonce_state;
        v.vp.nonce_by_state = 1;
    }
    if (o.pubkey != NULL && (subject = load_pubkey(app, o.pubkey)) == NULL)
        goto done;
    if (o.sign_key != NULL) {
        if ((signer = cli_load_private_key(app, o.sign_key)) == NULL)
            goto done;
        if (attest_jws_alg(signer) == NULL) {
            cli_error(app,
                      "--sign-key %s: a %s key has no JWS algorithm here (EC P-256/P-384/P-521, RSA, Ed25519, Ed448)",
                      o.sign_key, EVP_PKEY_get0_type_name(signer) ? EVP_PKEY_get0_type_name(signer) : "provider");
            goto done;
        }
    }
    if (o.n_evidence > 0 && (evidence = cli_load_evidence(app, o.evidence, o.n_evidence)) == NULL)
        goto done;
    if (o.in_list != NULL && (list = fopen(o.in_list, "r")) == NULL) {
        cli_error(app, "%s: cannot open the input list", o.in_list);
        goto done;
    }

    v.app = app;
    v.vp.libctx = app->libctx;
    v.vp.propq = app->propq;
    v.vp.trust = trust;
    v.vp.policy = &o.policy;
    v.vp.subject_key = subject;
    if (o.nonce_hex != NULL || o.nonce_file != NULL) {
        v.vp.nonce = nonce;
        v.vp.nonce_len = nonce_len;
    }
    v.json = strcmp(o.format, "text") != 0;
    v.sign_key = signer;
    v.evidence = evidence;
    /* One verdict per line once there can be more than one. */
    v.json_lines = o.n_ins > 1 || o.in_list != NULL || (o.n_ins == 1 && strcmp(o.ins[0], "-") == 0);
    if (o.n_ins == 0 && o.in_list == NULL)
        in = cli_inputs_one(o.evidence[0]); /* the evidence alone: one verdict */
    else
        in = cli_inputs_new(o.ins, o.n_ins, list);
    if (in == NULL)
        goto done;
    worst = verify_batch(&v, in, o.jobs, &total);
    if (total == 0) {
        cli_error(app, "no input to verify");
        goto done;
    }
    if (app->verbose) {
        size_t hits, misses;

        attest_trust_cache_stats(trust, &hits, &misses);
        cli_notice(app, "%ld input(s); chain cache %zu hit(s), %zu miss(es)", total, hits, misses);
    }
    rc = worst;
done:
    cli_inputs_free(in);
    attest_bundle_free(evidence);
    if (list != NULL)
        fclose(list);
    OPENSSL_free(o.ins);
    EVP_PKEY_free(subject);
    EVP_PKEY_free(signer);
    attest_trust_free(trust);
    cli_app_end(app);
    return rc;
}
