/*
 * Mutation suite: thousands of mutants of valid attested CSRs, each judged by
 * attest_verify_csr.  Two families of bases:
 *
 *   - TPM: forged TPM 2.0 certify evidence (see forge_tpm2.h); an ECC AK with
 *     a P-256 key and an RSA AK with an RSA-2048 key;
 *   - PKIX: key attestation evidence (draft-ietf-rats-pkix-key-attestation)
 *     about a P-256 subject key stated non-extractable, sensitive and local,
 *     signed by an ECDSA P-256 AK, by an RSA-2048 AK, and by both (two
 *     SignatureBlocks), AK certificates (id-kp-attestationKey) from the test
 *     root in the cert bag, the transaction nonce set.
 *
 *   - no mutant may be affirmed (exit 0) unless it is byte-identical or
 *     provably equivalent (certs of the unordered bag reordered: those MUST
 *     still be affirmed);
 *   - where the mutation determines it, the expected check id fails;
 *   - nothing crashes (ASan build: no memory error, no leak).
 *
 * Mutations inside the id-aa-attestation attribute are re-signed with the
 * subject key afterwards (the requester owns that key, so the CSR signature
 * never protects the evidence); mutations elsewhere keep the old signature.
 * The PKIX evidence's own signatures are kept (the requester does not own the
 * AK) except in class j.pkix-claims, where the AK signs edited claims, so
 * that only the claim checks stand between the edit and an affirmed verdict.
 *
 * Size: one flipped bit per byte of every signed region by default
 * (~27,000 mutants, ~14 s; ~36 s under ASan), a third of them TPM.
 * ATTEST_MUTANTS=N aims at about N in total: the ~10,900 structural,
 * certificate and claim mutants always run, the bit flips get the rest -
 * fewer bytes below the default, up to 8 bits per byte above it (~140,000
 * at most).
 * ATTEST_MUTATION_SEED picks the bits; ATTEST_MUTANTS_DUMP=DIR writes every
 * offending mutant there (DER); ATTEST_MUTATION_SHOW_BASES=1 prints the bases'
 * verdicts.  The class -> exit codes -> failed check ids table goes to
 * stdout, one section per family.
 *
 * Equivalent by construction, so allowed (EQ_MAY) or required (EQ_MUST) to be
 * affirmed: a reordered cert bag (required), the same statement, certificate
 * or SignatureBlock twice, unrelated extra certificates, and changes to the
 * parameters of the request's outer signatureAlgorithm, which are not signed
 * and which ECDSA and RSASSA-PKCS1-v1_5 ignore (RFC 4055 requires accepting
 * absent and NULL; the same holds for a SignatureBlock's RSA algorithm and
 * for the rsaEncryption parameters of the unsigned sid's SPKI, which OpenSSL
 * reads as the same key).  With two SignatureBlocks, a mutant that breaks
 * only one block (its value, signer, algorithm, or the AK certificate it
 * needs) while the other block still verifies and chains is equivalent by
 * design: blocks can be removed without trace (specs §3.3).  Such a mutant
 * may be affirmed only through the other block: pkix.signature must pass and
 * chain.trust must name the other AK's certificate (only accepted blocks get
 * their chain judged), or it counts as a false accept.
 */
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
#include "attest/verify.h"
#include "json_strict.h"
#include "forge_tpm2.h"
#include "mutate.h"

/* ------------------------------------------------------------ bookkeeping */

#define MAX_CLASSES 80
#define MAX_IDS 24
#define MAX_REPORTS 12   /* offending mutants printed with their verdict */
#define MAX_LINES 200    /* ... and with one line */

enum { FAM_TPM = 0, FAM_PKIX, FAM_N };

typedef struct {
    const char *name;
    int fam;
    long n, identical, equiv, exits[5];
    long false_accepts, must_affirm_misses, misses;
    char ids[MAX_IDS][32];
    long idn[MAX_IDS];
    int nids;
} class_stat;

enum { EQ_NO = 0, EQ_MAY, EQ_MUST };

typedef struct {
    int resign;                 /* re-sign the request with the subject key */
    int equiv;                  /* EQ_NO: must not affirm; EQ_MAY; EQ_MUST: must affirm */
    const char *const *oneof;   /* one of these ids must FAIL (NULL: none required) */
    int allow_none;             /* exit 4 (no attestation) also satisfies oneof */
    int want_rc;                /* required exit code, or -1 */
    const char *only;           /* exactly this id fails (only_sev); nothing else errors or warns */
    attest_severity only_sev;   /* 0 (info) means error */
    const char *detail;         /* substring of that check's detail */
    int fresh_trust;            /* a new trust store (no chain cache from earlier mutants) */
    int other1;                 /* two blocks: 1 + the block that must carry an affirmed verdict; 0: none */
    int judge_identical;        /* the base's own bytes, judged under other parameters (k.time) */
} expect_t;

#define MAX_AKS 2

typedef struct {
    const char *name;
    int fam;                    /* FAM_TPM / FAM_PKIX */
    forge_out out;              /* PKIX: csr, stmt (the Evidence) and ak_cert (akc[0]) only */
    EVP_PKEY *subject, *ak;     /* ak: the (first) AK */
    const EVP_MD *md;
    const char *eku;            /* the AK EKU its certificates carry */
    mut_tree t;
    int root, cri, sigalg, sigval, attrs, attr, attr_oid, attr_set, bundle, stmts, certs;
    int stmt, stmt_type, tcg, attest, tsig, pub, cert, tbs;
    /* PKIX: the AKs (block k is signed by aks[k]), their certificates (bag entry k), the nodes */
    int naks;
    EVP_PKEY *aks[MAX_AKS];
    X509 *akc[MAX_AKS];
    char akcn[MAX_AKS][40];     /* the AK certificates' CNs */
    int ev, ptbs, sigs, block[MAX_AKS], bval[MAX_AKS], balg[MAX_AKS], salg[MAX_AKS], bcert[MAX_AKS], btbs[MAX_AKS];
    attest_trust *trust;
} base_t;

static struct {
    int counting;
    long counted;
    class_stat cls[MAX_CLASSES];
    int ncls;
    long total, false_accepts, misses, must_affirm_misses, unsignable, reports;
    const char *dump_dir;
    attest_policy pol;
    mut_rng rng;
    long target;                /* ATTEST_MUTANTS, 0: default */
    int bits_per_byte, stride;
    base_t bases[5];
    int nbases;
} S;

static class_stat *stat_for(int fam, const char *name)
{
    int i;

    for (i = 0; i < S.ncls; i++)
        if (S.cls[i].fam == fam && strcmp(S.cls[i].name, name) == 0)
            return &S.cls[i];
    assert_true(S.ncls < MAX_CLASSES);
    memset(&S.cls[S.ncls], 0, sizeof(S.cls[0]));
    S.cls[S.ncls].name = name;
    S.cls[S.ncls].fam = fam;
    return &S.cls[S.ncls++];
}

static void fired(class_stat *cs, const char *id)
{
    int i;

    for (i = 0; i < cs->nids; i++) {
        if (strcmp(cs->ids[i], id) == 0) {
            cs->idn[i]++;
            return;
        }
    }
    if (cs->nids < MAX_IDS) {
        snprintf(cs->ids[cs->nids], sizeof(cs->ids[0]), "%s", id);
        cs->idn[cs->nids++] = 1;
    }
}

static const attest_checks *checks_at(const attest_verdict *v, size_t i)
{
    return i == 0 ? &v->checks : &v->subs[i - 1].checks;
}

/* Some check with this id FAILed (any severity). */
static const attest_check *failed(const attest_verdict *v, const char *id)
{
    size_t i, j;

    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = checks_at(v, i);

        for (j = 0; j < c->n; j++)
            if (c->v[j].result == ATTEST_CHECK_FAIL && strcmp(c->v[j].id, id) == 0)
                return &c->v[j];
    }
    return NULL;
}

static int only_fails(const attest_verdict *v, const char *id, attest_severity sev, const char *detail)
{
    size_t i, j;
    int found = 0;

    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = checks_at(v, i);

        for (j = 0; j < c->n; j++) {
            const attest_check *k = &c->v[j];

            if (strcmp(k->id, id) == 0 && k->result == ATTEST_CHECK_FAIL) {
                if (found++ || k->severity != sev || (detail != NULL && strstr(k->detail, detail) == NULL))
                    return 0;
            } else if (k->severity != ATTEST_SEV_INFO) {
                return 0;
            }
        }
    }
    return found == 1;
}

/* The first check with this id, whatever its result. */
static const attest_check *find_check(const attest_verdict *v, const char *id)
{
    size_t i, j;

    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = checks_at(v, i);

        for (j = 0; j < c->n; j++)
            if (strcmp(c->v[j].id, id) == 0)
                return &c->v[j];
    }
    return NULL;
}

/*
 * Two signature blocks, one broken on purpose: an affirmed verdict must rest
 * on the other one, made by AK k.  Only accepted blocks (signature verified,
 * signer among the ak-spki claims) get their chain judged, and chain.trust
 * reports the signer that chained: it must name AK k's certificate.  (Block
 * indexes shift when a block is removed, so the AK is what identifies it.)
 */
static int carried_by(const base_t *b, const attest_verdict *v, int k)
{
    const attest_check *s = find_check(v, CHK_PKIX_SIGNATURE), *t = find_check(v, CHK_CHAIN_TRUST);
    char cn[64];

    snprintf(cn, sizeof(cn), "/CN=%s ", b->akcn[k]);
    return s != NULL && t != NULL && s->result == ATTEST_CHECK_PASS && t->result == ATTEST_CHECK_PASS
           && strstr(s->detail, " verified") != NULL && strstr(t->detail, cn) != NULL;
}

static void dump_verdict(const attest_verdict *v)
{
    BIO *b = BIO_new_fp(stderr, BIO_NOCLOSE);

    if (b != NULL)
        attest_verdict_text(v, b);
    BIO_free(b);
}

static void dump_file(const char *cls, const base_t *b, const unsigned char *der, size_t len)
{
    char path[1024];
    FILE *f;

    if (S.dump_dir == NULL)
        return;
    snprintf(path, sizeof(path), "%s/%s-%s-%ld.der", S.dump_dir, cls, b->name, S.total);
    if ((f = fopen(path, "wb")) != NULL) {
        fwrite(der, 1, len, f);
        fclose(f);
    }
}

static void report(const char *what, const char *cls, const base_t *b, const char *desc, const attest_verdict *v,
                   const unsigned char *der, size_t len)
{
    dump_file(cls, b, der, len);
    if (S.reports++ >= MAX_LINES)
        return;
    fprintf(stderr, "MUTANT %s: class %s, base %s: %s (exit %d)\n", what, cls, b->name, desc,
            attest_verdict_exit_code(v));
    if (S.reports <= MAX_REPORTS)
        dump_verdict(v);
}

/* ------------------------------------------------------------ one mutant */

/* A verification time for the k.time class (fresh trust stores only); unset: the clock. */
static struct { int set; time_t when; } at_time;

static attest_verdict *verify_der(const base_t *b, const unsigned char *der, size_t len, int fresh)
{
    attest_trust *t = b->trust;
    attest_verify_params p;
    attest_verdict *v;

    if (fresh) {
        assert_non_null(t = attest_trust_new());
        assert_int_equal(attest_trust_add_anchor(t, forge_env_get()->root), 0);
        if (at_time.set)
            attest_trust_set_time(t, at_time.when);
    }
    memset(&p, 0, sizeof(p));
    p.trust = t;
    p.policy = &S.pol;
    p.nonce = FORGE_NONCE;
    p.nonce_len = sizeof(FORGE_NONCE);
    v = attest_verify_csr(&p, der, len);
    if (fresh)
        attest_trust_free(t);
    ERR_clear_error();
    return v;
}

/* Judge one mutant; takes nothing over (der stays the caller's). */
static void run(const base_t *b, const char *cls, const expect_t *e, const unsigned char *der, size_t len,
                const char *desc)
{
    class_stat *cs;
    attest_verdict *v;
    unsigned char *signed_der = NULL;
    const unsigned char *in = der;
    size_t in_len = len, i, j;
    int rc, ok;
    char seen[64][32];
    int nseen = 0, k;

    if (S.counting) {
        S.counted++;
        return;
    }
    cs = stat_for(b->fam, cls);
    cs->n++;
    if (e->equiv != EQ_NO)
        cs->equiv++;
    S.total++;
    if (!e->judge_identical && len == b->out.csr_len && memcmp(der, b->out.csr, len) == 0) {
        cs->identical++;
        return;
    }
    if (e->resign) {
        if ((signed_der = mut_resign_csr(der, len, b->subject, b->md, &in_len)) != NULL)
            in = signed_der;
        else {
            in_len = len;
            S.unsignable++;
        }
    }
    v = verify_der(b, in, in_len, e->fresh_trust);
    assert_non_null(v);
    rc = attest_verdict_exit_code(v);
    cs->exits[rc >= 0 && rc <= 4 ? rc : 2]++;
    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = checks_at(v, i);

        for (j = 0; j < c->n; j++) {
            if (c->v[j].result != ATTEST_CHECK_FAIL)
                continue;
            for (k = 0; k < nseen && strcmp(seen[k], c->v[j].id) != 0; k++)
                ;
            if (k == nseen && nseen < 64) {
                snprintf(seen[nseen++], sizeof(seen[0]), "%s", c->v[j].id);
                fired(cs, c->v[j].id);
            }
        }
    }
    if (rc == 0 && e->equiv == EQ_NO) {
        cs->false_accepts++;
        S.false_accepts++;
        report("FALSE ACCEPT", cls, b, desc, v, in, in_len);
    } else if (rc == 0 && e->other1 > 0 && !carried_by(b, v, e->other1 - 1)) {
        cs->false_accepts++;
        S.false_accepts++;
        report("FALSE ACCEPT (not carried by the intact signature block)", cls, b, desc, v, in, in_len);
    } else if (rc != 0 && e->equiv == EQ_MUST) {
        cs->must_affirm_misses++;
        S.must_affirm_misses++;
        report("equivalent but not affirmed", cls, b, desc, v, in, in_len);
    } else if (e->equiv != EQ_MUST) {
        ok = 1;
        if (e->only != NULL)
            ok = only_fails(v, e->only, e->only_sev != ATTEST_SEV_INFO ? e->only_sev : ATTEST_SEV_ERROR, e->detail);
        if (ok && e->oneof != NULL) {
            const char *const *id;

            ok = e->allow_none && rc == 4;
            for (id = e->oneof; !ok && *id != NULL; id++) {
                const attest_check *k2 = failed(v, *id);

                ok = k2 != NULL && (e->only != NULL || e->detail == NULL || strstr(k2->detail, e->detail) != NULL);
            }
        }
        if (ok && e->want_rc >= 0)
            ok = rc == e->want_rc;
        if (!ok && rc != 0) {
            cs->misses++;
            S.misses++;
            report("expected check did not fail", cls, b, desc, v, in, in_len);
        }
    }
    attest_verdict_free(v);
    OPENSSL_free(signed_der);
}

/* Splice node i's TLV with repl and judge the result. */
static void run_splice(const base_t *b, const char *cls, const expect_t *e, int i, const unsigned char *repl,
                       size_t rlen, const char *desc)
{
    size_t len = 0;
    unsigned char *der;

    if (S.counting) {
        S.counted++;
        return;
    }
    assert_non_null(der = mut_splice(&b->t, i, repl, rlen, &len));
    run(b, cls, e, der, len, desc);
    OPENSSL_free(der);
}

/* ------------------------------------------------------------ regions */

enum { R_OUTER, R_CRI, R_ATTR, R_BUNDLE, R_STMT, R_TCG, R_CERT, R_PTBS, R_PSIGS, R_BLOCK };
static const char *const S_CSR[] = {CHK_CSR_PARSE, CHK_CSR_SIGNATURE, NULL};
static const char *const S_ATTR[] = {CHK_CSR_PARSE, CHK_BUNDLE_COUNT, CHK_BUNDLE_PARSE, NULL};
static const char *const S_BUNDLE[] = {CHK_CSR_PARSE, CHK_BUNDLE_COUNT, CHK_BUNDLE_PARSE, CHK_TPM2_SIGNATURE,
                                       CHK_POLICY_KEY_ATTESTED, NULL};
static const char *const S_STMT[] = {CHK_CSR_PARSE, CHK_BUNDLE_PARSE, CHK_POLICY_KEY_ATTESTED, CHK_TPM2_PARSE,
                                     CHK_TPM2_SIGNATURE, CHK_PKIX_STRUCTURE, NULL};
static const char *const S_TCG[] = {CHK_CSR_PARSE, CHK_BUNDLE_PARSE, CHK_TPM2_PARSE, CHK_TPM2_SIGNATURE,
                                    CHK_TPM2_MAGIC, CHK_TPM2_TYPE, CHK_TPM2_NAME, NULL};
static const char *const S_CERT[] = {CHK_CSR_PARSE, CHK_BUNDLE_PARSE, CHK_TPM2_SIGNATURE, CHK_CHAIN_TRUST,
                                     CHK_CHAIN_AK_PROFILE, NULL};
static const char *const S_TPMSIG[] = {CHK_TPM2_SIGNATURE, NULL};
static const char *const S_PUB[] = {CHK_TPM2_NAME, CHK_TPM2_PARSE, NULL};
static const char *const S_TBS[] = {CHK_BUNDLE_PARSE, CHK_TPM2_SIGNATURE, CHK_CHAIN_TRUST, NULL};
static const char *const S_PKIX[] = {CHK_PKIX_STRUCTURE, NULL};
static const char *const S_BPARSE[] = {CHK_BUNDLE_PARSE, NULL};
static const char *const S_TPARSE[] = {CHK_TPM2_PARSE, NULL};
/* PKIX bases: the AK comes from the SignatureBlock's sid, its certificate from the bag */
static const char *const S_PBUNDLE[] = {CHK_CSR_PARSE, CHK_BUNDLE_COUNT, CHK_BUNDLE_PARSE, CHK_CHAIN_TRUST,
                                        CHK_POLICY_KEY_ATTESTED, NULL};
static const char *const S_PSTMT[] = {CHK_CSR_PARSE, CHK_BUNDLE_PARSE, CHK_POLICY_KEY_ATTESTED, CHK_PKIX_STRUCTURE,
                                      NULL};
static const char *const S_PEV[] = {CHK_BUNDLE_PARSE, CHK_PKIX_STRUCTURE, CHK_PKIX_SIGNATURE, NULL};
static const char *const S_PCERT[] = {CHK_CSR_PARSE, CHK_BUNDLE_PARSE, CHK_CHAIN_TRUST, CHK_CHAIN_AK_PROFILE, NULL};
static const char *const S_PSIG[] = {CHK_PKIX_SIGNATURE, NULL};
static const char *const S_PCHAIN[] = {CHK_BUNDLE_PARSE, CHK_CHAIN_TRUST, NULL};

static int region(const base_t *b, int i)
{
    if (!mut_within(&b->t, i, b->cri))
        return R_OUTER;
    if (!mut_within(&b->t, i, b->attr))
        return R_CRI;
    if (b->certs >= 0 && mut_is_ancestor(&b->t, b->certs, i))
        return R_CERT;
    if (b->fam == FAM_PKIX) {
        int k;

        if (mut_within(&b->t, i, b->ptbs))
            return R_PTBS;
        for (k = 0; k < b->naks; k++)
            if (mut_within(&b->t, i, b->block[k]))
                return R_BLOCK;
        if (i == b->sigs)
            return R_PSIGS;
    }
    if (mut_within(&b->t, i, b->tcg))
        return R_TCG;
    if (mut_within(&b->t, i, b->stmt))
        return R_STMT;
    if (mut_within(&b->t, i, b->bundle))
        return R_BUNDLE;
    return R_ATTR;
}

/*
 * The parameters of the request's outer signatureAlgorithm are not signed,
 * and ECDSA and RSASSA-PKCS1-v1_5 ignore them (RFC 4055 even requires that
 * absent and NULL are both accepted for sha256WithRSAEncryption): a mutant
 * that only changes them proves the same thing as the original.
 */
static int sigalg_params(const base_t *b, int i)
{
    return mut_is_ancestor(&b->t, b->sigalg, i) && i != mut_child(&b->t, b->sigalg, 0);
}

/* The signature block / bag certificate (PKIX) that node i lies in, or -1. */
static int block_of(const base_t *b, int i)
{
    int k;

    for (k = 0; b->fam == FAM_PKIX && k < b->naks; k++)
        if (mut_within(&b->t, i, b->block[k]))
            return k;
    return -1;
}

static int bag_cert_of(const base_t *b, int i)
{
    int k;

    for (k = 0; b->fam == FAM_PKIX && k < b->naks; k++)
        if (mut_within(&b->t, i, b->bcert[k]))
            return k;
    return -1;
}

/*
 * As sigalg_params, for a SignatureBlock's signatureAlgorithm: an RSA block's NULL
 * parameters may be absent (RFC 4055), ECDSA takes none (a mutant that adds
 * some is refused, as the verifier must).  And for the rsaEncryption
 * parameters of the sid's SubjectPublicKeyInfo: the sid is not signed, and a
 * key read with other parameters is the same RSA key (OpenSSL ignores them),
 * so the block still names the AK that made it.
 */
static int block_alg_params(const base_t *b, int i)
{
    int k = block_of(b, i);

    return k >= 0 && EVP_PKEY_is_a(b->aks[k], "RSA")
           && ((mut_is_ancestor(&b->t, b->balg[k], i) && i != mut_child(&b->t, b->balg[k], 0))
               || (mut_is_ancestor(&b->t, b->salg[k], i) && i != mut_child(&b->t, b->salg[k], 0)));
}

/*
 * Two blocks: whatever breaks block k (or the bag certificate of its AK)
 * alone leaves the other block, which may carry the verdict.
 */
static void one_of_two(const base_t *b, expect_t *e, int k)
{
    if (b->naks == 2 && k >= 0) {
        e->equiv = EQ_MAY;
        e->other1 = 2 - k; /* 1 + (1 - k) */
    }
}

/* The default expectation for a structural mutation of node i. */
static expect_t region_expect(const base_t *b, int i)
{
    static const char *const *sets[] = {S_CSR, S_CSR, S_ATTR, S_BUNDLE, S_STMT, S_TCG, S_CERT, S_PEV, S_PEV, S_PEV};
    static const char *const *psets[] = {S_CSR, S_CSR, S_ATTR, S_PBUNDLE, S_PSTMT, NULL, S_PCERT, S_PEV, S_PEV, S_PEV};
    expect_t e;
    int r = region(b, i);

    memset(&e, 0, sizeof(e));
    e.want_rc = -1;
    e.resign = r >= R_ATTR;
    e.oneof = b->fam == FAM_PKIX ? psets[r] : sets[r];
    e.allow_none = r == R_ATTR;
    if (sigalg_params(b, i) || block_alg_params(b, i))
        e.equiv = EQ_MAY;
    if (r == R_BLOCK)
        one_of_two(b, &e, block_of(b, i));
    else if (r == R_CERT)
        one_of_two(b, &e, bag_cert_of(b, i));
    return e;
}

static expect_t ex_only(const char *id, const char *detail)
{
    expect_t e;

    memset(&e, 0, sizeof(e));
    e.want_rc = 1;
    e.only = id;
    e.detail = detail;
    e.fresh_trust = 1;
    return e;
}

static expect_t ex_equiv(int eq)
{
    expect_t e;

    memset(&e, 0, sizeof(e));
    e.want_rc = -1;
    e.equiv = eq;
    e.fresh_trust = 1;
    return e;
}

/*
 * The AK's certificate is nowhere.  A TPM statement names no AK but through
 * its certificate (tpm2.signature cannot run); a PKIX block names its AK in
 * the sid, and then its chain fails.
 */
static expect_t ex_nocert(const base_t *b, const char *tpm_detail)
{
    return b->fam == FAM_PKIX ? ex_only(CHK_CHAIN_TRUST, "no certificate for the signer")
                              : ex_only(CHK_TPM2_SIGNATURE, tpm_detail);
}

static void describe(const base_t *b, int i, char *buf, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static void describe(const base_t *b, int i, char *buf, size_t cap, const char *fmt, ...)
{
    const mut_node *n = &b->t.v[i];
    int used = snprintf(buf, cap, "node %d (tag %02x, offset %zu, %zu+%zu bytes, depth %d): ", i, n->tag, n->off,
                        n->hdr, n->len, n->depth);
    va_list ap;

    if (used < 0 || (size_t)used >= cap)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - (size_t)used, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ (a) bit flips */

/* Flip bits in bytes [from, to) of the request; sampled per S.bits_per_byte / S.stride. */
static void flip_range(const base_t *b, const char *cls, const expect_t *e, size_t from, size_t to)
{
    unsigned char *m;
    size_t off, phase;
    char desc[160];

    if (S.counting) {
        S.counted += (long)(to - from);
        return;
    }
    phase = mut_rng_below(&S.rng, (unsigned)S.stride);
    assert_non_null(m = OPENSSL_memdup(b->out.csr, b->out.csr_len));
    for (off = from; off < to; off++) {
        unsigned bits = 0;
        int k;

        if ((off - from) % (size_t)S.stride != phase)
            continue;
        for (k = 0; k < S.bits_per_byte; k++) {
            unsigned bit;

            do
                bit = mut_rng_below(&S.rng, 8);
            while (bits & (1u << bit));
            bits |= 1u << bit;
            m[off] ^= (unsigned char)(1u << bit);
            snprintf(desc, sizeof(desc), "byte %zu (region offset %zu) bit %u flipped", off, off - from, bit);
            run(b, cls, e, m, b->out.csr_len, desc);
            m[off] ^= (unsigned char)(1u << bit);
        }
    }
    OPENSSL_free(m);
}

static size_t content_off(const base_t *b, int i)
{
    return b->t.v[i].off + b->t.v[i].hdr;
}

static size_t region_bytes(const base_t *b)
{
    const mut_node *v = b->t.v;

    if (b->fam == FAM_PKIX) {
        size_t n = (v[b->cri].hdr + v[b->cri].len) + v[b->sigval].len + (v[b->ptbs].hdr + v[b->ptbs].len);
        int k;

        for (k = 0; k < b->naks; k++)
            n += v[b->bval[k]].len + (v[b->btbs[k]].hdr + v[b->btbs[k]].len);
        return n;
    }
    return (v[b->cri].hdr + v[b->cri].len) + v[b->attest].len + v[b->pub].len + (v[b->tbs].hdr + v[b->tbs].len)
           + v[b->tsig].len + v[b->sigval].len;
}

static void gen_bitflips(const base_t *b)
{
    const mut_node *v = b->t.v;
    expect_t e;
    int k;

    memset(&e, 0, sizeof(e));
    e.want_rc = -1;
    /* the CertificationRequestInfo, signature kept: csr.signature (or csr.parse) */
    e.oneof = S_CSR;
    flip_range(b, "a.flip.cri", &e, v[b->cri].off, mut_end(&v[b->cri]));
    /* the request's signature value */
    flip_range(b, "a.flip.csr-sig", &e, content_off(b, b->sigval), mut_end(&v[b->sigval]));
    if (b->fam == FAM_PKIX) {
        /* inside the evidence, request re-signed: the TbsEvidence (every block's signature breaks) */
        e.resign = 1;
        e.oneof = S_PEV;
        flip_range(b, "a.flip.pkix-tbs", &e, v[b->ptbs].off, mut_end(&v[b->ptbs]));
        for (k = 0; k < b->naks; k++) {
            expect_t ek = e;

            /* a SignatureBlock's signatureValue; with two blocks the other one is intact */
            ek.oneof = S_PSIG;
            one_of_two(b, &ek, k);
            flip_range(b, b->naks == 2 ? "a.flip.pkix-sig-1of2" : "a.flip.pkix-sig", &ek,
                       content_off(b, b->bval[k]), mut_end(&v[b->bval[k]]));
            /* the AK certificate's tbs in the bag */
            ek = e;
            ek.oneof = S_PCHAIN;
            one_of_two(b, &ek, k);
            flip_range(b, b->naks == 2 ? "a.flip.ak-tbs-1of2" : "a.flip.ak-tbs", &ek, v[b->btbs[k]].off,
                       mut_end(&v[b->btbs[k]]));
        }
        return;
    }
    /* inside the evidence, request re-signed */
    e.resign = 1;
    e.oneof = S_TPMSIG;
    flip_range(b, "a.flip.tpms-attest", &e, content_off(b, b->attest), mut_end(&v[b->attest]));
    flip_range(b, "a.flip.tpm-sig", &e, content_off(b, b->tsig), mut_end(&v[b->tsig]));
    e.oneof = S_PUB;
    flip_range(b, "a.flip.tpmt-public", &e, content_off(b, b->pub), mut_end(&v[b->pub]));
    e.oneof = S_TBS;
    flip_range(b, "a.flip.ak-tbs", &e, v[b->tbs].off, mut_end(&v[b->tbs]));
}

/* ------------------------------------------------------------ (b) truncation */

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

static void gen_trunc(const base_t *b)
{
    const mut_tree *t = &b->t;
    size_t *cuts = OPENSSL_malloc(sizeof(size_t) * (size_t)(2 * t->n));
    size_t ncut = 0, i;
    char desc[200];
    expect_t e;
    int n, k;

    /* b.trunc.raw: the request cut at every TLV boundary (start and end of every TLV) */
    assert_non_null(cuts);
    for (n = 0; n < t->n; n++) {
        cuts[ncut++] = t->v[n].off;
        cuts[ncut++] = mut_end(&t->v[n]);
    }
    qsort(cuts, ncut, sizeof(*cuts), cmp_size);
    memset(&e, 0, sizeof(e));
    e.want_rc = -1;
    e.oneof = S_CSR;
    for (i = 0; i < ncut; i++) {
        if ((i > 0 && cuts[i] == cuts[i - 1]) || cuts[i] >= b->out.csr_len)
            continue;
        snprintf(desc, sizeof(desc), "request cut to %zu of %zu bytes", cuts[i], b->out.csr_len);
        if (S.counting)
            S.counted++;
        else
            run(b, "b.trunc.raw", &e, b->out.csr, cuts[i], desc);
    }
    OPENSSL_free(cuts);

    /* b.trunc.children: a constructed TLV cut after its k-th child, lengths fixed up */
    for (n = 0; n < t->n; n++) {
        const mut_node *nd = &t->v[n];

        if (!nd->cons || n == b->root)
            continue;
        for (k = 0; k < nd->nchild; k++) {
            int c = mut_child(t, n, k);
            size_t rlen = 0;
            unsigned char *r;

            e = region_expect(b, n);
            if (n == b->certs && k == 0)
                e.oneof = S_BPARSE;
            else if (n == b->sigalg && k > 0)
                e.equiv = EQ_MAY; /* parameters removed */
            else if (b->fam == FAM_PKIX && k > 0 && block_alg_params(b, c))
                e.equiv = EQ_MAY; /* an RSA block's (or sid key's) NULL parameters removed */
            else if (n == b->sigs && k == 0)
                e.oneof = S_PSIG; /* no SignatureBlock left */
            else if (n == b->sigs || n == b->certs)
                one_of_two(b, &e, 1); /* block 1 (the bag's second AK certificate) gone: block 0 carries */
            describe(b, n, desc, sizeof(desc), "content cut before child %d of %d", k, nd->nchild);
            if (S.counting) {
                S.counted++;
                continue;
            }
            r = mut_retlv(t, n, t->der + content_off(b, n), t->v[c].off - content_off(b, n), 0, &rlen);
            assert_non_null(r);
            run_splice(b, "b.trunc.children", &e, n, r, rlen, desc);
            OPENSSL_free(r);
        }
    }

    /* b.drop: one TLV removed, lengths fixed up */
    for (n = 1; n < t->n; n++) {
        e = region_expect(b, n);
        if (n == b->certs) {
            /* the whole cert bag gone: the AK cannot be found (PKIX: the sid's key has no certificate) */
            e = ex_nocert(b, "no certificate in the bundle");
            e.fresh_trust = 0;
            e.want_rc = -1;
            e.resign = 1;
        } else if (n == b->cert && b->t.v[b->certs].nchild == 1) {
            /* the only certificate gone: the bag is empty */
            e.oneof = S_BPARSE;
        } else if (b->fam == FAM_PKIX && n == b->sigs) {
            e.oneof = S_PEV;
        } else if (b->fam == FAM_PKIX && b->t.v[n].parent == b->sigs && b->naks == 1) {
            /* the only block gone */
            e.oneof = S_PSIG;
        }
        describe(b, n, desc, sizeof(desc), "removed");
        run_splice(b, "b.drop", &e, n, NULL, 0, desc);
    }
}

/* b.tpm-trunc: the TPM structures cut at every byte (and one byte appended). */
static void gen_tpm_trunc(const base_t *b)
{
    const int nodes[3] = {b->attest, b->pub, b->tsig};
    const char *const *sets[3] = {S_TPMSIG, S_PUB, S_TPMSIG};
    char desc[200];
    expect_t e;
    int w;

    for (w = 0; w < 3; w++) {
        const mut_node *nd = &b->t.v[nodes[w]];
        const unsigned char *c = b->t.der + content_off(b, nodes[w]);
        unsigned char *ext;
        size_t k, rlen = 0;
        unsigned char *r;

        memset(&e, 0, sizeof(e));
        e.want_rc = -1;
        e.resign = 1;
        e.oneof = sets[w];
        for (k = 0; k < nd->len; k++) {
            describe(b, nodes[w], desc, sizeof(desc), "content cut to %zu bytes", k);
            if (S.counting) {
                S.counted++;
                continue;
            }
            assert_non_null(r = mut_retlv(&b->t, nodes[w], c, k, 0, &rlen));
            run_splice(b, "b.tpm-trunc", &e, nodes[w], r, rlen, desc);
            OPENSSL_free(r);
        }
        /* one byte more */
        describe(b, nodes[w], desc, sizeof(desc), "a 0x00 byte appended to the content");
        if (S.counting) {
            S.counted++;
            continue;
        }
        assert_non_null(ext = OPENSSL_malloc(nd->len + 1));
        memcpy(ext, c, nd->len);
        ext[nd->len] = 0;
        e.oneof = w == 1 ? S_TPARSE : S_TPMSIG;
        assert_non_null(r = mut_retlv(&b->t, nodes[w], ext, nd->len + 1, 0, &rlen));
        run_splice(b, "b.tpm-trunc", &e, nodes[w], r, rlen, desc);
        OPENSSL_free(r);
        OPENSSL_free(ext);
    }
}

/* ------------------------------------------------------------ (c) lengths */

static void gen_lengths(const base_t *b)
{
    const mut_tree *t = &b->t;
    char desc[200];
    int n, d;

    for (n = 0; n < t->n; n++) {
        const mut_node *nd = &t->v[n];
        expect_t e = region_expect(b, n);

        for (d = -1; d <= 1; d += 2) {
            unsigned char *r, *m;
            size_t rlen = 0;
            unsigned char *lastlen;

            /* c.len.fixed: this length lies, every enclosing length is re-encoded */
            if (!(d < 0 && nd->len == 0)) {
                describe(b, n, desc, sizeof(desc), "length %+d, enclosing lengths fixed up", d);
                if (S.counting) {
                    S.counted++;
                } else {
                    assert_non_null(r = mut_retlv(t, n, t->der + content_off(b, n), nd->len, d, &rlen));
                    run_splice(b, "c.len.fixed", &e, n, r, rlen, desc);
                    OPENSSL_free(r);
                }
            }
            /* c.len.raw: the last length octet edited in place, nothing else */
            lastlen = (unsigned char *)t->der + nd->off + nd->hdr - 1;
            if ((d > 0 && (*lastlen == 0xff || (nd->hdr == nd->idlen + 1 && *lastlen == 0x7f)))
                || (d < 0 && *lastlen == 0x00))
                continue;
            describe(b, n, desc, sizeof(desc), "length %+d in place", d);
            if (S.counting) {
                S.counted++;
                continue;
            }
            assert_non_null(m = OPENSSL_memdup(t->der, t->len));
            m[nd->off + nd->hdr - 1] = (unsigned char)(m[nd->off + nd->hdr - 1] + d);
            run(b, "c.len.raw", &e, m, t->len, desc);
            OPENSSL_free(m);
        }
    }
}

/* ------------------------------------------------------------ (d) tags */

static int swaps_for(unsigned char tag, unsigned char out[3])
{
    switch (tag) {
    case 0x30: out[0] = 0x31; out[1] = 0xa0; return 2;
    case 0x31: out[0] = 0x30; return 1;
    case 0x04: out[0] = 0x0c; out[1] = 0x80; return 2;
    case 0x0c: out[0] = 0x04; out[1] = 0x13; return 2;
    case 0x13: out[0] = 0x0c; return 1;
    case 0x02: out[0] = 0x0a; out[1] = 0x04; return 2;
    case 0x0a: out[0] = 0x02; return 1;
    case 0x06: out[0] = 0x0d; out[1] = 0x04; return 2;
    case 0x03: out[0] = 0x04; return 1;
    case 0x05: out[0] = 0x04; return 1;
    case 0x01: out[0] = 0x02; return 1;
    case 0x17: out[0] = 0x18; return 1;
    case 0x18: out[0] = 0x17; return 1;
    case 0xa0: out[0] = 0xa1; out[1] = 0x30; return 2;
    case 0xa1: case 0xa2: out[0] = 0xa0; return 1;
    case 0xa3: out[0] = 0xa0; out[1] = 0x30; return 2;
    case 0x80: out[0] = 0x81; return 1;
    case 0x81: case 0x82: out[0] = 0x80; return 1;
    default: out[0] = (unsigned char)(tag ^ 0x01); return 1;
    }
}

static void gen_tags(const base_t *b)
{
    const mut_tree *t = &b->t;
    unsigned char sw[3], *m;
    char desc[200];
    int n, k, ns;

    for (n = 0; n < t->n; n++) {
        expect_t e = region_expect(b, n);

        ns = swaps_for(t->v[n].tag, sw);
        for (k = 0; k < ns; k++) {
            /* A cert re-tagged [0] is the legacy implicit form: the same certificate, a shape warning. */
            expect_t ek = e;

            if (t->v[n].parent == b->certs && sw[k] == 0xa0) {
                ek.oneof = NULL;
                ek.only = CHK_BUNDLE_SHAPE;
                ek.only_sev = ATTEST_SEV_WARNING;
                ek.want_rc = 3;
            }
            describe(b, n, desc, sizeof(desc), "tag %02x -> %02x", t->v[n].tag, sw[k]);
            if (S.counting) {
                S.counted++;
                continue;
            }
            assert_non_null(m = OPENSSL_memdup(t->der, t->len));
            m[t->v[n].off] = sw[k];
            run(b, "d.tag", &ek, m, t->len, desc);
            OPENSSL_free(m);
        }
    }
}

/* ------------------------------------------------------------ (e) OIDs */

static void gen_oids(const base_t *b)
{
    const char *dotted[] = {
        "1.2.840.113549.1.9.14",            /* extensionRequest */
        "1.3.6.1.4.1.55555.7.1",            /* unknown */
        "1.2.840.113549.1.9.16.2.59",       /* id-aa-attestation */
        "2.23.133.20.1",                    /* tcg-attest-tpm-certify */
        NULL,                               /* the PKIX statement type (configured) */
        NULL,                               /* the CMW statement type */
        "2.23.133.8.3",                     /* tcg-kp-AIKCertificate */
    };
    const mut_tree *t = &b->t;
    char desc[200];
    size_t k;
    int n;

    for (n = 0; n < t->n; n++) {
        const mut_node *nd = &t->v[n];

        if (nd->tag != 0x06)
            continue;
        for (k = 0; k < sizeof(dotted) / sizeof(dotted[0]); k++) {
            const ASN1_OBJECT *o = k == 4 ? attest_oid_obj(ATTEST_OID_PKIX_STATEMENT)
                                   : k == 5 ? attest_oid_obj(ATTEST_OID_PE_CMW) : NULL;
            ASN1_OBJECT *own = NULL;
            unsigned char *der = NULL;
            char name[80];
            expect_t e = region_expect(b, n);
            int dl;

            if (o == NULL)
                assert_non_null(o = own = OBJ_txt2obj(dotted[k], 1));
            assert_true((dl = i2d_ASN1_OBJECT(o, &der)) > 0);
            OBJ_obj2txt(name, sizeof(name), o, 1);
            ASN1_OBJECT_free(own);
            if ((size_t)dl == nd->hdr + nd->len && memcmp(der, t->der + nd->off, (size_t)dl) == 0) {
                OPENSSL_free(der);
                continue;
            }
            if (n == b->attr_oid) {
                /* no id-aa-attestation attribute any more (extensionRequest included) */
                e.oneof = NULL;
                e.want_rc = 4;
            } else if (n == b->stmt_type && k == 4) {
                e.oneof = S_PKIX;
            } else if (n == b->stmt_type && k == 3) {
                e.oneof = S_TPARSE; /* PKIX evidence read as TcgAttestCertify */
            } else if (n == b->stmt_type) {
                /* a statement type this verifier does not check: no key evidence at all */
                e.oneof = NULL;
                e.only = CHK_POLICY_KEY_ATTESTED;
            }
            describe(b, n, desc, sizeof(desc), "OID -> %s", name);
            run_splice(b, "e.oid", &e, n, der, (size_t)dl, desc);
            OPENSSL_free(der);
        }
    }
}

/* ------------------------------------------------------------ (f) duplicates */

static void gen_dups(const base_t *b)
{
    const mut_tree *t = &b->t;
    char desc[200];
    int n;

    for (n = 1; n < t->n; n++) {
        const mut_node *nd = &t->v[n];
        size_t tl = nd->hdr + nd->len;
        unsigned char *two;
        const char *cls = "f.dup.element";
        expect_t e = region_expect(b, n);

        if (n == b->attr) {
            cls = "f.dup.attribute";
            e.oneof = NULL;
            e.only = CHK_BUNDLE_COUNT;
        } else if (n == b->bundle) {
            cls = "f.dup.value";
            e.oneof = NULL;
            e.only = CHK_BUNDLE_COUNT;
        } else if (n == mut_child(&b->t, b->sigalg, 0)) {
            /* the signature OID doubled: it becomes the (ignored) parameters */
            e.equiv = EQ_MAY;
        } else if (n == b->stmt || nd->parent == b->certs || (b->fam == FAM_PKIX && nd->parent == b->sigs)) {
            /* the same statement, certificate or SignatureBlock twice: equivalent content */
            e.equiv = EQ_MAY;
            e.other1 = 0;
        }
        describe(b, n, desc, sizeof(desc), "TLV duplicated in place");
        if (S.counting) {
            S.counted++;
            continue;
        }
        assert_non_null(two = OPENSSL_malloc(2 * tl));
        memcpy(two, t->der + nd->off, tl);
        memcpy(two + tl, t->der + nd->off, tl);
        run_splice(b, cls, &e, n, two, 2 * tl, desc);
        OPENSSL_free(two);
    }
}

/* ------------------------------------------------------------ certificates (g, h, i) */

static long serial = 1000;

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    assert_non_null(e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value));
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

static void set_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    int i;

    while ((i = X509_get_ext_by_NID(x, nid, -1)) >= 0)
        X509_EXTENSION_free(X509_delete_ext(x, i));
    if (value != NULL)
        add_ext(x, issuer, nid, value);
}

/* nb/na relative to now; issuer NULL: self-signed with ikey. */
static X509 *mk_cert(const char *cn, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *ikey, long nb, long na, const char *bc,
                     const char *ku, const char *eku)
{
    X509 *x = X509_new();
    time_t now = time(NULL);

    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
    assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                                (const unsigned char *)cn, -1, -1, 0), 1);
    assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(issuer != NULL ? issuer : x)), 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), now + nb));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), now + na));
    assert_int_equal(X509_set_pubkey(x, pub), 1);
    add_ext(x, issuer, NID_subject_key_identifier, "hash");
    if (issuer != NULL)
        add_ext(x, issuer, NID_authority_key_identifier, "keyid");
    if (bc != NULL)
        add_ext(x, issuer, NID_basic_constraints, bc);
    if (ku != NULL)
        add_ext(x, issuer, NID_key_usage, ku);
    if (eku != NULL)
        add_ext(x, issuer, NID_ext_key_usage, eku);
    assert_true(X509_sign(x, ikey, EVP_sha256()) > 0);
    return x;
}

#define AK_EKU "2.23.133.8.3"
#define YEAR (365L * 86400)

static X509 *mk_ca(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, const char *bc)
{
    return mk_cert(cn, key, issuer, ikey, -3600, 5 * YEAR, bc, "critical,keyCertSign,cRLSign", NULL);
}

/* A certificate for the base's AK k (its CN and EKU). */
static X509 *mk_ak_k(const base_t *b, int k, X509 *issuer, EVP_PKEY *ikey)
{
    return mk_cert(b->akcn[k], b->fam == FAM_PKIX ? b->aks[k] : b->ak, issuer, ikey, -3600, YEAR,
                   "critical,CA:FALSE", "critical,digitalSignature", b->eku);
}

static X509 *mk_ak(const base_t *b, X509 *issuer, EVP_PKEY *ikey)
{
    return mk_ak_k(b, 0, issuer, ikey);
}

/* A request with this statement (of the base's kind) nstmt times, and this cert bag. */
static unsigned char *csr_with_stmts(const base_t *b, const unsigned char *stmt, size_t stmt_len, int nstmt,
                                     X509 *const *certs, int n, size_t *len)
{
    attest_bundle *bu = attest_bundle_new();
    attest_request_opts ro;
    unsigned char *bd = NULL, *der = NULL;
    size_t bl = 0;
    attest_err err;
    int i;

    assert_non_null(bu);
    for (i = 0; i < nstmt; i++)
        assert_int_equal(attest_bundle_add_statement(bu, attest_oid_obj(b->fam == FAM_PKIX ? ATTEST_OID_PKIX_STATEMENT
                                                                                          : ATTEST_OID_TPM_CERTIFY),
                                                     stmt, stmt_len, &err), 0);
    for (i = 0; i < n; i++)
        assert_int_equal(attest_bundle_add_cert(bu, certs[i]), 0);
    assert_int_equal(attest_bundle_encode(bu, &bd, &bl, &err), 0);
    attest_bundle_free(bu);
    memset(&ro, 0, sizeof(ro));
    ro.subject = "/CN=mutation/O=attest tests";
    if (attest_request_build(b->subject, &ro, bd, bl, &der, len, &err) != 0)
        fail_msg("attest_request_build: %s", err.msg);
    OPENSSL_free(bd);
    return der;
}

static unsigned char *csr_with_stmt(const base_t *b, const unsigned char *stmt, size_t stmt_len, X509 *const *certs,
                                    int n, size_t *len)
{
    return csr_with_stmts(b, stmt, stmt_len, 1, certs, n, len);
}

/* A request with the base's statement and this cert bag. */
static unsigned char *csr_with(const base_t *b, X509 *const *certs, int n, size_t *len)
{
    return csr_with_stmt(b, b->out.stmt, b->out.stmt_len, certs, n, len);
}

/* The request with this bag, judged as given. */
static void run_bag(const base_t *b, const char *cls, const expect_t *e, X509 *const *certs, int n,
                    const char *desc)
{
    size_t len = 0;
    unsigned char *der;

    if (S.counting) {
        S.counted++;
        return;
    }
    der = csr_with(b, certs, n, &len);
    run(b, cls, e, der, len, desc);
    OPENSSL_free(der);
}

/*
 * The bag is about the (first) AK.  With two blocks, block 1's AK then has no
 * certificate at all, so block 0 decides: an affirmed verdict must rest on it,
 * and a failing one reports block 0's chain (the first accepted signer's).
 */
static void run_certs(const base_t *b, const char *cls, const expect_t *e, X509 *const *certs, int n,
                      const char *desc)
{
    expect_t e2 = *e;

    if (b->naks == 2 && e2.equiv != EQ_NO && e2.other1 == 0)
        e2.other1 = 1;
    run_bag(b, cls, &e2, certs, n, desc);
}

/* (g) the cert bag: removed, reordered, swapped for another CA's chain. */
static void gen_certs(const base_t *b)
{
    static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    const forge_env *env = forge_env_get();
    EVP_PKEY *ik = NULL, *lk = NULL, *xk = NULL, *i2k = NULL;
    X509 *in, *aki, *look, *akl, *ako, *wrong, *selfak, *leafx, *akx, *in0, *in2, *akd, *nonca, *akn, *bag[4];
    char desc[160];
    expect_t e;
    int p, k;

    if (S.counting) {
        S.counted += 26;
        return;
    }
    assert_non_null(ik = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(lk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(xk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    assert_non_null(i2k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    in = mk_ca("Mutation Intermediate CA", ik, env->root, env->ca_key, "critical,CA:TRUE");
    aki = mk_ak(b, in, ik);
    /* a lookalike: same name as the intermediate, another key, issued by the other CA */
    look = mk_ca("Mutation Intermediate CA", lk, env->other_ca, env->other_ca_key, "critical,CA:TRUE");
    akl = mk_ak(b, look, lk);
    ako = mk_ak(b, env->other_ca, env->other_ca_key);
    /* trusted, but not the AK */
    wrong = mk_cert(b->akcn[0], env->key_ec2, env->root, env->ca_key, -3600, YEAR, "critical,CA:FALSE",
                    "critical,digitalSignature", b->eku);
    selfak = mk_cert(b->akcn[0], b->ak, NULL, b->ak, -3600, YEAR, "critical,CA:FALSE",
                     "critical,digitalSignature,keyCertSign", b->eku);
    /* an end-entity certificate acting as the issuer */
    leafx = mk_cert("Mutation Leaf", xk, env->root, env->ca_key, -3600, YEAR, "critical,CA:FALSE",
                    "critical,digitalSignature,keyCertSign", NULL);
    akx = mk_ak(b, leafx, xk);
    /* pathlen:0 intermediate with a CA below it */
    in0 = mk_ca("Mutation Intermediate pathlen 0", ik, env->root, env->ca_key, "critical,CA:TRUE,pathlen:0");
    in2 = mk_ca("Mutation Sub CA", i2k, in0, ik, "critical,CA:TRUE");
    akd = mk_ak(b, in2, i2k);
    /* an intermediate without basicConstraints cA */
    nonca = mk_cert("Mutation Not A CA", xk, env->root, env->ca_key, -3600, YEAR, NULL,
                    "critical,keyCertSign", NULL);
    akn = mk_ak(b, nonca, xk);

    e = ex_equiv(EQ_MUST);
    run_certs(b, "g.certs", &e, &b->out.ak_cert, 1, "control: [AK] rebuilt");
    e = ex_nocert(b, "no certificate in the bundle");
    run_certs(b, "g.certs", &e, NULL, 0, "cert bag removed");
    e = ex_nocert(b, "no bundle certificate");
    run_certs(b, "g.certs", &e, &in, 1, "AK cert removed, intermediate kept");
    bag[0] = in;
    bag[1] = env->root;
    run_certs(b, "g.certs", &e, bag, 2, "AK cert removed, intermediate and root kept");
    e = ex_only(CHK_CHAIN_TRUST, NULL);
    run_certs(b, "g.certs", &e, &aki, 1, "intermediate removed");
    /* every order of [AK, intermediate, root] is the same bag */
    bag[0] = aki;
    bag[1] = in;
    bag[2] = env->root;
    for (p = 0; p < 6; p++) {
        X509 *o[3];

        for (k = 0; k < 3; k++)
            o[k] = bag[perms[p][k]];
        e = ex_equiv(EQ_MUST);
        snprintf(desc, sizeof(desc), "reordered [AK, intermediate, root] as %d%d%d", perms[p][0], perms[p][1], perms[p][2]);
        run_certs(b, "g.certs", &e, o, 3, desc);
    }
    bag[0] = in;
    bag[1] = aki;
    e = ex_equiv(EQ_MUST);
    run_certs(b, "g.certs", &e, bag, 2, "reordered [intermediate, AK]");
    bag[0] = env->root;
    bag[1] = b->out.ak_cert;
    run_certs(b, "g.certs", &e, bag, 2, "reordered [root, AK]");

    e = ex_only(CHK_CHAIN_TRUST, NULL);
    bag[0] = ako;
    bag[1] = env->other_ca;
    run_certs(b, "g.certs", &e, bag, 2, "chain from another CA: [AK by other CA, other CA]");
    run_certs(b, "g.certs", &e, &ako, 1, "chain from another CA: [AK by other CA]");
    bag[0] = akl;
    bag[1] = look;
    run_certs(b, "g.certs", &e, bag, 2, "lookalike intermediate (same name, other key, other CA)");
    bag[0] = akl;
    bag[1] = look;
    bag[2] = in;
    run_certs(b, "g.certs", &e, bag, 3, "lookalike intermediate next to the real one");
    run_certs(b, "g.certs", &e, &selfak, 1, "self-signed AK certificate");
    bag[0] = akx;
    bag[1] = leafx;
    run_certs(b, "g.certs", &e, bag, 2, "AK issued by an end-entity certificate");
    bag[0] = akd;
    bag[1] = in2;
    bag[2] = in0;
    run_certs(b, "g.certs", &e, bag, 3, "path length constraint violated");
    bag[0] = akn;
    bag[1] = nonca;
    run_certs(b, "g.certs", &e, bag, 2, "issuer without basicConstraints cA");

    e = ex_nocert(b, "no bundle certificate");
    run_certs(b, "g.certs", &e, &wrong, 1, "trusted certificate of another key instead of the AK's");
    bag[0] = wrong;
    bag[1] = env->other_ca;
    run_certs(b, "g.certs", &e, bag, 2, "another key's certificate and the other CA");
    /* extra, irrelevant certificates next to the right ones */
    e = ex_equiv(EQ_MAY);
    bag[0] = wrong;
    bag[1] = b->out.ak_cert;
    run_certs(b, "g.certs", &e, bag, 2, "another key's certificate before the AK's");
    bag[0] = b->out.ak_cert;
    bag[1] = b->out.ak_cert;
    run_certs(b, "g.certs", &e, bag, 2, "AK certificate twice");
    bag[0] = env->other_ca;
    bag[1] = b->out.ak_cert;
    bag[2] = akl;
    run_certs(b, "g.certs", &e, bag, 3, "unrelated other-CA certificates around the AK's");

    X509_free(in);
    X509_free(aki);
    X509_free(look);
    X509_free(akl);
    X509_free(ako);
    X509_free(wrong);
    X509_free(selfak);
    X509_free(leafx);
    X509_free(akx);
    X509_free(in0);
    X509_free(in2);
    X509_free(akd);
    X509_free(nonca);
    X509_free(akn);
    EVP_PKEY_free(ik);
    EVP_PKEY_free(lk);
    EVP_PKEY_free(xk);
    EVP_PKEY_free(i2k);
}

/* A copy of AK k's certificate with one change, re-signed by the test root. */
static X509 *resigned_ak_k(const base_t *b, int k, long nb, long na, int set_times, int nid, const char *value,
                           int touch_ext)
{
    const forge_env *env = forge_env_get();
    X509 *x = X509_dup(k == 0 ? b->out.ak_cert : b->akc[k]);
    time_t now = time(NULL);

    assert_non_null(x);
    if (set_times) {
        assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), now + nb));
        assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), now + na));
    }
    if (touch_ext)
        set_ext(x, env->root, nid, value);
    assert_true(X509_sign(x, env->ca_key, EVP_sha256()) > 0);
    return x;
}

static X509 *resigned_ak(const base_t *b, long nb, long na, int set_times, int nid, const char *value, int touch_ext)
{
    return resigned_ak_k(b, 0, nb, na, set_times, nid, value, touch_ext);
}

/* (h) validity windows: only time is wrong. */
static void gen_validity(const base_t *b)
{
    static const struct { long nb, na; const char *what, *detail; } win[] = {
        {-2 * 86400, -3600, "expired an hour ago", "expired"},
        {-2 * 86400, -86400 + 60, "expired a day ago", "expired"},
        {-400 * 86400L, -35 * 86400L, "expired a month ago", "expired"},
        {-20 * YEAR, -10 * YEAR, "expired ten years ago", "expired"},
        {3600, YEAR, "valid from an hour from now", "not yet valid"},
        {86400, YEAR, "valid from tomorrow", "not yet valid"},
        {30 * 86400L, YEAR, "valid from next month", "not yet valid"},
        {80 * YEAR, 81 * YEAR, "valid after 2100 (GeneralizedTime)", "not yet valid"},
        {YEAR, -YEAR, "notBefore after notAfter, now in neither", NULL},
        {3600, -3600, "notBefore after notAfter, now in between", NULL},
    };
    const forge_env *env = forge_env_get();
    EVP_PKEY *ik = NULL;
    X509 *x, *in, *aki, *bag[2];
    size_t i;
    expect_t e;

    if (S.counting) {
        S.counted += (long)(sizeof(win) / sizeof(win[0])) + 5;
        return;
    }
    for (i = 0; i < sizeof(win) / sizeof(win[0]); i++) {
        e = ex_only(CHK_CHAIN_TRUST, win[i].detail);
        x = resigned_ak(b, win[i].nb, win[i].na, 1, 0, NULL, 0);
        run_certs(b, "h.validity", &e, &x, 1, win[i].what);
        X509_free(x);
    }
    /* control: re-signed with a wide window, still valid */
    e = ex_equiv(EQ_MUST);
    x = resigned_ak(b, -10 * YEAR, 10 * YEAR, 1, 0, NULL, 0);
    run_certs(b, "h.validity", &e, &x, 1, "control: re-signed, valid for +-10 years");
    X509_free(x);
    /* the intermediate expired / not yet valid */
    assert_non_null(ik = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"));
    e = ex_only(CHK_CHAIN_TRUST, "expired");
    in = mk_cert("Mutation Expired CA", ik, env->root, env->ca_key, -2 * YEAR, -YEAR, "critical,CA:TRUE",
                 "critical,keyCertSign", NULL);
    aki = mk_ak(b, in, ik);
    bag[0] = aki;
    bag[1] = in;
    run_certs(b, "h.validity", &e, bag, 2, "intermediate expired");
    X509_free(in);
    X509_free(aki);
    e = ex_only(CHK_CHAIN_TRUST, "not yet valid");
    in = mk_cert("Mutation Future CA", ik, env->root, env->ca_key, YEAR, 2 * YEAR, "critical,CA:TRUE",
                 "critical,keyCertSign", NULL);
    aki = mk_ak(b, in, ik);
    bag[0] = aki;
    bag[1] = in;
    run_certs(b, "h.validity", &e, bag, 2, "intermediate not yet valid");
    X509_free(in);
    X509_free(aki);
    /* the AK cert outlives its issuer: fine for X.509 path validation when now is inside both */
    e = ex_equiv(EQ_MAY);
    in = mk_cert("Mutation Short CA", ik, env->root, env->ca_key, -3600, 86400, "critical,CA:TRUE",
                 "critical,keyCertSign", NULL);
    aki = mk_cert(b->akcn[0], b->ak, in, ik, -3600, 10 * YEAR, "critical,CA:FALSE", "critical,digitalSignature",
                  b->eku);
    bag[0] = aki;
    bag[1] = in;
    run_certs(b, "h.validity", &e, bag, 2, "AK cert outlives its issuer (both valid now)");
    X509_free(in);
    X509_free(aki);
    e = ex_equiv(EQ_MUST);
    in = mk_ca("Mutation Valid CA", ik, env->root, env->ca_key, "critical,CA:TRUE");
    aki = mk_ak(b, in, ik);
    bag[0] = aki;
    bag[1] = in;
    run_certs(b, "h.validity", &e, bag, 2, "control: intermediate valid");
    X509_free(in);
    X509_free(aki);
    EVP_PKEY_free(ik);
}

/* (i) the AK profile: EKU, keyUsage, basicConstraints (re-signed, so only the profile is wrong). */
static void gen_profile(const base_t *b)
{
    static const struct { int nid; const char *value; const char *what; int equiv; } ch[] = {
        {NID_ext_key_usage, NULL, "EKU removed", EQ_NO},
        {NID_ext_key_usage, "serverAuth", "EKU serverAuth", EQ_NO},
        {NID_ext_key_usage, "codeSigning", "EKU codeSigning", EQ_NO},
        {NID_ext_key_usage, "anyExtendedKeyUsage", "EKU anyExtendedKeyUsage", EQ_NO},
        {NID_ext_key_usage, "1.3.6.1.4.1.55555.8.3", "EKU an unknown OID", EQ_NO},
        {NID_key_usage, "critical,keyEncipherment", "keyUsage keyEncipherment only", EQ_NO},
        {NID_key_usage, "critical,keyCertSign", "keyUsage keyCertSign only", EQ_NO},
        {NID_basic_constraints, "critical,CA:TRUE", "basicConstraints cA TRUE", EQ_NO},
        {NID_basic_constraints, "critical,CA:TRUE,pathlen:0", "basicConstraints cA TRUE pathlen 0", EQ_NO},
        {NID_ext_key_usage, "serverAuth,", "control: EKU serverAuth + the AK EKU", EQ_MUST},
        {NID_key_usage, "critical,digitalSignature,nonRepudiation", "control: keyUsage + nonRepudiation", EQ_MUST},
        {NID_basic_constraints, NULL, "control: basicConstraints removed", EQ_MUST},
    };
    size_t i;
    expect_t e;
    X509 *x;

    if (S.counting) {
        S.counted += (long)(sizeof(ch) / sizeof(ch[0]));
        return;
    }
    for (i = 0; i < sizeof(ch) / sizeof(ch[0]); i++) {
        char value[96];

        /* a value ending in ',' gets the base's AK EKU appended */
        if (ch[i].value != NULL)
            snprintf(value, sizeof(value), "%s%s", ch[i].value,
                     ch[i].value[strlen(ch[i].value) - 1] == ',' ? b->eku : "");
        e = ch[i].equiv == EQ_MUST ? ex_equiv(EQ_MUST) : ex_only(CHK_CHAIN_AK_PROFILE, NULL);
        x = resigned_ak(b, 0, 0, 0, ch[i].nid, ch[i].value != NULL ? value : NULL, 1);
        run_certs(b, "i.ak-profile", &e, &x, 1, ch[i].what);
        X509_free(x);
    }
}

/* ------------------------------------------------------------ PKIX (b.sig-trunc, e.oid.pkix, j, 2-sig bags) */

/* b.sig-trunc: each SignatureBlock's signatureValue cut at every byte, and one byte appended. */
static void gen_sig_trunc(const base_t *b)
{
    char desc[200];
    expect_t e;
    int k;

    for (k = 0; k < b->naks; k++) {
        const mut_node *nd = &b->t.v[b->bval[k]];
        const unsigned char *c = b->t.der + content_off(b, b->bval[k]);
        unsigned char *ext, *r;
        size_t n, rlen = 0;

        memset(&e, 0, sizeof(e));
        e.want_rc = -1;
        e.resign = 1;
        e.oneof = S_PSIG;
        one_of_two(b, &e, k);
        for (n = 0; n <= nd->len; n++) {
            if (n == nd->len)
                describe(b, b->bval[k], desc, sizeof(desc), "block %d: a 0x00 byte appended to the signature", k);
            else
                describe(b, b->bval[k], desc, sizeof(desc), "block %d: signature cut to %zu bytes", k, n);
            if (S.counting) {
                S.counted++;
                continue;
            }
            assert_non_null(ext = OPENSSL_malloc(nd->len + 1));
            memcpy(ext, c, nd->len);
            ext[nd->len] = 0;
            assert_non_null(r = mut_retlv(&b->t, b->bval[k], ext, n == nd->len ? n + 1 : n, 0, &rlen));
            run_splice(b, "b.sig-trunc", &e, b->bval[k], r, rlen, desc);
            OPENSSL_free(r);
            OPENSSL_free(ext);
        }
    }
}

/* PKIX element and claim OIDs, and one no verifier knows. */
static const attest_oid_id pkix_oid_targets[] = {
    ATTEST_OID_PKIX_EL_TRANSACTION, ATTEST_OID_PKIX_EL_PLATFORM, ATTEST_OID_PKIX_EL_KEY,
    ATTEST_OID_PKIX_TX_NONCE, ATTEST_OID_PKIX_TX_TIMESTAMP, ATTEST_OID_PKIX_TX_AK_SPKI,
    ATTEST_OID_PKIX_PL_VENDOR, ATTEST_OID_PKIX_PL_FIPSLEVEL,
    ATTEST_OID_PKIX_KEY_IDENTIFIER, ATTEST_OID_PKIX_KEY_SPKI, ATTEST_OID_PKIX_KEY_EXTRACTABLE,
    ATTEST_OID_PKIX_KEY_SENSITIVE, ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE, ATTEST_OID_PKIX_KEY_LOCAL,
    ATTEST_OID_PKIX_KEY_PURPOSE, ATTEST_OID_PKIX_CAP_SIGN, ATTEST_OID_PKIX_CAP_ENCRYPT,
};

/*
 * e.oid.pkix: every OID inside the evidence swapped for each PKIX element and
 * claim OID (extractable <-> never-extractable, a claim typed as one of
 * another element, an element typed as another, ...), the AK's signatures
 * kept: inside the TbsEvidence pkix.signature must fail; inside a block the
 * block is refused (with two blocks the other one may carry the verdict).
 */
static void gen_oids_pkix(const base_t *b)
{
    const mut_tree *t = &b->t;
    char desc[200], name[80];
    size_t k;
    int n;

    for (n = 0; n < t->n; n++) {
        const mut_node *nd = &t->v[n];

        if (nd->tag != 0x06 || !mut_within(t, n, b->ev))
            continue;
        for (k = 0; k < sizeof(pkix_oid_targets) / sizeof(pkix_oid_targets[0]); k++) {
            const ASN1_OBJECT *o = attest_oid_obj(pkix_oid_targets[k]);
            unsigned char *der = NULL;
            expect_t e = region_expect(b, n);
            int dl;

            assert_true((dl = i2d_ASN1_OBJECT(o, &der)) > 0);
            if ((size_t)dl == nd->hdr + nd->len && memcmp(der, t->der + nd->off, (size_t)dl) == 0) {
                OPENSSL_free(der);
                continue;
            }
            if (mut_within(t, n, b->ptbs))
                e.oneof = S_PSIG;
            OBJ_obj2txt(name, sizeof(name), o, 1);
            describe(b, n, desc, sizeof(desc), "OID -> %s (%s)", attest_oid_info_get(pkix_oid_targets[k])->sn, name);
            run_splice(b, "e.oid.pkix", &e, n, der, (size_t)dl, desc);
            OPENSSL_free(der);
        }
    }
}

/* ---- j.pkix-claims: the AK signs edited claims */

enum {
    J_ASIS, J_SWAP, J_MOVE, J_RETYPE, J_DUP_CLAIM, J_DUP_EL, J_BOOL, J_DROP, J_DROP_EL, J_INT_VALUE, J_NO_VALUE,
    J_NONCE, J_KEY_SPKI, J_AK_SPKI_ALL, J_DROP_AK_SPKI0, J_VERSION, J_FIPSLEVEL, J_KEY2
};
#define J_UNKNOWN ATTEST_OID_COUNT /* an element / claim type no verifier knows */

typedef struct {
    const char *what;
    int op;
    int a, b;                   /* claim or element ids, per op */
    int v;                      /* value, per op */
    const char *fail;           /* this check must fail (exit 1) ... */
    int equiv;                  /* ... or this equivalence */
    int equiv2, other2;         /* two blocks: equivalence and 1 + the AK that carries (0: as single) */
} jcase;

static ASN1_OBJECT *j_obj(int id)
{
    ASN1_OBJECT *o = id == J_UNKNOWN ? OBJ_txt2obj("1.3.6.1.4.1.55555.7.9", 1) : OBJ_dup(attest_oid_obj(id));

    assert_non_null(o);
    return o;
}

static PKIX_ELEMENT *j_el(attest_pkix *p, int type)
{
    int i;

    for (i = 0; i < sk_PKIX_ELEMENT_num(p->ev->tbs->elements); i++) {
        PKIX_ELEMENT *el = sk_PKIX_ELEMENT_value(p->ev->tbs->elements, i);

        if (OBJ_cmp(el->type, attest_oid_obj(type)) == 0)
            return el;
    }
    fail_msg("no element %s", attest_oid_info_get(type)->sn);
    return NULL;
}

/* The claim and the element it is in. */
static PKIX_CLAIM *j_claim(attest_pkix *p, int id, PKIX_ELEMENT **in)
{
    int i, j;

    for (i = 0; i < sk_PKIX_ELEMENT_num(p->ev->tbs->elements); i++) {
        PKIX_ELEMENT *el = sk_PKIX_ELEMENT_value(p->ev->tbs->elements, i);

        for (j = 0; j < sk_PKIX_CLAIM_num(el->claims); j++) {
            PKIX_CLAIM *c = sk_PKIX_CLAIM_value(el->claims, j);

            if (OBJ_cmp(c->type, attest_oid_obj(id)) == 0) {
                if (in != NULL)
                    *in = el;
                return c;
            }
        }
    }
    fail_msg("no claim %s", attest_oid_info_get(id)->sn);
    return NULL;
}

static void j_set_spki(PKIX_CLAIM *c, EVP_PKEY *key)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);

    assert_true(n > 0);
    assert_int_equal(c->value->type, V_ASN1_OCTET_STRING);
    assert_true(ASN1_OCTET_STRING_set(c->value->value.octet_string, der, n));
    OPENSSL_free(der);
}

static void j_edit(attest_pkix *p, const jcase *jc)
{
    const forge_env *env = forge_env_get();
    PKIX_ELEMENT *el, *el2;
    PKIX_CLAIM *c, *c2;
    ASN1_OBJECT *tmp;
    ASN1_INTEGER *ai;
    int i;

    switch (jc->op) {
    case J_ASIS:
        break;
    case J_SWAP: /* the types of claims a and b swapped, values stay */
        c = j_claim(p, jc->a, NULL);
        c2 = j_claim(p, jc->b, NULL);
        tmp = c->type;
        c->type = c2->type;
        c2->type = tmp;
        break;
    case J_MOVE: /* claim a moved into the element of type b */
        c = j_claim(p, jc->a, &el);
        el2 = j_el(p, jc->b);
        assert_non_null(sk_PKIX_CLAIM_delete_ptr(el->claims, c));
        assert_true(sk_PKIX_CLAIM_push(el2->claims, c) > 0);
        break;
    case J_RETYPE: /* element a typed b */
        el = j_el(p, jc->a);
        ASN1_OBJECT_free(el->type);
        el->type = j_obj(jc->b);
        break;
    case J_DUP_CLAIM:
        c = j_claim(p, jc->a, &el);
        assert_non_null(c2 = ASN1_item_dup(ASN1_ITEM_rptr(PKIX_CLAIM), c));
        assert_true(sk_PKIX_CLAIM_push(el->claims, c2) > 0);
        break;
    case J_DUP_EL:
        el = j_el(p, jc->a);
        assert_non_null(el2 = ASN1_item_dup(ASN1_ITEM_rptr(PKIX_ELEMENT), el));
        assert_true(sk_PKIX_ELEMENT_push(p->ev->tbs->elements, el2) > 0);
        break;
    case J_BOOL: /* claim a set to v, claim b (if set) to the opposite */
        c = j_claim(p, jc->a, NULL);
        ASN1_TYPE_set(c->value, V_ASN1_BOOLEAN, jc->v ? (void *)c : NULL);
        if (jc->b != 0) {
            c = j_claim(p, jc->b, NULL);
            ASN1_TYPE_set(c->value, V_ASN1_BOOLEAN, jc->v ? NULL : (void *)c);
        }
        break;
    case J_DROP: /* claims a and (if set) b removed */
        for (i = 0; i < 2; i++) {
            int id = i == 0 ? jc->a : jc->b;

            if (i == 1 && id == 0)
                break;
            c = j_claim(p, id, &el);
            assert_non_null(sk_PKIX_CLAIM_delete_ptr(el->claims, c));
            PKIX_CLAIM_free(c);
        }
        break;
    case J_DROP_EL:
        el = j_el(p, jc->a);
        assert_non_null(sk_PKIX_ELEMENT_delete_ptr(p->ev->tbs->elements, el));
        PKIX_ELEMENT_free(el);
        break;
    case J_INT_VALUE: /* claim a's value an INTEGER v */
        c = j_claim(p, jc->a, NULL);
        assert_non_null(ai = ASN1_INTEGER_new());
        assert_true(ASN1_INTEGER_set(ai, jc->v));
        ASN1_TYPE_set(c->value, V_ASN1_INTEGER, ai);
        break;
    case J_NO_VALUE:
        c = j_claim(p, jc->a, NULL);
        ASN1_TYPE_free(c->value);
        c->value = NULL;
        break;
    case J_NONCE: /* another nonce of the same length */
        c = j_claim(p, ATTEST_OID_PKIX_TX_NONCE, NULL);
        c->value->value.octet_string->data[0] ^= 0x01;
        break;
    case J_KEY_SPKI: /* the key element reports another key */
        j_set_spki(j_claim(p, ATTEST_OID_PKIX_KEY_SPKI, NULL), env->key_ec2);
        break;
    case J_AK_SPKI_ALL: /* every ak-spki names another key */
        el = j_el(p, ATTEST_OID_PKIX_EL_TRANSACTION);
        for (i = 0; i < sk_PKIX_CLAIM_num(el->claims); i++) {
            c = sk_PKIX_CLAIM_value(el->claims, i);
            if (OBJ_cmp(c->type, attest_oid_obj(ATTEST_OID_PKIX_TX_AK_SPKI)) == 0)
                j_set_spki(c, i % 2 ? env->key_rsa : env->key_ec2);
        }
        break;
    case J_DROP_AK_SPKI0: /* the first ak-spki (AK 0's) removed */
        c = j_claim(p, ATTEST_OID_PKIX_TX_AK_SPKI, &el);
        assert_non_null(sk_PKIX_CLAIM_delete_ptr(el->claims, c));
        PKIX_CLAIM_free(c);
        break;
    case J_VERSION:
        assert_true(ASN1_INTEGER_set(p->ev->tbs->version, jc->v));
        break;
    case J_FIPSLEVEL:
        c = j_claim(p, ATTEST_OID_PKIX_PL_FIPSLEVEL, NULL);
        assert_true(ASN1_INTEGER_set(c->value->value.integer, jc->v));
        break;
    case J_KEY2: /* a second key element: v 0 another key, same id; 1 the subject key, another id; 2 another key and id */
        el = j_el(p, ATTEST_OID_PKIX_EL_KEY);
        assert_non_null(el2 = ASN1_item_dup(ASN1_ITEM_rptr(PKIX_ELEMENT), el));
        for (i = 0; i < sk_PKIX_CLAIM_num(el2->claims); i++) {
            c = sk_PKIX_CLAIM_value(el2->claims, i);
            if (jc->v != 1 && OBJ_cmp(c->type, attest_oid_obj(ATTEST_OID_PKIX_KEY_SPKI)) == 0)
                j_set_spki(c, env->key_ec2);
            if (jc->v != 0 && OBJ_cmp(c->type, attest_oid_obj(ATTEST_OID_PKIX_KEY_IDENTIFIER)) == 0)
                assert_true(ASN1_STRING_set(c->value->value.utf8string, "mutation-k2", -1));
        }
        assert_true(sk_PKIX_ELEMENT_push(p->ev->tbs->elements, el2) > 0);
        break;
    default:
        fail_msg("j: op %d", jc->op);
    }
}

/* Every block re-signed by its AK over the edited tbs (PKCS#1 v1.5 / ECDSA, SHA-256). */
/* Every block of p re-signed by its AK over p's (edited) tbs, then p encoded; p is consumed. */
static unsigned char *j_resign(const base_t *b, attest_pkix *p, size_t *len)
{
    unsigned char *tbs = NULL, *der = NULL;
    attest_err err;
    int k, n;

    assert_true((n = i2d_PKIX_TBS(p->ev->tbs, &tbs)) > 0);
    for (k = 0; k < b->naks; k++) {
        PKIX_SIGBLOCK *blk = sk_PKIX_SIGBLOCK_value(p->ev->sigs, k);
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        unsigned char sig[1024];
        size_t siglen = sizeof(sig);

        assert_non_null(m);
        assert_true(EVP_DigestSignInit_ex(m, NULL, "SHA256", NULL, NULL, b->aks[k], NULL) > 0);
        assert_true(EVP_DigestSign(m, sig, &siglen, tbs, (size_t)n) > 0);
        assert_true(ASN1_OCTET_STRING_set(blk->value, sig, (int)siglen));
        EVP_MD_CTX_free(m);
    }
    OPENSSL_free(tbs);
    assert_int_equal(attest_pkix_encode(p, &der, len, &err), 0);
    attest_pkix_free(p);
    return der;
}

static unsigned char *j_build(const base_t *b, const jcase *jc, size_t *len)
{
    attest_pkix *p = NULL;
    attest_err err;

    if (attest_pkix_decode(b->out.stmt, b->out.stmt_len, &p, &err) != 0)
        fail_msg("attest_pkix_decode: %s", err.msg);
    j_edit(p, jc);
    return j_resign(b, p, len);
}

/*
 * j.pkix-claims: what the AK itself might sign wrongly or a claims file might
 * say - claims swapped, moved into the wrong element, elements retyped or
 * repeated, values of the wrong type, weaker values - every block re-signed,
 * so only the claim checks (pkix.structure, pkix.key-binding, pkix.nonce,
 * pkix.key-policy, the ak-spki binding of pkix.signature) can refuse them.
 */
static void gen_claims(const base_t *b)
{
    enum {
        TX = ATTEST_OID_PKIX_EL_TRANSACTION, PL = ATTEST_OID_PKIX_EL_PLATFORM, KEY = ATTEST_OID_PKIX_EL_KEY,
        NONCE = ATTEST_OID_PKIX_TX_NONCE, AKSPKI = ATTEST_OID_PKIX_TX_AK_SPKI, KID = ATTEST_OID_PKIX_KEY_IDENTIFIER,
        KSPKI = ATTEST_OID_PKIX_KEY_SPKI, EX = ATTEST_OID_PKIX_KEY_EXTRACTABLE, SENS = ATTEST_OID_PKIX_KEY_SENSITIVE,
        NEX = ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE, LOCAL = ATTEST_OID_PKIX_KEY_LOCAL,
        PURPOSE = ATTEST_OID_PKIX_KEY_PURPOSE, VENDOR = ATTEST_OID_PKIX_PL_VENDOR, TS = ATTEST_OID_PKIX_TX_TIMESTAMP
    };
    static const jcase jc[] = {
        {"control: every block re-signed as is", J_ASIS, 0, 0, 0, NULL, EQ_MUST, 0, 0},
        /* claim types swapped, values kept */
        {"key-extractable <-> key-never-extractable", J_SWAP, EX, NEX, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"key-extractable <-> key-sensitive", J_SWAP, EX, SENS, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"key-extractable <-> key-local", J_SWAP, EX, LOCAL, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"key-never-extractable <-> key-local (both TRUE: the same claims)", J_SWAP, NEX, LOCAL, 0, NULL, EQ_MUST, 0, 0},
        {"key-identifier <-> key-spki", J_SWAP, KID, KSPKI, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"tx-nonce <-> tx-ak-spki", J_SWAP, NONCE, AKSPKI, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        /* a claim in the wrong element */
        {"key-extractable moved into the platform element", J_MOVE, EX, PL, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key-never-extractable moved into the transaction element", J_MOVE, NEX, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key-sensitive moved into the platform element", J_MOVE, SENS, PL, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key-local moved into the transaction element", J_MOVE, LOCAL, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key-spki moved into the transaction element", J_MOVE, KSPKI, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key-identifier moved into the platform element", J_MOVE, KID, PL, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"tx-nonce moved into the key element", J_MOVE, NONCE, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"tx-ak-spki moved into the key element", J_MOVE, AKSPKI, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"platform vendor moved into the key element", J_MOVE, VENDOR, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        /* elements retyped */
        {"key element typed platform", J_RETYPE, KEY, PL, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key element typed transaction", J_RETYPE, KEY, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key element typed unknown (ignored: no key element)", J_RETYPE, KEY, J_UNKNOWN, 0, CHK_PKIX_KEY_BINDING, EQ_NO, 0, 0},
        {"transaction element typed key", J_RETYPE, TX, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"transaction element typed unknown (no nonce)", J_RETYPE, TX, J_UNKNOWN, 0, CHK_PKIX_NONCE, EQ_NO, 0, 0},
        {"platform element typed key", J_RETYPE, PL, KEY, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"platform element typed transaction", J_RETYPE, PL, TX, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"control: platform element typed unknown (ignored)", J_RETYPE, PL, J_UNKNOWN, 0, NULL, EQ_MUST, 0, 0},
        /* repeated */
        {"key-extractable twice", J_DUP_CLAIM, EX, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key-spki twice", J_DUP_CLAIM, KSPKI, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"tx-nonce twice", J_DUP_CLAIM, NONCE, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"tx-ak-spki twice", J_DUP_CLAIM, AKSPKI, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key element twice", J_DUP_EL, KEY, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"transaction element twice", J_DUP_EL, TX, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"platform element twice", J_DUP_EL, PL, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"second key element: another key, the same key-identifier", J_KEY2, 0, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"second key element: the subject key, another key-identifier", J_KEY2, 0, 0, 1, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"control: second key element about another key", J_KEY2, 0, 0, 2, NULL, EQ_MAY, 0, 0},
        /* weaker values */
        /* regression: was affirmed as "non-exportable" while never-extractable stayed TRUE */
        {"key-extractable TRUE (key-never-extractable TRUE stays)", J_BOOL, EX, 0, 1, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"key-sensitive FALSE", J_BOOL, SENS, 0, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"key-local FALSE", J_BOOL, LOCAL, 0, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"key-extractable TRUE, key-never-extractable FALSE", J_BOOL, EX, NEX, 1, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"key-never-extractable FALSE (key-extractable FALSE stays)", J_BOOL, NEX, 0, 0, NULL, EQ_MAY, 0, 0},
        {"key-sensitive removed", J_DROP, SENS, 0, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"key-local removed", J_DROP, LOCAL, 0, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"key-extractable and key-never-extractable removed", J_DROP, EX, NEX, 0, CHK_PKIX_KEY_POLICY, EQ_NO, 0, 0},
        {"control: key-extractable removed (key-never-extractable TRUE)", J_DROP, EX, 0, 0, NULL, EQ_MUST, 0, 0},
        /* the policy takes extractable FALSE alone as non-exportable today (the man page reads stricter) */
        {"key-never-extractable removed (key-extractable FALSE)", J_DROP, NEX, 0, 0, NULL, EQ_MAY, 0, 0},
        {"control: key-purpose and tx-timestamp removed", J_DROP, PURPOSE, TS, 0, NULL, EQ_MUST, 0, 0},
        {"key-identifier removed", J_DROP, KID, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key-spki removed", J_DROP, KSPKI, 0, 0, CHK_PKIX_KEY_BINDING, EQ_NO, 0, 0},
        {"tx-nonce removed", J_DROP, NONCE, 0, 0, CHK_PKIX_NONCE, EQ_NO, 0, 0},
        {"key element removed", J_DROP_EL, KEY, 0, 0, CHK_PKIX_KEY_BINDING, EQ_NO, 0, 0},
        {"transaction element removed", J_DROP_EL, TX, 0, 0, CHK_PKIX_NONCE, EQ_NO, 0, 0},
        /* wrong value types and ranges */
        {"key-extractable an INTEGER 0", J_INT_VALUE, EX, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key-sensitive an INTEGER 1", J_INT_VALUE, SENS, 0, 1, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"key-local without a value", J_NO_VALUE, LOCAL, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"tx-nonce without a value", J_NO_VALUE, NONCE, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"version 2", J_VERSION, 0, 0, 2, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"version 0", J_VERSION, 0, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"fipslevel 5", J_FIPSLEVEL, 0, 0, 5, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        {"fipslevel 0", J_FIPSLEVEL, 0, 0, 0, CHK_PKIX_STRUCTURE, EQ_NO, 0, 0},
        /* bindings */
        {"another nonce", J_NONCE, 0, 0, 0, CHK_PKIX_NONCE, EQ_NO, 0, 0},
        {"key-spki of another key", J_KEY_SPKI, 0, 0, 0, CHK_PKIX_KEY_BINDING, EQ_NO, 0, 0},
        {"every tx-ak-spki of another key", J_AK_SPKI_ALL, 0, 0, 0, CHK_PKIX_SIGNATURE, EQ_NO, 0, 0},
        /* one AK: no ak-spki at all is allowed; two: AK 0 is no longer listed, AK 1 carries */
        {"control: AK 0's tx-ak-spki removed", J_DROP_AK_SPKI0, 0, 0, 0, NULL, EQ_MUST, EQ_MUST, 2},
    };
    const size_t n = sizeof(jc) / sizeof(jc[0]);
    size_t i, len = 0;
    unsigned char *ev;
    expect_t e;

    if (S.counting) {
        S.counted += (long)n;
        return;
    }
    for (i = 0; i < n; i++) {
        const char *one[2];

        one[0] = jc[i].fail;
        one[1] = NULL;
        memset(&e, 0, sizeof(e));
        e.want_rc = -1;
        if (jc[i].fail != NULL) {
            e.oneof = one;
            e.want_rc = 1;
        }
        e.equiv = jc[i].equiv;
        if (b->naks == 2 && jc[i].other2 > 0) {
            e.equiv = jc[i].equiv2;
            e.other1 = jc[i].other2;
        }
        ev = j_build(b, &jc[i], &len);
        {
            size_t clen = 0;
            unsigned char *csr = csr_with_stmt(b, ev, len, b->akc, b->naks, &clen);

            run(b, "j.pkix-claims", &e, csr, clen, jc[i].what);
            OPENSSL_free(csr);
        }
        OPENSSL_free(ev);
    }
}

/*
 * Two blocks, both AK certificates in play (g/h/i-2sig): one AK's
 * certificate broken and the other's intact is equivalent by design (the
 * intact one carries); both broken must fail, with the first block's chain
 * reported.  Plus the bag's orders and either certificate alone.
 */
static void gen_two(const base_t *b)
{
    static const struct { const char *cls, *what, *fail, *detail; long nb, na; int times, nid; const char *value; } ch[] = {
        {"h.validity-2sig", "expired a day ago", CHK_CHAIN_TRUST, "expired", -2 * 86400, -86400 + 60, 1, 0, NULL},
        {"h.validity-2sig", "valid from tomorrow", CHK_CHAIN_TRUST, "not yet valid", 86400, YEAR, 1, 0, NULL},
        {"h.validity-2sig", "notBefore after notAfter", CHK_CHAIN_TRUST, NULL, 3600, -3600, 1, 0, NULL},
        {"i.ak-profile-2sig", "EKU removed", CHK_CHAIN_AK_PROFILE, NULL, 0, 0, 0, NID_ext_key_usage, NULL},
        {"i.ak-profile-2sig", "EKU serverAuth", CHK_CHAIN_AK_PROFILE, NULL, 0, 0, 0, NID_ext_key_usage, "serverAuth"},
        {"i.ak-profile-2sig", "keyUsage keyEncipherment only", CHK_CHAIN_AK_PROFILE, NULL, 0, 0, 0, NID_key_usage,
         "critical,keyEncipherment"},
        {"i.ak-profile-2sig", "basicConstraints cA TRUE", CHK_CHAIN_AK_PROFILE, NULL, 0, 0, 0, NID_basic_constraints,
         "critical,CA:TRUE"},
    };
    const forge_env *env = forge_env_get();
    X509 *x[2], *o[2], *bag[3];
    char desc[160];
    expect_t e;
    size_t i;
    int k;

    if (b->naks != 2)
        return;
    if (S.counting) {
        S.counted += (long)(sizeof(ch) / sizeof(ch[0])) * 4 + 11;
        return;
    }
    for (i = 0; i < sizeof(ch) / sizeof(ch[0]); i++) {
        for (k = 0; k < 2; k++)
            x[k] = resigned_ak_k(b, k, ch[i].nb, ch[i].na, ch[i].times, ch[i].nid, ch[i].value, ch[i].nid != 0);
        e = ex_only(ch[i].fail, ch[i].detail);
        snprintf(desc, sizeof(desc), "both AK certificates: %s", ch[i].what);
        run_bag(b, ch[i].cls, &e, x, 2, desc);
        for (k = 0; k < 2; k++) {
            e = ex_equiv(EQ_MUST);
            e.other1 = 2 - k;
            bag[0] = k == 0 ? x[0] : b->akc[0];
            bag[1] = k == 1 ? x[1] : b->akc[1];
            snprintf(desc, sizeof(desc), "AK %d's certificate: %s, AK %d's intact", k, ch[i].what, 1 - k);
            run_bag(b, ch[i].cls, &e, bag, 2, desc);
        }
        /* the broken one after the intact one */
        e = ex_equiv(EQ_MUST);
        e.other1 = 2;
        bag[0] = b->akc[1];
        bag[1] = x[0];
        snprintf(desc, sizeof(desc), "[AK 1 intact, AK 0 %s]", ch[i].what);
        run_bag(b, ch[i].cls, &e, bag, 2, desc);
        X509_free(x[0]);
        X509_free(x[1]);
    }
    for (k = 0; k < 2; k++)
        o[k] = mk_ak_k(b, k, env->other_ca, env->other_ca_key);
    e = ex_equiv(EQ_MUST);
    e.other1 = 1;
    run_bag(b, "g.certs-2sig", &e, b->akc, 2, "control: [AK 0, AK 1]");
    bag[0] = b->akc[1];
    bag[1] = b->akc[0];
    run_bag(b, "g.certs-2sig", &e, bag, 2, "reordered [AK 1, AK 0]");
    bag[0] = env->root;
    bag[1] = b->akc[1];
    bag[2] = b->akc[0];
    run_bag(b, "g.certs-2sig", &e, bag, 3, "reordered [root, AK 1, AK 0]");
    run_bag(b, "g.certs-2sig", &e, &b->akc[0], 1, "AK 1's certificate removed");
    e.other1 = 2;
    run_bag(b, "g.certs-2sig", &e, &b->akc[1], 1, "AK 0's certificate removed");
    bag[0] = o[0];
    bag[1] = b->akc[1];
    bag[2] = env->other_ca;
    run_bag(b, "g.certs-2sig", &e, bag, 3, "AK 0's certificate from another CA, AK 1's intact");
    e.other1 = 1;
    bag[0] = b->akc[0];
    bag[1] = o[1];
    run_bag(b, "g.certs-2sig", &e, bag, 2, "AK 1's certificate from another CA, AK 0's intact");
    e = ex_only(CHK_CHAIN_TRUST, NULL);
    run_bag(b, "g.certs-2sig", &e, o, 2, "both AK certificates from another CA");
    bag[0] = o[1];
    bag[1] = env->other_ca;
    bag[2] = o[0];
    run_bag(b, "g.certs-2sig", &e, bag, 3, "both AK certificates from another CA, with that CA");
    e = ex_nocert(b, NULL);
    run_bag(b, "g.certs-2sig", &e, NULL, 0, "cert bag removed");
    bag[0] = env->root;
    run_bag(b, "g.certs-2sig", &e, bag, 1, "both AK certificates removed, the root kept");
    X509_free(o[0]);
    X509_free(o[1]);
}

/* ------------------------------------------------------------ bases */

static const unsigned char *oid_der(attest_oid_id id, size_t *len)
{
    static unsigned char buf[ATTEST_OID_COUNT][64];
    static size_t lens[ATTEST_OID_COUNT];
    unsigned char *p = buf[id];

    if (lens[id] == 0) {
        int n = i2d_ASN1_OBJECT(attest_oid_obj(id), NULL);

        assert_true(n > 0 && n <= 64);
        lens[id] = (size_t)i2d_ASN1_OBJECT(attest_oid_obj(id), &p);
    }
    *len = lens[id];
    return buf[id];
}

static int child(const base_t *b, int i, int k)
{
    int c = mut_child(&b->t, i, k);

    assert_true(c >= 0);
    return c;
}

/* The request's nodes down to the statement and the cert bag. */
static void find_nodes(base_t *b)
{
    const unsigned char *aa;
    size_t aalen;
    int k, nattr;

    assert_int_equal(mut_parse(&b->t, b->out.csr, b->out.csr_len), 0);
    b->root = 0;
    b->cri = child(b, 0, 0);
    b->sigalg = child(b, 0, 1);
    b->sigval = child(b, 0, 2);
    b->attrs = child(b, b->cri, 3);
    assert_int_equal(b->t.v[b->attrs].tag, 0xa0);
    aa = oid_der(ATTEST_OID_AA_ATTESTATION, &aalen);
    b->attr = -1;
    nattr = b->t.v[b->attrs].nchild;
    for (k = 0; k < nattr; k++) {
        int a = child(b, b->attrs, k), o0 = child(b, a, 0);

        if (b->t.v[o0].hdr + b->t.v[o0].len == aalen && memcmp(b->t.der + b->t.v[o0].off, aa, aalen) == 0)
            b->attr = a;
    }
    assert_true(b->attr >= 0);
    b->attr_oid = child(b, b->attr, 0);
    b->attr_set = child(b, b->attr, 1);
    b->bundle = child(b, b->attr_set, 0);
    b->stmts = child(b, b->bundle, 0);
    b->certs = child(b, b->bundle, 1);
    b->stmt = child(b, b->stmts, 0);
    b->stmt_type = child(b, b->stmt, 0);
    b->cert = child(b, b->certs, 0);
    b->tbs = child(b, b->cert, 0);
    /* the request is signed with SHA-256 (what mut_resign_csr uses) */
    assert_int_equal(b->t.v[b->sigalg].tag, 0x30);
    assert_non_null(b->trust = attest_trust_new());
    assert_int_equal(attest_trust_add_anchor(b->trust, forge_env_get()->root), 0);
}

static void tpm_base_init(base_t *b, const char *name, EVP_PKEY *ak, EVP_PKEY *subject)
{
    forge_opts o;

    memset(b, 0, sizeof(*b));
    memset(&o, 0, sizeof(o));
    b->name = name;
    b->fam = FAM_TPM;
    b->ak = ak;
    b->subject = subject;
    b->md = EVP_sha256();
    b->eku = AK_EKU;
    snprintf(b->akcn[0], sizeof(b->akcn[0]), "Mutation AK");
    o.ak = ak;
    o.subject = subject;
    assert_int_equal(forge_build(&o, &b->out), 0);
    find_nodes(b);
    b->tcg = child(b, b->stmt, 1);
    b->attest = child(b, b->tcg, 0);
    b->tsig = child(b, b->tcg, 1);
    b->pub = child(b, b->tcg, 2);
    b->ev = b->ptbs = b->sigs = -1;
}

#define PKIX_KEY_ID "mutation-k1"
#define PKIX_TIME 1790000000

/* The claims of every PKIX base: the subject key non-extractable, sensitive, local; a platform; the nonce. */
static void pkix_claims(attest_pkix_claims *c, attest_pkix_platform *pl, EVP_PKEY *subject)
{
    attest_pkix_platform_init(pl);
    pl->vendor = "Mutation Labs";
    pl->hwmodel = "MUT-HSM-1";
    pl->fipsboot = 1;
    pl->fipslevel = 3;
    attest_pkix_claims_init(c);
    c->nonce = FORGE_NONCE;
    c->nonce_len = sizeof(FORGE_NONCE);
    c->timestamp = PKIX_TIME;
    c->key = subject;
    c->key_id = PKIX_KEY_ID;
    c->extractable = 0;
    c->never_extractable = 1;
    c->sensitive = 1;
    c->local = 1;
    c->purposes = ATTEST_PKIX_CAP_SIGN | ATTEST_PKIX_CAP_VERIFY;
    c->platform = pl;
}

/* One SignatureBlock per AK (sid = its SPKI), each AK's certificate from the test root in the bag. */
static void pkix_base_init(base_t *b, const char *name, EVP_PKEY *const *aks, int naks, EVP_PKEY *subject)
{
    const forge_env *env = forge_env_get();
    attest_pkix_claims c;
    attest_pkix_platform pl;
    attest_pkix_signer sg[MAX_AKS];
    attest_err err;
    int k, j;

    memset(b, 0, sizeof(*b));
    memset(sg, 0, sizeof(sg));
    b->name = name;
    b->fam = FAM_PKIX;
    b->ak = aks[0];
    b->subject = subject;
    b->md = EVP_sha256();
    b->eku = attest_oid_info_get(ATTEST_OID_KP_ATTESTATION_KEY)->dotted;
    b->naks = naks;
    for (k = 0; k < naks; k++) {
        b->aks[k] = aks[k];
        sg[k].key = aks[k];
        sg[k].md = "SHA256";
        snprintf(b->akcn[k], sizeof(b->akcn[k]), "Mutation PKIX %s AK", EVP_PKEY_get0_type_name(aks[k]));
        b->akc[k] = mk_cert(b->akcn[k], aks[k], env->root, env->ca_key, -3600, YEAR, "critical,CA:FALSE",
                            "critical,digitalSignature", b->eku);
    }
    pkix_claims(&c, &pl, subject);
    if (attest_pkix_build(&c, sg, (size_t)naks, NULL, NULL, &b->out.stmt, &b->out.stmt_len, &err) != 0)
        fail_msg("attest_pkix_build: %s", err.msg);
    b->out.ak_cert = b->akc[0]; /* owned through out */
    b->out.csr = csr_with(b, b->akc, naks, &b->out.csr_len);
    find_nodes(b);
    b->tcg = b->attest = b->tsig = b->pub = -1;
    b->ev = child(b, b->stmt, 1);
    b->ptbs = child(b, b->ev, 0);
    b->sigs = child(b, b->ev, 1);
    assert_int_equal(b->t.v[b->sigs].nchild, naks);
    assert_int_equal(b->t.v[b->certs].nchild, naks);
    for (k = 0; k < naks; k++) {
        unsigned char *d = NULL;
        int dl = i2d_X509(b->akc[k], &d);

        b->block[k] = child(b, b->sigs, k);
        /* sid [1] EXPLICIT SubjectPublicKeyInfo: its AlgorithmIdentifier */
        b->salg[k] = child(b, child(b, child(b, child(b, b->block[k], 0), 0), 0), 0);
        b->balg[k] = child(b, b->block[k], 1);
        b->bval[k] = child(b, b->block[k], 2);
        assert_int_equal(b->t.v[b->bval[k]].tag, 0x04);
        /* bag entry of AK k */
        b->bcert[k] = -1;
        for (j = 0; j < naks; j++) {
            int cn = child(b, b->certs, j);

            if (b->t.v[cn].hdr + b->t.v[cn].len == (size_t)dl && memcmp(b->t.der + b->t.v[cn].off, d, (size_t)dl) == 0)
                b->bcert[k] = cn;
        }
        OPENSSL_free(d);
        /* the bag keeps the order given: entry k is AK k's (gen_trunc relies on it) */
        assert_int_equal(b->bcert[k], child(b, b->certs, k));
        b->btbs[k] = child(b, b->bcert[k], 0);
    }
}

static void base_free(base_t *b)
{
    int k;

    for (k = 1; k < b->naks; k++)
        X509_free(b->akc[k]);
    forge_out_free(&b->out);
    mut_tree_free(&b->t);
    attest_trust_free(b->trust);
}

static int setup(void **state)
{
    const forge_env *env = forge_env_get();
    const char *s;
    EVP_PKEY *aks[2];

    (void)state;
    attest_policy_default(&S.pol);
    S.dump_dir = getenv("ATTEST_MUTANTS_DUMP");
    s = getenv("ATTEST_MUTATION_SEED");
    mut_rng_seed(&S.rng, s != NULL ? strtoull(s, NULL, 0) : 20241101ull);
    s = getenv("ATTEST_MUTANTS");
    S.target = s != NULL ? strtol(s, NULL, 10) : 0;
    tpm_base_init(&S.bases[0], "ecc", env->ak_ec, env->key_ec);
    tpm_base_init(&S.bases[1], "rsa", env->ak_rsa, env->key_rsa);
    aks[0] = env->ak_ec;
    aks[1] = env->ak_rsa;
    pkix_base_init(&S.bases[2], "pkix-ec", &aks[0], 1, env->key_ec);
    pkix_base_init(&S.bases[3], "pkix-rsa", &aks[1], 1, env->key_ec);
    pkix_base_init(&S.bases[4], "pkix-2sig", aks, 2, env->key_ec);
    S.nbases = 5;
    return 0;
}

static int teardown(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < S.nbases; i++)
        base_free(&S.bases[i]);
    forge_env_free();
    return 0;
}

/* ------------------------------------------------------------ tests */

/*
 * A PKIX base: exit 0, every check PASS, each PKIX check present, and with
 * two blocks both accepted ("2 of 2").
 */
static void pkix_expect_affirming(const base_t *b, const attest_verdict *v)
{
    static const char *const ids[] = {
        CHK_CSR_PARSE, CHK_CSR_SIGNATURE, CHK_BUNDLE_COUNT, CHK_BUNDLE_PARSE, CHK_POLICY_KEY_ATTESTED,
        CHK_PKIX_STRUCTURE, CHK_PKIX_SIGNATURE, CHK_CHAIN_TRUST, CHK_CHAIN_AK_PROFILE, CHK_PKIX_KEY_BINDING,
        CHK_PKIX_NONCE, CHK_PKIX_KEY_POLICY, NULL
    };
    const char *bad = NULL;
    char want[32];
    size_t i, j;

    for (i = 0; ids[i] != NULL && bad == NULL; i++)
        if (find_check(v, ids[i]) == NULL)
            bad = ids[i];
    for (i = 0; i <= v->n_subs && bad == NULL; i++) {
        const attest_checks *c = checks_at(v, i);

        for (j = 0; j < c->n && bad == NULL; j++)
            if (c->v[j].result != ATTEST_CHECK_PASS)
                bad = c->v[j].id;
    }
    snprintf(want, sizeof(want), "%d of %d signature block", b->naks, b->naks);
    if (bad == NULL && strstr(find_check(v, CHK_PKIX_SIGNATURE)->detail, want) == NULL)
        bad = CHK_PKIX_SIGNATURE;
    if (bad == NULL && !strstr(find_check(v, CHK_PKIX_KEY_POLICY)->detail, "non-exportable, sensitive"))
        bad = CHK_PKIX_KEY_POLICY;
    if (bad != NULL || attest_verdict_exit_code(v) != 0) {
        dump_verdict(v);
        fail_msg("base %s: expected an affirming verdict; offending check: %s", b->name,
                 bad != NULL ? bad : "(exit code)");
    }
}

static void expect_affirming(const base_t *b, const attest_verdict *v)
{
    if (b->fam == FAM_PKIX)
        pkix_expect_affirming(b, v);
    else
        forge_expect_affirming(v, NULL);
}

/* The bases are affirming, and so is a base re-signed by mut_resign_csr. */
static void test_baselines(void **state)
{
    int i, k;

    (void)state;
    for (i = 0; i < S.nbases; i++) {
        const base_t *b = &S.bases[i];
        attest_verdict *v = verify_der(b, b->out.csr, b->out.csr_len, 1);
        unsigned char *re;
        size_t rl = 0;
        int n = b->fam == FAM_PKIX ? b->bval[0] : b->tsig;

        if (getenv("ATTEST_MUTATION_SHOW_BASES") != NULL)
            dump_verdict(v);
        expect_affirming(b, v);
        attest_verdict_free(v);
        assert_non_null(re = mut_resign_csr(b->out.csr, b->out.csr_len, b->subject, b->md, &rl));
        v = verify_der(b, re, rl, 1);
        expect_affirming(b, v);
        attest_verdict_free(v);
        OPENSSL_free(re);
        /* with two blocks, each one alone carries the verdict too */
        for (k = 0; b->naks == 2 && k < 2; k++) {
            unsigned char *one, *re1;
            size_t l1 = 0;

            assert_non_null(one = mut_splice(&b->t, b->block[1 - k], NULL, 0, &l1));
            assert_non_null(re1 = mut_resign_csr(one, l1, b->subject, b->md, &rl));
            v = verify_der(b, re1, rl, 1);
            if (attest_verdict_exit_code(v) != 0 || !carried_by(b, v, k)) {
                dump_verdict(v);
                fail_msg("base %s: block %d alone is not affirmed", b->name, k);
            }
            attest_verdict_free(v);
            OPENSSL_free(re1);
            OPENSSL_free(one);
        }
        /* the splice of a node by itself gives the same bytes back */
        assert_non_null(re = mut_splice(&b->t, n, b->t.der + b->t.v[n].off, b->t.v[n].hdr + b->t.v[n].len, &rl));
        assert_int_equal(rl, b->out.csr_len);
        assert_memory_equal(re, b->out.csr, rl);
        OPENSSL_free(re);
    }
}

/* The k.* regression classes (one per hole found by adversarial testing). */
#include "mutation_regress.c"

static void generate_all(void)
{
    int i;

    for (i = 0; i < S.nbases; i++) {
        const base_t *b = &S.bases[i];

        gen_trunc(b);
        if (b->fam == FAM_TPM)
            gen_tpm_trunc(b);
        else
            gen_sig_trunc(b);
        gen_lengths(b);
        gen_tags(b);
        gen_oids(b);
        gen_dups(b);
        gen_certs(b);
        gen_validity(b);
        gen_profile(b);
        if (b->fam == FAM_PKIX) {
            gen_oids_pkix(b);
            gen_claims(b);
            gen_two(b);
        }
        gen_regressions(b);
    }
}

static void print_row(const class_stat *cs)
{
    int i;

    printf("%-21s %7ld %6ld %6ld %6ld %6ld %5ld %5ld  ", cs->name, cs->n, cs->exits[0], cs->exits[1], cs->exits[3],
           cs->exits[4], cs->identical, cs->equiv);
    for (i = 0; i < cs->nids; i++)
        printf("%s%s:%ld", i ? " " : "", cs->ids[i], cs->idn[i]);
    printf("\n");
}

static void print_table(double secs)
{
    static const char *const order[] = {
        "a.flip.cri", "a.flip.csr-sig", "a.flip.tpms-attest", "a.flip.tpm-sig", "a.flip.tpmt-public",
        "a.flip.pkix-tbs", "a.flip.pkix-sig", "a.flip.pkix-sig-1of2", "a.flip.ak-tbs", "a.flip.ak-tbs-1of2",
        "b.trunc.raw", "b.trunc.children", "b.drop", "b.tpm-trunc", "b.sig-trunc", "c.len.fixed", "c.len.raw",
        "d.tag", "e.oid", "e.oid.pkix", "f.dup.attribute", "f.dup.value", "f.dup.element", "g.certs", "g.certs-2sig",
        "h.validity", "h.validity-2sig", "i.ak-profile", "i.ak-profile-2sig", "j.pkix-claims",
        "k.ak-format", "k.rsa-exponent", "k.sig-budget", "k.cri-der", "k.escape", "k.time", NULL
    };
    static const char *const fam_name[FAM_N] = {"TPM 2.0 certify", "PKIX evidence"};
    int f, o, i, listed;

    printf("\nmutation suite: %ld mutants (%d bit(s) per byte, byte stride %d) in %.1f s; "
           "false accepts %ld, equivalents not affirmed %ld, expectation misses %ld, re-sign failures %ld\n",
           S.total, S.bits_per_byte, S.stride, secs, S.false_accepts, S.must_affirm_misses, S.misses, S.unsignable);
    for (f = 0; f < FAM_N; f++) {
        long n = 0, fa = 0;
        char bases[96] = "";

        for (i = 0; i < S.ncls; i++)
            if (S.cls[i].fam == f) {
                n += S.cls[i].n;
                fa += S.cls[i].false_accepts;
            }
        for (i = 0; i < S.nbases; i++)
            if (S.bases[i].fam == f)
                snprintf(bases + strlen(bases), sizeof(bases) - strlen(bases), "%s%s", bases[0] ? ", " : "",
                         S.bases[i].name);
        printf("\n%s bases (%s): %ld mutants, %ld false accepts\n", fam_name[f], bases, n, fa);
        printf("%-21s %7s %6s %6s %6s %6s %5s %5s  %s\n", "class", "mutants", "exit0", "exit1", "exit3", "exit4",
               "ident", "equiv", "failed check ids (mutants)");
        for (o = 0; order[o] != NULL; o++)
            for (i = 0; i < S.ncls; i++)
                if (S.cls[i].fam == f && strcmp(S.cls[i].name, order[o]) == 0)
                    print_row(&S.cls[i]);
        /* a class missing from order[] still shows */
        for (i = 0; i < S.ncls; i++) {
            if (S.cls[i].fam != f)
                continue;
            for (o = 0, listed = 0; order[o] != NULL && !listed; o++)
                listed = strcmp(S.cls[i].name, order[o]) == 0;
            if (!listed)
                print_row(&S.cls[i]);
        }
    }
    fflush(stdout);
}

static void test_mutants(void **state)
{
    long fixed, budget, bytes = 0;
    struct timespec t0, t1;
    int i;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* a dry run counts the structural mutants; the bit flips get the rest of ATTEST_MUTANTS */
    S.counting = 1;
    S.counted = 0;
    generate_all();
    fixed = S.counted;
    S.counting = 0;
    for (i = 0; i < S.nbases; i++)
        bytes += (long)region_bytes(&S.bases[i]);
    S.bits_per_byte = 1;
    S.stride = 1;
    if (S.target > 0) {
        budget = S.target - fixed;
        if (budget < bytes) {
            S.stride = (int)((bytes + (budget > 0 ? budget : 1) - 1) / (budget > 0 ? budget : 1));
        } else {
            S.bits_per_byte = (int)(budget / bytes);
            if (S.bits_per_byte > 8)
                S.bits_per_byte = 8;
        }
    }
    for (i = 0; i < S.nbases; i++)
        gen_bitflips(&S.bases[i]);
    generate_all();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_table((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

    if (S.target == 0)
        assert_true(S.total >= 20000);
    if (S.false_accepts != 0)
        fail_msg("%ld mutant(s) affirmed (see MUTANT FALSE ACCEPT above)", S.false_accepts);
    if (S.must_affirm_misses != 0)
        fail_msg("%ld equivalent mutant(s) not affirmed", S.must_affirm_misses);
    if (S.misses != 0)
        fail_msg("%ld mutant(s) did not trip the expected check", S.misses);
    assert_int_equal(S.unsignable, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baselines),
        cmocka_unit_test(test_mutants),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
