/* libFuzzer: PKIX Evidence decoder, re-encoder and describe. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <openssl/crypto.h>

#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/oids.h"
#include "attest/pkix.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return fuzz_init(argc, argv, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_pkix *p = NULL;
    unsigned char *der = NULL;
    size_t len = 0;
    attest_err err;

    if (attest_pkix_decode(data, size, &p, &err) == 0) {
        /* Strict DER: re-encoding gives back the input exactly. */
        if (attest_pkix_encode(p, &der, &len, &err) != 0 || len != size || memcmp(der, data, size) != 0)
            __builtin_trap();
        OPENSSL_free(der);
        json_object_put(attest_describe(ATTEST_DT_PKIX, data, size, &err));
    }
    attest_pkix_free(p);
    return fuzz_done();
}
