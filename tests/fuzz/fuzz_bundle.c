/* libFuzzer: AttestationBundle decoder, then the current-shape encoder and describe. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <openssl/crypto.h>

#include "attest/bundle.h"
#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/oids.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return fuzz_init(argc, argv, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_bundle *b = NULL;
    unsigned char *der = NULL;
    size_t len = 0;
    attest_err err;

    if (attest_bundle_decode(data, size, &b, &err) == 0) {
        attest_bundle *again = NULL;

        /* Whatever decodes must encode, and the encoding must decode again. */
        if (attest_bundle_encode(b, &der, &len, &err) != 0 || attest_bundle_decode(der, len, &again, &err) != 0)
            __builtin_trap();
        if (again->n_stmts != b->n_stmts || again->legacy != 0)
            __builtin_trap();
        attest_bundle_free(again);
        OPENSSL_free(der);
        json_object_put(attest_describe(ATTEST_DT_BUNDLE, data, size, &err));
    }
    attest_bundle_free(b);
    return fuzz_done();
}
