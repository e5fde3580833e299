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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    trust = fuzz_trust_store(NULL);
    attest_policy_default(&policy);
    null_out = BIO_new(BIO_s_null());
    return fuzz_init(argc, argv, trust);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char nonce[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    attest_verify_params p = { 0 };
    attest_verdict *v;
    attest_err err;
    json_object *j;

    /* Only what decodes (the describer says NULL exactly then): each decode costs a decoder context per key. */
    if ((j = attest_describe(ATTEST_DT_CRMF, data, size, &err)) == NULL)
        return fuzz_done();
    attest_render_text(j, null_out);
    attest_render_json(j, null_out, 0);
    json_object_put(j);
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
