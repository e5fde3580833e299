/*
 * Verdicts: checks, statuses and the EAR-shaped output (the attestation
 * result format of draft-ietf-rats-ear, as Veraison emits it).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>

#include "attest/checks.h"
#include "attest/describe.h"
#include "attest/verify.h"

/* Formatted details may quote input; room for it before the escaper cuts to detail's size. */
#define DETAIL_RAW 4096

void attest_check_add(attest_checks *c, const char *id, attest_check_result r, attest_severity s,
                      const char *fmt, ...)
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
    static const int rank[] = {0, 1, 2, 0};

    return rank[b] > rank[a] ? b : a;
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
    static const char *names[] = {"affirming", "warning", "contraindicated", "none"};

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

static const char *result_name(attest_check_result r)
{
    return r == ATTEST_CHECK_PASS ? "pass" : r == ATTEST_CHECK_FAIL ? "fail" : "skip";
}

static const char *severity_name(attest_severity s)
{
    return s == ATTEST_SEV_ERROR ? "error" : s == ATTEST_SEV_WARNING ? "warning" : "info";
}

static json_object *checks_json(const attest_checks *c)
{
    json_object *a = json_object_new_array();
    size_t i;

    for (i = 0; i < c->n; i++) {
        json_object *o = json_object_new_object();

        attest_json_add(o, "id", json_object_new_string(c->v[i].id));
        attest_json_add(o, "result", json_object_new_string(result_name(c->v[i].result)));
        if (c->v[i].result != ATTEST_CHECK_PASS)
            attest_json_add(o, "severity", json_object_new_string(severity_name(c->v[i].severity)));
        attest_json_add(o, "detail", json_object_new_string(c->v[i].detail));
        json_object_array_add(a, o);
    }
    return a;
}

/* EAR carries keys as base64url without padding. */
static json_object *b64url(const unsigned char *b, size_t n)
{
    size_t cap = 4 * ((n + 2) / 3) + 1;
    char *s = OPENSSL_malloc(cap);
    json_object *o;
    int len, i;

    if (s == NULL)
        return NULL;
    len = EVP_EncodeBlock((unsigned char *)s, b, (int)n);
    while (len > 0 && s[len - 1] == '=')
        len--;
    for (i = 0; i < len; i++)
        s[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    o = json_object_new_string_len(s, len);
    OPENSSL_free(s);
    return o;
}

json_object *attest_verdict_json(const attest_verdict *v)
{
    json_object *o = json_object_new_object(), *subs = json_object_new_object(), *vid;
    size_t i;

    attest_json_add(o, "eat_profile", json_object_new_string("tag:github.com,2023:veraison/ear"));
    attest_json_add(o, "iat", json_object_new_int64((int64_t)time(NULL)));
    vid = json_object_new_object();
    attest_json_add(vid, "build", json_object_new_string("attest-req " ATTEST_VERSION));
    attest_json_add(vid, "developer", json_object_new_string("attest"));
    attest_json_add(o, "ear.verifier-id", vid);
    attest_json_add(o, "ear.status", json_object_new_string(attest_status_name(attest_verdict_status(v))));
    if (v->input[0])
        attest_json_add(o, "input", attest_json_text((const unsigned char *)v->input, strlen(v->input)));
    if (v->has_time) {
        json_object *t = json_object_new_object();
        char when[48];

        attest_time_text(v->at_time, when, sizeof(when));
        attest_json_add(t, "time", json_object_new_string(when));
        attest_json_add(t, "given", json_object_new_boolean(v->time_given));
        attest_json_add(o, "verification_time", t);
    }
    attest_json_add(o, "checks", checks_json(&v->checks));
    for (i = 0; i < v->n_subs; i++) {
        const attest_submod *s = &v->subs[i];
        json_object *so = json_object_new_object();

        attest_json_add(so, "ear.status", json_object_new_string(attest_status_name(attest_checks_status(&s->checks))));
        attest_json_add(so, "type", json_object_new_string(s->type));
        attest_json_add(so, "kind", json_object_new_string(s->kind));
        if (s->akpub != NULL) {
            json_object *ka = json_object_new_object();

            attest_json_add(ka, "akpub", b64url(s->akpub, s->akpub_len));
            attest_json_add(so, "ear.veraison.key-attestation", ka);
        }
        attest_json_add(so, "binds_subject_key", json_object_new_boolean(s->binds_subject_key));
        attest_json_add(so, "checks", checks_json(&s->checks));
        json_object_object_add(subs, s->name, so);
    }
    attest_json_add(o, "submods", subs);
    return o;
}

static void checks_text(const attest_checks *c, BIO *out, const char *indent)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        const attest_check *k = &c->v[i];
        const char *mark = k->result == ATTEST_CHECK_PASS ? "pass"
                           : k->severity == ATTEST_SEV_ERROR ? "FAIL"
                           : k->severity == ATTEST_SEV_WARNING ? (k->result == ATTEST_CHECK_SKIP ? "skip!" : "warn")
                           : "skip";

        BIO_printf(out, "%s%-5s %-24s %s\n", indent, mark, k->id, k->detail);
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
        BIO_printf(out, "  verification time: %s (%s)\n", when, v->time_given ? "given with --at-time" : "the current time");
    }
    checks_text(&v->checks, out, "  ");
    for (i = 0; i < v->n_subs; i++) {
        BIO_printf(out, "  %s %s (%s): %s\n", v->subs[i].name, v->subs[i].type, v->subs[i].kind,
                   attest_status_name(attest_checks_status(&v->subs[i].checks)));
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
    OPENSSL_free(v);
}
