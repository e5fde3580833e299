/*
 * The mutation suite's shared parts: the bases (valid attested requests),
 * what a mutant is expected to trip (expect_t), the per-class bookkeeping,
 * and the generators of each class family.  See test_mutation.c.
 */
#ifndef MUTATION_H
#define MUTATION_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/rsa.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/limits.h"
#include "attest/oids.h"
#include "attest/pkix.h"
#include "attest/pkix_produce.h"
#include "attest/request.h"
#include "attest/verdict.h"
#include "json_strict.h"
#include "forge_tpm2.h"
#include "mutate.h"
#include "testutil.h"
/* ------------------------------------------------------------ bookkeeping */

#define MAX_CLASSES 80
#define MAX_IDS     24
#define MAX_REPORTS 12  /* offending mutants printed with their verdict */
#define MAX_LINES   200 /* ... and with one line */

enum { FAM_TPM = 0, FAM_PKIX, FAM_N };

typedef struct {
    const char *name;
    int fam;
    long n, identical, equiv, exits[5];
    long false_accepts, must_affirm_misses, misses, unsignable;
    long expected; /* mutants the discovery pass generated */
    unsigned gens; /* the generators that make this class (bit = index in the generator table) */
    char ids[MAX_IDS][32];
    long idn[MAX_IDS];
    int nids;
} class_stat;

enum { EQ_NO = 0, EQ_MAY, EQ_MUST };

typedef struct {
    int resign;               /* re-sign the request with the subject key */
    int equiv;                /* EQ_NO: must not affirm; EQ_MAY; EQ_MUST: must affirm */
    const char *const *oneof; /* one of these ids must FAIL (NULL: none required) */
    int allow_none;           /* exit 4 (no attestation) also satisfies oneof */
    int want_rc;              /* required exit code, or -1 */
    const char *only;         /* exactly this id fails (only_sev); nothing else errors or warns */
    attest_severity only_sev; /* 0 (info) means error */
    const char *detail;       /* substring of that check's detail */
    int fresh_trust;          /* a new trust store (no chain cache from earlier mutants) */
    int other1;               /* two blocks: 1 + the block that must carry an affirmed verdict; 0: none */
    int judge_identical;      /* the base's own bytes, judged under other parameters (k.time) */
} expect_t;

#define MAX_AKS 2

typedef struct {
    const char *name;
    int fam;                /* FAM_TPM / FAM_PKIX */
    forge_out out;          /* PKIX: csr, stmt (the Evidence) and ak_cert (akc[0]) only */
    EVP_PKEY *subject, *ak; /* ak: the (first) AK */
    const EVP_MD *md;
    const char *eku; /* the AK EKU its certificates carry */
    mut_tree t;
    int root, cri, sigalg, sigval, attrs, attr, attr_oid, attr_set, bundle, stmts, certs;
    int stmt, stmt_type, tcg, attest, tsig, pub, cert, tbs;
    /* PKIX: the AKs (block k is signed by aks[k]), their certificates (bag entry k), the nodes */
    int naks;
    EVP_PKEY *aks[MAX_AKS];
    X509 *akc[MAX_AKS];
    char akcn[MAX_AKS][40]; /* the AK certificates' CNs */
    int ev, ptbs, sigs, block[MAX_AKS], bval[MAX_AKS], balg[MAX_AKS], salg[MAX_AKS], bcert[MAX_AKS], btbs[MAX_AKS];
    attest_trust *trust;
} base_t;

typedef struct {
    int counting;
    long counted;
    class_stat cls[MAX_CLASSES];
    int ncls;
    long total, false_accepts, misses, must_affirm_misses, unsignable, reports;
    const char *dump_dir;
    attest_policy pol;
    mut_rng rng;
    long target; /* ATTEST_MUTANTS, 0: default */
    int bits_per_byte, stride;
    base_t bases[5];
    int nbases;
    unsigned long long seed; /* ATTEST_MUTATION_SEED */
    int discover;            /* generate only: record each class's mutant count and generators */
    int gen;                 /* the generator running (discovery) */
    const char *only_class;  /* judge only this class's mutants (NULL: all) */
} mut_state;
extern mut_state S;

/* A verification time for the k.time class (fresh trust stores only); unset: the clock. */
struct mut_at_time {
    int set;
    time_t when;
};
extern struct mut_at_time at_time;

#define AK_EKU      "2.23.133.8.3"
#define YEAR        (365L * 86400)
#define PKIX_KEY_ID "mutation-k1"
#define PKIX_TIME   1790000000

enum { R_OUTER, R_CRI, R_ATTR, R_BUNDLE, R_STMT, R_TCG, R_CERT, R_PTBS, R_PSIGS, R_BLOCK };
extern const char *const S_CSR[];
extern const char *const S_ATTR[];
extern const char *const S_BUNDLE[];
extern const char *const S_STMT[];
extern const char *const S_TCG[];
extern const char *const S_CERT[];
extern const char *const S_TPMSIG[];
extern const char *const S_PUB[];
extern const char *const S_TBS[];
extern const char *const S_PKIX[];
extern const char *const S_BPARSE[];
extern const char *const S_TPARSE[];
extern const char *const S_PBUNDLE[];
extern const char *const S_PSTMT[];
extern const char *const S_PEV[];
extern const char *const S_PCERT[];
extern const char *const S_PSIG[];
extern const char *const S_PCHAIN[];

class_stat *stat_for(int fam, const char *name);
void fired(class_stat *cs, const char *id);
const attest_checks *checks_at(const attest_verdict *v, size_t i);
int carried_by(const base_t *b, const attest_verdict *v, int k);
void dump_file(const char *cls, const base_t *b, const unsigned char *der, size_t len);
void report(const char *what, const char *cls, const base_t *b, const char *desc, const attest_verdict *v,
            const unsigned char *der, size_t len);
attest_verdict *verify_der(const base_t *b, const unsigned char *der, size_t len, int fresh);
void run(const base_t *b, const char *cls, const expect_t *e, const unsigned char *der, size_t len, const char *desc);
void run_splice(const base_t *b, const char *cls, const expect_t *e, int i, const unsigned char *repl, size_t rlen,
                const char *desc);
int region(const base_t *b, int i);
int sigalg_params(const base_t *b, int i);
int block_of(const base_t *b, int i);
int bag_cert_of(const base_t *b, int i);
int block_alg_params(const base_t *b, int i);
void one_of_two(const base_t *b, expect_t *e, int k);
expect_t region_expect(const base_t *b, int i);
expect_t ex_only(const char *id, const char *detail);
expect_t ex_equiv(int eq);
expect_t ex_nocert(const base_t *b, const char *tpm_detail);
void flip_range(const base_t *b, const char *cls, const expect_t *e, size_t from, size_t to);
size_t content_off(const base_t *b, int i);
size_t region_bytes(const base_t *b);
void gen_bitflips(const base_t *b);
void gen_trunc(const base_t *b);
void gen_tpm_trunc(const base_t *b);
void gen_lengths(const base_t *b);
void gen_tags(const base_t *b);
void gen_oids(const base_t *b);
void gen_dups(const base_t *b);
void add_ext(X509 *x, X509 *issuer, int nid, const char *value);
void set_ext(X509 *x, X509 *issuer, int nid, const char *value);
X509 *mk_cert(const char *cn, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *ikey, long nb, long na, const char *bc,
              const char *ku, const char *eku);
X509 *mk_ca(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, const char *bc);
X509 *mk_ak_k(const base_t *b, int k, X509 *issuer, EVP_PKEY *ikey);
X509 *mk_ak(const base_t *b, X509 *issuer, EVP_PKEY *ikey);
unsigned char *csr_with_stmts(const base_t *b, const unsigned char *stmt, size_t stmt_len, int nstmt,
                              X509 *const *certs, int n, size_t *len);
unsigned char *csr_with_stmt(const base_t *b, const unsigned char *stmt, size_t stmt_len, X509 *const *certs, int n,
                             size_t *len);
unsigned char *csr_with(const base_t *b, X509 *const *certs, int n, size_t *len);
void run_bag(const base_t *b, const char *cls, const expect_t *e, X509 *const *certs, int n, const char *desc);
void run_certs(const base_t *b, const char *cls, const expect_t *e, X509 *const *certs, int n, const char *desc);
void gen_certs(const base_t *b);
X509 *resigned_ak_k(const base_t *b, int k, long nb, long na, int set_times, int nid, const char *value, int touch_ext);
X509 *resigned_ak(const base_t *b, long nb, long na, int set_times, int nid, const char *value, int touch_ext);
void gen_validity(const base_t *b);
void gen_profile(const base_t *b);
void gen_sig_trunc(const base_t *b);
void gen_oids_pkix(const base_t *b);
void gen_claims(const base_t *b);
void gen_two(const base_t *b);
/* The claim with this id and the element it is in; every block of p re-signed by its AK over p's tbs. */
ATTEST_PKIX_CLAIM *j_claim(attest_pkix *p, int id, ATTEST_PKIX_ELEMENT **in);
unsigned char *j_resign(const base_t *b, attest_pkix *p, size_t *len);
const unsigned char *oid_der(attest_oid_id id, size_t *len);
int child(const base_t *b, int i, int k);
void find_nodes(base_t *b);
void tpm_base_init(base_t *b, const char *name, EVP_PKEY *ak, EVP_PKEY *subject);
void pkix_claims(attest_pkix_claims *c, attest_pkix_platform *pl, EVP_PKEY *subject);
void pkix_base_init(base_t *b, const char *name, EVP_PKEY *const *aks, int naks, EVP_PKEY *subject);
void base_free(base_t *b);
int mutation_setup(void **state);
int mutation_teardown(void **state);
void pkix_expect_affirming(const base_t *b, const attest_verdict *v);
void expect_affirming(const base_t *b, const attest_verdict *v);
void add_tpm_san(X509 *x);
void gen_ak_format(const base_t *b);
X509 *huge_exponent_cert(void);
void gen_rsa_exponent(const base_t *b);
void gen_sig_budget(const base_t *b);
void gen_cri_der(const base_t *b);
unsigned char *with_key_id(const base_t *b, const unsigned char *id, size_t id_len, size_t *len);
void expect_inert(const base_t *b, const unsigned char *der, size_t len, const char *desc);
void gen_escape(const base_t *b);
void gen_time(const base_t *b);
void gen_regressions(const base_t *b);
void describe(const base_t *b, int i, char *buf, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

#endif
