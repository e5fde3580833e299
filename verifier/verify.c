/*
 * The verifier: the request-level checks, then one engine per statement,
 * then the policy checks that look across statements.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "attest/certname.h"
#include "attest/checks.h"
#include "attest/csr.h"
#include "attest/engine.h"
#include "attest/import.h"
#include "attest/registry.h"
#include "attest/limits.h"
#include "attest/oids.h"
#include "verify_int.h"

/* A check's place in the engine's list, after the checks it does not list (bundle.type). */
static size_t check_rank(const attest_engine *e, const char *id)
{
    size_t j;

    for (j = 0; j < e->n_checks; j++)
        if (strcmp(id, e->checks[j].id) == 0)
            return j + 1;
    return 0;
}

/* Order sub's checks as the engine lists them (a stable insertion sort: a dozen entries). */
static void order_checks(const attest_engine *e, attest_checks *c)
{
    size_t i, j;
    attest_check tmp;

    for (i = 1; i < c->n; i++) {
        size_t r = check_rank(e, c->v[i].id);

        tmp = c->v[i];
        for (j = i; j > 0 && check_rank(e, c->v[j - 1].id) > r; j--)
            c->v[j] = c->v[j - 1];
        c->v[j] = tmp;
    }
}

/*
 * Run the engine; the driver, not the engine, records the checks it did not
 * reach, naming the first that failed.  1 when the statement binds the key.
 */
static int run_engine(attest_vctx *vc, const attest_engine *e, const attest_statement *st, attest_submod *sub)
{
    const char *why = NULL;
    size_t i;
    int bound;

    vc->engine = e;
    bound = e->verify(vc, st, sub);

    for (i = 0; i < sub->checks.n && why == NULL; i++)
        if (sub->checks.v[i].result == ATTEST_CHECK_FAIL && sub->checks.v[i].severity == ATTEST_SEV_ERROR)
            why = sub->checks.v[i].id;
    for (i = 0; i < e->n_checks; i++)
        if (attest_checks_find(&sub->checks, e->checks[i].id) == NULL)
            attest_skip(&sub->checks, e->checks[i].id, "not reached%s%s", why ? ": " : "", why ? why : "");
    order_checks(e, &sub->checks);
    sub->verifiable = 1;
    return bound && attest_checks_status(&sub->checks) != ATTEST_STATUS_CONTRAINDICATED;
}

static void verify_statement(attest_vctx *vc, const attest_statement *st, attest_submod *sub)
{
    const attest_engine *e = attest_engine_for_statement(st);
    char buf[96];

    snprintf(sub->type, sizeof(sub->type), "%s", attest_oid_name(st->type, buf, sizeof(buf)));
    snprintf(sub->kind, sizeof(sub->kind), "%s", attest_engine_kind(e));
    vc->sub = sub;
    if (e == NULL || e->verify == NULL) {
        /* Unknown types never count as verified; they do not fail the request either. */
        attest_skip(&sub->checks, CHK_BUNDLE_TYPE, "statement type %s is not verified by this verifier", sub->type);
        return;
    }
    attest_pass(&sub->checks, CHK_BUNDLE_TYPE, "%s", e->summary);
    sub->binds_subject_key = run_engine(vc, e, st, sub);
}

/* with_key: the run has a subject key, so ask whether evidence binds it. */
static void policy_checks(attest_verdict *v, const attest_vctx *vc, int with_key)
{
    const attest_policy *pol = vc->p->policy;
    int bad_sha1 = vc->weak_sha1 && !(pol->allow & ATTEST_ALLOW_SHA1);
    int bad_rsa = vc->weak_rsa && !(pol->allow & ATTEST_ALLOW_SMALL_RSA);
    size_t i;
    int bound = 0, verifiable = 0;

    attest_verdict_check_time(v, vc->p);
    if (bad_sha1 || bad_rsa)
        attest_fail(&v->checks, CHK_POLICY_WEAK_ALGS, "refused: %s (%s to accept with a warning)", vc->weak,
                    bad_sha1 && bad_rsa ? "--allow sha1 --allow small-rsa"
                        : bad_sha1      ? "--allow sha1"
                                        : "--allow small-rsa");
    else if (vc->weak_sha1 || vc->weak_rsa)
        attest_warn(&v->checks, CHK_POLICY_WEAK_ALGS, "accepted by policy: %s", vc->weak);
    else
        attest_pass(&v->checks, CHK_POLICY_WEAK_ALGS, "no SHA-1, no RSA under 2048 bits");
    attest_vctx_quirks_check(vc, &v->checks);
    if (!with_key && vc->unbound_warns) {
        attest_skip_warn(&v->checks, CHK_POLICY_KEY_ATTESTED,
                         "no request and no --pubkey: the evidence is not bound to any key");
        return;
    }
    if (!with_key) {
        attest_skip(&v->checks, CHK_POLICY_KEY_ATTESTED, "no subject key given (--pubkey): nothing to bind");
        return;
    }

    for (i = 0; i < v->n_subs; i++) {
        verifiable |= v->subs[i].verifiable;
        bound |= v->subs[i].binds_subject_key;
    }
    /* Failures inside a statement are reported there once; this check only asks
     * whether the bundle carries key evidence at all. */
    if (bound)
        attest_pass(&v->checks, CHK_POLICY_KEY_ATTESTED, "the subject key is bound to verified evidence");
    else if (verifiable)
        attest_skip(&v->checks, CHK_POLICY_KEY_ATTESTED,
                    "no statement verified the binding (see the statements' checks)");
    else if (pol->require_key_attestation)
        attest_fail(&v->checks, CHK_POLICY_KEY_ATTESTED,
                    "no statement carries key attestation evidence this verifier understands");
    else
        attest_skip_warn(&v->checks, CHK_POLICY_KEY_ATTESTED, "no key attestation evidence (not required by policy)");
}

static void vctx_init(attest_vctx *vc, const attest_verify_params *p, EVP_PKEY *subject)
{
    memset(vc, 0, sizeof(*vc));
    vc->p = p;
    vc->subject_key = subject;
    attest_vctx_note_key(vc, subject, "the subject key");
    (void)attest_vctx_key_usable(vc, subject, "the subject key");
}

/*
 * The bundle's certificates whose keys may be used: an RSA exponent over the
 * cap is refused here, before any statement (or chain) could try the key.
 * A new stack of borrowed pointers.
 */
static STACK_OF(X509) *usable_certs(attest_vctx *vc, STACK_OF(X509) *certs)
{
    STACK_OF(X509) *out = sk_X509_new_reserve(NULL, sk_X509_num(certs));
    char where[160], subj[96];
    int i;

    for (i = 0; out != NULL && i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);

        if (attest_rsa_exponent_bits(X509_get0_pubkey(x)) > ATTEST_MAX_RSA_EXPONENT_BITS) {
            attest_cert_name(x, subj, sizeof(subj));
            snprintf(where, sizeof(where), "bundle certificate %d %s", i, subj);
            (void)attest_vctx_key_usable(vc, X509_get0_pubkey(x), where);
            continue;
        }
        (void)sk_X509_push(out, x); /* reserved: cannot fail */
    }
    return out;
}

/*
 * The statements of b (own: how many came in the request's own bundle; the
 * rest are --evidence-file evidence) and the policy checks across them.
 */
static void judge_bundle(attest_verdict *v, const attest_verify_params *p, EVP_PKEY *subject,
                         const X509_PUBKEY *subject_spki, const EVP_MD *request_md, const attest_bundle *b, size_t own,
                         int unbound_warns)
{
    STACK_OF(X509) *usable = NULL;
    attest_vctx vc;
    size_t i;

    vctx_init(&vc, p, subject);
    vc.subject_spki = subject_spki;
    vc.unbound_warns = unbound_warns;
    if ((usable = usable_certs(&vc, b->certs)) == NULL) {
        attest_fail(&v->checks, CHK_LIMITS_RSA_EXPONENT, "out of memory");
        return;
    }
    vc.bundle_certs = usable;
    attest_vctx_note_md(&vc, request_md, "the request signature");
    for (i = 0; i < b->n_stmts; i++) {
        char name[48];
        attest_submod *sub;

        if (i < own)
            snprintf(name, sizeof(name), "attestations[%zu]", i);
        else
            snprintf(name, sizeof(name), "evidence[%zu]", i - own);
        if ((sub = attest_verdict_add_submod(v, name)) == NULL) {
            v->checks.lost = 1;
            break;
        }
        verify_statement(&vc, &b->stmts[i], sub);
    }
    policy_checks(v, &vc, subject != NULL);
    attest_vctx_limits_checks(&vc, &v->checks);
    sk_X509_free(usable);
}

/* The evidence files' statements and certificates after the request's own (b takes copies). */
static int merge_evidence(attest_bundle *b, const attest_bundle *ev, attest_err *err)
{
    size_t i;
    int k;

    for (i = 0; ev != NULL && i < ev->n_stmts; i++)
        if (attest_bundle_add_statement(b, ev->stmts[i].type, ev->stmts[i].stmt, ev->stmts[i].stmt_len, err) != 0)
            return -1;
    for (k = 0; ev != NULL && k < sk_X509_num(ev->certs); k++)
        if (attest_bundle_add_cert(b, sk_X509_value(ev->certs, k)) != 0) {
            attest_err_set(err, "out of memory");
            return -1;
        }
    return 0;
}

/* bundle.parse and bundle.shape of the request's bundle, then its statements and the evidence files'. */
static void bundle_checks(attest_verdict *v, const attest_verify_params *p, EVP_PKEY *subject,
                          const X509_PUBKEY *subject_spki, const EVP_MD *request_md, const unsigned char *der,
                          size_t len, const attest_bundle *evidence)
{
    attest_bundle *b = NULL;
    attest_err err;
    char legacy[160];
    size_t own;

    if (attest_bundle_decode_ex(der, len, p->libctx, p->propq, &b, &err) != 0) {
        attest_fail(&v->checks, CHK_BUNDLE_PARSE, "%s", err.msg);
        return;
    }
    attest_pass(&v->checks, CHK_BUNDLE_PARSE, "%zu statement(s), %d certificate(s)", b->n_stmts, sk_X509_num(b->certs));
    attest_legacy_describe(b->legacy, legacy, sizeof(legacy));
    if (b->legacy == 0)
        attest_pass(&v->checks, CHK_BUNDLE_SHAPE, "current AttestationBundle shape");
    else if (p->policy->strict_shape)
        attest_fail(&v->checks, CHK_BUNDLE_SHAPE, "older draft shape (%s) refused by --strict", legacy);
    else
        attest_warn(&v->checks, CHK_BUNDLE_SHAPE, "older draft shape accepted: %s", legacy);
    own = b->n_stmts;
    if (merge_evidence(b, evidence, &err) != 0)
        attest_fail(&v->checks, CHK_BUNDLE_PARSE, "adding the evidence files: %s", err.msg);
    else
        judge_bundle(v, p, subject, subject_spki, request_md, b, own, 0);
    attest_bundle_free(b);
}

/* The errors OpenSSL queues while the checks run are theirs to report, not the caller's to find. */
static void verify_bundle_into(attest_verdict *v, const attest_verify_params *p, EVP_PKEY *subject,
                               const X509_PUBKEY *subject_spki, const EVP_MD *request_md, const unsigned char *der,
                               size_t len, const attest_bundle *evidence)
{
    ERR_set_mark();
    bundle_checks(v, p, subject, subject_spki, request_md, der, len, evidence);
    ERR_pop_to_mark();
}

/*
 * Evidence without an id-aa-attestation attribute: a vendor's own carrier in
 * extensionRequest (YubiKey), and the --evidence-file evidence.  0 when there
 * is none of either.
 */
static int carried_evidence(attest_verdict *v, const attest_verify_params *p, attest_csr *c, EVP_PKEY *key,
                            const EVP_MD *sig_md, const attest_bundle *evidence)
{
    STACK_OF(X509_EXTENSION) *exts = attest_csr_requested_extensions(c);
    const attest_engine *found = NULL;
    attest_bundle *b = attest_bundle_new();
    attest_err err;
    size_t i, own;
    int r = 0;

    if (b == NULL) {
        attest_fail(&v->checks, CHK_BUNDLE_PARSE, "out of memory");
        sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
        return 1;
    }
    for (i = 0; exts != NULL && i < attest_engine_count() && found == NULL && r >= 0; i++) {
        const attest_engine *e = attest_engine_at(i);

        if (e->from_request != NULL && (r = e->from_request(exts, b, &err)) > 0)
            found = e;
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (r < 0) {
        attest_pass(&v->checks, CHK_BUNDLE_COUNT,
                    "no id-aa-attestation attribute; vendor evidence in extensionRequest");
        attest_fail(&v->checks, CHK_BUNDLE_PARSE, "%s", err.msg);
        attest_bundle_free(b);
        return 1;
    }
    if (found == NULL && evidence == NULL) {
        attest_bundle_free(b);
        return 0;
    }
    if (found != NULL) {
        attest_pass(&v->checks, CHK_BUNDLE_COUNT, "no id-aa-attestation attribute; %s in extensionRequest",
                    found->summary);
        attest_pass(&v->checks, CHK_BUNDLE_PARSE, "%zu statement(s), %d certificate(s) from extensionRequest",
                    b->n_stmts, sk_X509_num(b->certs));
    } else {
        attest_skip(&v->checks, CHK_BUNDLE_COUNT,
                    "no id-aa-attestation attribute; evidence given with --evidence-file");
        attest_pass(&v->checks, CHK_BUNDLE_PARSE, "%zu statement(s), %d certificate(s) from --evidence-file",
                    evidence->n_stmts, sk_X509_num(evidence->certs));
    }
    attest_skip(&v->checks, CHK_BUNDLE_SHAPE, "no AttestationBundle in the request");
    own = b->n_stmts;
    ERR_set_mark();
    if (merge_evidence(b, evidence, &err) != 0)
        attest_fail(&v->checks, CHK_BUNDLE_PARSE, "adding the evidence files: %s", err.msg);
    else
        judge_bundle(v, p, key, c->spki, sig_md, b, own, 0);
    ERR_pop_to_mark();
    attest_bundle_free(b);
    return 1;
}

/*
 * The outer signatureAlgorithm is not covered by the signature, so its
 * parameters are malleable: allow only what the RFCs allow (ECDSA and EdDSA
 * absent, RFC 5758 / 8410; RSA PKCS#1 NULL or absent, RFC 4055) plus NULL
 * for ECDSA, which tpm2-openssl 1.1.1 writes into every request it signs.
 */
static int sigalg_params_ok(const X509_ALGOR *alg)
{
    int md_nid = NID_undef, pk_nid = NID_undef, ptype;

    if (alg == NULL)
        return 0;
    X509_ALGOR_get0(NULL, &ptype, NULL, alg);
    if (!OBJ_find_sigid_algs(OBJ_obj2nid(alg->algorithm), &md_nid, &pk_nid))
        return 1; /* unknown algorithms fail the signature check itself */
    switch (pk_nid) {
    case NID_ED25519:
    case NID_ED448:
#ifdef NID_ML_DSA_44
    case NID_ML_DSA_44:
    case NID_ML_DSA_65:
    case NID_ML_DSA_87: /* RFC 9881: absent */
#endif
        return ptype == V_ASN1_UNDEF;
    case NID_X9_62_id_ecPublicKey:
    case NID_rsaEncryption: return ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL;
    default: return 1;
    }
}

/* 1 when the SPKI's algorithm is an OID this OpenSSL has no name for (oid gets it dotted). */
static int unknown_key_alg(X509_PUBKEY *spki, char *oid, size_t cap)
{
    ASN1_OBJECT *alg = NULL;

    if (spki == NULL || !X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, spki) || alg == NULL
        || OBJ_obj2nid(alg) != NID_undef)
        return 0;
    OBJ_obj2txt(oid, (int)cap, alg, 1);
    return 1;
}

/* The digest of the request's signature algorithm, for the weak-algorithm policy. */
static const EVP_MD *request_sig_md(const X509_ALGOR *alg)
{
    int md_nid = NID_undef, pk_nid = NID_undef;

    if (!OBJ_find_sigid_algs(OBJ_obj2nid(alg->algorithm), &md_nid, &pk_nid) || md_nid == NID_undef)
        return NULL;
    return EVP_get_digestbynid(md_nid);
}

static attest_verdict *verify_csr(const attest_verify_params *p, const unsigned char *der, size_t len,
                                  const attest_bundle *evidence)
{
    attest_verdict *v = attest_verdict_new();
    attest_csr *c = NULL;
    EVP_PKEY *key;
    char oid[80];
    const EVP_MD *sig_md;
    attest_err err;

    if (v == NULL)
        return NULL;
    attest_verdict_record_params(v, p);
    attest_verdict_record_input(v, der, len);
    /* The light form: the subject key from its SPKI fields, not through OpenSSL 3.0's per-key decoder. */
    if (attest_csr_decode_light(der, len, &c, &err) != 0) {
        attest_fail(&v->checks, CHK_CSR_PARSE, "%s", err.msg);
        return v;
    }
    attest_pass(&v->checks, CHK_CSR_PARSE, "PKCS#10 request, %zu bytes", len);
    ERR_set_mark(); /* the key decode and the signature check say what failed; the caller's queue stays */
    key = attest_csr_get0_pubkey(c, p->libctx, p->propq);
    attest_verdict_record_subject(v, c->subject, c->spki, NULL);
    if (key == NULL && unknown_key_alg(c->spki, oid, sizeof(oid)))
        /* ML-DSA before OpenSSL 3.5, for one: no proof of possession can be checked here. */
        attest_fail(&v->checks, CHK_CSR_SIGNATURE, "unsupported-algorithm: subject key algorithm %s", oid);
    else if (key == NULL)
        attest_fail(&v->checks, CHK_CSR_SIGNATURE, "the request's public key cannot be decoded");
    else if (attest_rsa_exponent_bits(key) > ATTEST_MAX_RSA_EXPONENT_BITS)
        attest_check_add(&v->checks, CHK_CSR_SIGNATURE, ATTEST_CHECK_SKIP, ATTEST_SEV_ERROR,
                         "not verified: the subject key's RSA public exponent is over %d bits (limits.rsa-exponent)",
                         ATTEST_MAX_RSA_EXPONENT_BITS);
    else if (!sigalg_params_ok(c->sig_alg))
        attest_fail(&v->checks, CHK_CSR_SIGNATURE,
                    "the request's signatureAlgorithm carries parameters its algorithm forbids");
    else if (attest_csr_verify_signature(c, key, p->libctx, p->propq) == 1)
        attest_pass(&v->checks, CHK_CSR_SIGNATURE, "self-signature verifies with the subject key (%s-%d)",
                    EVP_PKEY_get0_type_name(key), EVP_PKEY_get_bits(key));
    else
        attest_fail(&v->checks, CHK_CSR_SIGNATURE,
                    "the request's self-signature does not verify: no proof of possession");
    ERR_pop_to_mark();
    sig_md = request_sig_md(c->sig_alg);

    if (c->n_attest_attrs == 0 && carried_evidence(v, p, c, key, sig_md, evidence))
        goto done;
    if (c->n_attest_attrs == 0) {
        v->no_attestation = 1;
        if (c->in_ext_request)
            attest_skip(
                &v->checks, CHK_BUNDLE_COUNT,
                "an id-aa-attestation extension sits in extensionRequest; the draft's form is a top-level attribute");
        else
            attest_skip(&v->checks, CHK_BUNDLE_COUNT, "no id-aa-attestation attribute");
        goto done;
    }
    if (c->n_attest_attrs != 1)
        attest_fail(&v->checks, CHK_BUNDLE_COUNT, "%d id-aa-attestation attributes, at most one allowed",
                    c->n_attest_attrs);
    else if (c->n_values != 1)
        attest_fail(&v->checks, CHK_BUNDLE_COUNT,
                    "the id-aa-attestation attribute holds %d values, exactly one allowed", c->n_values);
    else if (c->bundle_der == NULL)
        attest_fail(&v->checks, CHK_BUNDLE_COUNT, "the attribute value is not a SEQUENCE");
    else
        attest_pass(&v->checks, CHK_BUNDLE_COUNT, "one attribute, one value");
    if (c->bundle_der == NULL) {
        attest_skip(&v->checks, CHK_BUNDLE_PARSE, "no bundle to parse");
        goto done;
    }
    verify_bundle_into(v, p, key, c->spki, sig_md, c->bundle_der, c->bundle_len, evidence);
done:
    attest_limits_subject(v, key);
    attest_csr_free(c);
    return v;
}

attest_verdict *attest_verify_bundle(const attest_verify_params *p, const unsigned char *der, size_t len)
{
    attest_verdict *v = attest_verdict_new();

    if (v == NULL)
        return NULL;
    attest_verdict_record_params(v, p);
    attest_verdict_record_input(v, der, len);
    attest_verdict_record_subject(v, NULL, NULL, p->subject_key);
    if (p->subject_key == NULL) {
        attest_fail(&v->checks, CHK_CSR_PARSE, "a bare AttestationBundle needs the key it must bind to (--pubkey)");
        return v;
    }
    attest_pass(&v->checks, CHK_CSR_PARSE, "bare AttestationBundle checked against the given public key");
    attest_skip(&v->checks, CHK_CSR_SIGNATURE, "no request: proof of possession is the caller's business");
    attest_skip(&v->checks, CHK_BUNDLE_COUNT, "no request attribute to count");
    verify_bundle_into(v, p, p->subject_key, NULL, NULL, der, len, NULL);
    attest_limits_subject(v, p->subject_key);
    return v;
}

attest_verdict *attest_verify_statement(const attest_verify_params *p, const attest_engine *e, const unsigned char *der,
                                        size_t len)
{
    attest_verdict *v = attest_verdict_new();
    attest_statement st;
    attest_submod *sub;
    attest_vctx vc;

    if (v == NULL)
        return NULL;
    attest_verdict_record_params(v, p);
    attest_verdict_record_input(v, der, len);
    attest_verdict_record_subject(v, NULL, NULL, p->subject_key);
    if (e == NULL || !e->standalone || e->verify == NULL || e->n_oids == 0) {
        attest_fail(&v->checks, CHK_CSR_PARSE,
                    "%s evidence is not verified on its own: give the request or bundle that carries it",
                    e != NULL ? e->name : "this");
        return v;
    }
    memset(&st, 0, sizeof(st));
    /* The engine only reads the statement. */
    st.type = (ASN1_OBJECT *)attest_oid_obj(e->oids[0]);
    st.stmt = (unsigned char *)der;
    st.stmt_len = len;
    st.binds_public_key = -1;
    vctx_init(&vc, p, p->subject_key);
    if ((sub = attest_verdict_add_submod(v, "evidence")) == NULL) {
        v->checks.lost = 1;
        return v;
    }
    /* No bundle here, so no bundle.type: straight to the engine. */
    snprintf(sub->type, sizeof(sub->type), "%s", attest_oid_info_get(e->oids[0])->sn);
    snprintf(sub->kind, sizeof(sub->kind), "%s", e->kind);
    vc.sub = sub;
    ERR_set_mark();
    sub->binds_subject_key = run_engine(&vc, e, &st, sub);
    policy_checks(v, &vc, p->subject_key != NULL);
    attest_vctx_limits_checks(&vc, &v->checks);
    ERR_pop_to_mark();
    return v;
}

attest_verdict *attest_verify_evidence(const attest_verify_params *p, const unsigned char *der, size_t len)
{
    return attest_verify_statement(p, attest_object_engine(ATTEST_DT_PKIX), der, len);
}

/*
 * Without a bundle (or when it does not parse) no attest_vctx records the
 * subject key's exponent: say it here, once.
 */
void attest_limits_subject(attest_verdict *v, const EVP_PKEY *key)
{
    int bits = attest_rsa_exponent_bits(key);

    if (bits > ATTEST_MAX_RSA_EXPONENT_BITS && attest_checks_find(&v->checks, CHK_LIMITS_RSA_EXPONENT) == NULL)
        attest_fail(&v->checks, CHK_LIMITS_RSA_EXPONENT,
                    "the subject key (%d-bit exponent): RSA public exponent over %d bits", bits,
                    ATTEST_MAX_RSA_EXPONENT_BITS);
}

/* The same bundle checks for the other request formats (verify_crmf.c). */
void attest_verify_bundle_into(attest_verdict *v, const attest_verify_params *p, EVP_PKEY *subject,
                               const X509_PUBKEY *subject_spki, const EVP_MD *request_md, const unsigned char *der,
                               size_t len)
{
    verify_bundle_into(v, p, subject, subject_spki, request_md, der, len, NULL);
}

attest_verdict *attest_verify_csr(const attest_verify_params *p, const unsigned char *der, size_t len)
{
    return verify_csr(p, der, len, NULL);
}

attest_verdict *attest_verify_csr_evidence(const attest_verify_params *p, const unsigned char *der, size_t len,
                                           const attest_bundle *evidence)
{
    return verify_csr(p, der, len, evidence);
}

attest_verdict *attest_verify_evidence_files(const attest_verify_params *p, const attest_bundle *evidence)
{
    attest_verdict *v = attest_verdict_new();
    attest_bundle *b = attest_bundle_new();
    attest_err err;

    if (v == NULL || b == NULL) {
        attest_verdict_free(v);
        attest_bundle_free(b);
        return NULL;
    }
    attest_verdict_record_params(v, p);
    attest_verdict_record_subject(v, NULL, NULL, p->subject_key);
    attest_pass(&v->checks, CHK_CSR_PARSE, "vendor evidence judged without a request%s",
                p->subject_key != NULL ? ", against the given public key" : "");
    attest_skip(&v->checks, CHK_CSR_SIGNATURE, "no request: proof of possession is the caller's business");
    attest_skip(&v->checks, CHK_BUNDLE_COUNT, "no request attribute to count");
    attest_pass(&v->checks, CHK_BUNDLE_PARSE, "%zu statement(s), %d certificate(s) from --evidence-file",
                evidence->n_stmts, sk_X509_num(evidence->certs));
    attest_skip(&v->checks, CHK_BUNDLE_SHAPE, "no AttestationBundle: evidence files");
    ERR_set_mark();
    if (merge_evidence(b, evidence, &err) != 0)
        attest_fail(&v->checks, CHK_BUNDLE_PARSE, "%s", err.msg);
    else
        judge_bundle(v, p, p->subject_key, NULL, NULL, b, 0, 1);
    ERR_pop_to_mark();
    attest_limits_subject(v, p->subject_key);
    attest_bundle_free(b);
    return v;
}
