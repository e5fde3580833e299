/* libFuzzer: the CSR attribute layer and the CSR describer (text and JSON). */
#include <stddef.h>
#include <stdint.h>
#include <openssl/bio.h>

#include "attest/csr.h"
#include "attest/describe.h"
#include "attest/objects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_csr *c = NULL;
    attest_err err;

    if (attest_csr_decode(data, size, &c, &err) == 0) {
        json_object *j = attest_describe(ATTEST_DT_CSR, data, size, &err);
        BIO *null = BIO_new(BIO_s_null());

        attest_render_text(j, null);
        attest_render_json(j, null, 1);
        json_object_put(j);
        BIO_free(null);
    }
    attest_csr_free(c);
    return 0;
}
