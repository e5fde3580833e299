/*
 * Set-up shared by the fuzz targets.  libFuzzer runs a leak check whenever
 * an input allocates more than it frees, so nothing may carry memory from
 * one input to the next: the certificate cache is frozen after the seeds
 * filled it (what an input adds is dropped when it ends), OpenSSL's error
 * queue is emptied after each input, and what OpenSSL fetches or builds
 * once (algorithms, decoders, error strings) is fetched here, by running
 * the target over the seed directories before fuzzing starts.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/certcache.h"
#include "attest/verify.h"
#include "attest/oids.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_WARM_FILES 64        /* per directory: enough to touch each seed's paths */
#define FUZZ_WARM_MAX   (1 << 16) /* the -max_len fuzz.sh uses */

/*
 * A trust store with one anchor nobody outside this process holds the key of;
 * fuzz_init freezes its chain cache after the seeds.  key_out: the anchor's
 * key, or NULL to free it.
 */
static inline attest_trust *fuzz_trust_store(EVP_PKEY **key_out)
{
    X509 *root = X509_new();
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509_NAME *n = X509_NAME_new();
    attest_trust *t = attest_trust_new();

    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"fuzz root", -1, -1, 0);
    X509_set_version(root, 2);
    X509_set_subject_name(root, n);
    X509_set_issuer_name(root, n);
    X509_gmtime_adj(X509_getm_notBefore(root), 0);
    X509_gmtime_adj(X509_getm_notAfter(root), 86400);
    X509_set_pubkey(root, k);
    X509_sign(root, k, EVP_sha256());
    attest_trust_add_anchor(t, root);
    X509_NAME_free(n);
    X509_free(root);
    if (key_out != NULL)
        *key_out = k;
    else
        EVP_PKEY_free(k);
    return t;
}

/*
 * Each input ends with an empty error queue (its entries carry allocated
 * text) and the certificates it decoded dropped from the cache's scratch.
 */
static inline int fuzz_done(void)
{
    ERR_clear_error();
    attest_certcache_drop_scratch();
    return 0;
}

/* Run the target over up to FUZZ_WARM_FILES files of each directory on the command line. */
static void fuzz_warm_dirs(int argc, char **argv)
{
    static unsigned char buf[FUZZ_WARM_MAX];
    char path[4096];
    int i;

    for (i = 1; i < argc; i++) {
        DIR *d = argv[i][0] != '-' ? opendir(argv[i]) : NULL;
        struct dirent *e;
        int n = 0;

        while (d != NULL && n < FUZZ_WARM_FILES && (e = readdir(d)) != NULL) {
            FILE *f;
            size_t len;

            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if ((f = fopen(path, "rb")) == NULL)
                continue;
            len = fread(buf, 1, sizeof(buf), f);
            fclose(f);
            LLVMFuzzerTestOneInput(buf, len);
            n++;
        }
        if (d != NULL)
            closedir(d);
    }
}

/*
 * The OID table, the seeds run once, then caches that only answer: the
 * certificate cache (the seeds' certificates) and, given a trust store, its
 * chain results (the seeds' chains: an input that keeps its chain is not sent
 * through X509_verify_cert again; one that changes it is).
 */
static inline int fuzz_init(int *argc, char ***argv, attest_trust *trust)
{
    if (!attest_oids_init())
        return 1;
    fuzz_warm_dirs(*argc, *argv);
    attest_certcache_freeze();
    if (trust != NULL)
        attest_trust_freeze_cache(trust);
    return 0;
}

#endif
