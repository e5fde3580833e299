/*
 * Regression classes (k.*) of the mutation suite: one per hole that
 * adversarial testing found in the verifier (issue 10), each with the check
 * id that now refuses it.  Included by test_mutation.c: the classes share its
 * bases, expectations and bookkeeping.
 *
 *   k.ak-format     an AK certificate for the other evidence format, or one
 *                   that marks a TPM AK, under PKIX evidence (the false
 *                   accept: a TPM AK signing host-written claims)  chain.ak-profile
 *   k.rsa-exponent  a bag certificate with a huge RSA public exponent
 *                   (unbounded work)                               limits.rsa-exponent
 *   k.sig-budget    16 statements and decoy AK certificates that each fit
 *                   the signature (unbounded work)                 limits.signatures
 *   k.cri-der       a long-form length inside CertificationRequestInfo
 *                   (subject, version, key), re-signed             csr.parse
 *   k.escape        a key identifier that forges output lines, ESC
 *                   sequences, 0xff, a UTF-8 character cut at 64 bytes:
 *                   affirmed (it is informational) and rendered inert
 *   k.time          judged at 0, 1950, 9999 (chain.trust) or a minute from
 *                   now: a given time warns          policy.verification-time
 *
 * Two holes are not mutations of one request and have their own tests: a
 * batch that dropped inputs (test_batch.sh) and a second, unattested
 * CertReqMsg riding along (test_crmf_multi.c).
 */

#include "mutation.h"

/* ---- k.ak-format ---- */

void add_tpm_san(X509 *x)
{
    static const char *const attrs[][2] = { { "2.23.133.2.1", "id:53574D20" },
                                            { "2.23.133.2.2", "swtpm" },
                                            { "2.23.133.2.3", "id:20191023" } };
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *gn = GENERAL_NAME_new();
    X509_NAME *dn = X509_NAME_new();
    size_t i;

    assert_non_null(gens);
    assert_non_null(gn);
    assert_non_null(dn);
    for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
        assert_int_equal(
            X509_NAME_add_entry_by_txt(dn, attrs[i][0], MBSTRING_ASC, (const unsigned char *)attrs[i][1], -1, -1, 0),
            1);
    GENERAL_NAME_set0_value(gn, GEN_DIRNAME, dn);
    assert_true(sk_GENERAL_NAME_push(gens, gn) > 0);
    assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_REPLACE), 1);
    GENERAL_NAMES_free(gens);
}

void gen_ak_format(const base_t *b)
{
    const forge_env *env = forge_env_get();
    const char *pkix = attest_oid_info_get(ATTEST_OID_KP_ATTESTATION_KEY)->dotted;
    char both[160], eku[160];
    expect_t e;
    X509 *x;
    int k;

    if (S.counting) {
        S.counted += b->fam == FAM_PKIX ? 4L * b->naks : 3;
        return;
    }
    snprintf(both, sizeof(both), "%s,%s", pkix, AK_EKU);
    if (b->fam == FAM_TPM) {
        e = ex_only(CHK_CHAIN_AK_PROFILE, "other evidence format");
        x = resigned_ak(b, 0, 0, 0, NID_ext_key_usage, pkix, 1);
        run_certs(b, "k.ak-format", &e, &x, 1, "TPM AK certificate with EKU id-kp-attestationKey only");
        X509_free(x);
        /* a TPM AK certificate may carry both, and TCG TPM attributes: still a TPM AK */
        e = ex_equiv(EQ_MUST);
        x = resigned_ak(b, 0, 0, 0, NID_ext_key_usage, both, 1);
        run_certs(b, "k.ak-format", &e, &x, 1, "control: EKU id-kp-attestationKey + tcg-kp-AIKCertificate");
        X509_free(x);
        x = resigned_ak(b, 0, 0, 0, 0, NULL, 0);
        add_tpm_san(x);
        assert_true(X509_sign(x, env->ca_key, EVP_sha256()) > 0);
        run_certs(b, "k.ak-format", &e, &x, 1, "control: TCG TPM attributes in subjectAltName");
        X509_free(x);
        return;
    }
    /* PKIX: each block's AK certificate made a TPM AK's in turn; the other block (if any) must not carry it */
    for (k = 0; k < b->naks; k++) {
        static const char *const what[] = { "EKU tcg-kp-AIKCertificate only",
                                            "EKU id-kp-attestationKey + tcg-kp-AIKCertificate",
                                            "id-kp-attestationKey and TCG TPM attributes in subjectAltName",
                                            "no EKU, TCG TPM attributes in subjectAltName" };
        int m;

        for (m = 0; m < 4; m++) {
            X509 *bag[MAX_AKS];
            char desc[160];
            int j;

            snprintf(eku, sizeof(eku), "%s", m == 0 ? AK_EKU : m == 1 ? both : pkix);
            x = resigned_ak_k(b, k, 0, 0, 0, NID_ext_key_usage, m == 3 ? NULL : eku, 1);
            if (m >= 2) {
                add_tpm_san(x);
                assert_true(X509_sign(x, env->ca_key, EVP_sha256()) > 0);
            }
            for (j = 0; j < b->naks; j++)
                bag[j] = j == k ? x : b->akc[j];
            snprintf(desc, sizeof(desc), "AK %d certificate: %s", k, what[m]);
            if (b->naks == 2) {
                /* the other block still verifies and chains: affirmed only through it */
                e = ex_equiv(EQ_MAY);
                e.other1 = 2 - k;
            } else {
                e = ex_only(CHK_CHAIN_AK_PROFILE, "TPM AK certificate");
            }
            run_bag(b, "k.ak-format", &e, bag, b->naks, desc);
            X509_free(x);
        }
    }
}

/* ---- k.rsa-exponent ---- */

/* A certificate for an RSA-2048 key with public exponent 2^32 + 1, issued by the root (made once). */
X509 *huge_exponent_cert(void)
{
    static X509 *x;
    const forge_env *env = forge_env_get();
    EVP_PKEY_CTX *ctx;
    EVP_PKEY *k = NULL;
    BIGNUM *e;

    if (x != NULL)
        return x;
    assert_non_null(e = BN_new());
    assert_true(BN_set_word(e, 0x100000001ULL));
    assert_non_null(ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL));
    assert_true(EVP_PKEY_keygen_init(ctx) > 0);
    assert_true(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) > 0);
    assert_true(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) > 0);
    assert_true(EVP_PKEY_generate(ctx, &k) > 0);
    x = mk_cert("Mutation huge exponent", k, env->root, env->ca_key, -3600, YEAR, "critical,CA:FALSE",
                "critical,digitalSignature", NULL);
    EVP_PKEY_free(k);
    EVP_PKEY_CTX_free(ctx);
    BN_free(e);
    return x;
}

void gen_rsa_exponent(const base_t *b)
{
    X509 *bag[MAX_AKS + 1];
    expect_t e;
    int k, n = b->fam == FAM_PKIX ? b->naks : 1;

    if (S.counting) {
        S.counted += 2;
        return;
    }
    for (k = 0; k < n; k++)
        bag[k + 1] = b->fam == FAM_PKIX ? b->akc[k] : b->out.ak_cert;
    bag[0] = huge_exponent_cert();
    e = ex_only(CHK_LIMITS_RSA_EXPONENT, "exponent");
    run_bag(b, "k.rsa-exponent", &e, bag, n + 1, "a certificate with e = 2^32+1 first in the bag");
    bag[0] = bag[n];
    bag[n] = huge_exponent_cert();
    run_bag(b, "k.rsa-exponent", &e, bag, n + 1, "a certificate with e = 2^32+1 last in the bag");
}

/* ---- k.sig-budget (TPM: the AK is found by trying the bag's certificates) ---- */

void gen_sig_budget(const base_t *b)
{
    static const char *const budget[] = { CHK_LIMITS_SIGNATURES, NULL };
    X509 *bag[ATTEST_MAX_AK_CANDIDATES];
    EVP_PKEY *decoy;
    unsigned char *der;
    size_t len = 0;
    expect_t e;
    int i, n = ATTEST_MAX_AK_CANDIDATES;

    if (b->fam != FAM_TPM)
        return;
    if (S.counting) {
        S.counted += 2;
        return;
    }
    /* decoys of the AK's own kind and size come first, so each statement tries them all */
    decoy = EVP_PKEY_is_a(b->ak, "RSA") ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)EVP_PKEY_get_bits(b->ak))
                                        : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(decoy);
    for (i = 0; i < n - 1; i++)
        bag[i] = mk_cert("Mutation decoy AK", decoy, forge_env_get()->root, forge_env_get()->ca_key, -3600, YEAR,
                         "critical,CA:FALSE", "critical,digitalSignature", b->eku);
    bag[n - 1] = b->out.ak_cert;
    memset(&e, 0, sizeof(e));
    e.want_rc = 1;
    e.oneof = budget;
    e.fresh_trust = 1;
    der = csr_with_stmts(b, b->out.stmt, b->out.stmt_len, ATTEST_MAX_STATEMENTS, bag, n, &len);
    run(b, "k.sig-budget", &e, der, len, "16 statements, 7 decoy AK certificates before the AK");
    OPENSSL_free(der);
    /* control: one statement with the same decoys stays within the budget */
    e = ex_equiv(EQ_MUST);
    der = csr_with_stmts(b, b->out.stmt, b->out.stmt_len, 1, bag, n, &len);
    run(b, "k.sig-budget", &e, der, len, "control: 1 statement, 7 decoy AK certificates before the AK");
    OPENSSL_free(der);
    for (i = 0; i < n - 1; i++)
        X509_free(bag[i]);
    EVP_PKEY_free(decoy);
}

/* ---- k.cri-der: one length inside CertificationRequestInfo in long form, the request re-signed ---- */

void gen_cri_der(const base_t *b)
{
    size_t attrs_off = b->t.v[b->attrs].off;
    expect_t e;
    int i;

    for (i = 0; i < b->t.n; i++) {
        const mut_node *n = &b->t.v[i];
        unsigned char *tlv;
        char desc[160];

        /* before the attributes (the bundle is bundle.parse's), short-form lengths only */
        if (!mut_within(&b->t, i, b->cri) || i == b->cri || n->off >= attrs_off || n->hdr != n->idlen + 1
            || n->len >= 0x80)
            continue;
        if (S.counting) {
            S.counted++;
            continue;
        }
        assert_non_null(tlv = OPENSSL_malloc(n->hdr + 1 + n->len));
        memcpy(tlv, b->t.der + n->off, n->idlen);
        tlv[n->idlen] = 0x81;
        tlv[n->idlen + 1] = (unsigned char)n->len;
        memcpy(tlv + n->idlen + 2, b->t.der + n->off + n->hdr, n->len);
        e = ex_only(CHK_CSR_PARSE, NULL);
        e.resign = 1;
        describe(b, i, desc, sizeof(desc), "length of %02x in long form (81 %02zx)", n->tag, n->len);
        run_splice(b, "k.cri-der", &e, i, tlv, n->hdr + 1 + n->len, desc);
        OPENSSL_free(tlv);
    }
}

/* ---- k.escape (PKIX: the key identifier is the HSM's to write, and informational) ---- */

unsigned char *with_key_id(const base_t *b, const unsigned char *id, size_t id_len, size_t *len)
{
    attest_pkix *p = NULL;
    unsigned char *ev, *der;
    size_t ev_len = 0;
    attest_err err;
    ATTEST_PKIX_CLAIM *c;

    if (attest_pkix_decode(b->out.stmt, b->out.stmt_len, &p, &err) != 0)
        fail_msg("attest_pkix_decode: %s", err.msg);
    c = j_claim(p, ATTEST_OID_PKIX_KEY_IDENTIFIER, NULL);
    assert_int_equal(c->value->type, V_ASN1_UTF8STRING);
    assert_true(ASN1_STRING_set(c->value->value.utf8string, id, (int)id_len));
    ev = j_resign(b, p, &ev_len);
    der = csr_with_stmt(b, ev, ev_len, b->akc, b->naks, len);
    OPENSSL_free(ev);
    return der;
}

/* Text: no control byte but newline, no line that is a forged status or check line; JSON: parses, valid UTF-8. */
void expect_inert(const base_t *b, const unsigned char *der, size_t len, const char *desc)
{
    attest_verdict *v = verify_der(b, der, len, 1);
    BIO *out = BIO_new(BIO_s_mem());
    json_object *js, *back;
    const char *why = NULL;
    char *text = NULL, *line, *save = NULL;
    const char *s;
    long n;
    size_t i;

    assert_non_null(v);
    assert_non_null(out);
    attest_verdict_text(v, out);
    n = BIO_get_mem_data(out, &s);
    assert_non_null(text = OPENSSL_strndup(s, (size_t)n));
    for (i = 0; i < (size_t)n; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\n')
            fail_msg("%s: raw control byte %02x in the text verdict", desc, (unsigned char)text[i]);
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "inj.pem", 7) == 0 || strstr(line, "pass  pkix.key-policy          ok") == line + 2)
            fail_msg("%s: a forged line reached the text verdict: %s", desc, line);
    OPENSSL_free(text);
    assert_non_null(js = attest_verdict_json(v));
    s = json_object_to_json_string_ext(js, JSON_C_TO_STRING_PLAIN);
    if ((back = json_strict_utf8_parse(s, &why)) == NULL)
        fail_msg("%s: the JSON verdict does not parse as strict UTF-8 JSON (%s)", desc, why);
    json_object_put(back);
    json_object_put(js);
    BIO_free(out);
    attest_verdict_free(v);
}

void gen_escape(const base_t *b)
{
    static const struct {
        const char *what;
        const char *id;
        size_t len;
    } ids[] = {
        { "forged status and check lines", "k\"\ninj.pem: affirming\n  pass  pkix.key-policy          ok", 0 },
        { "ESC sequences (clear screen, window title)", "k\x1b[2J\x1b]0;title\x07", 0 },
        { "0xff and a lone continuation byte", "k\xff\x80z", 0 },
        { "a 3-byte character cut at byte 64",
          "0123456789012345678901234567890123456789012345678901234567890\xe2\x82\xac\xe2\x82", 0 },
        { "backslash escapes and quotes", "k\\0A\\\"\\u0000", 0 },
    };
    size_t i, len = 0;
    unsigned char *der;
    expect_t e;

    if (b->fam != FAM_PKIX)
        return;
    if (S.counting) {
        S.counted += (long)(sizeof(ids) / sizeof(ids[0]));
        return;
    }
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        der = with_key_id(b, (const unsigned char *)ids[i].id, strlen(ids[i].id), &len);
        e = ex_equiv(EQ_MUST);
        run(b, "k.escape", &e, der, len, ids[i].what);
        expect_inert(b, der, len, ids[i].what);
        OPENSSL_free(der);
    }
}

/* ---- k.time: the base judged at another time (--at-time) ---- */

void gen_time(const base_t *b)
{
    static const struct {
        const char *what;
        int rel;
        time_t when;
        const char *detail;
    } at[] = {
        { "at 0 (1970-01-01), before every notBefore", 0, 0, "not yet valid" },
        { "at 1950-01-01T00:00:00Z", 0, -631152000, "not yet valid" },
        { "at 9999-12-31T23:59:59Z, after every notAfter", 0, 253402300799, "expired" },
        { "a minute from now, inside every validity", 1, 60, NULL },
    };
    size_t i;
    expect_t e;

    if (S.counting) {
        S.counted += (long)(sizeof(at) / sizeof(at[0]));
        return;
    }
    for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        static const char *const trust[] = { CHK_CHAIN_TRUST, NULL };

        at_time.set = 1;
        at_time.when = at[i].rel ? time(NULL) + at[i].when : at[i].when;
        if (at[i].detail != NULL) {
            memset(&e, 0, sizeof(e));
            e.want_rc = 1;
            e.oneof = trust;
            e.detail = at[i].detail;
            e.fresh_trust = 1;
        } else {
            /* a given time is a named relaxation: a warning at best, never affirming */
            e = ex_only(CHK_POLICY_VERIFICATION_TIME, NULL);
            e.only_sev = ATTEST_SEV_WARNING;
            e.want_rc = 3;
        }
        e.judge_identical = 1;
        run(b, "k.time", &e, b->out.csr, b->out.csr_len, at[i].what);
        at_time.set = 0;
    }
}

void gen_regressions(const base_t *b)
{
    gen_ak_format(b);
    gen_rsa_exponent(b);
    gen_sig_budget(b);
    gen_cri_der(b);
    gen_escape(b);
    gen_time(b);
}
