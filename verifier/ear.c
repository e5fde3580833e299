/*
 * The verdict as an EAR claims-set (draft-ietf-rats-ear, in the JSON
 * spelling of the Veraison profile "tag:github.com,2023:veraison/ear").
 * EAR members: eat_profile, iat, ear.verifier-id, submods (each with
 * ear.status, ear.trustworthiness-vector, ear.appraisal-policy-id), the
 * top-level ear.status of later drafts and eat_nonce.  Everything of ours
 * sits in one map under "attest-req", at the top and in each submod.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>

#include "attest/engine.h"
#include "attest/registry.h"
#include "attest/checks.h"
#include "attest/describe.h"
#include "attest/digest.h"
#include "attest/verdict.h"

#define EAR_PROFILE "tag:github.com,2023:veraison/ear"
#define NS          "attest-req"

/* AR4SI claim values used here (see the mapping in attest-req(1)). */
enum {
    TC_NONE = 0,          /* no claim */
    TC_AFFIRMING = 2,     /* hardware: genuine; storage-opaque: hardware-held key; instance: this key */
    TC_WARNING = 32,      /* hardware: AK accepted with a relaxation; storage-opaque: key policy relaxed */
    TC_CONTRA = 96,       /* hardware: not an AK for this format; storage-opaque: exportable key;
                               instance: the evidence is about another key */
    TC_UNRECOGNIZED = 97, /* hardware: the AK does not chain to an anchor */
    TC_CRYPTO_FAILED = 99 /* the evidence is malformed or its signature does not verify */
};

typedef enum { ST_ABSENT, ST_PASS, ST_WARN, ST_FAIL, ST_SKIP } state;

static state check_state(const attest_checks *c, const char *id)
{
    const attest_check *k = attest_checks_find(c, id);

    if (k == NULL)
        return ST_ABSENT;
    if (k->severity == ATTEST_SEV_ERROR)
        return ST_FAIL;
    if (k->severity == ATTEST_SEV_WARNING)
        return ST_WARN;
    return k->result == ATTEST_CHECK_PASS ? ST_PASS : ST_SKIP;
}

typedef struct {
    int hardware, instance, storage;
} vector;

/* The worst state among ids: FAIL, then WARN, then anything not passed (SKIP), else PASS. */
static state worst(const attest_checks *c, const char *const *ids)
{
    state w = ST_PASS, k;

    for (; ids != NULL && *ids != NULL; ids++) {
        k = check_state(c, *ids);
        if (k == ST_FAIL || (k == ST_WARN && w != ST_FAIL) || ((k == ST_SKIP || k == ST_ABSENT) && w == ST_PASS))
            w = k == ST_ABSENT ? ST_SKIP : k;
    }
    return w;
}

/* The AR4SI claims one statement's checks support, through its engine's map (engine.h). */
static vector statement_vector(const attest_submod *s)
{
    const attest_engine *e = attest_engine_by_kind(s->kind);
    const attest_ar4si_map *m = e != NULL ? e->ar4si : NULL;
    const attest_checks *c = &s->checks;
    state malformed, trust, prof, bind, storage;
    vector r = { TC_NONE, TC_NONE, TC_NONE };

    if (m == NULL)
        return r;
    malformed = worst(c, m->malformed);
    trust = worst(c, m->trust);
    prof = m->profile != NULL ? check_state(c, m->profile) : ST_PASS;
    bind = worst(c, m->binding);
    storage = worst(c, m->storage);

    if (malformed == ST_FAIL)
        r.hardware = TC_CRYPTO_FAILED;
    else if (trust == ST_FAIL)
        r.hardware = TC_UNRECOGNIZED;
    else if (prof == ST_FAIL)
        r.hardware = TC_CONTRA;
    else if (malformed == ST_PASS && trust == ST_PASS && prof == ST_PASS)
        r.hardware = TC_AFFIRMING;
    else if (malformed == ST_PASS && (trust == ST_PASS || trust == ST_WARN) && (prof == ST_PASS || prof == ST_WARN))
        r.hardware = TC_WARNING;

    if (bind == ST_FAIL)
        r.instance = TC_CONTRA;
    else if (bind == ST_PASS && (r.hardware == TC_AFFIRMING || r.hardware == TC_WARNING))
        r.instance = TC_AFFIRMING;

    /* The key's protection is only claimed for a key the genuine hardware is shown to hold. */
    if (storage == ST_FAIL)
        r.storage = TC_CONTRA;
    else if (r.instance == TC_AFFIRMING && storage == ST_PASS)
        r.storage = TC_AFFIRMING;
    else if (r.instance == TC_AFFIRMING && storage == ST_WARN)
        r.storage = TC_WARNING;
    return r;
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

    for (i = 0; c != NULL && i < c->n; i++) {
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

/* EAR carries binary data as base64url without padding. */
static json_object *b64url(const unsigned char *b, size_t n)
{
    char *s = attest_b64url(b, n);
    json_object *o = s != NULL ? json_object_new_string(s) : NULL;

    OPENSSL_free(s);
    return o;
}

static json_object *sha256_json(const unsigned char *b, size_t n)
{
    unsigned char md[32];

    if (!attest_sha256(b, n, md))
        return NULL;
    return attest_json_hex(md, sizeof(md));
}

static json_object *vector_json(vector t)
{
    json_object *o = json_object_new_object();

    attest_json_add(o, "instance-identity", json_object_new_int(t.instance));
    attest_json_add(o, "hardware", json_object_new_int(t.hardware));
    attest_json_add(o, "storage-opaque", json_object_new_int(t.storage));
    return o;
}

/* The EAR-appraisal members every submod has. */
static json_object *appraisal(attest_status st, vector t, const char *policy_id, json_object *ours)
{
    json_object *o = json_object_new_object();

    attest_json_add(o, "ear.status", json_object_new_string(attest_status_name(st)));
    attest_json_add(o, "ear.trustworthiness-vector", vector_json(t));
    attest_json_add(o, "ear.appraisal-policy-id", json_object_new_string(policy_id));
    attest_json_add(o, NS, ours);
    return o;
}

static json_object *chains_json(const attest_submod *s)
{
    json_object *a = json_object_new_array();
    int i;

    for (i = 0; i < s->n_chains; i++) {
        json_object *o = json_object_new_object();

        attest_json_add(o, "ak_certificate_sha256", attest_json_hex(s->chains[i].ak_sha256, 32));
        /* null: the path did not validate, so no anchor vouches for this AK */
        json_object_object_add(o, "anchor_sha256",
                               s->chains[i].has_anchor ? attest_json_hex(s->chains[i].anchor_sha256, 32) : NULL);
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *submod_json(const attest_submod *s, const char *policy_id)
{
    json_object *ours = json_object_new_object();

    attest_json_add(ours, "type", json_object_new_string(s->type));
    attest_json_add(ours, "kind", json_object_new_string(s->kind));
    if (s->akpub != NULL) {
        json_object *k = json_object_new_object();

        attest_json_add(k, "spki", b64url(s->akpub, s->akpub_len));
        attest_json_add(k, "spki_sha256", sha256_json(s->akpub, s->akpub_len));
        attest_json_add(ours, "attested_key", k);
    }
    attest_json_add(ours, "binds_subject_key", json_object_new_boolean(s->binds_subject_key));
    if (s->has_nonce_found)
        attest_json_add(ours, "nonce_found", attest_json_hex(s->nonce_found, s->nonce_found_len));
    attest_json_add(ours, "chains", chains_json(s));
    attest_json_add(ours, "checks", checks_json(&s->checks));
    return appraisal(attest_checks_status(&s->checks), statement_vector(s), policy_id, ours);
}

static json_object *header(attest_status overall)
{
    json_object *o = json_object_new_object(), *vid = json_object_new_object();

    attest_json_add(o, "eat_profile", json_object_new_string(EAR_PROFILE));
    attest_json_add(o, "iat", json_object_new_int64((int64_t)time(NULL)));
    attest_json_add(vid, "build", json_object_new_string("attest-req " ATTEST_VERSION));
    attest_json_add(vid, "developer", json_object_new_string("attest"));
    attest_json_add(o, "ear.verifier-id", vid);
    attest_json_add(o, "ear.status", json_object_new_string(attest_status_name(overall)));
    return o;
}

/* The submod of an input with no statement: no attestation, or nothing that got that far. */
static json_object *no_statement(attest_status st, const char *policy_id)
{
    json_object *ours = json_object_new_object();
    vector none = { TC_NONE, TC_NONE, TC_NONE };

    attest_json_add(ours, "kind", json_object_new_string("none"));
    attest_json_add(ours, "checks", json_object_new_array());
    return appraisal(st, none, policy_id, ours);
}

json_object *attest_verdict_json(const attest_verdict *v)
{
    attest_status overall = attest_verdict_status(v);
    json_object *o = header(overall), *subs = json_object_new_object(), *ours = json_object_new_object();
    const char *pid = v->policy_id[0] ? v->policy_id : "policy:attest-req";
    size_t i;

    /* RFC 9711 eat_nonce: 8 to 64 bytes; the nonce demanded, echoed for the relying party. */
    if (v->nonce_demanded && v->nonce_len >= 8 && v->nonce_len <= 64)
        attest_json_add(o, "eat_nonce", b64url(v->nonce, v->nonce_len));
    for (i = 0; i < v->n_subs; i++)
        json_object_object_add(subs, v->subs[i].name, submod_json(&v->subs[i], pid));
    if (v->n_subs == 0)
        json_object_object_add(subs, "request", no_statement(overall, pid));
    attest_json_add(o, "submods", subs);

    if (v->input[0])
        attest_json_add(ours, "input", attest_json_text((const unsigned char *)v->input, strlen(v->input)));
    if (v->has_input_sha256)
        attest_json_add(ours, "input_sha256", attest_json_hex(v->input_sha256, sizeof(v->input_sha256)));
    if (v->subject != NULL)
        attest_json_add(ours, "subject", json_object_new_string(v->subject));
    if (v->has_subject_key)
        attest_json_add(ours, "subject_key_spki_sha256", attest_json_hex(v->subject_spki_sha256, 32));
    json_object_object_add(ours, "nonce_demanded", v->nonce_demanded ? attest_json_hex(v->nonce, v->nonce_len) : NULL);
    if (v->has_time) {
        json_object *t = json_object_new_object();
        char when[48];

        attest_time_text(v->at_time, when, sizeof(when));
        attest_json_add(t, "time", json_object_new_string(when));
        attest_json_add(t, "given", json_object_new_boolean(v->time_given));
        attest_json_add(ours, "verification_time", t);
    }
    attest_json_add(ours, "checks", checks_json(&v->checks));
    attest_json_add(o, NS, ours);
    return o;
}

json_object *attest_verdict_error_json(const char *input, const char *reason, const attest_policy *policy)
{
    json_object *o = header(ATTEST_STATUS_CONTRAINDICATED), *subs = json_object_new_object();
    json_object *ours = json_object_new_object();
    char pid[192];

    attest_policy_id(policy, pid, sizeof(pid));
    json_object_object_add(subs, "request", no_statement(ATTEST_STATUS_CONTRAINDICATED, pid));
    attest_json_add(o, "submods", subs);
    attest_json_add(ours, "input", attest_json_text((const unsigned char *)input, strlen(input)));
    attest_json_add(ours, "error", attest_json_text((const unsigned char *)reason, strlen(reason)));
    attest_json_add(ours, "checks", json_object_new_array());
    attest_json_add(o, NS, ours);
    return o;
}
