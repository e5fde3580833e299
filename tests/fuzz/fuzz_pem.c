/*
 * libFuzzer: the plain PEM reader (asn1/pem_fast.c) against PEM_read_bio,
 * its reference, on arbitrary bytes: whenever the plain reader takes an
 * input, OpenSSL must read the same label and bytes from it (no header);
 * anything else traps.  Seeded with the PEM files of tests/vectors.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/pem_fast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char label[ATTEST_PEM_LABEL_MAX + 1], *name = NULL, *hdr = NULL;
    unsigned char *der = NULL, *ref = NULL;
    size_t len = 0;
    long ref_len = 0;
    BIO *b;

    if (size > 1 << 20 || attest_pem_plain(data, size, label, &der, &len) != 1)
        return 0;
    if ((b = BIO_new_mem_buf(data, (int)size)) == NULL) {
        OPENSSL_free(der);
        return 0;
    }
    if (PEM_read_bio(b, &name, &hdr, &ref, &ref_len) <= 0 || strcmp(name, label) != 0 || hdr[0] != '\0'
        || (size_t)ref_len != len || memcmp(der, ref, len) != 0)
        __builtin_trap();
    OPENSSL_free(der);
    OPENSSL_free(ref);
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    BIO_free(b);
    ERR_clear_error();
    return 0;
}
