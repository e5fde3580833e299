/* The mutation suite's bases (TPM and PKIX attested requests) and what an affirming base looks like. */
#include "mutation.h"

/* ------------------------------------------------------------ bases */

const unsigned char *oid_der(attest_oid_id id, size_t *len)
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

int child(const base_t *b, int i, int k)
{
    int c = mut_child(&b->t, i, k);

    assert_true(c >= 0);
    return c;
}

/* The request's nodes down to the statement and the cert bag. */
void find_nodes(base_t *b)
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

void tpm_base_init(base_t *b, const char *name, EVP_PKEY *ak, EVP_PKEY *subject)
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

/* The claims of every PKIX base: the subject key non-extractable, sensitive, local; a platform; the nonce. */
void pkix_claims(attest_pkix_claims *c, attest_pkix_platform *pl, EVP_PKEY *subject)
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
void pkix_base_init(base_t *b, const char *name, EVP_PKEY *const *aks, int naks, EVP_PKEY *subject)
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

void base_free(base_t *b)
{
    int k;

    for (k = 1; k < b->naks; k++)
        X509_free(b->akc[k]);
    forge_out_free(&b->out);
    mut_tree_free(&b->t);
    attest_trust_free(b->trust);
}

int mutation_setup(void **state)
{
    const forge_env *env = forge_env_get();
    const char *s;
    EVP_PKEY *aks[2];

    (void)state;
    attest_policy_default(&S.pol);
    S.dump_dir = getenv("ATTEST_MUTANTS_DUMP");
    s = getenv("ATTEST_MUTATION_SEED");
    S.seed = s != NULL ? strtoull(s, NULL, 0) : 20241101ull;
    mut_rng_seed(&S.rng, S.seed);
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

int mutation_teardown(void **state)
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
void pkix_expect_affirming(const base_t *b, const attest_verdict *v)
{
    static const char *const ids[] = { CHK_CSR_PARSE,
                                       CHK_CSR_SIGNATURE,
                                       CHK_BUNDLE_COUNT,
                                       CHK_BUNDLE_PARSE,
                                       CHK_POLICY_KEY_ATTESTED,
                                       CHK_PKIX_STRUCTURE,
                                       CHK_PKIX_SIGNATURE,
                                       CHK_CHAIN_TRUST,
                                       CHK_CHAIN_AK_PROFILE,
                                       CHK_PKIX_KEY_BINDING,
                                       CHK_PKIX_NONCE,
                                       CHK_PKIX_KEY_POLICY,
                                       NULL };
    const char *bad = NULL;
    char want[32];
    size_t i, j;

    for (i = 0; ids[i] != NULL && bad == NULL; i++)
        if (verdict_check(v, ids[i]) == NULL)
            bad = ids[i];
    for (i = 0; i <= v->n_subs && bad == NULL; i++) {
        const attest_checks *c = checks_at(v, i);

        for (j = 0; j < c->n && bad == NULL; j++)
            if (c->v[j].result != ATTEST_CHECK_PASS)
                bad = c->v[j].id;
    }
    snprintf(want, sizeof(want), "%d of %d signature block", b->naks, b->naks);
    if (bad == NULL && strstr(verdict_check(v, CHK_PKIX_SIGNATURE)->detail, want) == NULL)
        bad = CHK_PKIX_SIGNATURE;
    if (bad == NULL && !strstr(verdict_check(v, CHK_PKIX_KEY_POLICY)->detail, "non-exportable, sensitive"))
        bad = CHK_PKIX_KEY_POLICY;
    if (bad != NULL || attest_verdict_exit_code(v) != 0) {
        verdict_dump(v);
        fail_msg("base %s: expected an affirming verdict; offending check: %s", b->name,
                 bad != NULL ? bad : "(exit code)");
    }
}

void expect_affirming(const base_t *b, const attest_verdict *v)
{
    if (b->fam == FAM_PKIX)
        pkix_expect_affirming(b, v);
    else
        forge_expect_affirming(v, NULL);
}
