/*
 * The verifier for CRMF requests, bare or inside a CMP PKIMessage: the
 * request-level checks (crmf.parse, crmf.popo, bundle.count), then the same
 * bundle, engine and policy checks as for a PKCS#10 request, with the
 * template's public key as the subject key.  A p10cr carries a PKCS#10
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

static const EVP_MD *popo_md(const attest_crmf *c)
{
    int md_nid = NID_undef, pk_nid = NID_undef;

    if (c->popo_alg == NULL
        || !OBJ_find_sigid_algs(OBJ_obj2nid(c->popo_alg->algorithm), &md_nid, &pk_nid) || md_nid == NID_undef)
        return NULL;
    return EVP_get_digestbynid(md_nid);
}

static void check_popo(attest_verdict *v, const attest_verify_params *p, const attest_crmf *c)
{
    char alg[80] = "?";
    int ok;

    if (c->popo_alg != NULL)
        OBJ_obj2txt(alg, sizeof(alg), c->popo_alg->algorithm, 0);
    if (c->popo_type != OSSL_CRMF_POPO_SIGNATURE) {
        /* Only a signature proves possession to us; raVerified is an RA's word (acceptRAVerified=0). */
        attest_fail(&v->checks, CHK_CRMF_POPO, "proof of possession is %s; only a signature POPO by the template key is accepted",
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
    ERR_set_mark();
    ok = OSSL_CRMF_MSGS_verify_popo(c->msgs, 0, 0, p->libctx, p->propq) == 1;
    ERR_pop_to_mark();
    if (ok)
        attest_pass(&v->checks, CHK_CRMF_POPO, "POPO signature (%s, over the %s) verifies with the template key (%s-%d)",
                    alg, c->popo_input ? "POPOSigningKeyInput" : "certReq", EVP_PKEY_get0_type_name(c->pubkey),
                    EVP_PKEY_get_bits(c->pubkey));
    else
        attest_fail(&v->checks, CHK_CRMF_POPO, "the POPO signature (%s) does not verify with the template key: no proof of possession", alg);
}

/* p10cr: the CSR's verdict, with crmf.parse in front saying where it came from. */
static attest_verdict *verify_p10cr(const attest_verify_params *p, const attest_crmf *c, size_t len)
{
    attest_verdict *v = attest_verify_csr(p, c->p10_der, c->p10_len);
    attest_checks all;
    size_t i;

    if (v == NULL)
        return NULL;
    memset(&all, 0, sizeof(all));
    attest_pass(&all, CHK_CRMF_PARSE, "CMP PKIMessage (p10cr, %zu bytes): the PKCS#10 request inside is verified as one", len);
    for (i = 0; i < v->checks.n; i++)
        attest_check_add(&all, v->checks.v[i].id, v->checks.v[i].result, v->checks.v[i].severity, "%s",
                         v->checks.v[i].detail);
    all.lost |= v->checks.lost;
    OPENSSL_free(v->checks.v);
    v->checks = all;
    return v;
}

attest_verdict *attest_verify_crmf(const attest_verify_params *p, const unsigned char *der, size_t len)
{
    attest_verdict *v = OPENSSL_zalloc(sizeof(*v));
    attest_crmf *c = NULL;
    attest_err err;

    if (v == NULL)
        return NULL;
    if (attest_crmf_decode(der, len, p->libctx, p->propq, &c, &err) != 0) {
        attest_fail(&v->checks, CHK_CRMF_PARSE, "%s", err.msg);
        return v;
    }
    if (c->bodytype == OSSL_CMP_P10CR) {
        attest_verdict_free(v);
        v = verify_p10cr(p, c, len);
        attest_crmf_free(c);
        return v;
    }
    if (c->n_reqs > 1)
        attest_warn(&v->checks, CHK_CRMF_PARSE, "%s%s with %d requests: only the first (certReqId %ld) is verified",
                    c->bodytype == ATTEST_CRMF_BARE ? "" : "CMP PKIMessage, body ", attest_crmf_body_name(c->bodytype),
                    c->n_reqs, c->cert_req_id);
    else
        attest_pass(&v->checks, CHK_CRMF_PARSE, "%s%s, one request (certReqId %ld), %zu bytes",
                    c->bodytype == ATTEST_CRMF_BARE ? "" : "CMP PKIMessage, body ", attest_crmf_body_name(c->bodytype),
                    c->cert_req_id, len);
    check_popo(v, p, c);
    ERR_clear_error();

    if (c->n_attest_exts == 0) {
        v->no_attestation = 1;
        attest_skip(&v->checks, CHK_BUNDLE_COUNT, "no id-aa-attestation extension in the certificate template");
        goto done;
    }
    if (c->n_attest_exts != 1)
        attest_fail(&v->checks, CHK_BUNDLE_COUNT, "%d id-aa-attestation extensions in the certificate template, at most one allowed",
                    c->n_attest_exts);
    else
        attest_pass(&v->checks, CHK_BUNDLE_COUNT, "one id-aa-attestation extension%s", c->attest_critical ? " (critical)" : "");
    attest_verify_bundle_into(v, p, c->pubkey, c->spki, popo_md(c), c->bundle_der, c->bundle_len);
done:
    attest_limits_subject(v, c->pubkey);
    attest_crmf_free(c);
    return v;
}
