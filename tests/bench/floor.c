/*
 * bench_floor --list LIST --trust-dir DIR [--parse] - the crypto floor of a
 * batch verify (tests/bench/run.sh).
 *
 * Setup (not timed): every distinct file named in LIST is read and taken
 * apart once with the project's decoders: the request's signed bytes,
 * signature and subject key; the statement's signed bytes (TPMS_ATTEST, or
 * the PKIX tbs), signature and AK key; the AK's chain up to a certificate of
 * DIR.  Keys are EVP_PKEYs, digests are fetched once.
 *
 * Timed: what any verifier of these inputs must compute, with bare EVP calls
 *   - per input: the request self-signature and the evidence signature
 *     (EVP_DigestVerifyInit + EVP_DigestVerify, one reused EVP_MD_CTX);
 *   - once per distinct AK chain (attest-req caches chain results per run):
 *     each certificate signature up to, not including, the trust anchor
 *     (AK cert by the intermediate, intermediate by the root).
 * Prints one line: inputs, distinct inputs, chains, signature checks, total
 * microseconds, microseconds per input.
 *
 * --parse instead times the X.509 parsing every verifier of these inputs
 * pays with OpenSSL: d2i_X509_REQ of the request and d2i_X509 of each bundle
 * certificate, per input (informative: it is not part of the floor).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/oids.h"
#include "attest/csr.h"
#include "attest/pkix.h"
#include "attest/spki_key.h"
#include "attest/tpm2.h"

#define DIE(...)                                      \
    do {                                              \
        fprintf(stderr, "bench_floor: " __VA_ARGS__); \
        fputc('\n', stderr);                          \
        ERR_print_errors_fp(stderr);                  \
        exit(1);                                      \
    } while (0)
#define MAX_DISTINCT 64
#define MAX_SIGS     16

typedef struct {
    EVP_PKEY *key;            /* borrowed */
    EVP_MD *md;               /* owned, NULL for none */
    unsigned char *tbs, *sig; /* owned */
    size_t tbs_len, sig_len;
} sigcheck;

typedef struct {
    char path[4096];
    unsigned char *der; /* the request DER */
    size_t der_len;
    X509_REQ *req;
    STACK_OF(X509) *certs;      /* the bundle's certificates */
    unsigned char *cert_der[8]; /* and their DER, for --parse */
    size_t cert_len[8];
    int n_cert_der;
    sigcheck csr, ev;
} input;

static STACK_OF(X509) *anchors;
static sigcheck chain_sigs[MAX_SIGS];
static int n_chain_sigs;
static unsigned char *chain_keys[MAX_DISTINCT];
static size_t chain_key_lens[MAX_DISTINCT];
static int n_chains;

static EVP_MD *fetch_md(int nid)
{
    EVP_MD *md = nid == NID_undef ? NULL : EVP_MD_fetch(NULL, OBJ_nid2sn(nid), NULL);

    if (nid != NID_undef && md == NULL)
        DIE("digest %s", OBJ_nid2sn(nid));
    return md;
}

static int run_check(EVP_MD_CTX *m, const sigcheck *c)
{
    int ok = EVP_DigestVerifyInit(m, NULL, c->md, NULL, c->key) > 0
        && EVP_DigestVerify(m, c->sig, c->sig_len, c->tbs, c->tbs_len) == 1;

    EVP_MD_CTX_reset(m);
    return ok;
}

static unsigned char *memdup(const void *p, size_t n)
{
    unsigned char *d = OPENSSL_malloc(n ? n : 1);

    if (d == NULL)
        DIE("out of memory");
    memcpy(d, p, n);
    return d;
}

/* A certificate's signature by issuer_key, as a sigcheck. */
static void cert_check(X509 *x, EVP_PKEY *issuer_key, sigcheck *c)
{
    const ASN1_BIT_STRING *sig;
    const X509_ALGOR *alg;
    unsigned char *tbs = NULL;
    int n, md_nid, pk_nid;

    X509_get0_signature(&sig, &alg, x);
    if (!OBJ_find_sigid_algs(OBJ_obj2nid(alg->algorithm), &md_nid, &pk_nid))
        DIE("certificate signature algorithm");
    if ((n = i2d_re_X509_tbs(x, &tbs)) <= 0)
        DIE("certificate tbs");
    c->key = issuer_key;
    c->md = fetch_md(md_nid);
    c->tbs = tbs;
    c->tbs_len = (size_t)n;
    c->sig = memdup(sig->data, (size_t)sig->length);
    c->sig_len = (size_t)sig->length;
}

static X509 *find_issuer(X509 *x, STACK_OF(X509) *list)
{
    int i;

    for (i = 0; i < sk_X509_num(list); i++)
        if (X509_check_issued(sk_X509_value(list, i), x) == X509_V_OK)
            return sk_X509_value(list, i);
    return NULL;
}

/* The chain signatures of ak, once per distinct (ak, bundle certs) like the verifier's cache key. */
static void add_chain(X509 *ak, STACK_OF(X509) *bundle_certs)
{
    unsigned char *key = NULL, *der = NULL;
    size_t key_len = 0;
    int i, n;
    X509 *x = ak, *issuer;
    EVP_MD_CTX *m = EVP_MD_CTX_new();

    for (i = -1; i < sk_X509_num(bundle_certs); i++) {
        n = i2d_X509(i < 0 ? ak : sk_X509_value(bundle_certs, i), &der);
        if (n <= 0 || (key = OPENSSL_realloc(key, key_len + (size_t)n)) == NULL)
            DIE("chain key");
        memcpy(key + key_len, der, (size_t)n);
        key_len += (size_t)n;
        OPENSSL_free(der);
        der = NULL;
    }
    for (i = 0; i < n_chains; i++) {
        if (chain_key_lens[i] == key_len && memcmp(chain_keys[i], key, key_len) == 0) {
            OPENSSL_free(key);
            EVP_MD_CTX_free(m);
            return;
        }
    }
    if (n_chains == MAX_DISTINCT)
        DIE("too many chains");
    chain_keys[n_chains] = key;
    chain_key_lens[n_chains++] = key_len;
    /* Up the bundle's certificates until a certificate of the trust directory signs. */
    for (;;) {
        if ((issuer = find_issuer(x, anchors)) != NULL) {
            if (n_chain_sigs == MAX_SIGS)
                DIE("too many chain signatures");
            cert_check(x, X509_get0_pubkey(issuer), &chain_sigs[n_chain_sigs]);
            if (!run_check(m, &chain_sigs[n_chain_sigs++]))
                DIE("chain signature does not verify");
            break;
        }
        if ((issuer = find_issuer(x, bundle_certs)) == NULL || issuer == x)
            DIE("no path to a trust anchor");
        if (n_chain_sigs == MAX_SIGS)
            DIE("too many chain signatures");
        cert_check(x, X509_get0_pubkey(issuer), &chain_sigs[n_chain_sigs]);
        if (!run_check(m, &chain_sigs[n_chain_sigs++]))
            DIE("chain signature does not verify");
        x = issuer;
    }
    EVP_MD_CTX_free(m);
}

static unsigned char *ecdsa_der(const TPMS_SIGNATURE_ECC *e, size_t *len)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(e->signatureR.buffer, e->signatureR.size, NULL);
    BIGNUM *sv = BN_bin2bn(e->signatureS.buffer, e->signatureS.size, NULL);
    unsigned char *der = NULL;
    int n;

    if (s == NULL || r == NULL || sv == NULL || !ECDSA_SIG_set0(s, r, sv))
        DIE("ECDSA signature");
    if ((n = i2d_ECDSA_SIG(s, &der)) <= 0)
        DIE("ECDSA signature");
    ECDSA_SIG_free(s);
    *len = (size_t)n;
    return der;
}

static void setup_tpm2(input *in, const attest_statement *st)
{
    attest_tpm2_stmt s;
    TPMT_SIGNATURE ts;
    attest_err err;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int i;

    if (attest_tpm2_stmt_decode(st->stmt, st->stmt_len, &s, &err) != 0)
        DIE("%s: %s", in->path, err.msg);
    if (!attest_tpmt_signature_parse(s.sig, s.sig_len, &ts))
        DIE("%s: only TPMT_SIGNATURE evidence is benchmarked", in->path);
    in->ev.md = fetch_md(EVP_MD_get_type(attest_tpm2_md(ts.signature.any.hashAlg)));
    if (ts.sigAlg == TPM2_ALG_RSASSA) {
        in->ev.sig = memdup(ts.signature.rsassa.sig.buffer, ts.signature.rsassa.sig.size);
        in->ev.sig_len = ts.signature.rsassa.sig.size;
    } else if (ts.sigAlg == TPM2_ALG_ECDSA) {
        in->ev.sig = ecdsa_der(&ts.signature.ecdsa, &in->ev.sig_len);
    } else {
        DIE("%s: TPM signature scheme 0x%04x not benchmarked", in->path, ts.sigAlg);
    }
    in->ev.tbs = memdup(s.attest, s.attest_len);
    in->ev.tbs_len = s.attest_len;
    /* The AK is the bundle certificate whose key verifies (found here, not timed). */
    for (i = 0; i < sk_X509_num(in->certs); i++) {
        in->ev.key = X509_get0_pubkey(sk_X509_value(in->certs, i));
        ERR_set_mark();
        if (in->ev.key != NULL && run_check(m, &in->ev)) {
            ERR_pop_to_mark();
            add_chain(sk_X509_value(in->certs, i), in->certs);
            break;
        }
        ERR_pop_to_mark();
        in->ev.key = NULL;
    }
    if (in->ev.key == NULL)
        DIE("%s: no bundle certificate verifies the TPM signature", in->path);
    attest_tpm2_stmt_clear(&s);
    EVP_MD_CTX_free(m);
}

static void setup_pkix(input *in, const attest_statement *st)
{
    attest_pkix *p = NULL;
    const ATTEST_PKIX_SIGBLOCK *b;
    attest_err err;
    int md_nid, pk_nid, i;
    X509 *ak = NULL;
    EVP_PKEY *sid_key;
    EVP_MD_CTX *m = EVP_MD_CTX_new();

    if (attest_pkix_decode(st->stmt, st->stmt_len, &p, &err) != 0)
        DIE("%s: %s", in->path, err.msg);
    if (sk_ATTEST_PKIX_SIGBLOCK_num(p->ev->sigs) != 1)
        DIE("%s: one signature block expected", in->path);
    b = sk_ATTEST_PKIX_SIGBLOCK_value(p->ev->sigs, 0);
    if (!OBJ_find_sigid_algs(OBJ_obj2nid(b->alg->algorithm), &md_nid, &pk_nid))
        DIE("%s: PKIX signature algorithm not benchmarked", in->path);
    in->ev.md = fetch_md(md_nid);
    in->ev.tbs = memdup(p->tbs_der, p->tbs_len);
    in->ev.tbs_len = p->tbs_len;
    in->ev.sig = memdup(b->value->data, (size_t)b->value->length);
    in->ev.sig_len = (size_t)b->value->length;
    if (b->sid->cert != NULL)
        ak = b->sid->cert;
    sid_key = b->sid->spki != NULL ? attest_spki_pkey(b->sid->spki, NULL, NULL) : NULL; /* set up, not timed */
    for (i = 0; ak == NULL && sid_key != NULL && i < sk_X509_num(in->certs); i++)
        if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(in->certs, i)), sid_key) == 1)
            ak = sk_X509_value(in->certs, i);
    EVP_PKEY_free(sid_key);
    if (ak == NULL)
        DIE("%s: the AK certificate is not in the bundle", in->path);
    in->ev.key = X509_get0_pubkey(ak);
    if (!run_check(m, &in->ev))
        DIE("%s: the PKIX signature does not verify", in->path);
    add_chain(ak, in->certs);
    attest_pkix_free(p);
    EVP_MD_CTX_free(m);
}

static void setup(input *in)
{
    BIO *b = BIO_new_file(in->path, "rb");
    char *name = NULL, *hdr = NULL;
    unsigned char *der = NULL;
    long len = 0;
    attest_csr *c = NULL;
    attest_bundle *bundle = NULL;
    attest_err err;
    const ASN1_BIT_STRING *sig;
    const X509_ALGOR *alg;
    unsigned char *tbs = NULL;
    int n, md_nid, pk_nid;
    EVP_MD_CTX *m = EVP_MD_CTX_new();

    if (b == NULL || PEM_read_bio(b, &name, &hdr, &der, &len) <= 0)
        DIE("%s: not PEM", in->path);
    BIO_free(b);
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    in->der = der;
    in->der_len = (size_t)len;
    if (attest_csr_decode(der, (size_t)len, &c, &err) != 0 || c->bundle_der == NULL)
        DIE("%s: %s", in->path, c == NULL ? err.msg : "no bundle");
    in->req = c->req;
    c->req = NULL;
    X509_REQ_get0_signature(in->req, &sig, &alg);
    if (!OBJ_find_sigid_algs(OBJ_obj2nid(alg->algorithm), &md_nid, &pk_nid))
        DIE("%s: request signature algorithm not benchmarked", in->path);
    if ((n = i2d_re_X509_REQ_tbs(in->req, &tbs)) <= 0)
        DIE("%s: request info", in->path);
    in->csr.key = X509_REQ_get0_pubkey(in->req);
    in->csr.md = fetch_md(md_nid);
    in->csr.tbs = tbs;
    in->csr.tbs_len = (size_t)n;
    in->csr.sig = memdup(sig->data, (size_t)sig->length);
    in->csr.sig_len = (size_t)sig->length;
    if (!run_check(m, &in->csr))
        DIE("%s: the request signature does not verify", in->path);
    if (attest_bundle_decode(c->bundle_der, c->bundle_len, &bundle, &err) != 0 || bundle->n_stmts != 1)
        DIE("%s: bundle: %s", in->path, bundle == NULL ? err.msg : "one statement expected");
    in->certs = bundle->certs;
    bundle->certs = sk_X509_new_null();
    for (n = 0; n < sk_X509_num(in->certs) && in->n_cert_der < 8; n++) {
        unsigned char *cd = NULL;
        int cl = i2d_X509(sk_X509_value(in->certs, n), &cd);

        if (cl <= 0)
            DIE("%s: certificate DER", in->path);
        in->cert_der[in->n_cert_der] = cd;
        in->cert_len[in->n_cert_der++] = (size_t)cl;
    }
    if (attest_oid_find(bundle->stmts[0].type) == ATTEST_OID_TPM_CERTIFY)
        setup_tpm2(in, &bundle->stmts[0]);
    else if (attest_oid_find(bundle->stmts[0].type) == ATTEST_OID_PKIX_STATEMENT)
        setup_pkix(in, &bundle->stmts[0]);
    else
        DIE("%s: statement type not benchmarked", in->path);
    attest_bundle_free(bundle);
    attest_csr_free(c);
    EVP_MD_CTX_free(m);
}

static void load_anchors(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];

    if (d == NULL || (anchors = sk_X509_new_null()) == NULL)
        DIE("%s: cannot open", dir);
    while ((e = readdir(d)) != NULL) {
        BIO *b;
        X509 *x;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if ((b = BIO_new_file(path, "rb")) == NULL)
            continue;
        while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
            sk_X509_push(anchors, x);
        ERR_clear_error();
        BIO_free(b);
    }
    closedir(d);
}

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    const char *list = NULL, *trust = NULL;
    int parse = 0, i, n_in = 0, n_distinct = 0, checks = 0, bad = 0;
    static input distinct[MAX_DISTINCT];
    int *order = NULL, cap = 0;
    char line[4096];
    FILE *f;
    EVP_MD_CTX *m;
    double t0, t1;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0 && i + 1 < argc)
            list = argv[++i];
        else if (strcmp(argv[i], "--trust-dir") == 0 && i + 1 < argc)
            trust = argv[++i];
        else if (strcmp(argv[i], "--parse") == 0)
            parse = 1;
        else
            DIE("usage: bench_floor --list LIST --trust-dir DIR [--parse]");
    }
    if (list == NULL || trust == NULL || (f = fopen(list, "r")) == NULL)
        DIE("usage: bench_floor --list LIST --trust-dir DIR [--parse]");
    load_anchors(trust);
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        for (i = 0; i < n_distinct && strcmp(distinct[i].path, line) != 0; i++)
            ;
        if (i == n_distinct) {
            if (n_distinct == MAX_DISTINCT)
                DIE("more than %d distinct inputs", MAX_DISTINCT);
            snprintf(distinct[n_distinct].path, sizeof(distinct[n_distinct].path), "%s", line);
            setup(&distinct[n_distinct++]);
        }
        if (n_in == cap && (order = realloc(order, sizeof(*order) * (size_t)(cap = cap ? 2 * cap : 1024))) == NULL)
            DIE("out of memory");
        order[n_in++] = i;
    }
    fclose(f);
    if (n_in == 0)
        DIE("%s: no inputs", list);
    m = EVP_MD_CTX_new();

    if (parse) {
        t0 = now_us();
        for (i = 0; i < n_in; i++) {
            const input *in = &distinct[order[i]];
            const unsigned char *p = in->der;
            X509_REQ *r = d2i_X509_REQ(NULL, &p, (long)in->der_len);
            int j;

            bad += r == NULL;
            X509_REQ_free(r);
            for (j = 0; j < in->n_cert_der; j++) {
                const unsigned char *q = in->cert_der[j];
                X509 *x = d2i_X509(NULL, &q, (long)in->cert_len[j]);

                bad += x == NULL;
                X509_free(x);
            }
        }
        t1 = now_us();
        printf("parse inputs=%d distinct=%d total_us=%.0f per_input_us=%.2f\n", n_in, n_distinct, t1 - t0,
               (t1 - t0) / n_in);
        return bad != 0;
    }

    t0 = now_us();
    for (i = 0; i < n_chain_sigs; i++, checks++)
        bad += !run_check(m, &chain_sigs[i]);
    for (i = 0; i < n_in; i++, checks += 2) {
        const input *in = &distinct[order[i]];

        bad += !run_check(m, &in->csr);
        bad += !run_check(m, &in->ev);
    }
    t1 = now_us();
    if (bad)
        DIE("%d signature checks failed", bad);
    printf("floor inputs=%d distinct=%d chains=%d sigs=%d total_us=%.0f per_input_us=%.2f\n", n_in, n_distinct,
           n_chains, checks, t1 - t0, (t1 - t0) / n_in);
    EVP_MD_CTX_free(m);
    return 0;
}
