/*
 * attest-req verify, the batch.  --jobs 1 (or one input): the calling thread reads, judges
 * and prints each input in turn.  --jobs N: the calling thread reads the
 * inputs in order into a ring of 4 x N slots, N workers judge them, one
 * printer prints each verdict as soon as it and all earlier ones are judged.
 * Memory is bounded by the ring, however long the input is.
 *
 * SIGINT/SIGTERM are taken by a sigwait thread, not a handler: the batch
 * prints the judged prefix (whole verdicts only, one thread writes stdout),
 * says so on stderr and ends the process by the same signal, so the caller
 * sees 128+N and never a pass for a batch that was not finished.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/checks.h"
#include "attest/jws.h"
#include "attest/nonce_state.h"
#include "attest/import.h"
#include "verify_batch.h"

typedef struct {
    cli_input in;
    char *out; /* rendered verdict (stdout) */
    char *err; /* error or failure lines (stderr) */
    int rc;
    int done;
} job;

typedef struct {
    const verifier *v;
    job *ring;
    long cap;
    long head, next, tail; /* next to print <= next to judge <= next to fill */
    int eof;               /* the reader has taken every input */
    int busy;              /* inputs being judged (and, in turn, printed) */
    int in_turn;           /* --jobs 1: no printer thread; the sigwait thread ends an idle batch */
    int stop;              /* the signal that interrupts the batch; 0: none */
    int worst;             /* printer's: the worst exit code printed */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    sigset_t sigs;
} batch;

/* Exit-code badness: 0 affirming < 3 warning < 4 none < 1 contraindicated < 2 I/O. */
static int worse_rc(int a, int b)
{
    static const int rank[] = { 0, 3, 4, 1, 2 };

    return rank[b] > rank[a] ? b : a;
}

/* A memory BIO's text, NUL-terminated, taken over from it (a verdict's few kilobytes are not copied again). */
static char *bio_text(BIO *b)
{
    BUF_MEM *bm = NULL;
    char *s;

    if (BIO_write(b, "", 1) != 1 || BIO_get_mem_ptr(b, &bm) <= 0 || bm == NULL)
        return NULL;
    (void)BIO_set_close(b, BIO_NOCLOSE); /* BIO_free leaves bm to us */
    s = bm->data;
    bm->data = NULL;
    BUF_MEM_free(bm);
    return s;
}

/* The verdict on one input: by its PEM label when it had one, else detected by the library. */
static attest_verdict *judge(const verifier *v, const cli_input *in)
{
    if (v->evidence != NULL && in->data == NULL)
        return attest_verify_evidence_files(&v->vp, v->evidence);
    if (v->evidence != NULL)
        return attest_verify_csr_evidence(&v->vp, in->data, in->len, v->evidence);
    return attest_verify_any(&v->vp, in->dt, in->data, in->len);
}

/* One signer at a time: a provider's key (an HSM session, a TPM) need not take parallel signing. */
static pthread_mutex_t sign_mu = PTHREAD_MUTEX_INITIALIZER;

/* The EAR as the run asks for it: JSON (pretty, or one line in a batch) or one JWS line. 0, or -1 (err says). */
static int render_ear(const verifier *v, json_object *js, const char *name, BIO *out, BIO *err)
{
    BIO *mem;
    char *payload = NULL, *jws;
    long n;
    attest_err e;

    if (v->sign_key == NULL) {
        attest_render_json(js, out, !v->json_lines);
        return 0;
    }
    if ((mem = BIO_new(BIO_s_mem())) == NULL)
        return -1;
    attest_render_json(js, mem, 0);
    n = BIO_get_mem_data(mem, &payload);
    while (n > 0 && payload[n - 1] == '\n')
        n--;
    pthread_mutex_lock(&sign_mu);
    jws = attest_jws_sign(v->sign_key, v->app->libctx, v->app->propq, payload, (size_t)n, &e);
    pthread_mutex_unlock(&sign_mu);
    BIO_free(mem);
    if (jws == NULL) {
        BIO_printf(err, "attest-req: %s: %s: cannot sign the verdict: %s\n", v->app->cmd, name, e.msg);
        return -1;
    }
    BIO_printf(out, "%s\n", jws);
    OPENSSL_free(jws);
    return 0;
}

/* Verify and render: everything one input needs, into j->out / j->err. */
static void run_job(const verifier *v, job *j)
{
    attest_verdict *verdict = NULL;
    BIO *out = BIO_new(BIO_s_mem()), *err = BIO_new(BIO_s_mem());

    j->rc = EXIT_USAGE;
    if (out == NULL || err == NULL)
        goto done;
    if (j->in.error[0] != '\0') {
        BIO_printf(err, "attest-req: %s: %s: %s\n", v->app->cmd, j->in.name, j->in.error);
        if (v->json) {
            /* The same EAR shape as a verdict, one line: contraindicated, with the reason. */
            json_object *e = attest_verdict_error_json(j->in.name, j->in.error, v->vp.policy);
            verifier one_line = *v;

            one_line.json_lines = 1;
            (void)render_ear(&one_line, e, j->in.name, out, err);
            json_object_put(e);
        }
        goto done;
    }
    ERR_set_mark();
    verdict = judge(v, &j->in);
    ERR_pop_to_mark();
    if (verdict != NULL && v->nonce_state != NULL)
        attest_verdict_check_nonce_state(verdict, v->nonce_state);
    if (verdict == NULL) {
        BIO_printf(err, "attest-req: %s: %s: out of memory\n", v->app->cmd, j->in.name);
        j->rc = EXIT_FAIL;
        goto done;
    }
    snprintf(verdict->input, sizeof(verdict->input), "%.255s", j->in.name);
    if (v->json) {
        json_object *js = attest_verdict_json(verdict);
        int bad = render_ear(v, js, j->in.name, out, err);

        json_object_put(js);
        if (bad) {
            (void)BIO_reset(out); /* no verdict rather than an unsigned one */
            goto done;
        }
    } else {
        attest_verdict_text(verdict, out);
    }
    j->rc = attest_verdict_exit_code(verdict);
    if (j->rc == EXIT_FAIL) {
        /* One line per failed check, for people reading stderr. */
        BIO_printf(err, "attest-req: %s: %s: contraindicated\n", v->app->cmd, j->in.name);
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
    OPENSSL_free(j->in.data);
    j->in.data = NULL;
}

static void *worker(void *arg)
{
    batch *b = arg;

    pthread_mutex_lock(&b->mu);
    for (;;) {
        job *j;

        while (!b->stop && !b->eof && b->next == b->tail)
            pthread_cond_wait(&b->cv, &b->mu);
        if (b->stop || b->next == b->tail)
            break;
        j = &b->ring[b->next++ % b->cap];
        b->busy++;
        pthread_mutex_unlock(&b->mu);
        run_job(b->v, j);
        pthread_mutex_lock(&b->mu);
        j->done = 1;
        b->busy--;
        pthread_cond_broadcast(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* One verdict, whole, then flushed: a pipeline sees it now. */
static void emit(batch *b, job *j)
{
    if (j->out != NULL)
        fputs(j->out, stdout);
    fflush(stdout);
    if (j->err != NULL)
        fputs(j->err, stderr);
    b->worst = worse_rc(b->worst, j->rc);
    OPENSSL_free(j->out);
    OPENSSL_free(j->err);
    j->out = j->err = NULL;
}

/* The default action of sig, from this thread: the process ends by the signal. */
static void die_by(int sig)
{
    sigset_t one;

    signal(sig, SIG_DFL);
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _exit(128 + sig);
}

/* Printed: the judged prefix.  Now one line, and the process ends by the signal. */
static void interrupted(const batch *b)
{
    int sig = b->stop;

    fflush(stdout);
    fprintf(stderr, "attest-req: %s: interrupted by %s: %ld input(s) judged (the worst exit %d), the rest not judged\n",
            b->v->app->cmd,
            sig == SIGINT        ? "SIGINT"
                : sig == SIGTERM ? "SIGTERM"
                                 : "a signal",
            b->head, b->worst);
    die_by(sig);
}

static void *printer(void *arg)
{
    batch *b = arg;

    pthread_mutex_lock(&b->mu);
    for (;;) {
        job *j = &b->ring[b->head % b->cap];

        if (b->head < b->next && j->done) {
            pthread_mutex_unlock(&b->mu);
            emit(b, j);
            pthread_mutex_lock(&b->mu);
            b->head++;
            pthread_cond_broadcast(&b->cv);
            continue;
        }
        if (b->stop && b->busy == 0) {
            pthread_mutex_unlock(&b->mu);
            interrupted(b);
        }
        if (b->eof && b->head == b->tail)
            break;
        pthread_cond_wait(&b->cv, &b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* The first signal stops the batch in order; a second one (stdout stuck, say) ends it at once. */
static void *signals(void *arg)
{
    batch *b = arg;
    int sig, first = 1, idle;

    while (sigwait(&b->sigs, &sig) == 0) {
        if (!first)
            die_by(sig);
        first = 0;
        pthread_mutex_lock(&b->mu);
        b->stop = sig;
        idle = b->in_turn && b->busy == 0;
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
        if (idle) /* waiting for input, everything judged is printed */
            interrupted(b);
    }
    return NULL;
}

/* SIGINT and SIGTERM, unless ignored (nohup, a background job of a script): those stay ignored. */
static void wanted_signals(sigset_t *set)
{
    static const int sigs[] = { SIGINT, SIGTERM };
    struct sigaction sa;
    size_t i;

    sigemptyset(set);
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        if (sigaction(sigs[i], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
            sigaddset(set, sigs[i]);
}

/*
 * --jobs 1: read, judge and print each input in turn on this thread.  On one
 * core the reader/worker/printer hand-offs cost more than a small request's
 * checks.  A signal while an input is judged is looked at once it is printed;
 * one while this thread waits for input ends the batch from the sigwait thread.
 */
static void run_in_turn(batch *b, cli_inputs *in)
{
    job *j = &b->ring[0];

    for (;;) {
        memset(j, 0, sizeof(*j));
        if (!cli_inputs_next(in, &j->in))
            return;
        pthread_mutex_lock(&b->mu);
        if (b->stop) { /* came while reading: this input is not judged */
            pthread_mutex_unlock(&b->mu);
            return;
        }
        b->busy = 1;
        b->tail = b->next = b->tail + 1;
        pthread_mutex_unlock(&b->mu);
        run_job(b->v, j);
        emit(b, j);
        pthread_mutex_lock(&b->mu);
        b->busy = 0;
        b->head++;
        if (b->stop) {
            pthread_mutex_unlock(&b->mu);
            return;
        }
        pthread_mutex_unlock(&b->mu);
    }
}

/* --jobs N > 1: this thread reads into the ring, N workers judge, one printer prints in order. */
static void run_threads(batch *b, cli_inputs *in, int jobs)
{
    pthread_t tid[MAX_JOBS], ptid;
    int i, started = 0, have_printer;

    for (i = 0; i < jobs; i++)
        if (pthread_create(&tid[started], NULL, worker, b) == 0)
            started++;
    have_printer = pthread_create(&ptid, NULL, printer, b) == 0;
    if (started == 0 || !have_printer) {
        cli_error(b->v->app, "cannot start threads");
        b->worst = EXIT_USAGE;
    }
    for (;;) {
        job *j;

        pthread_mutex_lock(&b->mu);
        while (!b->stop && b->tail - b->head >= b->cap)
            pthread_cond_wait(&b->cv, &b->mu);
        if (b->stop || started == 0 || !have_printer) {
            pthread_mutex_unlock(&b->mu);
            break;
        }
        pthread_mutex_unlock(&b->mu);
        /* The slot at tail is free: the printer has let go of it (head moved past). */
        j = &b->ring[b->tail % b->cap];
        memset(j, 0, sizeof(*j));
        if (!cli_inputs_next(in, &j->in))
            break;
        pthread_mutex_lock(&b->mu);
        b->tail++;
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
    }
    pthread_mutex_lock(&b->mu);
    b->eof = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    for (i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (have_printer)
        pthread_join(ptid, NULL);
}

int verify_batch(const verifier *v, cli_inputs *in, int jobs, long *count)
{
    batch b;
    pthread_t stid;
    sigset_t old;
    int i, have_sig = 0;

    memset(&b, 0, sizeof(b));
    b.v = v;
    b.cap = 4L * jobs;
    b.in_turn = jobs == 1 || !v->json_lines;
    *count = 0;
    if ((b.ring = OPENSSL_zalloc((size_t)b.cap * sizeof(*b.ring))) == NULL)
        return EXIT_USAGE;
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    /*
     * Blocked in every thread from here on; only the sigwait thread takes them.
     * One input (no JSON lines) has no prefix to keep: a signal simply ends the
     * process, never with a verdict printed, and no thread is started at all.
     */
    sigemptyset(&b.sigs);
    if (v->json_lines)
        wanted_signals(&b.sigs);
    pthread_sigmask(SIG_BLOCK, &b.sigs, &old);
    if (sigismember(&b.sigs, SIGINT) == 1 || sigismember(&b.sigs, SIGTERM) == 1)
        have_sig = pthread_create(&stid, NULL, signals, &b) == 0;
    if (b.in_turn)
        run_in_turn(&b, in);
    else
        run_threads(&b, in, jobs);
    if (have_sig) {
        pthread_cancel(stid);
        pthread_join(stid, NULL);
    }
    if (b.stop) /* a signal after the last verdict: the same contract */
        interrupted(&b);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    *count = b.tail;
    for (i = 0; i < b.cap; i++) {
        OPENSSL_free(b.ring[i].in.data);
        OPENSSL_free(b.ring[i].out);
        OPENSSL_free(b.ring[i].err);
    }
    OPENSSL_free(b.ring);
    pthread_cond_destroy(&b.cv);
    pthread_mutex_destroy(&b.mu);
    return b.worst;
}
