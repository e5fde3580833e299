/* The mutation suite's harness: bookkeeping, judging one mutant, the regions of a request and the
 * default expectation for each. */
#include "mutation.h"

mut_state S;

class_stat *stat_for(int fam, const char *name)
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

void fired(class_stat *cs, const char *id)
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

const attest_checks *checks_at(const attest_verdict *v, size_t i)
{
    return i == 0 ? &v->checks : &v->subs[i - 1].checks;
}

/*
 * Two signature blocks, one broken on purpose: an affirmed verdict must rest
 * on the other one, made by AK k.  Only accepted blocks (signature verified,
 * signer among the ak-spki claims) get their chain judged, and chain.trust
 * reports the signer that chained: it must name AK k's certificate.  (Block
 * indexes shift when a block is removed, so the AK is what identifies it.)
 */
int carried_by(const base_t *b, const attest_verdict *v, int k)
{
    const attest_check *s = verdict_check(v, CHK_PKIX_SIGNATURE), *t = verdict_check(v, CHK_CHAIN_TRUST);
    char cn[64];

    snprintf(cn, sizeof(cn), "/CN=%s ", b->akcn[k]);
    return s != NULL && t != NULL && s->result == ATTEST_CHECK_PASS && t->result == ATTEST_CHECK_PASS
        && strstr(s->detail, " verified") != NULL && strstr(t->detail, cn) != NULL;
}

void dump_file(const char *cls, const base_t *b, const unsigned char *der, size_t len)
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

void report(const char *what, const char *cls, const base_t *b, const char *desc, const attest_verdict *v,
            const unsigned char *der, size_t len)
{
    dump_file(cls, b, der, len);
    if (S.reports++ >= MAX_LINES)
        return;
    fprintf(stderr, "MUTANT %s: class %s, base %s: %s (exit %d)\n", what, cls, b->name, desc,
            attest_verdict_exit_code(v));
    if (S.reports <= MAX_REPORTS)
        verdict_dump(v);
}

/* ------------------------------------------------------------ one mutant */

struct mut_at_time at_time;

attest_verdict *verify_der(const base_t *b, const unsigned char *der, size_t len, int fresh)
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
void run(const base_t *b, const char *cls, const expect_t *e, const unsigned char *der, size_t len, const char *desc)
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
    if (S.only_class != NULL && strcmp(cls, S.only_class) != 0)
        return;
    cs = stat_for(b->fam, cls);
    if (S.discover) {
        cs->expected++;
        cs->gens |= 1u << S.gen;
        return;
    }
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
            cs->unsignable++;
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
            ok = verdict_only_failed(v, e->only, e->only_sev != ATTEST_SEV_INFO ? e->only_sev : ATTEST_SEV_ERROR,
                                     e->detail);
        if (ok && e->oneof != NULL) {
            const char *const *id;

            ok = e->allow_none && rc == 4;
            for (id = e->oneof; !ok && *id != NULL; id++) {
                const attest_check *k2 = verdict_failed(v, *id);

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
void run_splice(const base_t *b, const char *cls, const expect_t *e, int i, const unsigned char *repl, size_t rlen,
                const char *desc)
{
    size_t len = 0;
    unsigned char *der;

    if (S.counting) {
        S.counted++;
        return;
    }
    if (S.only_class != NULL && strcmp(cls, S.only_class) != 0)
        return;
    assert_non_null(der = mut_splice(&b->t, i, repl, rlen, &len));
    run(b, cls, e, der, len, desc);
    OPENSSL_free(der);
}

/* ------------------------------------------------------------ regions */

const char *const S_CSR[] = { CHK_CSR_PARSE, CHK_CSR_SIGNATURE, NULL };
const char *const S_ATTR[] = { CHK_CSR_PARSE, CHK_BUNDLE_COUNT, CHK_BUNDLE_PARSE, NULL };
const char *const S_BUNDLE[] = { CHK_CSR_PARSE,      CHK_BUNDLE_COUNT,        CHK_BUNDLE_PARSE,
                                 CHK_TPM2_SIGNATURE, CHK_POLICY_KEY_ATTESTED, NULL };
const char *const S_STMT[] = {
    CHK_CSR_PARSE, CHK_BUNDLE_PARSE, CHK_POLICY_KEY_ATTESTED, CHK_TPM2_PARSE, CHK_TPM2_SIGNATURE, CHK_PKIX_STRUCTURE,
    NULL
};
const char *const S_TCG[] = { CHK_CSR_PARSE,  CHK_BUNDLE_PARSE, CHK_TPM2_PARSE, CHK_TPM2_SIGNATURE,
                              CHK_TPM2_MAGIC, CHK_TPM2_TYPE,    CHK_TPM2_NAME,  NULL };
const char *const S_CERT[] = { CHK_CSR_PARSE,   CHK_BUNDLE_PARSE,     CHK_TPM2_SIGNATURE,
                               CHK_CHAIN_TRUST, CHK_CHAIN_AK_PROFILE, NULL };
const char *const S_TPMSIG[] = { CHK_TPM2_SIGNATURE, NULL };
const char *const S_PUB[] = { CHK_TPM2_NAME, CHK_TPM2_PARSE, NULL };
const char *const S_TBS[] = { CHK_BUNDLE_PARSE, CHK_TPM2_SIGNATURE, CHK_CHAIN_TRUST, NULL };
const char *const S_PKIX[] = { CHK_PKIX_STRUCTURE, NULL };
const char *const S_BPARSE[] = { CHK_BUNDLE_PARSE, NULL };
const char *const S_TPARSE[] = { CHK_TPM2_PARSE, NULL };
/* PKIX bases: the AK comes from the SignatureBlock's sid, its certificate from the bag */
const char *const S_PBUNDLE[] = { CHK_CSR_PARSE,   CHK_BUNDLE_COUNT,        CHK_BUNDLE_PARSE,
                                  CHK_CHAIN_TRUST, CHK_POLICY_KEY_ATTESTED, NULL };
const char *const S_PSTMT[] = { CHK_CSR_PARSE, CHK_BUNDLE_PARSE, CHK_POLICY_KEY_ATTESTED, CHK_PKIX_STRUCTURE, NULL };
const char *const S_PEV[] = { CHK_BUNDLE_PARSE, CHK_PKIX_STRUCTURE, CHK_PKIX_SIGNATURE, NULL };
const char *const S_PCERT[] = { CHK_CSR_PARSE, CHK_BUNDLE_PARSE, CHK_CHAIN_TRUST, CHK_CHAIN_AK_PROFILE, NULL };
const char *const S_PSIG[] = { CHK_PKIX_SIGNATURE, NULL };
const char *const S_PCHAIN[] = { CHK_BUNDLE_PARSE, CHK_CHAIN_TRUST, NULL };

int region(const base_t *b, int i)
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
int sigalg_params(const base_t *b, int i)
{
    return mut_is_ancestor(&b->t, b->sigalg, i) && i != mut_child(&b->t, b->sigalg, 0);
}

/* The signature block / bag certificate (PKIX) that node i lies in, or -1. */
int block_of(const base_t *b, int i)
{
    int k;

    for (k = 0; b->fam == FAM_PKIX && k < b->naks; k++)
        if (mut_within(&b->t, i, b->block[k]))
            return k;
    return -1;
}

int bag_cert_of(const base_t *b, int i)
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
int block_alg_params(const base_t *b, int i)
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
void one_of_two(const base_t *b, expect_t *e, int k)
{
    if (b->naks == 2 && k >= 0) {
        e->equiv = EQ_MAY;
        e->other1 = 2 - k; /* 1 + (1 - k) */
    }
}

/* The default expectation for a structural mutation of node i. */
expect_t region_expect(const base_t *b, int i)
{
    static const char *const *sets[] = { S_CSR, S_CSR, S_ATTR, S_BUNDLE, S_STMT, S_TCG, S_CERT, S_PEV, S_PEV, S_PEV };
    static const char *const *psets[] = {
        S_CSR, S_CSR, S_ATTR, S_PBUNDLE, S_PSTMT, NULL, S_PCERT, S_PEV, S_PEV, S_PEV
    };
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

expect_t ex_only(const char *id, const char *detail)
{
    expect_t e;

    memset(&e, 0, sizeof(e));
    e.want_rc = 1;
    e.only = id;
    e.detail = detail;
    e.fresh_trust = 1;
    return e;
}

expect_t ex_equiv(int eq)
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
expect_t ex_nocert(const base_t *b, const char *tpm_detail)
{
    return b->fam == FAM_PKIX ? ex_only(CHK_CHAIN_TRUST, "no certificate for the signer")
                              : ex_only(CHK_TPM2_SIGNATURE, tpm_detail);
}

void describe(const base_t *b, int i, char *buf, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
void describe(const base_t *b, int i, char *buf, size_t cap, const char *fmt, ...)
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
