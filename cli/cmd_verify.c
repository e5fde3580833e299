/*
 * attest-req verify: judge attested CSRs (or bare bundles with --pubkey).
 * One input or many: repeated --in, --in-list FILE, or a stream of PEM
 * requests on stdin; one verdict per input, the trust directory loaded once,
 * chain results cached for the run.  The exit code is the worst verdict.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/checks.h"
#include "attest/limits.h"
#include "attest/verify.h"
#include "cli.h"

#define EXIT_WARNING 3
#define EXIT_NONE 4
#define MAX_UNTRUSTED 16
#define MAX_JOBS 64

typedef struct {
    const char **ins;
    int n_ins;
    const char *in_list, *trust_dir, *pubkey, *at_time, *nonce_hex, *nonce_file, *format;
    const char *untrusted[MAX_UNTRUSTED];
    int n_untrusted, jobs;
    attest_policy policy;
} verify_opts;

/* One input of a batch: its name, its bytes, and its rendered verdict. */
typedef struct {
    char name[256];
    unsigned char *data;
    size_t len;
    int io_error;                /* could not be read: exit 2, no verdict */
    char *out;                   /* rendered verdict (stdout) */
    char *err;                   /* failure lines (stderr) */
    int rc;
} job;

typedef struct {
    cli_app *app;
    attest_verify_params vp;
    int json, json_lines;
} verifier;

static void verify_usage(FILE *f)
{
    fprintf(f, "usage: attest-req verify --in FILE... --trust-dir DIR [options]\n"
            "  --in FILE          attested CSR, bare AttestationBundle (with --pubkey) or standalone\n"
            "                     PKIX Evidence (PEM or DER); CRMF CertReqMessages or CMP ir/cr/kur/p10cr\n"
            "                     message (DER; CMP protection is not checked);\n"
            "                     repeatable; - reads stdin (a stream of PEM requests, or one DER)\n"
            "  --in-list FILE     more inputs: one path per line\n"
            "  --trust-dir DIR    trust anchors: every PEM/DER certificate file in DIR\n"
            "  --untrusted FILE   more intermediate certificates (repeatable; never anchors)\n"
            "  --pubkey FILE      the key a bare bundle must bind to\n"
            "  --at-time T        judge at time T, not now (a relaxation: at best a warning):\n"
            "                     2024-11-01T00:00:00Z or Unix seconds, 1950 .. 9999\n"
            "  --nonce HEX        demand this nonce (TPM extraData / PKIX transaction nonce)\n"
            "  --nonce-file F     the same, from a file (hex text or raw bytes)\n"
            "  --allow NAME       relax one policy point, with a warning (repeatable):\n"
            "                     %s\n"
            "                     (none admits a TPM AK certificate for PKIX evidence)\n"
            "  --strict           refuse older draft shapes of the bundle\n"
            "  --format F         text (default) or json (EAR-shaped; JSON Lines for several inputs)\n"
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

static int parse_opts(cli_app *app, int argc, char **argv, verify_opts *o)
{
    static const struct option longopts[] = {
        {"in", required_argument, NULL, 'i'}, {"in-list", required_argument, NULL, 'L'},
        {"trust-dir", required_argument, NULL, 'T'}, {"untrusted", required_argument, NULL, 'u'},
        {"pubkey", required_argument, NULL, 'k'}, {"at-time", required_argument, NULL, 'a'},
        {"nonce", required_argument, NULL, 'n'}, {"nonce-file", required_argument, NULL, 'N'},
        {"allow", required_argument, NULL, 'A'}, {"strict", no_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'}, {"jobs", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0}
    };
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        switch (opt) {
        case 'i': o->ins[o->n_ins++] = optarg; break;
        case 'L': o->in_list = optarg; break;
        case 'T': o->trust_dir = optarg; break;
        case 'u':
            if (o->n_untrusted == MAX_UNTRUSTED) {
                cli_error(app, "at most %d --untrusted files", MAX_UNTRUSTED);
                return -1;
            }
            o->untrusted[o->n_untrusted++] = optarg;
            break;
        case 'k': o->pubkey = optarg; break;
        case 'a': o->at_time = optarg; break;
        case 'n': o->nonce_hex = optarg; break;
        case 'N': o->nonce_file = optarg; break;
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
        case 'f': o->format = optarg; break;
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
            default:
                cli_bad_option(app, argv, "verify");
                return -1;
            }
        }
    }
    if (optind < argc) {
        cli_error(app, "unexpected argument '%s' (try: attest-req verify --help)", argv[optind]);
        return -1;
    }
    if (o->n_ins == 0 && o->in_list == NULL) {
        cli_error(app, "--in FILE (or --in-list FILE) is required");
        return -1;
    }
    if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0) {
        cli_error(app, "--format must be text or json, not '%s'", o->format);
        return -1;
    }
    if (o->trust_dir == NULL) {
        cli_error(app, "--trust-dir DIR is required (the anchors the attestation keys must chain to)");
        return -1;
    }
    return 0;
}

/* Exit-code badness: 0 affirming < 3 warning < 4 none < 1 contraindicated < 2 I/O. */
static int worse_rc(int a, int b)
{
    static const int rank[] = {0, 3, 4, 1, 2};

    return rank[b] > rank[a] ? b : a;
}

static char *bio_text(BIO *b)
{
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    char *s = OPENSSL_malloc((size_t)n + 1);

    if (s != NULL) {
        if (n > 0)
            memcpy(s, p, (size_t)n);
        s[n > 0 ? n : 0] = '\0';
    }
    return s;
}

/*
 * A request (DER, or PEM labelled CERTIFICATE REQUEST) goes straight to the
 * verifier: it decodes the request strictly itself (csr.parse), so the
 * provider's CSR decoder would parse it a second time only to say "CSR"
 * (with OpenSSL 3.0 a request parse costs about as much as its signature
 * check).  NULL when csr.parse does not pass: the provider path then
 * detects what the input is, exactly as before.
 */
static attest_verdict *verify_request(const verifier *v, const job *j)
{
    static const char *const labels[] = { "-----BEGIN CERTIFICATE REQUEST-----",
                                          "-----BEGIN NEW CERTIFICATE REQUEST-----" };
    const unsigned char *der = NULL;
    unsigned char *pem_der = NULL;
    char *name = NULL, *hdr = NULL;
    long len = 0;
    size_t i;
    attest_verdict *verdict = NULL;
    const attest_check *parse;

    if (j->len > 0 && j->data[0] == 0x30) {
        der = j->data;
        len = (long)j->len;
    }
    for (i = 0; der == NULL && i < sizeof(labels) / sizeof(labels[0]); i++) {
        size_t n = strlen(labels[i]);
        BIO *b;

        if (j->len <= n || memcmp(j->data, labels[i], n) != 0)
            continue;
        if ((b = BIO_new_mem_buf(j->data, (int)j->len)) != NULL && PEM_read_bio(b, &name, &hdr, &pem_der, &len) > 0)
            der = pem_der;
        BIO_free(b);
    }
    if (der != NULL && (verdict = attest_verify_csr(&v->vp, der, (size_t)len)) != NULL
        && ((parse = attest_checks_find(&verdict->checks, CHK_CSR_PARSE)) == NULL || parse->result != ATTEST_CHECK_PASS)) {
        attest_verdict_free(verdict);
        verdict = NULL;
    }
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    OPENSSL_free(pem_der);
    return verdict;
}

/* Decode through the provider, verify, render: everything one input needs. */
static void run_job(const verifier *v, job *j)
{
    cli_object obj = {0};
    attest_verdict *verdict = NULL;
    BIO *out = BIO_new(BIO_s_mem()), *err = BIO_new(BIO_s_mem());

    if (out == NULL || err == NULL)
        goto done;
    if (j->io_error) {
        j->rc = EXIT_USAGE;
        if (v->json) {
            json_object *e = json_object_new_object();

            attest_json_add(e, "input", json_object_new_string(j->name));
            attest_json_add(e, "error", json_object_new_string("unreadable input"));
            attest_render_json(e, out, 0);
            json_object_put(e);
        }
        goto done;
    }
    ERR_set_mark();
    if ((verdict = verify_request(v, j)) == NULL) {
        if (cli_decode(v->app, NULL, j->data, j->len, NULL, &obj) == 0 && obj.dt == ATTEST_DT_BUNDLE)
            verdict = attest_verify_bundle(&v->vp, obj.data, obj.len);
        else if (obj.data != NULL && obj.dt == ATTEST_DT_PKIX)
            verdict = attest_verify_evidence(&v->vp, obj.data, obj.len);
        else if (obj.data != NULL && obj.dt == ATTEST_DT_CSR)
            verdict = attest_verify_csr(&v->vp, obj.data, obj.len);
        else if (obj.data != NULL && obj.dt == ATTEST_DT_CRMF)
            verdict = attest_verify_crmf(&v->vp, obj.data, obj.len);
        else
            verdict = attest_verify_csr(&v->vp, j->data, j->len); /* csr.parse says what is wrong */
    }
    ERR_pop_to_mark();
    if (verdict == NULL) {
        BIO_printf(err, "attest-req: verify: %s: out of memory\n", j->name);
        j->rc = EXIT_FAIL;
        goto done;
    }
    snprintf(verdict->input, sizeof(verdict->input), "%.255s", j->name);
    if (v->json) {
        json_object *js = attest_verdict_json(verdict);

        attest_render_json(js, out, !v->json_lines);
        json_object_put(js);
    } else {
        attest_verdict_text(verdict, out);
    }
    j->rc = attest_verdict_exit_code(verdict);
    if (j->rc == EXIT_FAIL) {
        /* One line per failed check, for people reading stderr. */
        BIO_printf(err, "attest-req: verify: %s: contraindicated\n", j->name);
        attest_verdict_failures(verdict, err);
    }
done:
    if (out != NULL)
        j->out = bio_text(out);
    if (err != NULL)
        j->err = bio_text(err);
    BIO_free(out);
    BIO_free(err);
    attest_verdict_free(verdict);
    cli_object_clear(&obj);
    OPENSSL_free(j->data);
    j->data = NULL;
}

/* The next input as a job, or 0 at the end. */
static int next_job(cli_app *app, cli_inputs *in, job *j)
{
    memset(j, 0, sizeof(*j));
    return cli_inputs_next(app, in, j->name, sizeof(j->name), &j->data, &j->len, &j->io_error);
}

typedef struct {
    const verifier *v;
    job *jobs;
    int n;
    int next;
    pthread_mutex_t mu;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;

    for (;;) {
        int i;

        pthread_mutex_lock(&p->mu);
        i = p->next++;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n)
            return NULL;
        run_job(p->v, &p->jobs[i]);
    }
}

/* Run a window of jobs on the pool, then print them in input order. */
static int run_window(const verifier *v, job *jobs, int n, int threads)
{
    pthread_t tid[MAX_JOBS];
    pool p = { v, jobs, n, 0, PTHREAD_MUTEX_INITIALIZER };
    int i, started = 0, rc = EXIT_OK;

    if (threads > n)
        threads = n;
    for (i = 1; i < threads; i++)
        if (pthread_create(&tid[started], NULL, worker, &p) == 0)
            started++;
    worker(&p);
    for (i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    for (i = 0; i < n; i++) {
        if (jobs[i].out != NULL)
            fputs(jobs[i].out, stdout);
        if (jobs[i].err != NULL)
            fputs(jobs[i].err, stderr);
        rc = worse_rc(rc, jobs[i].rc);
        OPENSSL_free(jobs[i].out);
        OPENSSL_free(jobs[i].err);
    }
    fflush(stdout);
    return rc;
}

static int load_trust(cli_app *app, const verify_opts *o, attest_trust **out)
{
    attest_trust *t = attest_trust_new();
    attest_err err;
    time_t when = 0;
    int i;

    if (t == NULL)
        return -1;
    if (attest_trust_add_dir(t, o->trust_dir, notice_cb, app, &err) != 0) {
        cli_error(app, "%s", err.msg);
        attest_trust_free(t);
        return -1;
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
            cli_error(app, "--at-time: expected 1950-01-01T00:00:00Z .. 9999-12-31T23:59:59Z (RFC 3339 UTC) or "
                      "Unix seconds -631152000 .. 253402300799, not '%s'", o->at_time);
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
    EVP_PKEY *subject = NULL;
    unsigned char nonce[ATTEST_MAX_NONCE];
    size_t nonce_len = 0;
    job *window = NULL;
    int r, rc = EXIT_USAGE, n, win, total = 0, worst = EXIT_OK;

    memset(&o, 0, sizeof(o));
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
    if (cli_app_start(app) != 0 || load_trust(app, &o, &trust) != 0)
        goto done;
    if (o.pubkey != NULL && (subject = load_pubkey(app, o.pubkey)) == NULL)
        goto done;
    if (o.in_list != NULL && (list = fopen(o.in_list, "r")) == NULL) {
        cli_error(app, "%s: cannot open the input list", o.in_list);
        goto done;
    }

    memset(&v, 0, sizeof(v));
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
    v.json = strcmp(o.format, "json") == 0;
    /* One verdict per line once there can be more than one. */
    v.json_lines = o.n_ins > 1 || o.in_list != NULL || (o.n_ins == 1 && strcmp(o.ins[0], "-") == 0);
    if ((in = cli_inputs_new(o.ins, o.n_ins, list)) == NULL)
        goto done;
    win = o.jobs * 4;
    if ((window = OPENSSL_zalloc((size_t)win * sizeof(*window))) == NULL)
        goto done;
    /* Windows of inputs keep memory flat however many there are. */
    do {
        for (n = 0; n < win && next_job(app, in, &window[n]); n++)
            ;
        if (n > 0)
            worst = worse_rc(worst, run_window(&v, window, n, o.jobs));
        total += n;
    } while (n == win);
    if (total == 0) {
        cli_error(app, "no input to verify");
        goto done;
    }
    if (app->verbose) {
        size_t hits, misses;

        attest_trust_cache_stats(trust, &hits, &misses);
        cli_notice(app, "%d input(s); chain cache %zu hit(s), %zu miss(es)", total, hits, misses);
    }
    rc = worst;
done:
    cli_inputs_free(in);
    if (list != NULL)
        fclose(list);
    OPENSSL_free(window);
    OPENSSL_free(o.ins);
    EVP_PKEY_free(subject);
    attest_trust_free(trust);
    cli_app_end(app);
    return rc;
}
