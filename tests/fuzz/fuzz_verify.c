/*
 * libFuzzer: the whole verify path on arbitrary bytes, as a CSR and as a
 * bare bundle, with a fixed trust anchor and nonce.  The render of the
 * verdict runs too (text always, JSON on a quarter of the inputs).  A verdict of "affirming" for fuzzed
 * input would mean a forgery: that traps.
 */
#include <stddef.h>
#include <stdint.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/describe.h"
#include "attest/verdict.h"

#include "fuzz_common.h"

static attest_trust *trust;
static EVP_PKEY *pubkey;
static attest_policy policy;
static BIO *null_out;

/* One-time set-up: the anchor and trust store (its chain cache frozen after the seeds), the policy, the render
 * sink. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    trust = fuzz_trust_store(&pubkey);
    attest_policy_default(&policy);
    null_out = BIO_new(BIO_s_null());
    return fuzz_init(argc, argv, trust);
}

/*
 * The text render runs on every verdict; the EAR JSON (built, rendered and
 * freed: a third of the time per input under ASan) on inputs whose size is
 * a multiple of four, so it still sees every kind of verdict, and an input
 * keeps its path when it is replayed.
 */
static void judge(attest_verdict *v, size_t size)
{
    json_object *j;

    if (v == NULL)
        return;
    if (attest_verdict_exit_code(v) == 0)
        __builtin_trap();
    attest_verdict_text(v, null_out);
    if (size % 4 == 0) {
        j = attest_verdict_json(v);
        attest_render_json(j, null_out, 0);
        json_object_put(j);
    }
    attest_verdict_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char nonce[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    attest_verify_params p = { 0 };

    p.trust = trust;
    p.policy = &policy;
    p.nonce = nonce;
    p.nonce_len = sizeof(nonce);
    judge(attest_verify_csr(&p, data, size), size);
    p.subject_key = pubkey;
    judge(attest_verify_bundle(&p, data, size), size);
    return fuzz_done();
}
