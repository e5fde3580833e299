/*
 * Output that input cannot forge.
 *
 * Hostile text (newlines, ESC sequences, BEL, quotes, backslashes, 0xff, a
 * UTF-8 character split at a cut) goes through every field that reaches
 * output: the PKIX key identifier and claim strings, a legacy bundle hint,
 * subject names, a CMW statement.  Text verdicts, JSON verdicts, and the
 * describe text and JSON (`show`) must carry it escaped: valid UTF-8
 * (checked by glibc's decoder, not ours), no byte a terminal acts on, JSON
 * that json-c parses strictly, and no forged line.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "attest/checks.h"
#include "attest/oids.h"
#include "output_util.h"

/* Hostile text: a forged status line and a fake pass line, screen clear, title set, quotes, 0xff. */
#define FORGED "k\"\ninj.pem: affirming\n  pass  pkix.key-policy          ok"
#define NASTY  "v\x1b[2J\x1b]0;title\x07\"q\\\xff\x80 \xc2\x9b end"

/* ------------------------------------------------ the JSON renderer's backstop */

static void expect_json_as(const char *value, size_t len, int pretty, const char *want)
{
    json_object *o = json_object_new_object();
    BIO *b = BIO_new(BIO_s_mem());
    char *text;
    long n;

    assert_non_null(o);
    assert_non_null(b);
    json_object_object_add(o, "k", json_object_new_string_len(value, (int)len));
    json_object_object_add(o, "plain", json_object_new_string("a\\b \"c\" /d"));
    assert_int_equal(attest_render_json(o, b, pretty), 1);
    n = BIO_get_mem_data(b, &text);
    assert_int_equal(n, (long)strlen(want));
    assert_memory_equal(text, want, (size_t)n);
    BIO_free(b);
    json_object_put(o);
}

static void expect_json(const char *value, size_t len, const char *want)
{
    expect_json_as(value, len, 0, want);
}

/* Strings no describer escaped reach JSON in the escaper's spelling, whichever byte gave them away. */
static void test_render_json_backstop(void **state)
{
    (void)state;
    /* printable ASCII, quotes and backslashes: as json-c writes them */
    expect_json("x y", 3, "{\"k\":\"x y\",\"plain\":\"a\\\\b \\\"c\\\" /d\"}\n");
    /* a control character json-c would write as \n or \u0001, a byte over 0x7e, DEL, NUL */
    expect_json("a\nb", 3, "{\"k\":\"a\\\\0Ab\",\"plain\":\"a\\\\b \\\"c\\\" /d\"}\n");
    expect_json("a\x01", 2, "{\"k\":\"a\\\\01\",\"plain\":\"a\\\\b \\\"c\\\" /d\"}\n");
    expect_json("\xff", 1, "{\"k\":\"\\\\FF\",\"plain\":\"a\\\\b \\\"c\\\" /d\"}\n");
    expect_json("\x7f", 1, "{\"k\":\"\\\\7F\",\"plain\":\"a\\\\b \\\"c\\\" /d\"}\n");
    expect_json("a\0b", 3, "{\"k\":\"a\\\\00b\",\"plain\":\"a\\\\b \\\"c\\\" /d\"}\n");
    /* valid UTF-8 is kept; the pretty layout's newlines are not mistaken for a string's */
    expect_json("caf\xc3\xa9", 5, "{\"k\":\"caf\xc3\xa9\",\"plain\":\"a\\\\b \\\"c\\\" /d\"}\n");
    expect_json_as("a\tb", 3, 1, "{\n  \"k\": \"a\\\\09b\",\n  \"plain\": \"a\\\\b \\\"c\\\" /d\"\n}\n");
    expect_json_as("ab", 2, 1, "{\n  \"k\": \"ab\",\n  \"plain\": \"a\\\\b \\\"c\\\" /d\"\n}\n");
}

/* ------------------------------------------------------------ the escaper */

static void expect_escape(const char *in, size_t inlen, size_t cap, unsigned flags, const char *want)
{
    char out[256];

    assert_true(cap <= sizeof(out));
    assert_int_equal(attest_escape((const unsigned char *)in, inlen, out, cap, flags), strlen(want));
    assert_string_equal(out, want);
}

static void test_escaper(void **state)
{
    (void)state;
    expect_escape("a\nb", 3, 64, 0, "a\\0Ab");
    expect_escape("\x1b[2J", 4, 64, 0, "\\1B[2J");
    expect_escape("\x1b]0;t\x07", 6, 64, 0, "\\1B]0;t\\07");
    expect_escape("q\"\\", 3, 64, 0, "q\"\\\\");
    expect_escape("q\"\\", 3, 64, ATTEST_ESC_KEEP_BACKSLASH, "q\"\\");
    expect_escape("\xff\x80\xc3", 3, 64, 0, "\\FF\\80\\C3"); /* invalid, lone, truncated */
    expect_escape("\xc0\xaf", 2, 64, 0, "\\C0\\AF");         /* overlong '/' */
    expect_escape("\xed\xa0\x80", 3, 64, 0, "\\ED\\A0\\80"); /* a surrogate */
    expect_escape("\xc2\x9b"
                  "1m",
                  4, 64, 0, "\\C2\\9B1m"); /* C1 CSI */
    expect_escape("\xe2\x80\xae"
                  "x",
                  4, 64, 0, "\\E2\\80\\AEx"); /* bidi override */
    expect_escape("\x7f", 1, 64, 0, "\\7F");
    expect_escape("a\0b", 3, 64, 0, "a\\00b");
    expect_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 14, 64, 0, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91");
    /* Cuts fall between whole characters and whole escapes. */
    expect_escape("a\xc3\xa9", 3, 3, 0, "a");
    expect_escape("a\xc3\xa9", 3, 4, 0, "a\xc3\xa9");
    expect_escape("ab\n", 3, 5, 0, "ab");
    expect_escape("a\\", 2, 3, 0, "a");
    expect_escape("\xf0\x9f\x94\x91", 4, 4, 0, "");
    /* Escaped text is a fixed point of the backstop. */
    expect_escape("a\\0Ab\\\\c\xc3\xa9", 10, 64, ATTEST_ESC_KEEP_BACKSLASH, "a\\0Ab\\\\c\xc3\xa9");
}

/* The printable-ASCII run (eight bytes at a time): every byte value at every position, both sides of a word. */
static void test_printable_span(void **state)
{
    unsigned char buf[24];
    char out[128];
    size_t pos;
    int b;

    (void)state;
    memset(buf, 'a', sizeof(buf));
    assert_int_equal(attest_printable_span(buf, sizeof(buf)), sizeof(buf));
    assert_int_equal(attest_printable_span(buf, 0), 0);
    for (pos = 0; pos < sizeof(buf); pos++) {
        for (b = 0; b < 256; b++) {
            size_t want = b >= 0x20 && b < 0x7f ? sizeof(buf) : pos;

            buf[pos] = (unsigned char)b;
            assert_int_equal(attest_printable_span(buf, sizeof(buf)), want);
            /* the escaper's runs stop there too: the byte past them is escaped */
            attest_escape(buf, sizeof(buf), out, sizeof(out), ATTEST_ESC_KEEP_BACKSLASH);
            if (want == pos)
                assert_int_equal(out[pos], '\\');
            else
                assert_memory_equal(out, buf, sizeof(buf));
        }
        buf[pos] = 'a';
    }
    /* a bad byte after a full word ahead of it, and a backslash there when they are escaped */
    expect_escape("0123456789abcdef\\x", 18, 64, 0, "0123456789abcdef\\\\x");
}

/* Check details are char[320]: a long UTF-8 detail is cut at a character boundary. */
static void test_detail_cut(void **state)
{
    attest_checks c = { 0 };
    char euros[3 * 200 + 1];
    size_t i;

    (void)state;
    for (i = 0; i < 200; i++)
        memcpy(euros + 3 * i, "\xe2\x82\xac", 3);
    euros[600] = '\0';
    attest_check_add(&c, "x.y", ATTEST_CHECK_PASS, ATTEST_SEV_INFO, "a%s", euros); /* 1 + 3k: cut mid-euro */
    assert_int_equal(strlen(c.v[0].detail), 1 + 3 * 106);
    assert_safe_text(c.v[0].detail);
    attest_check_add(&c, "x.y", ATTEST_CHECK_FAIL, ATTEST_SEV_ERROR, "id %s", FORGED);
    assert_null(strchr(c.v[1].detail, '\n'));
    OPENSSL_free(c.v);
}

/* ------------------------------------------------------------ fields that reach output */

/* The key identifier: no forged "affirming" status line, no fake pass line. */
static void test_key_id_forged_lines(void **state)
{
    size_t len, blen, clen;
    unsigned char *ev = evidence_with(FORGED, "Acme", 1, &len);
    unsigned char *b = bundle_of(attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, len, lab.ak, &blen);
    unsigned char *der = csr_of(b, blen, "subscriber", &clen);
    attest_verdict *v = verify_with(lab.trust, der, clen);
    char *text;
    json_object *j;
    const attest_check *k;

    (void)state;
    snprintf(v->input, sizeof(v->input), "inj.pem");
    assert_int_equal(attest_verdict_exit_code(v), 1);
    k = verdict_check(v, CHK_PKIX_KEY_BINDING);
    assert_non_null(k);
    assert_int_equal(k->result, ATTEST_CHECK_PASS);
    assert_non_null(strstr(k->detail, "\"k\"\\0Ainj.pem: affirming\\0A  pass  pkix.key-policy          ok\""));
    text = verdict_text(v);
    assert_safe_text(text);
    assert_no_line(text, "inj.pem: affirming");
    assert_no_line(text, "  pass  pkix.key-policy");
    assert_no_line(text, "    pass  pkix.key-policy");
    assert_no_line(text, "pkix.key-policy          ok");
    assert_non_null(strstr(text, "inj.pem: contraindicated\n"));
    assert_non_null(strstr(text, "    FAIL  pkix.key-policy"));
    j = verdict_json(v);
    assert_string_equal(json_object_get_string(find_key(j, "ear.status")), "contraindicated");
    json_object_put(j);
    OPENSSL_free(text);
    attest_verdict_free(v);
    OPENSSL_free(der);
    OPENSSL_free(b);
    OPENSSL_free(ev);
}

/* Escapes, 0xff, and a key id whose 64th byte is inside a character (the old cut). */
static void test_key_id_bytes(void **state)
{
    static const char *ids[] = {
        NASTY,
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "x\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        size_t len, blen, clen;
        unsigned char *ev = evidence_with(ids[i], NASTY, 0, &len);
        unsigned char *b = bundle_of(attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, len, lab.ak, &blen);
        unsigned char *der = csr_of(b, blen, "subscriber", &clen);
        attest_verdict *v = verify_with(lab.trust, der, clen);
        char *text = verdict_text(v), *shown;
        json_object *j = verdict_json(v), *s;

        assert_safe_text(text);
        assert_int_equal(attest_verdict_exit_code(v), 0);
        json_object_put(j);
        /* show: the CSR and the bare evidence, text and JSON; key id and vendor exactly escaped. */
        s = show(ATTEST_DT_CSR, der, clen, &shown);
        assert_string_equal(claim_string(s, "pkix-platform-vendor"),
                            "v\\1B[2J\\1B]0;title\\07\"q\\\\\\FF\\80 \\C2\\9B end");
        assert_null(strchr(shown, '\x1b'));
        json_object_put(s);
        OPENSSL_free(shown);
        s = show(ATTEST_DT_PKIX, ev, len, &shown);
        assert_non_null(claim_string(s, "pkix-key-identifier"));
        json_object_put(s);
        OPENSSL_free(shown);
        OPENSSL_free(text);
        attest_verdict_free(v);
        OPENSSL_free(der);
        OPENSSL_free(b);
        OPENSSL_free(ev);
    }
}

/* An ASN1_TYPE holding the DER of a SEQUENCE built from items. */
static ASN1_TYPE *seq_of(STACK_OF(ASN1_TYPE) *items)
{
    unsigned char *der = NULL;
    int n = i2d_ASN1_SEQUENCE_ANY(items, &der);
    ASN1_STRING *s = ASN1_STRING_new();
    ASN1_TYPE *t = ASN1_TYPE_new();

    assert_true(n > 0);
    assert_true(ASN1_STRING_set(s, der, n));
    ASN1_TYPE_set(t, V_ASN1_SEQUENCE, s);
    OPENSSL_free(der);
    return t;
}

/* A -09..-16 bundle: one statement {type, stmt, hint UTF8String}. */
static unsigned char *legacy_hint_bundle(const unsigned char *stmt, size_t len, const char *hint, size_t *blen)
{
    STACK_OF(ASN1_TYPE) *st = sk_ASN1_TYPE_new_null(), *list = sk_ASN1_TYPE_new_null(), *top = sk_ASN1_TYPE_new_null();
    const unsigned char *p = stmt;
    ASN1_TYPE *oid = ASN1_TYPE_new(), *h = ASN1_TYPE_new();
    ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();
    unsigned char *der = NULL;
    int n;

    assert_true(ASN1_TYPE_set1(oid, V_ASN1_OBJECT, attest_oid_obj(ATTEST_OID_PKIX_STATEMENT)));
    assert_true(ASN1_STRING_set(u, hint, (int)strlen(hint)));
    ASN1_TYPE_set(h, V_ASN1_UTF8STRING, u);
    sk_ASN1_TYPE_push(st, oid);
    sk_ASN1_TYPE_push(st, d2i_ASN1_TYPE(NULL, &p, (long)len));
    sk_ASN1_TYPE_push(st, h);
    sk_ASN1_TYPE_push(list, seq_of(st));
    sk_ASN1_TYPE_push(top, seq_of(list));
    assert_true((n = i2d_ASN1_SEQUENCE_ANY(top, &der)) > 0);
    *blen = (size_t)n;
    sk_ASN1_TYPE_pop_free(st, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(list, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(top, ASN1_TYPE_free);
    return der;
}

static void test_legacy_hint(void **state)
{
    size_t len, blen, clen;
    unsigned char *ev = lab_evidence(lab.ak_key, NULL, 0, &len);
    unsigned char *b = legacy_hint_bundle(ev, len, "h\ninj.pem: affirming\n\x1b[2J\xff", &blen);
    unsigned char *der = csr_of(b, blen, "subscriber", &clen);
    json_object *s;
    char *text, *vt;
    attest_verdict *v;

    (void)state;
    s = show(ATTEST_DT_BUNDLE, b, blen, &text);
    assert_non_null(strstr(text, "legacy_shape: true"));
    assert_no_line(text, "inj.pem");
    assert_string_equal(json_object_get_string(find_key(s, "hint")), "h\\0Ainj.pem: affirming\\0A\\1B[2J\\FF");
    json_object_put(s);
    OPENSSL_free(text);
    s = show(ATTEST_DT_CSR, der, clen, &text);
    assert_no_line(text, "inj.pem");
    json_object_put(s);
    OPENSSL_free(text);
    v = verify_with(lab.trust, der, clen);
    vt = verdict_text(v);
    assert_safe_text(vt);
    assert_no_line(vt, "inj.pem");
    json_object_put(verdict_json(v));
    OPENSSL_free(vt);
    attest_verdict_free(v);
    OPENSSL_free(der);
    OPENSSL_free(b);
    OPENSSL_free(ev);
}

/* Subject names (request and AK certificate) and a CMW statement. */
static void test_names_and_cmw(void **state)
{
    static const char cn[] = "n\ninj.pem: affirming\x1b[2J\"\\\xc2\x9b";
    EVP_PKEY *ak_key = lab_ec("P-256");
    X509 *ak = lab_cert(ak_key, "AK\ninj.pem: affirming\x1b]0;t\x07", lab.root_key, lab.root, LAB_AK);
    size_t len, blen, clen, cblen, cclen;
    unsigned char *ev = lab_evidence(ak_key, NULL, 0, &len);
    unsigned char *b = bundle_of(attest_oid_obj(ATTEST_OID_PKIX_STATEMENT), ev, len, ak, &blen);
    unsigned char *der = csr_of(b, blen, cn, &clen);
    ASN1_UTF8STRING *u = ASN1_UTF8STRING_new();
    unsigned char *cmw = NULL, *cb, *cder;
    int cmwlen;
    json_object *s;
    char *text;
    attest_verdict *v;

    (void)state;
    s = show(ATTEST_DT_CSR, der, clen, &text);
    assert_no_line(text, "inj.pem");
    assert_non_null(strstr(json_object_get_string(find_key(s, "subject")), "n\\0Ainj.pem"));
    assert_null(strstr(json_object_get_string(find_key(s, "subject")), "\xc2\x9b"));
    json_object_put(s);
    OPENSSL_free(text);
    v = verify_with(lab.trust, der, clen);
    assert_int_equal(attest_verdict_exit_code(v), 0);
    text = verdict_text(v);
    assert_safe_text(text);
    assert_no_line(text, "inj.pem");
    json_object_put(verdict_json(v));
    OPENSSL_free(text);
    attest_verdict_free(v);

    /* CMW: CHOICE { json UTF8String, ... }: shown, not verified. */
    assert_true(ASN1_STRING_set(u, "{\"a\":\"\n\x1b[2J\xff\"}\ninj.pem: affirming", -1));
    assert_true((cmwlen = i2d_ASN1_UTF8STRING(u, &cmw)) > 0);
    cb = bundle_of(attest_oid_obj(ATTEST_OID_PE_CMW), cmw, (size_t)cmwlen, NULL, &cblen);
    cder = csr_of(cb, cblen, "subscriber", &cclen);
    s = show(ATTEST_DT_CSR, cder, cclen, &text);
    assert_no_line(text, "inj.pem");
    assert_string_equal(json_object_get_string(find_key(s, "json")),
                        "{\"a\":\"\\0A\\1B[2J\\FF\"}\\0Ainj.pem: affirming");
    json_object_put(s);
    OPENSSL_free(text);
    v = verify_with(lab.trust, cder, cclen);
    text = verdict_text(v);
    assert_safe_text(text);
    json_object_put(verdict_json(v));
    OPENSSL_free(text);
    attest_verdict_free(v);

    OPENSSL_free(cder);
    OPENSSL_free(cb);
    OPENSSL_free(cmw);
    ASN1_UTF8STRING_free(u);
    OPENSSL_free(der);
    OPENSSL_free(b);
    OPENSSL_free(ev);
    X509_free(ak);
    EVP_PKEY_free(ak_key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaper),
        cmocka_unit_test(test_printable_span),
        cmocka_unit_test(test_render_json_backstop),
        cmocka_unit_test(test_detail_cut),
        cmocka_unit_test(test_key_id_forged_lines),
        cmocka_unit_test(test_key_id_bytes),
        cmocka_unit_test(test_legacy_hint),
        cmocka_unit_test(test_names_and_cmw),
    };

    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
        return 1;
    return cmocka_run_group_tests(tests, lab_setup, lab_teardown);
}
