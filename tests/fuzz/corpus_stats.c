/*
 * How far a corpus gets: corpus_stats DIR... judges every file as the
 * verify and crmf targets do (a fixed anchor nobody holds the key of) and
 * counts the inputs whose verdict ran a signature check (csr.signature,
 * crmf.popo, tpm2.signature or pkix.signature passed or failed rather than
 * skipped or absent).  Parsing should reject most inputs before that.
 */
#include <dirent.h>
#include <stdio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/checks.h"
#include "attest/registry.h"
#include "attest/oids.h"
#include "attest/verdict.h"

static const char *const sig_checks[] = { CHK_CSR_SIGNATURE, CHK_CRMF_POPO, CHK_TPM2_SIGNATURE, CHK_PKIX_SIGNATURE };

static int ran(const attest_checks *c)
{
    size_t i;

    for (i = 0; i < sizeof(sig_checks) / sizeof(sig_checks[0]); i++) {
        const attest_check *k = attest_checks_find(c, sig_checks[i]);

        if (k != NULL && k->result != ATTEST_CHECK_SKIP)
            return 1;
    }
    return 0;
}

static int reached_signature(const attest_verdict *v)
{
    size_t i;

    if (v == NULL)
        return 0;
    if (ran(&v->checks))
        return 1;
    for (i = 0; i < v->n_subs; i++)
        if (ran(&v->subs[i].checks))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    static const unsigned char nonce[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    static unsigned char buf[1 << 16];
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *root = X509_new();
    X509_NAME *n = X509_NAME_new();
    attest_verify_params p = { 0 };
    attest_policy policy;
    attest_trust *trust = attest_trust_new();
    size_t files = 0, reached = 0;
    int i;

    attest_oids_init();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"fuzz root", -1, -1, 0);
    X509_set_version(root, 2);
    X509_set_subject_name(root, n);
    X509_set_issuer_name(root, n);
    X509_NAME_free(n);
    X509_gmtime_adj(X509_getm_notBefore(root), 0);
    X509_gmtime_adj(X509_getm_notAfter(root), 86400);
    X509_set_pubkey(root, k);
    X509_sign(root, k, EVP_sha256());
    attest_trust_add_anchor(trust, root);
    attest_policy_default(&policy);
    p.trust = trust;
    p.policy = &policy;
    p.nonce = nonce;
    p.nonce_len = sizeof(nonce);
    p.subject_key = k;
    for (i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        char path[4096];

        while (d != NULL && (e = readdir(d)) != NULL) {
            attest_datatype dt;
            attest_verdict *v;
            FILE *f;
            size_t len;

            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (e->d_name[0] == '.' || (f = fopen(path, "rb")) == NULL)
                continue;
            len = fread(buf, 1, sizeof(buf), f);
            fclose(f);
            dt = attest_detect(buf, len);
            v = attest_verify_any(&p, dt == ATTEST_DT_NONE ? ATTEST_DT_CSR : dt, buf, len);
            files++;
            reached += (size_t)reached_signature(v);
            attest_verdict_free(v);
        }
        if (d != NULL)
            closedir(d);
    }
    printf("%zu inputs, %zu reached a signature check (%.1f %%)\n", files, reached,
           files ? 100.0 * (double)reached / (double)files : 0.0);
    attest_trust_free(trust);
    X509_free(root);
    EVP_PKEY_free(k);
    return 0;
}
