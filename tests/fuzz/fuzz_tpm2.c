/* libFuzzer: TcgAttestCertify and the raw TPM structures inside it. */
#include <stddef.h>
#include <stdint.h>
#include <openssl/crypto.h>

#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/oids.h"
#include "attest/tpm2.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One-time set-up outside the measured loop: the OID table. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return attest_oids_init() ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    attest_tpm2_stmt s;
    attest_err err;
    TPMS_ATTEST a;
    TPMT_PUBLIC p;
    TPMT_SIGNATURE sig;
    unsigned char name[2 + 64];

    if (attest_tpm2_stmt_decode(data, size, &s, &err) == 0) {
        json_object_put(attest_describe(ATTEST_DT_TPM2_STMT, data, size, &err));
        attest_tpm2_stmt_clear(&s);
    }
    /* The same bytes as each raw structure. */
    (void)attest_tpms_attest_parse(data, size, &a, &err);
    if (attest_tpmt_public_parse(data, size, &p, &err) == 0) {
        EVP_PKEY *k = attest_tpmt_public_to_pkey(&p, NULL, &err);

        EVP_PKEY_free(k);
        (void)attest_tpm2_name(data, size, name, sizeof(name), &err);
    }
    (void)attest_tpmt_signature_parse(data, size, &sig);
    json_object_put(attest_describe(ATTEST_DT_TPMS_ATTEST, data, size, &err));
    json_object_put(attest_describe(ATTEST_DT_TPMT_PUBLIC, data, size, &err));
    json_object_put(attest_describe(ATTEST_DT_TPMT_SIGNATURE, data, size, &err));
    return 0;
}
