/*
 * Verdicts: checks, statuses and the EAR-shaped output (the attestation
 * result format of draft-ietf-rats-ear, as Veraison emits it).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attest/checks.h"
#include "attest/describe.h"
#include "attest/escape.h"
#include "attest/verdict.h"

/* Formatted details may quote input; room for it before the escaper cuts to detail's size. */
#define DETAIL_RAW 4096

void attest_check_add(attest_checks *c, const char *id, attest_check_result r, attest_severity s, const char *fmt, ...)
{
    attest_check *k;
    char raw[DETAIL_RAW];
    va_list ap;

    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        attest_check *grown = OPENSSL_realloc(c->v, cap * sizeof(*grown));

        if (grown == NULL) {
            c->lost = 1; /* the verdict can only get less affirming: see attest_checks_status */
            return;
        }
        c->v = grown;
        c->cap = cap;
    }
    k = &c->v[c->n++];
    memset(k, 0, sizeof(*k));
    snprintf(k->id, sizeof(k->id), "%s", id);
    k->result = r;
    k->severity = r == ATTEST_CHECK_PASS ? ATTEST_SEV_INFO : s;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    /* Backslashes kept: engines escape what they quote, and a second pass changes nothing. */
    attest_escape((const unsigned char *)raw, strlen(raw), k->detail, sizeof(k->detail), ATTEST_ESC_KEEP_BACKSLASH);
}

void attest_verdict_check_time(attest_verdict *v, const attest_verify_params *p)
{
    char when[48], now[48];
    time_t clock = time(NULL);

    if (p->trust != NULL) {
        v->time_given = attest_trust_time(p->trust, &v->at_time);
    } else {
        v->at_time = clock;
        v->time_given = 0;
    }
    v->has_time = 1;
    attest_time_text(v->at_time, when, sizeof(when));
    attest_time_text(clock, now, sizeof(now));
    /* No tolerance: even a given time one second from now is the caller's, not the verifier's. */
    if (v->time_given)
        attest_warn(&v->checks, CHK_POLICY_VERIFICATION_TIME,
                    "judged at %s given with --at-time, not at the current time (%s)", when, now);
    else
        attest_pass(&v->checks, CHK_POLICY_VERIFICATION_TIME, "judged at the current time, %s", when);
}

const attest_check *attest_checks_find(const attest_checks *c, const char *id)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        if (strcmp(c->v[i].id, id) == 0)
            return &c->v[i];
    return NULL;
}

attest_status attest_checks_status(const attest_checks *c)
{
    attest_status s = ATTEST_STATUS_AFFIRMING;
    size_t i;

    if (c->lost)
        return ATTEST_STATUS_CONTRAINDICATED;
    for (i = 0; i < c->n; i++) {
        if (c->v[i].severity == ATTEST_SEV_ERROR)
            return ATTEST_STATUS_CONTRAINDICATED;
        if (c->v[i].severity == ATTEST_SEV_WARNING)
            s = ATTEST_STATUS_WARNING;
    }
    return s;
}

static attest_status worse(attest_status a, attest_status b)
{
    static const int rank[] = { 0, 1, 2, 0 };

    return rank[b] > rank[a] ? b : a;
}

void attest_checks_append(attest_checks *to, const attest_checks *from)
{
    size_t i;

    for (i = 0; i < from->n; i++)
        attest_check_add(to, from->v[i].id, from->v[i].result, from->v[i].severity, "%s", from->v[i].detail);
    to->lost |= from->lost;
}

attest_verdict *attest_verdict_new(void)
{
    return OPENSSL_zalloc(sizeof(attest_verdict));
}

attest_submod *attest_verdict_add_submod(attest_verdict *v, const char *name)
{
    attest_submod *grown = OPENSSL_realloc(v->subs, (v->n_subs + 1) * sizeof(*grown));

    if (grown == NULL)
        return NULL;
    v->subs = grown;
    memset(&v->subs[v->n_subs], 0, sizeof(v->subs[0]));
    snprintf(v->subs[v->n_subs].name, sizeof(v->subs[0].name), "%s", name);
    return &v->subs[v->n_subs++];
}

attest_status attest_verdict_status(const attest_verdict *v)
{
    attest_status s;
    size_t i;

    s = attest_checks_status(&v->checks);
    /* "none" only for a sound request: a bad self-signature stays contraindicated. */
    if (v->no_attestation)
        return s == ATTEST_STATUS_CONTRAINDICATED ? s : ATTEST_STATUS_NONE;
    for (i = 0; i < v->n_subs; i++)
        s = worse(s, attest_checks_status(&v->subs[i].checks));
    return s;
}

const char *attest_status_name(attest_status s)
{
    static const char *names[] = { "affirming", "warning", "contraindicated", "none" };

    return (unsigned)s < 4 ? names[s] : "contraindicated";
}

int attest_verdict_exit_code(const attest_verdict *v)
{
    switch (attest_verdict_status(v)) {
    case ATTEST_STATUS_AFFIRMING: return 0;
    case ATTEST_STATUS_WARNING: return 3;
    case ATTEST_STATUS_NONE: return 4;
    default: return 1;
    }
}

static void checks_text(const attest_checks *c, BIO *out, const char *indent)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        const attest_check *k = &c->v[i];
        const char *mark = k->result == ATTEST_CHECK_PASS ? "pass"
            : k->severity == ATTEST_SEV_ERROR             ? "FAIL"
            : k->severity == ATTEST_SEV_WARNING           ? (k->result == ATTEST_CHECK_SKIP ? "skip!" : "warn")
                                                          : "skip";

        BIO_printf(out, "%s%-5s %-24s %s\n", indent, mark, k->id, k->detail);
    }
}

static void hex_text(BIO *out, const unsigned char *b, size_t n)
{
    char *s = attest_hex_dup(b, n);

    BIO_puts(out, s != NULL ? s : "(out of memory)");
    OPENSSL_free(s);
}

/* The records, one short line each: what an auditor needs to find the input and the keys again. */
static void records_text(const attest_verdict *v, BIO *out)
{
    if (v->has_input_sha256) {
        BIO_printf(out, "  input sha256: ");
        hex_text(out, v->input_sha256, sizeof(v->input_sha256));
        BIO_printf(out, "\n");
    }
    if (v->subject != NULL)
        BIO_printf(out, "  subject: %s\n", v->subject);
    if (v->has_subject_key) {
        BIO_printf(out, "  subject key SPKI sha256: ");
        hex_text(out, v->subject_spki_sha256, sizeof(v->subject_spki_sha256));
        BIO_printf(out, "\n");
    }
    BIO_printf(out, "  nonce demanded: ");
    if (v->nonce_demanded)
        hex_text(out, v->nonce, v->nonce_len);
    else
        BIO_printf(out, "none");
    BIO_printf(out, "\n");
}

static void submod_records_text(const attest_submod *s, BIO *out)
{
    /* TPM and PKIX evidence is signed by an AK; a vendor chain starts at the device's certificate. */
    int i, ak = strcmp(s->kind, "tpm2-certify") == 0 || strcmp(s->kind, "pkix-evidence") == 0;

    if (s->has_nonce_found) {
        BIO_printf(out, "    nonce found: ");
        hex_text(out, s->nonce_found, s->nonce_found_len);
        BIO_printf(out, "\n");
    }
    for (i = 0; i < s->n_chains; i++) {
        BIO_printf(out, "    %s certificate sha256 ", ak ? "AK" : "device");
        hex_text(out, s->chains[i].ak_sha256, 32);
        BIO_printf(out, ", anchor sha256 ");
        if (s->chains[i].has_anchor)
            hex_text(out, s->chains[i].anchor_sha256, 32);
        else
            BIO_printf(out, "none (no valid path)");
        BIO_printf(out, "\n");
    }
}

void attest_verdict_text(const attest_verdict *v, BIO *out)
{
    char name[sizeof(v->input) * 3], when[48];
    size_t i;

    attest_escape((const unsigned char *)v->input, strlen(v->input), name, sizeof(name), 0);
    BIO_printf(out, "%s: %s\n", name[0] ? name : "input", attest_status_name(attest_verdict_status(v)));
    if (v->has_time) {
        attest_time_text(v->at_time, when, sizeof(when));
        BIO_printf(out, "  verification time: %s (%s)\n", when,
                   v->time_given ? "given with --at-time" : "the current time");
    }
    records_text(v, out);
    checks_text(&v->checks, out, "  ");
    for (i = 0; i < v->n_subs; i++) {
        BIO_printf(out, "  %s %s (%s): %s\n", v->subs[i].name, v->subs[i].type, v->subs[i].kind,
                   attest_status_name(attest_checks_status(&v->subs[i].checks)));
        submod_records_text(&v->subs[i], out);
        checks_text(&v->subs[i].checks, out, "    ");
    }
}

static void failures(const attest_checks *c, BIO *out, const char *where)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        if (c->v[i].severity == ATTEST_SEV_ERROR)
            BIO_printf(out, "%s%s: %s\n", where, c->v[i].id, c->v[i].detail);
}

void attest_verdict_failures(const attest_verdict *v, BIO *out)
{
    char where[80];
    size_t i;

    failures(&v->checks, out, "");
    for (i = 0; i < v->n_subs; i++) {
        snprintf(where, sizeof(where), "%s: ", v->subs[i].name);
        failures(&v->subs[i].checks, out, where);
    }
}

void attest_verdict_free(attest_verdict *v)
{
    size_t i;

    if (v == NULL)
        return;
    OPENSSL_free(v->checks.v);
    for (i = 0; i < v->n_subs; i++) {
        OPENSSL_free(v->subs[i].checks.v);
        OPENSSL_free(v->subs[i].akpub);
    }
    OPENSSL_free(v->subs);
    OPENSSL_free(v->subject);
    OPENSSL_free(v);
}
