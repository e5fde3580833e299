/*
 * The single-use nonce store and nonce.state: issue / use / replay / unknown /
 * expired, private permissions, sweeping, a race of processes for one nonce
 * (exactly one wins), and the verdict rules: one nonce for all statements,
 * reported by the engines; a failed verdict does not use its nonce up.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attest/bundle.h"
#include "attest/checks.h"
#include "attest/csr.h"
#include "attest/nonce_state.h"
#include "attest/oids.h"
#include "pkix_lab.h"

static char base[400];
static char dir[sizeof(base) + 16];
static int ndir;

static int rm_file(const char *d, const char *name)
{
    char p[512];

    snprintf(p, sizeof(p), "%s/%s", d, name);
    return unlink(p);
}

/* A fresh state directory for each test (under one mkdtemp). */
static int fresh(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "%s/s%d", base, ndir++);
    return 0;
}

static void rm_dir(const char *d)
{
    DIR *dd = opendir(d);
    struct dirent *e;

    if (dd == NULL)
        return;
    while ((e = readdir(dd)) != NULL)
        if (e->d_name[0] != '.' || strncmp(e->d_name, ".tmp-", 5) == 0)
            rm_file(d, e->d_name);
    closedir(dd);
    rmdir(d);
}

static int cleanup(void **state)
{
    (void)state;
    rm_dir(dir);
    return 0;
}

static int count_entries(void)
{
    DIR *dd = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(dd);
    while ((e = readdir(dd)) != NULL)
        n += e->d_name[0] != '.';
    closedir(dd);
    return n;
}

static void issue(unsigned char *n, size_t len, long ttl)
{
    attest_err err;

    if (attest_nonce_issue(dir, ttl, n, len, &err) != 0)
        fail_msg("attest_nonce_issue: %s", err.msg);
}

static attest_nonce_result consume(const unsigned char *n, size_t len, time_t now)
{
    attest_err err;

    return attest_nonce_consume(dir, n, len, now, NULL, &err);
}

static void test_issue_private(void **state)
{
    unsigned char n[32];
    char path[512];
    struct stat st;
    int i;

    (void)state;
    issue(n, sizeof(n), 60);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof(path), "%s/", dir);
    for (i = 0; i < 32; i++)
        snprintf(path + strlen(path), 3, "%02x", n[i]);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(st.st_mtime > time(NULL)); /* the expiry, for the sweep */
    assert_int_equal(count_entries(), 1);
}

static void test_use_once(void **state)
{
    unsigned char n[16];

    (void)state;
    issue(n, sizeof(n), 60);
    assert_int_equal(consume(n, sizeof(n), time(NULL)), ATTEST_NONCE_OK);
    assert_int_equal(consume(n, sizeof(n), time(NULL)), ATTEST_NONCE_USED);
    assert_int_equal(consume(n, sizeof(n), time(NULL)), ATTEST_NONCE_USED);
}

static void test_unknown(void **state)
{
    unsigned char n[16], other[16];

    (void)state;
    issue(n, sizeof(n), 60);
    memcpy(other, n, sizeof(n));
    other[0] ^= 1;
    assert_int_equal(consume(other, sizeof(other), time(NULL)), ATTEST_NONCE_UNKNOWN);
    assert_int_equal(consume(n, 8, time(NULL)), ATTEST_NONCE_UNKNOWN); /* a prefix is another nonce */
    assert_int_equal(consume(n, 0, time(NULL)), ATTEST_NONCE_UNKNOWN);
    assert_int_equal(consume(n, sizeof(n), time(NULL)), ATTEST_NONCE_OK); /* untouched by the misses */
}

static void test_expired(void **state)
{
    unsigned char n[16];

    (void)state;
    issue(n, sizeof(n), 30);
    assert_int_equal(consume(n, sizeof(n), time(NULL) + 31), ATTEST_NONCE_EXPIRED);
    assert_int_equal(consume(n, sizeof(n), time(NULL)), ATTEST_NONCE_USED); /* and it stays spent */
}

static void test_sweep(void **state)
{
    unsigned char a[16], b[16], c[16];
    attest_err err;

    (void)state;
    issue(a, sizeof(a), 10);
    issue(b, sizeof(b), 1000);
    issue(c, sizeof(c), 10);
    assert_int_equal(consume(c, sizeof(c), time(NULL)), ATTEST_NONCE_OK);
    assert_int_equal(count_entries(), 3); /* a, b, c.used */
    assert_int_equal(attest_nonce_sweep(dir, time(NULL) + 11, &err), 2);
    assert_int_equal(count_entries(), 1);
    assert_int_equal(consume(a, sizeof(a), time(NULL)), ATTEST_NONCE_UNKNOWN);
    assert_int_equal(consume(b, sizeof(b), time(NULL)), ATTEST_NONCE_OK);
}

static void test_refuses_open_dir(void **state)
{
    unsigned char n[16];
    attest_err err;

    (void)state;
    issue(n, sizeof(n), 60);
    assert_int_equal(chmod(dir, 0770), 0);
    assert_int_equal(attest_nonce_issue(dir, 60, n, sizeof(n), &err), -1);
    assert_non_null(strstr(err.msg, "writable by group or others"));
    assert_int_equal(attest_nonce_consume(dir, n, sizeof(n), time(NULL), NULL, &err), ATTEST_NONCE_ERROR);
    assert_int_equal(chmod(dir, 0700), 0);
    assert_int_equal(attest_nonce_issue(dir, 60, n, 7, &err), -1); /* under 8 bytes */
    assert_int_equal(attest_nonce_issue(dir, 0, n, 16, &err), -1); /* ttl 0 */
    assert_int_equal(attest_nonce_sweep("/nonexistent/attest", time(NULL), &err), -1);
}

/* 16 processes race for one nonce: exactly one is told OK, every other USED. */
static void test_race(void **state)
{
    enum { N = 16 };
    unsigned char n[32];
    pid_t pids[N];
    int i, ok = 0, used = 0, st;

    (void)state;
    issue(n, sizeof(n), 60);
    for (i = 0; i < N; i++) {
        if ((pids[i] = fork()) == 0)
            _exit((int)consume(n, sizeof(n), time(NULL)));
        assert_true(pids[i] > 0);
    }
    for (i = 0; i < N; i++) {
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st));
        ok += WEXITSTATUS(st) == ATTEST_NONCE_OK;
        used += WEXITSTATUS(st) == ATTEST_NONCE_USED;
    }
    assert_int_equal(ok, 1);
    assert_int_equal(used, N - 1);
}

/* ---- nonce.state over real verdicts (PKIX lab evidence) ---- */

static unsigned char *evidence(const unsigned char *nonce, size_t len, int extractable, size_t *out)
{
    attest_pkix_claims c;
    attest_pkix_signer s = { NULL, NULL, NULL, 0 };
    unsigned char *der = NULL;
    attest_err err;

    s.key = lab.ak_key;
    lab_claims(&c);
    c.nonce = nonce;
    c.nonce_len = len;
    if (extractable) {
        c.extractable = 1;
        c.never_extractable = 0;
    }
    if (attest_pkix_build(&c, &s, 1, NULL, NULL, &der, out, &err) != 0)
        fail_msg("attest_pkix_build: %s", err.msg);
    return der;
}

/* A CSR for lab.subject with one statement per evidence, verified with nonce_by_state, then nonce.state. */
static attest_verdict *judge(unsigned char *const *ev, const size_t *lens, size_t n)
{
    X509_REQ *req = X509_REQ_new();
    attest_bundle *b = attest_bundle_new();
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    unsigned char *bder = NULL, *der = NULL;
    size_t blen = 0, i;
    int dlen;
    attest_err err;
    attest_policy pol;
    attest_verify_params p;
    attest_verdict *v;

    for (i = 0; i < n; i++)
        assert_int_equal(
            attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev[i], lens[i], &err), 0);
    assert_int_equal(attest_bundle_add_cert(b, lab.ak), 0);
    assert_int_equal(attest_bundle_encode(b, &bder, &blen, &err), 0);
    assert_true(X509_REQ_set_pubkey(req, lab.subject));
    assert_int_equal(attest_csr_add_bundle(req, bder, blen, &err), 0);
    assert_true(EVP_DigestSignInit_ex(m, NULL, "SHA256", NULL, NULL, lab.subject, NULL) > 0);
    assert_true(X509_REQ_sign_ctx(req, m) > 0);
    assert_true((dlen = i2d_X509_REQ(req, &der)) > 0);
    attest_policy_default(&pol);
    memset(&p, 0, sizeof(p));
    p.trust = lab.trust;
    p.policy = &pol;
    p.nonce_by_state = 1;
    assert_non_null(v = attest_verify_csr(&p, der, (size_t)dlen));
    attest_verdict_check_nonce_state(v, dir);
    OPENSSL_free(der);
    OPENSSL_free(bder);
    EVP_MD_CTX_free(m);
    attest_bundle_free(b);
    X509_REQ_free(req);
    return v;
}

static attest_verdict *judge_one(const unsigned char *nonce, size_t len, int extractable)
{
    size_t elen;
    unsigned char *ev = evidence(nonce, len, extractable, &elen);
    attest_verdict *v = judge(&ev, &elen, 1);

    OPENSSL_free(ev);
    return v;
}

static void expect_state(attest_verdict *v, attest_check_result r, const char *detail)
{
    const attest_check *c = attest_checks_find(&v->checks, CHK_NONCE_STATE);

    assert_non_null(c);
    if (c->result != r || strstr(c->detail, detail) == NULL)
        fail_msg("nonce.state: %d %s", c->result, c->detail);
    if (r == ATTEST_CHECK_FAIL)
        lab_only_fails(v, CHK_NONCE_STATE);
    attest_verdict_free(v);
}

static void test_verdict_use_and_replay(void **state)
{
    unsigned char n[32];
    attest_verdict *v;

    (void)state;
    issue(n, sizeof(n), 60);
    v = judge_one(n, sizeof(n), 0);
    lab_expect(v, CHK_PKIX_NONCE, ATTEST_CHECK_PASS);
    assert_int_equal(attest_verdict_exit_code(v), 0);
    expect_state(v, ATTEST_CHECK_PASS, "now used");
    expect_state(judge_one(n, sizeof(n), 0), ATTEST_CHECK_FAIL, "a replay");
}

static void test_verdict_unknown_expired(void **state)
{
    unsigned char n[16], other[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    attest_err err;

    (void)state;
    assert_int_equal(attest_nonce_issue(dir, 1, n, sizeof(n), &err), 0);
    expect_state(judge_one(other, sizeof(other), 0), ATTEST_CHECK_FAIL, "not issued here");
    sleep(2);
    expect_state(judge_one(n, sizeof(n), 0), ATTEST_CHECK_FAIL, "expired at");
}

/* Two statements with different nonces: which one was asked for is not for the verifier to guess. */
static void test_verdict_two_nonces(void **state)
{
    unsigned char a[16], b[16];
    unsigned char *ev[2];
    size_t lens[2];
    attest_verdict *v;

    (void)state;
    issue(a, sizeof(a), 60);
    issue(b, sizeof(b), 60);
    ev[0] = evidence(a, sizeof(a), 0, &lens[0]);
    ev[1] = evidence(b, sizeof(b), 0, &lens[1]);
    v = judge(ev, lens, 2);
    expect_state(v, ATTEST_CHECK_FAIL, "carry different nonces");
    /* Neither was used up. */
    assert_int_equal(consume(a, sizeof(a), time(NULL)), ATTEST_NONCE_OK);
    assert_int_equal(consume(b, sizeof(b), time(NULL)), ATTEST_NONCE_OK);
    OPENSSL_free(ev[0]);
    OPENSSL_free(ev[1]);
}

/* Evidence without a nonce fails the engine's nonce check; a failed verdict keeps its nonce. */
static void test_verdict_no_nonce_and_failed(void **state)
{
    unsigned char n[16];
    attest_verdict *v;
    const attest_check *c;

    (void)state;
    issue(n, sizeof(n), 60);
    v = judge_one(NULL, 0, 0);
    lab_only_fails(v, CHK_PKIX_NONCE);
    assert_non_null(c = verdict_check(v, CHK_PKIX_NONCE));
    assert_non_null(strstr(c->detail, "--nonce-state"));
    attest_verdict_free(v);

    v = judge_one(n, sizeof(n), 1); /* extractable: pkix.key-policy fails */
    lab_only_fails(v, CHK_PKIX_KEY_POLICY);
    expect_state(v, ATTEST_CHECK_SKIP, "failed other checks");
    assert_int_equal(consume(n, sizeof(n), time(NULL)), ATTEST_NONCE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_issue_private, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_use_once, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_unknown, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_expired, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_sweep, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_refuses_open_dir, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_race, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_verdict_use_and_replay, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_verdict_unknown_expired, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_verdict_two_nonces, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_verdict_no_nonce_and_failed, fresh, cleanup),
    };
    const char *tmp = getenv("TMPDIR");
    int rc;

    snprintf(base, sizeof(base), "%s/attest-nonce-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    if (mkdtemp(base) == NULL)
        return 2;
    rc = cmocka_run_group_tests(tests, lab_setup, lab_teardown);
    rmdir(base);
    return rc;
}
