/*
 * The verifier for CRMF requests, bare or inside a CMP PKIMessage: the
 * request-level checks (crmf.parse, crmf.popo, bundle.count), then the same
 * bundle, engine and policy checks as for a PKCS#10 request, with the
 * template's public key as the subject key.  Every CertReqMsg is verified:
 * a CA issues for each, so an unattested one riding along must not pass.
 * With several, request i's checks go into a submodule certReq[i] and its
 * statements into certReq[i].attestations[j].  A p10cr carries a PKCS#10
 * request, which is verified as one.  CMP message protection (PBM or
 * signature) authenticates the sender to the CA; it says nothing about the
 * key or the evidence, and is not checked here.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "attest/checks.h"
#include "attest/crmf.h"
#include "attest/engine.h"
#include "attest/limits.h"
#include "verify_int.h"

static const EVP_MD *popo_md(const attest_crmf_req *c)
{
    int md_nid = NID_undef, pk_nid = NID_undef;

    if (c->popo_alg == NULL || !OBJ_find_sigid_algs(OBJ_obj2nid(c->popo_alg->algorithm), &md_nid, &pk_nid)
        || md_nid == NID_undef)
        return NULL;
    return EVP_get_digestbynid(md_nid);
}

static void check_popo(attest_verdict *v, const attest_verify_params *p, const attest_crmf *msg, int i)
{
    const attest_crmf_req *c = &msg->reqs[i];
    char alg[80] = "?";
    attest_err why;

    if (c->popo_alg != NULL)
        OBJ_obj2txt(alg, sizeof(alg), c->popo_alg->algorithm, 0);
    if (c->popo_type != OSSL_CRMF_POPO_SIGNATURE) {
        /* Only a signature proves possession to us; raVerified is an RA's word (acceptRAVerified=0). */
        attest_fail(&v->checks, CHK_CRMF_POPO,
                    "proof of possession is %s; only a signature POPO by the template key is accepted",
                    attest_crmf_popo_name(c->popo_type));
        return;
    }
    if (c->spki == NULL) {
        attest_fail(&v->checks, CHK_CRMF_POPO, "the certificate template carries no public key");
        return;
    }
    if (c->pubkey == NULL) {
        attest_fail(&v->checks, CHK_CRMF_POPO, "the template's public key cannot be decoded");
        return;
    }
    if (attest_rsa_exponent_bits(c->pubkey) > ATTEST_MAX_RSA_EXPONENT_BITS) {
        attest_check_add(&v->checks, CHK_CRMF_POPO, ATTEST_CHECK_SKIP, ATTEST_SEV_ERROR,
                         "not verified: the template key's RSA public exponent is over %d bits (limits.rsa-exponent)",
                         ATTEST_MAX_RSA_EXPONENT_BITS);
        return;
    }
    /* this request's POPO and no other (by position: its certReqId is distinct, but only a label) */
    if (attest_crmf_verify_popo(msg, i, p->libctx, p->propq, &why) == 1)
        attest_pass(&v->checks, CHK_CRMF_POPO,
                    "POPO signature (%s, over the %s) verifies with the template key (%s-%d)", alg,
                    c->popo_input ? "POPOSigningKeyInput" : "certReq", EVP_PKEY_get0_type_name(c->pubkey),
                    EVP_PKEY_get_bits(c->pubkey));
    else
        attest_fail(&v->checks, CHK_CRMF_POPO, "the POPO signature (%s) is refused: %s: no proof of possession", alg,
                    why.msg);
}

/* p10cr: the CSR's verdict, with crmf.parse in front saying where it came from. */
static attest_verdict *verify_p10cr(const attest_verify_params *p, const attest_crmf *c, size_t len)
{
    attest_verdict *v = attest_verify_csr(p, c->p10_der, c->p10_len);
    attest_checks all;

    if (v == NULL)
        return NULL;
    memset(&all, 0, sizeof(all));
    attest_pass(&all, CHK_CRMF_PARSE,
                "CMP PKIMessage (p10cr, %zu bytes): the PKCS#10 request inside is verified as one", len);
    attest_checks_append(&all, &v->checks);
    OPENSSL_free(v->checks.v);
    v->checks = all;
    return v;
}

/* One request's checks into v; attested_elsewhere: another request of the message carries evidence. */
static void verify_req(attest_verdict *v, const attest_verify_params *p, const attest_crmf *c, int i,
                       int attested_elsewhere)
{
    const attest_crmf_req *r = &c->reqs[i];

    attest_verdict_record_subject(v, r->subject, r->spki, r->pubkey);
    ERR_set_mark(); /* check_popo says what failed; the caller's queue stays */
    check_popo(v, p, c, i);
    ERR_pop_to_mark();
    if (r->n_attest_exts == 0) {
        if (attested_elsewhere) {
            attest_fail(&v->checks, CHK_BUNDLE_COUNT,
                        "no id-aa-attestation extension, while another request of the message "
                        "carries one: every request must be attested");
        } else {
            v->no_attestation = 1;
            attest_skip(&v->checks, CHK_BUNDLE_COUNT, "no id-aa-attestation extension in the certificate template");
        }
    } else {
        if (r->n_attest_exts != 1)
            attest_fail(&v->checks, CHK_BUNDLE_COUNT,
                        "%d id-aa-attestation extensions in the certificate template, at most "
                        "one allowed",
                        r->n_attest_exts);
        else
            attest_pass(&v->checks, CHK_BUNDLE_COUNT, "one id-aa-attestation extension%s",
                        r->attest_critical ? " (critical)" : "");
        attest_verify_bundle_into(v, p, r->pubkey, r->spki, popo_md(r), r->bundle_der, r->bundle_len);
    }
    attest_limits_subject(v, r->pubkey);
}

/* Moves request i's verdict r into v: its checks as submodule certReq[i], its statements after it. */
static int adopt(attest_verdict *v, attest_verdict *r, int i)
{
    const attest_check *k = attest_checks_find(&r->checks, CHK_POLICY_KEY_ATTESTED);
    attest_submod *s;
    char name[sizeof(s->name)];
    size_t j;

    snprintf(name, sizeof(name), "certReq[%d]", i);
    if ((s = attest_verdict_add_submod(v, name)) == NULL)
        return -1;
    snprintf(s->type, sizeof(s->type), "CertReqMsg");
    snprintf(s->kind, sizeof(s->kind), "crmf-request");
    s->binds_subject_key = k != NULL && k->result == ATTEST_CHECK_PASS;
    s->checks = r->checks;
    memset(&r->checks, 0, sizeof(r->checks));
    for (j = 0; j < r->n_subs; j++) {
        if (snprintf(name, sizeof(name), "certReq[%d].%s", i, r->subs[j].name) >= (int)sizeof(name)
            || (s = attest_verdict_add_submod(v, name)) == NULL)
            return -1;
        /* The whole submodule moves (checks, records, akpub); only its name is new. */
        *s = r->subs[j];
        snprintf(s->name, sizeof(s->name), "%s", name);
        memset(&r->subs[j], 0, sizeof(r->subs[j]));
    }
    return 0;
}

/* Several requests: each verified as if alone, then gathered; "none" only when none is attested and none fails. */
static void verify_several(attest_verdict *v, const attest_verify_params *p, const attest_crmf *c)
{
    int i, attested = 0, bad = 0;

    for (i = 0; i < c->n_reqs; i++)
        attested |= c->reqs[i].n_attest_exts > 0;
    for (i = 0; i < c->n_reqs; i++) {
        attest_verdict *r = attest_verdict_new();

        if (r == NULL) {
            v->checks.lost = 1;
            return;
        }
        verify_req(r, p, c, i, attested);
        bad |= attest_verdict_status(r) == ATTEST_STATUS_CONTRAINDICATED;
        if (adopt(v, r, i) != 0)
            v->checks.lost = 1;
        attest_verdict_free(r);
    }
    v->no_attestation = !attested && !bad;
}

attest_verdict *attest_verify_crmf(const attest_verify_params *p, const unsigned char *der, size_t len)
{
    attest_verdict *v = attest_verdict_new();
    attest_crmf *c = NULL;
    attest_err err;
    const char *in_cmp;

    if (v == NULL)
        return NULL;
    attest_verdict_record_params(v, p);
    attest_verdict_record_input(v, der, len);
    if (attest_crmf_decode(der, len, p->libctx, p->propq, &c, &err) != 0) {
        attest_fail(&v->checks, CHK_CRMF_PARSE, "%s", err.msg);
        return v;
    }
    if (c->bodytype == OSSL_CMP_P10CR) {
        attest_verdict_free(v);
        v = verify_p10cr(p, c, len);
        if (v != NULL)
            attest_verdict_record_input(v, der, len); /* the message judged, not the request inside */
        attest_crmf_free(c);
        return v;
    }
    in_cmp = c->bodytype == ATTEST_CRMF_BARE ? "" : "CMP PKIMessage, body ";
    if (c->n_reqs == 1) {
        attest_pass(&v->checks, CHK_CRMF_PARSE, "%s%s, one request (certReqId %ld), %zu bytes", in_cmp,
                    attest_crmf_body_name(c->bodytype), c->cert_req_id, len);
        verify_req(v, p, c, 0, 0);
    } else {
        attest_pass(&v->checks, CHK_CRMF_PARSE,
                    "%s%s, %d requests with distinct certReqIds, %zu bytes: each verified "
                    "(submodules certReq[0..%d])",
                    in_cmp, attest_crmf_body_name(c->bodytype), c->n_reqs, len, c->n_reqs - 1);
        verify_several(v, p, c);
    }
    attest_crmf_free(c);
    return v;
}
