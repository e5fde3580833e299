/*
 * bench_tpm_raw --key HANDLE --ak HANDLE --nonce HEX [--reps N] - the TPM
 * work `attest-req new --evidence tpm2` cannot avoid, timed directly
 * (tests/bench/run.sh).
 *
 * One repetition: attest_tpm_open (TCTI from ATTEST_TCTI / TPM2TOOLS_TCTI),
 * attest_tpm_certify (TPM2_Certify of the key by the AK with the nonce),
 * SHA-256 of a 2 KiB stand-in for the request's CertificationRequestInfo,
 * attest_tpm_sign_digest (TPM2_Sign with the key: RSASSA for RSA keys,
 * ECDSA for ECC keys), attest_tpm_close.  Prints the microseconds of each
 * repetition, one per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest/tpm2.h"
#include "attest/tpm2_device.h"

#define DIE(...)                                        \
    do {                                                \
        fprintf(stderr, "bench_tpm_raw: " __VA_ARGS__); \
        fputc('\n', stderr);                            \
        exit(1);                                        \
    } while (0)

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    unsigned char nonce[64], tbs[2048], digest[32], *sig = NULL;
    size_t nonce_len = 0, sig_len = 0;
    unsigned int dlen = 0;
    const char *hex = NULL;
    attest_tpm_keyref key = { 0, NULL, 0 };
    uint32_t ak = 0;
    int reps = 1, i;
    attest_err err;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key.handle = (uint32_t)strtoul(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--ak") == 0 && i + 1 < argc)
            ak = (uint32_t)strtoul(argv[++i], NULL, 0);
        else if (strcmp(argv[i], "--nonce") == 0 && i + 1 < argc)
            hex = argv[++i];
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else
            DIE("usage: bench_tpm_raw --key HANDLE --ak HANDLE --nonce HEX [--reps N]");
    }
    if (key.handle == 0 || ak == 0 || hex == NULL || reps < 1)
        DIE("usage: bench_tpm_raw --key HANDLE --ak HANDLE --nonce HEX [--reps N]");
    for (; hex[0] != '\0' && hex[1] != '\0' && nonce_len < sizeof(nonce); hex += 2) {
        unsigned v;

        if (sscanf(hex, "%2x", &v) != 1)
            DIE("bad nonce hex");
        nonce[nonce_len++] = (unsigned char)v;
    }
    memset(tbs, 0x5a, sizeof(tbs));
    if (getenv("TSS2_LOG") == NULL)
        setenv("TSS2_LOG", "all+none", 1);

    for (i = 0; i < reps; i++) {
        attest_tpm *t = NULL;
        attest_tpm_certify_out out;
        TPMT_PUBLIC pub;
        attest_err perr;
        uint16_t scheme;
        double t0 = now_us(), t1;

        memset(&out, 0, sizeof(out));
        if (attest_tpm_open(NULL, &t, &err) != 0)
            DIE("open: %s", err.msg);
        if (attest_tpm_certify(t, &key, ak, nonce, nonce_len, &out, &err) != 0)
            DIE("certify: %s", err.msg);
        /* The key type is in the certify output: no extra TPM command. */
        if (attest_tpmt_public_parse(out.pub, out.pub_len, &pub, &perr) != 0)
            DIE("TPMT_PUBLIC: %s", perr.msg);
        scheme = pub.type == TPM2_ALG_RSA ? TPM2_ALG_RSASSA : TPM2_ALG_ECDSA;
        if (!EVP_Digest(tbs, sizeof(tbs), digest, &dlen, EVP_sha256(), NULL))
            DIE("SHA-256");
        if (attest_tpm_sign_digest(t, &key, scheme, TPM2_ALG_SHA256, digest, dlen, &sig, &sig_len, &err) != 0)
            DIE("sign: %s", err.msg);
        attest_tpm_close(t);
        t1 = now_us();
        printf("%.0f\n", t1 - t0);
        attest_tpm_certify_out_clear(&out);
        OPENSSL_free(sig);
        sig = NULL;
    }
    return 0;
}
