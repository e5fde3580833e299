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
 * stdout, one section per family, after the last class test.
 *
 * One cmocka test per class (test_class_*), each with its own counts: a
 * discovery pass in the group setup generates every mutant without judging
 * it, recording each class's count and the generators that make it; a class
 * test then runs only those generators and judges only its own mutants, and
 * must judge exactly the discovered count.  test_every_class_judged checks
 * that every discovered class has its test and prints the table.
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

#include "mutation.h"

/* The generators, in the order the unsplit suite ran them; bit i of class_stat.gens is gens[i]. */
enum { ON_TPM = 1, ON_PKIX = 2, ON_ALL = 3 };
static const struct {
    void (*fn)(const base_t *b);
    int on;
} gens[] = {
    { gen_bitflips, ON_ALL }, /* first, over every base: it alone draws from the seeded RNG */
    { gen_trunc, ON_ALL },    { gen_tpm_trunc, ON_TPM }, { gen_sig_trunc, ON_PKIX },   { gen_lengths, ON_ALL },
    { gen_tags, ON_ALL },     { gen_oids, ON_ALL },      { gen_dups, ON_ALL },         { gen_certs, ON_ALL },
    { gen_validity, ON_ALL }, { gen_profile, ON_ALL },   { gen_oids_pkix, ON_PKIX },   { gen_claims, ON_PKIX },
    { gen_two, ON_PKIX },     { gen_ak_format, ON_ALL }, { gen_rsa_exponent, ON_ALL }, { gen_sig_budget, ON_ALL },
    { gen_cri_der, ON_ALL },  { gen_escape, ON_ALL },    { gen_time, ON_ALL },
};
#define NGENS (sizeof(gens) / sizeof(gens[0]))

/* Every class and its test; also the order of the table. */
static const struct {
    const char *cls, *test;
} classes[] = {
    { "a.flip.cri", "test_class_csr_info_bitflip" },
    { "a.flip.csr-sig", "test_class_csr_signature_bitflip" },
    { "a.flip.tpms-attest", "test_class_tpm2_attest_bitflip" },
    { "a.flip.tpm-sig", "test_class_tpm2_signature_bitflip" },
    { "a.flip.tpmt-public", "test_class_tpm2_public_bitflip" },
    { "a.flip.pkix-tbs", "test_class_pkix_tbs_bitflip" },
    { "a.flip.pkix-sig", "test_class_pkix_signature_bitflip" },
    { "a.flip.pkix-sig-1of2", "test_class_pkix_one_of_two_signatures_bitflip" },
    { "a.flip.ak-tbs", "test_class_ak_cert_tbs_bitflip" },
    { "a.flip.ak-tbs-1of2", "test_class_ak_cert_tbs_one_of_two_bitflip" },
    { "b.trunc.raw", "test_class_truncated_bytes" },
    { "b.trunc.children", "test_class_truncated_children" },
    { "b.drop", "test_class_element_dropped" },
    { "b.tpm-trunc", "test_class_tpm2_struct_truncated" },
    { "b.sig-trunc", "test_class_pkix_signature_truncated" },
    { "c.len.fixed", "test_class_length_fixed_up" },
    { "c.len.raw", "test_class_length_raw" },
    { "d.tag", "test_class_tag_swapped" },
    { "e.oid", "test_class_oid_swapped" },
    { "e.oid.pkix", "test_class_pkix_oid_swapped" },
    { "f.dup.attribute", "test_class_attribute_duplicated" },
    { "f.dup.value", "test_class_attribute_value_duplicated" },
    { "f.dup.element", "test_class_element_duplicated" },
    { "g.certs", "test_class_cert_bag_changed" },
    { "g.certs-2sig", "test_class_cert_bag_changed_two_blocks" },
    { "h.validity", "test_class_ak_cert_validity" },
    { "h.validity-2sig", "test_class_ak_cert_validity_two_blocks" },
    { "i.ak-profile", "test_class_ak_cert_profile" },
    { "i.ak-profile-2sig", "test_class_ak_cert_profile_two_blocks" },
    { "j.pkix-claims", "test_class_pkix_claims_signed_by_ak" },
    { "k.ak-format", "test_class_ak_cert_of_other_format" },
    { "k.rsa-exponent", "test_class_rsa_huge_exponent" },
    { "k.sig-budget", "test_class_signature_budget" },
    { "k.cri-der", "test_class_csr_info_not_der" },
    { "k.escape", "test_class_key_id_rendered_inert" },
    { "k.time", "test_class_verification_time" },
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

/* Run the generators in mask over every base they apply to, as the unsplit suite did. */
static void generate(unsigned mask)
{
    size_t g;
    int i;

    mut_rng_seed(&S.rng, S.seed);
    for (g = 0; g < NGENS; g++) {
        if (!(mask & (1u << g)))
            continue;
        for (i = 0; g == 0 && i < S.nbases; i++) {
            S.gen = (int)g;
            gens[g].fn(&S.bases[i]);
        }
    }
    for (i = 0; i < S.nbases; i++) {
        for (g = 1; g < NGENS; g++) {
            if (!(mask & (1u << g)) || !(gens[g].on & (S.bases[i].fam == FAM_PKIX ? ON_PKIX : ON_TPM)))
                continue;
            S.gen = (int)g;
            gens[g].fn(&S.bases[i]);
        }
    }
}

/*
 * The bit-flip budget (ATTEST_MUTANTS), then a discovery pass: every mutant
 * generated, none judged, each class's count and generators recorded.
 */
static int group_setup(void **state)
{
    long fixed, budget, bytes = 0;
    int i;

    mutation_setup(state);
    /* a dry run counts the structural mutants; the bit flips get the rest of ATTEST_MUTANTS */
    S.counting = 1;
    S.counted = 0;
    generate(~1u);
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
    S.discover = 1;
    generate(~0u);
    S.discover = 0;
    return 0;
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
            verdict_dump(v);
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
                verdict_dump(v);
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

static const char *test_of(const char *cls)
{
    size_t c;

    for (c = 0; c < NCLASSES; c++)
        if (strcmp(classes[c].cls, cls) == 0)
            return classes[c].test;
    return NULL;
}

/* One class: its generators run, its mutants judged (both families); every one must hold. */
static void test_class(void **state)
{
    const char *cls = *state;
    long n = 0, expected = 0, fa = 0, miss = 0, must = 0, unsignable = 0;
    unsigned mask = 0;
    int i;

    for (i = 0; i < S.ncls; i++)
        if (strcmp(S.cls[i].name, cls) == 0) {
            mask |= S.cls[i].gens;
            expected += S.cls[i].expected;
        }
    if (expected == 0)
        fail_msg("class %s: the discovery pass generated no mutant of it", cls);
    S.only_class = cls;
    generate(mask);
    S.only_class = NULL;
    for (i = 0; i < S.ncls; i++) {
        const class_stat *cs = &S.cls[i];

        if (strcmp(cs->name, cls) != 0)
            continue;
        n += cs->n;
        fa += cs->false_accepts;
        miss += cs->misses;
        must += cs->must_affirm_misses;
        unsignable += cs->unsignable;
    }
    if (n != expected)
        fail_msg("class %s: %ld mutants judged, %ld generated in discovery", cls, n, expected);
    if (fa != 0)
        fail_msg("class %s: %ld of %ld mutant(s) affirmed (see MUTANT FALSE ACCEPT above)", cls, fa, n);
    if (must != 0)
        fail_msg("class %s: %ld of %ld equivalent mutant(s) not affirmed", cls, must, n);
    if (miss != 0)
        fail_msg("class %s: %ld of %ld mutant(s) did not trip the expected check", cls, miss, n);
    if (unsignable != 0)
        fail_msg("class %s: %ld mutant(s) could not be re-signed", cls, unsignable);
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

static void print_table(void)
{
    static const char *const fam_name[FAM_N] = { "TPM 2.0 certify", "PKIX evidence" };
    int f, o, i, listed;

    printf("\nmutation suite: %ld mutants (%d bit(s) per byte, byte stride %d); "
           "false accepts %ld, equivalents not affirmed %ld, expectation misses %ld, re-sign failures %ld\n",
           S.total, S.bits_per_byte, S.stride, S.false_accepts, S.must_affirm_misses, S.misses, S.unsignable);
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
        for (o = 0; o < (int)NCLASSES; o++)
            for (i = 0; i < S.ncls; i++)
                if (S.cls[i].fam == f && strcmp(S.cls[i].name, classes[o].cls) == 0)
                    print_row(&S.cls[i]);
        /* a class without a test still shows (test_every_class_judged fails on it) */
        for (i = 0; i < S.ncls; i++) {
            if (S.cls[i].fam != f)
                continue;
            listed = test_of(S.cls[i].name) != NULL;
            if (!listed)
                print_row(&S.cls[i]);
        }
    }
    fflush(stdout);
}

/* Runs last: every class discovered has its test, every mutant was judged; the table. */
static void test_every_class_judged(void **state)
{
    long expected = 0;
    int i;

    (void)state;
    print_table();
    for (i = 0; i < S.ncls; i++) {
        if (test_of(S.cls[i].name) == NULL)
            fail_msg("class %s has no test_class_* (add it to classes[])", S.cls[i].name);
        expected += S.cls[i].expected;
    }
    if (S.total != expected)
        fail_msg("%ld mutants judged, %ld generated in discovery", S.total, expected);
    if (S.target == 0)
        assert_true(S.total >= 20000);
}

int main(void)
{
    struct CMUnitTest tests[2 + NCLASSES];
    size_t c;

    memset(tests, 0, sizeof(tests));
    tests[0].name = "test_baselines";
    tests[0].test_func = test_baselines;
    for (c = 0; c < NCLASSES; c++) {
        tests[1 + c].name = classes[c].test;
        tests[1 + c].test_func = test_class;
        tests[1 + c].initial_state = (void *)classes[c].cls;
    }
    tests[1 + NCLASSES].name = "test_every_class_judged";
    tests[1 + NCLASSES].test_func = test_every_class_judged;
    return _cmocka_run_group_tests("test_mutation", tests, 2 + NCLASSES, group_setup, mutation_teardown);
}
