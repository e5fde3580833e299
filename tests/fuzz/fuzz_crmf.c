/*
 * libFuzzer: CRMF CertReqMessages and CMP PKIMessages (ir, cr, kur, p10cr).
 * What decodes is described (text and JSON render) and verified against a
 * fixed anchor and nonce, built once; an affirming verdict would be a
 * forgery and traps.
 */
#include <stddef.h>
#include <stdint.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/crmf.h"
#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/verdict.h"

#include "fuzz_common.h"

static attest_trust *trust;
static attest_policy policy;
static BIO *null_out;

/* An anchor nobody outside this process holds the key of. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    X509 *root = X509_new();
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509_NAME *n = X509_NAME_new();

    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"fuzz root", -1, -1, 0);
    X509_set_version(root, 2);
    X509_set_subject_name(root, n);
    X509_set_issuer_name(root, n);
    X509_gmtime_adj(X509_getm_notBefore(root), 0);
    X509_gmtime_adj(X509_getm_notAfter(root), 86400);
    X509_set_pubkey(root, k);
    X509_sign(root, k, EVP_sha256());
    trust = attest_trust_new();
    attest_trust_add_anchor(trust, root);
    attest_trust_set_cache(trust, 0); /* chain results would outlive the input */
    attest_policy_default(&policy);
    null_out = BIO_new(BIO_s_null());
    X509_NAME_free(n);
    X509_free(root);
    EVP_PKEY_free(k);
    return fuzz_init(argc, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char nonce[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    attest_verify_params p = { 0 };
    attest_crmf *c = NULL;
    attest_verdict *v;
    attest_err err;
    json_object *j;

    if (attest_crmf_decode(data, size, NULL, NULL, &c, &err) != 0)
        return fuzz_done();
    attest_crmf_free(c);
    /* Only what decodes: the describer and the verifier decode again. */
    if ((j = attest_describe(ATTEST_DT_CRMF, data, size, &err)) != NULL) {
        attest_render_text(j, null_out);
        attest_render_json(j, null_out, 0);
        json_object_put(j);
    }
    p.trust = trust;
    p.policy = &policy;
    p.nonce = nonce;
    p.nonce_len = sizeof(nonce);
    if ((v = attest_verify_crmf(&p, data, size)) != NULL) {
        if (attest_verdict_exit_code(v) == 0)
            __builtin_trap();
        attest_verdict_free(v);
    }
    return fuzz_done();
}
