/* libFuzzer: TcgAttestCertify and the raw TPM structures inside it. */
#include <stddef.h>
#include <stdint.h>
#include <openssl/crypto.h>

#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/tpm2.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return fuzz_init(argc, argv, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The same bytes as the statement and as each raw structure; show's path only for what checks. */
    static const attest_datatype types[] = { ATTEST_DT_TPM2_STMT, ATTEST_DT_TPMS_ATTEST, ATTEST_DT_TPMT_PUBLIC,
                                             ATTEST_DT_TPMT_SIGNATURE };
    attest_err err;
    TPMT_PUBLIC p;
    unsigned char name[2 + 64];
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (attest_object_check(types[i], data, size, &err) == 0)
            json_object_put(attest_describe(types[i], data, size, &err));
    if (attest_tpmt_public_parse(data, size, &p, &err) == 0) {
        EVP_PKEY *k = attest_tpmt_public_to_pkey(&p, NULL, &err);

        EVP_PKEY_free(k);
        (void)attest_tpm2_name(data, size, name, sizeof(name), &err);
    }
    return fuzz_done();
}
