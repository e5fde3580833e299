/*
 * A small program that verifies an attested CSR with the installed attest
 * library:  verify_csr REQUEST.der TRUST_ANCHOR.pem AT_TIME [NONCE_HEX]
 * (AT_TIME: Unix seconds, 0 for now)
 * Build:    cc verify_csr.c $(pkg-config --cflags --libs attest)
 * Prints the verdict (EAR JSON) and its failed checks, and exits like attest-req verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <attest/attest.h>

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc(1 << 20);

    *len = 0;
    if (f != NULL && buf != NULL)
        *len = fread(buf, 1, 1 << 20, f);
    if (f != NULL)
        fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    unsigned char nonce[64], *der;
    size_t len = 0, nonce_len = 0;
    attest_policy policy;
    attest_verify_params params;
    attest_trust *trust = attest_trust_new();
    attest_verdict *v;
    FILE *f;
    X509 *anchor;
    char *json;
    size_t i, n;
    int rc;

    if (argc < 4 || trust == NULL) {
        fprintf(stderr, "usage: verify_csr REQUEST.der TRUST_ANCHOR.pem AT_TIME [NONCE_HEX]\n");
        return 2;
    }
    if ((f = fopen(argv[2], "r")) == NULL || (anchor = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
        fprintf(stderr, "verify_csr: %s: not a PEM certificate\n", argv[2]);
        return 2;
    }
    fclose(f);
    attest_trust_add_anchor(trust, anchor);
    X509_free(anchor);

    attest_policy_default(&policy);
    memset(&params, 0, sizeof(params));
    params.trust = trust;
    params.policy = &policy;
    if (atol(argv[3]) != 0)
        attest_trust_set_time(trust, (time_t)atol(argv[3]));
    if (argc > 4) {
        long nl = 0;
        unsigned char *n = OPENSSL_hexstr2buf(argv[4], &nl);

        nonce_len = (size_t)nl;

        if (n == NULL || nonce_len > sizeof(nonce)) {
            fprintf(stderr, "verify_csr: bad nonce\n");
            return 2;
        }
        memcpy(nonce, n, nonce_len);
        OPENSSL_free(n);
        params.nonce = nonce;
        params.nonce_len = nonce_len;
    }
    der = slurp(argv[1], &len);
    if ((v = attest_verify_csr(&params, der, len)) == NULL)
        return 1;
    if ((json = attest_verdict_to_json(v, 1)) == NULL)
        return 1;
    printf("%s\n", json);
    OPENSSL_free(json);
    /* The accessors: every failed request-level check, on stderr. */
    n = attest_verdict_check_count(v, ATTEST_VERDICT_TOP);
    for (i = 0; i < n; i++) {
        const char *id, *detail;
        attest_check_result r;

        if (attest_verdict_check(v, ATTEST_VERDICT_TOP, i, &id, &r, NULL, &detail) && r == ATTEST_CHECK_FAIL)
            fprintf(stderr, "%s: %s\n", id, detail);
    }
    fprintf(stderr, "attest %s: %s\n", attest_version(), attest_status_name(attest_verdict_status(v)));
    rc = attest_verdict_exit_code(v);
    attest_verdict_free(v);
    attest_trust_free(trust);
    free(der);
    return rc;
}
