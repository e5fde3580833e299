/*
 * The verification time: unset it is the clock's and passes; set (--at-time)
 * it is honoured exactly, 0 and the ends of the X.509 range included, shown
 * in the text and JSON verdicts and chain.trust's detail, and it is a
 * relaxation: policy.verification-time turns an affirming verdict into a
 * warning.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "attest/checks.h"
#include "attest/oids.h"
#include "output_util.h"

/* A trust of the lab root, at when (or the clock when set is 0). */
static attest_trust *trust_at(int set, time_t when)
{
    attest_trust *t = attest_trust_new();

    assert_non_null(t);
    assert_int_equal(attest_trust_add_anchor(t, lab.root), 0);
    if (set)
        attest_trust_set_time(t, when);
    return t;
}

static attest_verdict *good_request_at(attest_trust *t)
{
    size_t len, blen, clen;
    unsigned char *ev = lab_evidence(lab.ak_key, NULL, 0, &len);
    unsigned char *b = bundle_of(attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, len, lab.ak, &blen);
    unsigned char *der = csr_of(b, blen, "subscriber", &clen);
    attest_verdict *v = verify_with(t, der, clen);

    OPENSSL_free(der);
    OPENSSL_free(b);
    OPENSSL_free(ev);
    return v;
}

static void expect_time(attest_verdict *v, const char *when, int given)
{
    json_object *j = verdict_json(v), *t, *x;
    char *text = verdict_text(v), line[96];

    t = find_key(j, "verification_time");
    assert_non_null(t);
    assert_true(json_object_object_get_ex(t, "time", &x));
    if (when != NULL)
        assert_string_equal(json_object_get_string(x), when);
    assert_true(json_object_object_get_ex(t, "given", &x));
    assert_int_equal(json_object_get_boolean(x), given);
    if (when != NULL) {
        snprintf(line, sizeof(line), "  verification time: %s (given with --at-time)\n", when);
        assert_non_null(strstr(text, line));
    } else {
        assert_non_null(strstr(text, "(the current time)\n"));
    }
    json_object_put(j);
    OPENSSL_free(text);
}

/* id is the one check anywhere in v that is not a plain pass or skip. */
static void only_warning(const attest_verdict *v, const char *id)
{
    const attest_checks *all[16];
    size_t i, j, n = 0;

    all[n++] = &v->checks;
    for (i = 0; i < v->n_subs && n < 16; i++)
        all[n++] = &v->subs[i].checks;
    for (i = 0; i < n; i++)
        for (j = 0; j < all[i]->n; j++)
            if (all[i]->v[j].severity != ATTEST_SEV_INFO && strcmp(all[i]->v[j].id, id) != 0)
                fail_msg("%s is not a plain pass: %s", all[i]->v[j].id, all[i]->v[j].detail);
}

/* Unset: the clock, a pass, recorded as not given. */
static void test_time_now(void **state)
{
    attest_trust *t = trust_at(0, 0);
    attest_verdict *v = good_request_at(t);

    (void)state;
    assert_verdict_exit(v, 0);
    lab_expect(v, CHK_POLICY_VERIFICATION_TIME, ATTEST_CHECK_PASS);
    expect_time(v, NULL, 0);
    attest_verdict_free(v);
    attest_trust_free(t);
}

/* The negative test of policy.verification-time: an affirming request judged at a given time is a warning. */
static void test_time_given_is_relaxation(void **state)
{
    time_t now = time(NULL);
    attest_trust *t = trust_at(1, now);
    attest_verdict *v = good_request_at(t);
    const attest_check *k = verdict_check(v, CHK_POLICY_VERIFICATION_TIME);
    char when[48];

    (void)state;
    assert_verdict_exit(v, 3);
    assert_non_null(k);
    assert_int_equal(k->result, ATTEST_CHECK_FAIL);
    assert_int_equal(k->severity, ATTEST_SEV_WARNING);
    assert_non_null(strstr(k->detail, "--at-time"));
    only_warning(v, CHK_POLICY_VERIFICATION_TIME);
    attest_time_text(now, when, sizeof(when));
    expect_time(v, when, 1);
    assert_non_null(strstr(verdict_check(v, CHK_CHAIN_TRUST)->detail, when));
    attest_verdict_free(v);
    attest_trust_free(t);
}

/* 0 is a time: the lab certificates (valid from about now) are not yet valid in 1970. */
static void test_time_zero_honoured(void **state)
{
    static const struct {
        time_t t;
        const char *text, *why;
    } cases[] = {
        { 0, "1970-01-01T00:00:00Z", "not yet valid" },
        { -631152000, "1950-01-01T00:00:00Z", "not yet valid" },
        { 253402300799LL, "9999-12-31T23:59:59Z", "has expired" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        attest_trust *t = trust_at(1, cases[i].t);
        attest_verdict *v = good_request_at(t);
        const attest_check *k = verdict_check(v, CHK_CHAIN_TRUST);

        assert_verdict_exit(v, 1);
        assert_non_null(k);
        assert_int_equal(k->result, ATTEST_CHECK_FAIL);
        if (strstr(k->detail, cases[i].why) == NULL || strstr(k->detail, cases[i].text) == NULL)
            fail_msg("chain.trust at %s: %s", cases[i].text, k->detail);
        expect_time(v, cases[i].text, 1);
        attest_verdict_free(v);
        attest_trust_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_now),
        cmocka_unit_test(test_time_given_is_relaxation),
        cmocka_unit_test(test_time_zero_honoured),
    };

    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
        return 1;
    return cmocka_run_group_tests(tests, lab_setup, lab_teardown);
}
