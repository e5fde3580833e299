/*
 * libFuzzer: the CSR attribute layer and the CSR describer (text and JSON).
 * The light decode is the one verify and describe use; attest_csr_decode
 * adds only OpenSSL's own d2i_X509_REQ, OpenSSL's to fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <openssl/bio.h>

#include "attest/csr.h"
#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/oids.h"

#include "fuzz_common.h"

static BIO *null_out;

/* One-time set-up: the OID table and the sink the renderers write to. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    null_out = BIO_new(BIO_s_null());
    return null_out != NULL ? fuzz_init(argc, argv, NULL) : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_csr *c = NULL;
    attest_err err;

    if (attest_csr_decode_light(data, size, &c, &err) == 0) {
        json_object *j = attest_describe(ATTEST_DT_CSR, data, size, &err);

        attest_render_text(j, null_out);
        attest_render_json(j, null_out, 1);
        json_object_put(j);
    }
    attest_csr_free(c);
    return fuzz_done();
}
