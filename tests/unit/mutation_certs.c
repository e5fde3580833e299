/* Mutation classes g-i: the cert bag, AK certificate validity and profile; the certificate makers. */
#include "mutation.h"

/* ------------------------------------------------------------ certificates (g, h, i) */

static long serial = 1000;

void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    assert_non_null(e = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value));
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

void set_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    int i;

    while ((i = X509_get_ext_by_NID(x, nid, -1)) >= 0)
        X509_EXTENSION_free(X509_delete_ext(x, i));
    if (value != NULL)
        add_ext(x, issuer, nid, value);
}

/* nb/na relative to now; issuer NULL: self-signed with ikey. */
X509 *mk_cert(const char *cn, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *ikey, long nb, long na, const char *bc,
              const char *ku, const char *eku)
{
    X509 *x = X509_new();
    time_t now = time(NULL);

    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial++), 1);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0),
        1);
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

X509 *mk_ca(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, const char *bc)
{
    return mk_cert(cn, key, issuer, ikey, -3600, 5 * YEAR, bc, "critical,keyCertSign,cRLSign", NULL);
}

/* A certificate for the base's AK k (its CN and EKU). */
X509 *mk_ak_k(const base_t *b, int k, X509 *issuer, EVP_PKEY *ikey)
{
    return mk_cert(b->akcn[k], b->fam == FAM_PKIX ? b->aks[k] : b->ak, issuer, ikey, -3600, YEAR, "critical,CA:FALSE",
                   "critical,digitalSignature", b->eku);
}

X509 *mk_ak(const base_t *b, X509 *issuer, EVP_PKEY *ikey)
{
    return mk_ak_k(b, 0, issuer, ikey);
}

/* A request with this statement (of the base's kind) nstmt times, and this cert bag. */
unsigned char *csr_with_stmts(const base_t *b, const unsigned char *stmt, size_t stmt_len, int nstmt,
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
        assert_int_equal(attest_bundle_add_statement(
                             bu,
                             attest_oid_obj(b->fam == FAM_PKIX ? ATTEST_OID_PKIX_STATEMENT : ATTEST_OID_TPM_CERTIFY),
                             stmt, stmt_len, &err),
                         0);
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

unsigned char *csr_with_stmt(const base_t *b, const unsigned char *stmt, size_t stmt_len, X509 *const *certs, int n,
                             size_t *len)
{
    return csr_with_stmts(b, stmt, stmt_len, 1, certs, n, len);
}

/* A request with the base's statement and this cert bag. */
unsigned char *csr_with(const base_t *b, X509 *const *certs, int n, size_t *len)
{
    return csr_with_stmt(b, b->out.stmt, b->out.stmt_len, certs, n, len);
}

/* The request with this bag, judged as given. */
void run_bag(const base_t *b, const char *cls, const expect_t *e, X509 *const *certs, int n, const char *desc)
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
void run_certs(const base_t *b, const char *cls, const expect_t *e, X509 *const *certs, int n, const char *desc)
{
    expect_t e2 = *e;

    if (b->naks == 2 && e2.equiv != EQ_NO && e2.other1 == 0)
        e2.other1 = 1;
    run_bag(b, cls, &e2, certs, n, desc);
}

/* (g) the cert bag: removed, reordered, swapped for another CA's chain. */
void gen_certs(const base_t *b)
{
    static const int perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
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
    nonca = mk_cert("Mutation Not A CA", xk, env->root, env->ca_key, -3600, YEAR, NULL, "critical,keyCertSign", NULL);
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
        snprintf(desc, sizeof(desc), "reordered [AK, intermediate, root] as %d%d%d", perms[p][0], perms[p][1],
                 perms[p][2]);
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
X509 *resigned_ak_k(const base_t *b, int k, long nb, long na, int set_times, int nid, const char *value, int touch_ext)
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

X509 *resigned_ak(const base_t *b, long nb, long na, int set_times, int nid, const char *value, int touch_ext)
{
    return resigned_ak_k(b, 0, nb, na, set_times, nid, value, touch_ext);
}

/* (h) validity windows: only time is wrong. */
void gen_validity(const base_t *b)
{
    static const struct {
        long nb, na;
        const char *what, *detail;
    } win[] = {
        { -2 * 86400, -3600, "expired an hour ago", "expired" },
        { -2 * 86400, -86400 + 60, "expired a day ago", "expired" },
        { -400 * 86400L, -35 * 86400L, "expired a month ago", "expired" },
        { -20 * YEAR, -10 * YEAR, "expired ten years ago", "expired" },
        { 3600, YEAR, "valid from an hour from now", "not yet valid" },
        { 86400, YEAR, "valid from tomorrow", "not yet valid" },
        { 30 * 86400L, YEAR, "valid from next month", "not yet valid" },
        { 80 * YEAR, 81 * YEAR, "valid after 2100 (GeneralizedTime)", "not yet valid" },
        { YEAR, -YEAR, "notBefore after notAfter, now in neither", NULL },
        { 3600, -3600, "notBefore after notAfter, now in between", NULL },
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
    aki =
        mk_cert(b->akcn[0], b->ak, in, ik, -3600, 10 * YEAR, "critical,CA:FALSE", "critical,digitalSignature", b->eku);
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
void gen_profile(const base_t *b)
{
    static const struct {
        int nid;
        const char *value;
        const char *what;
        int equiv;
    } ch[] = {
        { NID_ext_key_usage, NULL, "EKU removed", EQ_NO },
        { NID_ext_key_usage, "serverAuth", "EKU serverAuth", EQ_NO },
        { NID_ext_key_usage, "codeSigning", "EKU codeSigning", EQ_NO },
        { NID_ext_key_usage, "anyExtendedKeyUsage", "EKU anyExtendedKeyUsage", EQ_NO },
        { NID_ext_key_usage, "1.3.6.1.4.1.55555.8.3", "EKU an unknown OID", EQ_NO },
        { NID_key_usage, "critical,keyEncipherment", "keyUsage keyEncipherment only", EQ_NO },
        { NID_key_usage, "critical,keyCertSign", "keyUsage keyCertSign only", EQ_NO },
        { NID_basic_constraints, "critical,CA:TRUE", "basicConstraints cA TRUE", EQ_NO },
        { NID_basic_constraints, "critical,CA:TRUE,pathlen:0", "basicConstraints cA TRUE pathlen 0", EQ_NO },
        { NID_ext_key_usage, "serverAuth,", "control: EKU serverAuth + the AK EKU", EQ_MUST },
        { NID_key_usage, "critical,digitalSignature,nonRepudiation", "control: keyUsage + nonRepudiation", EQ_MUST },
        { NID_basic_constraints, NULL, "control: basicConstraints removed", EQ_MUST },
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
