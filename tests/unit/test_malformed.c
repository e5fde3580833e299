/*
 * Hostile input: truncations, trailing bytes, flipped tags, inflated lengths
 * and hand-built wrong shapes.  Every decoder must refuse with a message (or,
 * for a mutation that still is valid DER, give back what it read), and never
 * read outside its buffer: every input sits in an exact-size heap block so
 * that ASan catches an over-read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/bundle.h"
#include "attest/der.h"
#include "attest/csr.h"
#include "attest/oids.h"
#include "attest/pkix.h"
#include "attest/tpm2.h"
#include "testutil.h"

#define CSR_9245 "csr-attestation/tcgAttestTpmCertify.9245d16.pem"

enum { K_BUNDLE, K_STMT, K_PKIX, K_CSR };
static const char *const kind_names[] = { "bundle", "TcgAttestCertify", "evidence", "request" };

/* ---------------------------------------------------------------- helpers */

/* The samples: the lamps bundle, its TcgAttestCertify, evidence2. */
static unsigned char *lamps_csr(size_t *len)
{
    return read_pem_der(CSR_9245, NULL, len);
}

static unsigned char *lamps_bundle(size_t *len)
{
    size_t clen;
    unsigned char *der = lamps_csr(&clen), *out;
    attest_csr *c = NULL;
    attest_err err;

    assert_int_equal(attest_csr_decode(der, clen, &c, &err), 0);
    out = dup_bytes(c->bundle_der, c->bundle_len);
    *len = c->bundle_len;
    attest_csr_free(c);
    free(der);
    return out;
}

static unsigned char *lamps_stmt(size_t *len)
{
    size_t blen;
    unsigned char *bder = lamps_bundle(&blen), *out;
    attest_bundle *b = NULL;
    attest_err err;

    assert_int_equal(attest_bundle_decode(bder, blen, &b, &err), 0);
    out = dup_bytes(b->stmts[0].stmt, b->stmts[0].stmt_len);
    *len = b->stmts[0].stmt_len;
    attest_bundle_free(b);
    free(bder);
    return out;
}

/*
 * Decode buf as kind.  On success re-encode into *re and report whether the
 * input used an older shape (then the re-encoding is not the input).
 */
static int try_decode(int kind, const unsigned char *buf, size_t len, attest_err *err, unsigned char **re,
                      size_t *relen, int *legacy)
{
    int rc = -1;

    *re = NULL;
    *relen = 0;
    *legacy = 0;
    err->msg[0] = '\0';
    switch (kind) {
    case K_BUNDLE: {
        attest_bundle *b = NULL;

        rc = attest_bundle_decode(buf, len, &b, err);
        if (rc == 0) {
            assert_non_null(b);
            *legacy = b->legacy != 0;
            assert_int_equal(attest_bundle_encode(b, re, relen, err), 0);
        } else {
            assert_null(b);
        }
        attest_bundle_free(b);
        break;
    }
    case K_STMT: {
        attest_tpm2_stmt s;

        rc = attest_tpm2_stmt_decode(buf, len, &s, err);
        if (rc == 0) {
            *legacy = s.pub_was_tpm2b;
            assert_int_equal(attest_tpm2_stmt_encode(&s, re, relen, err), 0);
            attest_tpm2_stmt_clear(&s);
        } else {
            assert_null(s.attest);
        }
        break;
    }
    case K_PKIX: {
        attest_pkix *p = NULL;

        rc = attest_pkix_decode(buf, len, &p, err);
        if (rc == 0)
            assert_int_equal(attest_pkix_encode(p, re, relen, err), 0);
        else
            assert_null(p);
        attest_pkix_free(p);
        break;
    }
    default: {
        attest_csr *c = NULL;
        int n;

        rc = attest_csr_decode(buf, len, &c, err);
        if (rc == 0) {
            n = i2d_X509_REQ(c->req, re);
            assert_true(n > 0);
            *relen = (size_t)n;
        } else {
            assert_null(c);
        }
        attest_csr_free(c);
        break;
    }
    }
    return rc;
}

/* Must fail with a message. */
static void expect_fail(int kind, const unsigned char *src, size_t len, const char *what, const char *needle)
{
    unsigned char *buf = dup_bytes(src, len), *re;
    size_t relen;
    attest_err err;
    int legacy, rc;

    rc = try_decode(kind, buf, len, &err, &re, &relen, &legacy);

    if (rc == 0) {
        OPENSSL_free(re);
        fail_msg("%s %s: decoded, expected a failure", kind_names[kind], what);
    }
    if (rc != -1)
        fail_msg("%s %s: returned %d, not -1", kind_names[kind], what, rc);
    if (err.msg[0] == '\0')
        fail_msg("%s %s: failed without a message", kind_names[kind], what);
    if (needle != NULL && strstr(err.msg, needle) == NULL)
        fail_msg("%s %s: message '%s' does not mention '%s'", kind_names[kind], what, err.msg, needle);
    free(buf);
}

/* A TLV header in a DER walk. */
typedef struct {
    size_t off; /* tag byte */
    size_t hdr; /* header length */
    size_t len; /* content length */
} tlv_pos;

static size_t walk(const unsigned char *der, size_t start, size_t end, tlv_pos *out, size_t cap, size_t n)
{
    const unsigned char *p = der + start;

    while (p < der + end) {
        const unsigned char *t = p;
        long plen;
        int tag, cls, r = ASN1_get_object(&p, &plen, &tag, &cls, (long)(der + end - p));

        assert_false(r & 0x80);
        assert_int_not_equal(r, 0x21); /* never indefinite in our samples */
        assert_true(n < cap);
        out[n].off = (size_t)(t - der);
        out[n].hdr = (size_t)(p - t);
        out[n].len = (size_t)plen;
        n++;
        if (r & V_ASN1_CONSTRUCTED)
            n = walk(der, (size_t)(p - der), (size_t)(p - der) + (size_t)plen, out, cap, n);
        p += plen;
    }
    return n;
}

#define MAX_TLVS 4096

/* ----------------------------------------------------- the three samples */

static void check_truncations(int kind, const unsigned char *der, size_t len)
{
    size_t i;
    char what[64];

    for (i = 0; i < len; i++) {
        snprintf(what, sizeof(what), "truncated to %zu of %zu bytes", i, len);
        expect_fail(kind, der, i, what, NULL);
    }
}

static void check_trailing(int kind, const unsigned char *der, size_t len)
{
    unsigned char *buf = malloc(len + 1);
    const unsigned char extra[] = { 0x00, 0x30, 0xff };
    size_t i;

    assert_non_null(buf);
    memcpy(buf, der, len);
    for (i = 0; i < sizeof(extra); i++) {
        buf[len] = extra[i];
        expect_fail(kind, buf, len + 1, "with one trailing byte", NULL);
    }
    free(buf);
}

/* What still decodes after a mutation must give back exactly what it read. */
static void check_roundtrip(int kind, const unsigned char *buf, size_t len, const unsigned char *re, size_t relen,
                            int legacy, const char *what, size_t off)
{
    unsigned char *re2;
    size_t re2len;
    attest_err err;
    int legacy2;

    if (!legacy) {
        if (relen != len || memcmp(re, buf, len) != 0)
            fail_msg("%s: %s at %zu decodes but does not round-trip", kind_names[kind], what, off);
        return;
    }
    /* an older shape re-encodes in the current shape, which then is stable */
    assert_int_equal(try_decode(kind, re, relen, &err, &re2, &re2len, &legacy2), 0);
    assert_int_equal(legacy2, 0);
    assert_int_equal(re2len, relen);
    assert_memory_equal(re2, re, relen);
    OPENSSL_free(re2);
}

static void check_tag_flips(int kind, const unsigned char *der, size_t len)
{
    tlv_pos *pos = malloc(MAX_TLVS * sizeof(*pos));
    size_t n, i, accepted = 0, rejected = 0;
    int bit;

    assert_non_null(pos);
    n = walk(der, 0, len, pos, MAX_TLVS, 0);
    assert_true(n > 3);
    for (i = 0; i < n; i++) {
        for (bit = 0; bit < 8; bit++) {
            unsigned char *buf = dup_bytes(der, len), *re;
            size_t relen;
            attest_err err;
            int legacy;

            buf[pos[i].off] ^= (unsigned char)(1u << bit);
            if (try_decode(kind, buf, len, &err, &re, &relen, &legacy) != 0) {
                if (err.msg[0] == '\0')
                    fail_msg("%s: tag at %zu ^ 0x%02x: failed without a message", kind_names[kind], pos[i].off,
                             1u << bit);
                rejected++;
                free(buf);
                continue;
            }
            accepted++;
            check_roundtrip(kind, buf, len, re, relen, legacy, "tag flip", pos[i].off);
            OPENSSL_free(re);
            free(buf);
        }
    }
    print_message("%s: %zu TLVs, %zu tag flips rejected, %zu still valid\n", kind_names[kind], n, rejected, accepted);
    assert_true(rejected > accepted);
    free(pos);
}

/*
 * Add 1 to the length field of every TLV (the ones whose length fits).
 * All must fail except expected_valid ones that happen to be valid DER of
 * another value: in the lamps AK certificate, 06 03 55 1D 0F | 04 04 03 02
 * 07 80 (keyUsage) becomes OID 2.5.29.15.4 followed by OCTET STRING 02 07 80.
 */
static void check_inflated_lengths(int kind, const unsigned char *der, size_t len, size_t expected_valid)
{
    tlv_pos *pos = malloc(MAX_TLVS * sizeof(*pos));
    size_t n, i, tried = 0, accepted = 0;

    assert_non_null(pos);
    n = walk(der, 0, len, pos, MAX_TLVS, 0);
    for (i = 0; i < n; i++) {
        unsigned char *buf = dup_bytes(der, len);
        size_t lo = pos[i].off + 1; /* all tags here are one byte */
        size_t k, nlen;
        char what[64];

        if (buf[lo] < 0x80) {
            if (buf[lo] == 0x7f) {
                free(buf);
                continue;
            }
            buf[lo]++;
        } else {
            nlen = buf[lo] & 0x7f;
            for (k = lo + nlen; k > lo; k--)
                if (++buf[k] != 0)
                    break;
            if (k == lo) { /* all 0xff: cannot grow in place */
                free(buf);
                continue;
            }
        }
        snprintf(what, sizeof(what), "length of TLV at %zu + 1", pos[i].off);
        {
            unsigned char *re;
            size_t relen;
            attest_err err;
            int legacy;

            if (try_decode(kind, buf, len, &err, &re, &relen, &legacy) == 0) {
                print_message("%s: %s still is valid DER\n", kind_names[kind], what);
                check_roundtrip(kind, buf, len, re, relen, legacy, "inflated length", pos[i].off);
                OPENSSL_free(re);
                accepted++;
            } else if (err.msg[0] == '\0') {
                fail_msg("%s %s: failed without a message", kind_names[kind], what);
            }
        }
        tried++;
        free(buf);
    }
    assert_true(tried > n / 2);
    assert_int_equal(accepted, expected_valid);
    free(pos);
}

static void run_all(int kind, unsigned char *der, size_t len, size_t valid_inflations)
{
    unsigned char *re;
    size_t relen;
    attest_err err;
    int legacy;

    /* the unmodified sample decodes */
    if (try_decode(kind, der, len, &err, &re, &relen, &legacy) != 0)
        fail_msg("%s: the sample itself fails: %s", kind_names[kind], err.msg);
    OPENSSL_free(re);
    check_truncations(kind, der, len);
    check_trailing(kind, der, len);
    check_tag_flips(kind, der, len);
    check_inflated_lengths(kind, der, len, valid_inflations);
    free(der);
}

static void test_bundle_mutations(void **state)
{
    size_t len;
    unsigned char *der = lamps_bundle(&len);

    (void)state;
    run_all(K_BUNDLE, der, len, 1);
}

/* The same on the current (-28) shape the encoder emits. */
static void test_bundle_current_mutations(void **state)
{
    size_t len, relen;
    unsigned char *der = lamps_bundle(&len), *re = NULL;
    attest_bundle *b = NULL;
    attest_err err;

    (void)state;
    assert_int_equal(attest_bundle_decode(der, len, &b, &err), 0);
    assert_int_equal(attest_bundle_encode(b, &re, &relen, &err), 0);
    attest_bundle_free(b);
    free(der);
    run_all(K_BUNDLE, dup_bytes(re, relen), relen, 1);
    OPENSSL_free(re);
}

static void test_stmt_mutations(void **state)
{
    size_t len;
    unsigned char *der = lamps_stmt(&len);

    (void)state;
    run_all(K_STMT, der, len, 0);
}

static void test_pkix_mutations(void **state)
{
    size_t len;
    unsigned char *der = read_pem_der("pkix-evidence/evidence2.pem", NULL, &len);

    (void)state;
    run_all(K_PKIX, der, len, 0);
}

/* ------------------------------------------------------ hand-built shapes */

/* DER TLV with a definite length (long form when needed). */
static size_t put_tlv(unsigned char *out, unsigned char tag, const unsigned char *c, size_t n)
{
    size_t h = 0;

    out[h++] = tag;
    if (n < 0x80) {
        out[h++] = (unsigned char)n;
    } else if (n < 0x100) {
        out[h++] = 0x81;
        out[h++] = (unsigned char)n;
    } else {
        assert_true(n < 0x10000);
        out[h++] = 0x82;
        out[h++] = (unsigned char)(n >> 8);
        out[h++] = (unsigned char)n;
    }
    if (n)
        memmove(out + h, c, n);
    return h + n;
}

/* SEQUENCE { parts... } into out (large enough). */
static size_t seq_of(unsigned char *out, const unsigned char *const *parts, const size_t *lens, size_t n)
{
    unsigned char *tmp;
    size_t i, used = 0, total = 0;

    for (i = 0; i < n; i++)
        total += lens[i];
    tmp = malloc(total ? total : 1);
    assert_non_null(tmp);
    for (i = 0; i < n; i++) {
        memcpy(tmp + used, parts[i], lens[i]);
        used += lens[i];
    }
    used = put_tlv(out, 0x30, tmp, total);
    free(tmp);
    return used;
}

static void test_bundle_shapes(void **state)
{
    static const unsigned char empty_att[] = { 0x30, 0x02, 0x30, 0x00 };
    static const unsigned char tpm_oid[] = { 0x06, 0x05, 0x67, 0x81, 0x05, 0x14, 0x01 };
    static const unsigned char octets[] = { 0x04, 0x01, 0x00 };
    static const unsigned char empty_seq[] = { 0x30, 0x00 };
    unsigned char stmt[64], stmts[80], bundle[256], certs[16], bad_cert[] = { 0x04, 0x01, 0x00 };
    size_t stmt_len, stmts_len, bundle_len, certs_len;
    attest_err err;
    attest_bundle *b = NULL;

    (void)state;
    expect_fail(K_BUNDLE, empty_att, sizeof(empty_att), "with empty attestations", "SIZE");

    /* a well-formed minimal bundle for reference: { { { oid, 04 01 00 } } } */
    {
        const unsigned char *p[] = { tpm_oid, octets };
        const size_t l[] = { sizeof(tpm_oid), sizeof(octets) };

        stmt_len = seq_of(stmt, p, l, 2);
    }
    {
        const unsigned char *p[] = { stmt };
        const size_t l[] = { stmt_len };

        stmts_len = seq_of(stmts, p, l, 1);
    }
    {
        const unsigned char *p[] = { stmts };
        const size_t l[] = { stmts_len };
        unsigned char *buf;

        bundle_len = seq_of(bundle, p, l, 1);
        buf = dup_bytes(bundle, bundle_len);
        assert_int_equal(attest_bundle_decode(buf, bundle_len, &b, &err), 0);
        assert_int_equal(b->n_stmts, 1);
        assert_int_equal(b->legacy, 0);
        assert_int_equal(sk_X509_num(b->certs), 0);
        attest_bundle_free(b);
        b = NULL;
        free(buf);
    }
    /* certs present but empty */
    {
        const unsigned char *p[] = { stmts, empty_seq };
        const size_t l[] = { stmts_len, sizeof(empty_seq) };

        bundle_len = seq_of(bundle, p, l, 2);
        expect_fail(K_BUNDLE, bundle, bundle_len, "with an empty certs", "SIZE");
    }
    /* a cert bag element that is an OCTET STRING */
    {
        const unsigned char *c[] = { bad_cert };
        const size_t cl[] = { sizeof(bad_cert) };
        const unsigned char *p[2];
        size_t l[2];

        certs_len = seq_of(certs, c, cl, 1);
        p[0] = stmts;
        l[0] = stmts_len;
        p[1] = certs;
        l[1] = certs_len;
        bundle_len = seq_of(bundle, p, l, 2);
        expect_fail(K_BUNDLE, bundle, bundle_len, "with a cert bag element 04", "0x04");
    }
    /* statements with 1 and 5 elements, and one that does not start with an OID */
    {
        const unsigned char *p5[] = { tpm_oid, octets, octets, octets, octets };
        const size_t l5[] = { sizeof(tpm_oid), sizeof(octets), sizeof(octets), sizeof(octets), sizeof(octets) };
        const unsigned char *p1[] = { tpm_oid };
        const size_t l1[] = { sizeof(tpm_oid) };
        const unsigned char *pn[] = { octets, tpm_oid };
        const size_t ln[] = { sizeof(octets), sizeof(tpm_oid) };
        const unsigned char *const *shapes[] = { p5, p1, pn };
        const size_t *shape_lens[] = { l5, l1, ln };
        const size_t counts[] = { 5, 1, 2 };
        const char *needles[] = { "5 elements", "1 elements", NULL };
        size_t s;

        for (s = 0; s < 3; s++) {
            const unsigned char *p[1];
            size_t l[1];

            stmt_len = seq_of(stmt, shapes[s], shape_lens[s], counts[s]);
            p[0] = stmt;
            l[0] = stmt_len;
            stmts_len = seq_of(stmts, p, l, 1);
            p[0] = stmts;
            l[0] = stmts_len;
            bundle_len = seq_of(bundle, p, l, 1);
            expect_fail(K_BUNDLE, bundle, bundle_len, "with a bad statement", needles[s]);
        }
    }
    /* an unknown element after stmt (BOOLEAN) */
    {
        static const unsigned char boolean[] = { 0x01, 0x01, 0xff };
        const unsigned char *p3[] = { tpm_oid, octets, boolean };
        const size_t l3[] = { sizeof(tpm_oid), sizeof(octets), sizeof(boolean) };
        const unsigned char *p[1];
        size_t l[1];

        stmt_len = seq_of(stmt, p3, l3, 3);
        p[0] = stmt;
        l[0] = stmt_len;
        stmts_len = seq_of(stmts, p, l, 1);
        p[0] = stmts;
        l[0] = stmts_len;
        bundle_len = seq_of(bundle, p, l, 1);
        expect_fail(K_BUNDLE, bundle, bundle_len, "with a BOOLEAN after stmt", "unexpected element");
    }
    /* not a SEQUENCE at all, and a bare empty SEQUENCE */
    expect_fail(K_BUNDLE, octets, sizeof(octets), "as an OCTET STRING", NULL);
    expect_fail(K_BUNDLE, empty_seq, sizeof(empty_seq), "as 30 00", NULL);
}

/* A non-DER BOOLEAN (01 instead of ff) in a claim of evidence2's signed part. */
static void test_pkix_nonder_boolean(void **state)
{
    size_t len, i, found = 0, tbs_end;
    unsigned char *der = read_pem_der("pkix-evidence/evidence2.pem", NULL, &len);

    (void)state;
    /* tbs is 30 82 02 C3 at offset 4 */
    assert_int_equal(der[4], 0x30);
    assert_int_equal(der[5], 0x82);
    tbs_end = 8 + ((size_t)der[6] << 8 | der[7]);
    assert_int_equal(tbs_end, 715);
    for (i = 0; i + 2 < tbs_end; i++) {
        if (der[i] == 0x01 && der[i + 1] == 0x01 && der[i + 2] == 0xff) {
            unsigned char *buf = dup_bytes(der, len);
            char what[64];

            buf[i + 2] = 0x01;
            snprintf(what, sizeof(what), "with BOOLEAN 01 at %zu", i);
            expect_fail(K_PKIX, buf, len, what, "not DER");
            free(buf);
            found++;
        }
    }
    /* key 1: never-extractable, sensitive, local; key 2: extractable */
    assert_int_equal(found, 4);
    free(der);
}

/* A non-minimal length (81 05 instead of 05) is BER, not DER. */
static void test_nonminimal_length(void **state)
{
    size_t len;
    unsigned char *der = lamps_stmt(&len), *buf;
    attest_err err;
    attest_tpm2_stmt s;

    (void)state;
    /* stmt starts 30 82 02 B2 04 81 91: rewrite 30 82 02 B2 as 30 83 00 02 B3 */
    assert_int_equal(der[0], 0x30);
    assert_int_equal(der[1], 0x82);
    buf = malloc(len + 1);
    assert_non_null(buf);
    buf[0] = 0x30;
    buf[1] = 0x83;
    buf[2] = 0x00;
    memcpy(buf + 3, der + 2, len - 2);
    err.msg[0] = '\0';
    assert_int_equal(attest_tpm2_stmt_decode(buf, len + 1, &s, &err), -1);
    assert_true(err.msg[0] != '\0');
    free(buf);
    free(der);
}

/* ------------------------------------------------------- TPM structures */

static void test_tpms_attest_hostile(void **state)
{
    const char *files[] = { "swtpm-rsa/certify1.tpms_attest", "swtpm-ecc/certify2.tpms_attest" };
    size_t f, i, len;

    (void)state;
    for (f = 0; f < 2; f++) {
        unsigned char *att = read_vec(files[f], &len), *buf;
        TPMS_ATTEST a;
        attest_err err;

        assert_int_equal(attest_tpms_attest_parse(att, len, &a, &err), 0);
        for (i = 0; i < len; i++) {
            buf = dup_bytes(att, i);
            err.msg[0] = '\0';
            if (attest_tpms_attest_parse(buf, i, &a, &err) != -1)
                fail_msg("%s truncated to %zu parses", files[f], i);
            assert_true(err.msg[0] != '\0');
            free(buf);
        }
        buf = malloc(len + 1);
        assert_non_null(buf);
        memcpy(buf, att, len);
        buf[len] = 0;
        err.msg[0] = '\0';
        assert_int_equal(attest_tpms_attest_parse(buf, len + 1, &a, &err), -1);
        assert_non_null(strstr(err.msg, "trailing"));
        /* a TPM2B size that points past the end */
        memcpy(buf, att, len);
        buf[6] = 0xff;
        err.msg[0] = '\0';
        assert_int_equal(attest_tpms_attest_parse(buf, len, &a, &err), -1);
        assert_true(err.msg[0] != '\0');
        free(buf);
        free(att);
    }
}

static void test_tpmt_public_hostile(void **state)
{
    size_t len, elen, i;
    unsigned char *rsa = read_vec("swtpm-rsa/key.tpmt_public", &len), *buf;
    unsigned char *ecc = read_vec("swtpm-ecc/key.tpmt_public", &elen);
    TPMT_PUBLIC p;
    attest_err err;

    (void)state;
    if (len != 278 || elen != 86) { /* also tells the optimiser the edits below stay in bounds */
        fail_msg("unexpected vector sizes %zu / %zu", len, elen);
        return;
    }
    assert_int_equal(attest_tpmt_public_parse(rsa, len, &p, &err), 0);
    assert_int_equal(p.parameters.rsaDetail.keyBits, 2048);

    /* reserved objectAttributes bit 0 (attrs are bytes 4..7, big-endian) */
    buf = dup_bytes(rsa, len);
    buf[7] |= 0x01;
    err.msg[0] = '\0';
    assert_int_equal(attest_tpmt_public_parse(buf, len, &p, &err), -1);
    assert_non_null(strstr(err.msg, "reserved"));
    free(buf);
    /* reserved bit 31 */
    buf = dup_bytes(rsa, len);
    buf[4] |= 0x80;
    err.msg[0] = '\0';
    assert_int_equal(attest_tpmt_public_parse(buf, len, &p, &err), -1);
    assert_true(err.msg[0] != '\0');
    free(buf);

    /* keyBits (bytes 14..15: 0800) says 1024 for a 256-byte modulus */
    assert_int_equal(rsa[14], 0x08);
    assert_int_equal(rsa[15], 0x00);
    buf = dup_bytes(rsa, len);
    buf[14] = 0x04;
    err.msg[0] = '\0';
    assert_int_equal(attest_tpmt_public_parse(buf, len, &p, &err), -1);
    assert_non_null(strstr(err.msg, "keyBits"));
    free(buf);

    /* unsupported nameAlg */
    buf = dup_bytes(rsa, len);
    buf[3] = 0x12; /* SM3_256 */
    err.msg[0] = '\0';
    assert_int_equal(attest_tpmt_public_parse(buf, len, &p, &err), -1);
    assert_true(err.msg[0] != '\0');
    free(buf);

    /* truncations and a trailing byte */
    for (i = 0; i < len; i++) {
        buf = dup_bytes(rsa, i);
        err.msg[0] = '\0';
        if (attest_tpmt_public_parse(buf, i, &p, &err) != -1)
            fail_msg("TPMT_PUBLIC truncated to %zu parses", i);
        assert_true(err.msg[0] != '\0');
        free(buf);
    }
    buf = malloc(len + 1);
    assert_non_null(buf);
    memcpy(buf, rsa, len);
    buf[len] = 0;
    err.msg[0] = '\0';
    assert_int_equal(attest_tpmt_public_parse(buf, len + 1, &p, &err), -1);
    assert_non_null(strstr(err.msg, "trailing"));
    free(buf);

    /* ECC: a 31-byte x coordinate (x size at 18..19) */
    assert_int_equal(attest_tpmt_public_parse(ecc, elen, &p, &err), 0);
    assert_int_equal(ecc[18], 0x00);
    assert_int_equal(ecc[19], 0x20);
    buf = malloc(elen - 1);
    assert_non_null(buf);
    memcpy(buf, ecc, 19);
    buf[19] = 0x1f;
    memcpy(buf + 20, ecc + 21, elen - 21);
    err.msg[0] = '\0';
    assert_int_equal(attest_tpmt_public_parse(buf, elen - 1, &p, &err), -1);
    assert_true(err.msg[0] != '\0');
    free(buf);

    /* attest_tpm2_name refuses what it cannot hash */
    {
        unsigned char name[2 + EVP_MAX_MD_SIZE];

        err.msg[0] = '\0';
        assert_int_equal(attest_tpm2_name(rsa, 3, name, sizeof(name), &err), -1);
        assert_true(err.msg[0] != '\0');
        err.msg[0] = '\0';
        assert_int_equal(attest_tpm2_name(rsa, len, name, 10, &err), -1);
        assert_true(err.msg[0] != '\0');
    }
    free(rsa);
    free(ecc);
}

static void test_tpmt_signature_hostile(void **state)
{
    size_t len, i;
    unsigned char *sig = read_vec("swtpm-rsa/certify2.sig.tpmt_signature", &len), *buf;
    TPMT_SIGNATURE s;

    (void)state;
    assert_int_equal(attest_tpmt_signature_parse(sig, len, &s), 1);
    for (i = 0; i < len; i++) {
        buf = dup_bytes(sig, i);
        if (attest_tpmt_signature_parse(buf, i, &s) != 0)
            fail_msg("TPMT_SIGNATURE truncated to %zu parses", i);
        free(buf);
    }
    buf = malloc(len + 1);
    assert_non_null(buf);
    memcpy(buf, sig, len);
    buf[len] = 0;
    assert_int_equal(attest_tpmt_signature_parse(buf, len + 1, &s), 0);
    /* an algorithm that is no signature scheme */
    memcpy(buf, sig, len);
    buf[1] = 0x01; /* 0x0001 = RSA */
    assert_int_equal(attest_tpmt_signature_parse(buf, len, &s), 0);
    free(buf);
    free(sig);
}

/* ------------------------------------------------------------------ CSR */

static void test_csr_truncated(void **state)
{
    size_t len;
    unsigned char *der = lamps_csr(&len), *buf;

    (void)state;
    check_truncations(K_CSR, der, len);
    check_trailing(K_CSR, der, len);
    /* a BER length in the outer header */
    buf = malloc(len + 1);
    assert_non_null(buf);
    buf[0] = 0x30;
    buf[1] = 0x83;
    buf[2] = 0x00;
    memcpy(buf + 3, der + 2, len - 2);
    expect_fail(K_CSR, buf, len + 1, "with a non-minimal length", NULL);
    free(buf);
    free(der);
}

static X509_REQ *new_signed_req(EVP_PKEY **key)
{
    X509_REQ *req = X509_REQ_new();

    assert_non_null(req);
    *key = EVP_EC_gen("P-256");
    assert_non_null(*key);
    assert_int_equal(X509_REQ_set_pubkey(req, *key), 1);
    assert_int_equal(X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_ASC,
                                                (const unsigned char *)"malformed", -1, -1, 0),
                     1);
    return req;
}

static attest_csr *sign_and_decode(X509_REQ *req, EVP_PKEY *key)
{
    unsigned char *der = NULL, *buf;
    int n;
    attest_csr *c = NULL;
    attest_err err;

    assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
    n = i2d_X509_REQ(req, &der);
    assert_true(n > 0);
    buf = dup_bytes(der, (size_t)n);
    if (attest_csr_decode(buf, (size_t)n, &c, &err) != 0)
        fail_msg("%s", err.msg);
    OPENSSL_free(der);
    free(buf);
    return c;
}

static void test_csr_duplicate_attribute(void **state)
{
    size_t blen;
    unsigned char *bundle = lamps_bundle(&blen);
    EVP_PKEY *key;
    X509_REQ *req = new_signed_req(&key);
    attest_err err;
    attest_csr *c;

    (void)state;
    assert_int_equal(attest_csr_add_bundle(req, bundle, blen, &err), 0);
    err.msg[0] = '\0';
    assert_int_equal(attest_csr_add_bundle(req, bundle, blen, &err), -1);
    assert_true(err.msg[0] != '\0');
    assert_int_equal(X509_REQ_get_attr_count(req), 1);

    /*
     * Force a second attribute past the API.  OpenSSL 3.0.19 refuses a
     * duplicate in X509_REQ_add1_attr_by_OBJ itself, so add the raw value
     * under another OID and rename the attribute afterwards.
     */
    {
        ASN1_OBJECT *other = OBJ_txt2obj("1.2.3.4.5", 1);
        X509_ATTRIBUTE *a;

        assert_non_null(other);
        assert_int_equal(X509_REQ_add1_attr_by_OBJ(req, attest_oid_obj(ATTEST_OID_AA_ATTESTATION), V_ASN1_SEQUENCE,
                                                   bundle, (int)blen),
                         0);
        assert_int_equal(X509_REQ_add1_attr_by_OBJ(req, other, V_ASN1_SEQUENCE, bundle, (int)blen), 1);
        a = X509_REQ_get_attr(req, 1);
        assert_non_null(a);
        assert_int_equal(X509_ATTRIBUTE_set1_object(a, attest_oid_obj(ATTEST_OID_AA_ATTESTATION)), 1);
        ASN1_OBJECT_free(other);
        ERR_clear_error();
    }
    assert_int_equal(X509_REQ_get_attr_count(req), 2);
    c = sign_and_decode(req, key);
    assert_int_equal(c->n_attest_attrs, 2);
    assert_int_equal(c->n_values, 1);
    assert_int_equal(c->bundle_len, blen);
    assert_memory_equal(c->bundle_der, bundle, blen);
    attest_csr_free(c);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    free(bundle);
}

static void test_csr_two_values(void **state)
{
    size_t blen;
    unsigned char *bundle = lamps_bundle(&blen);
    EVP_PKEY *key;
    X509_REQ *req = new_signed_req(&key);
    X509_ATTRIBUTE *a;
    attest_csr *c;

    (void)state;
    a = X509_ATTRIBUTE_create_by_OBJ(NULL, attest_oid_obj(ATTEST_OID_AA_ATTESTATION), V_ASN1_SEQUENCE, bundle,
                                     (int)blen);
    assert_non_null(a);
    /* a second (different) value in the same SET */
    assert_int_equal(X509_ATTRIBUTE_set1_data(a, V_ASN1_SEQUENCE, (const unsigned char *)"\x30\x00", 2), 1);
    assert_int_equal(X509_ATTRIBUTE_count(a), 2);
    assert_int_equal(X509_REQ_add1_attr(req, a), 1);
    X509_ATTRIBUTE_free(a);
    c = sign_and_decode(req, key);
    assert_int_equal(c->n_attest_attrs, 1);
    assert_int_equal(c->n_values, 2);
    attest_csr_free(c);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    free(bundle);
}

/* An attribute value that is not a SEQUENCE: reported, no bundle bytes. */
static void test_csr_value_not_sequence(void **state)
{
    EVP_PKEY *key;
    X509_REQ *req = new_signed_req(&key);
    attest_csr *c;

    (void)state;
    assert_int_equal(X509_REQ_add1_attr_by_OBJ(req, attest_oid_obj(ATTEST_OID_AA_ATTESTATION), V_ASN1_OCTET_STRING,
                                               (const unsigned char *)"abc", 3),
                     1);
    c = sign_and_decode(req, key);
    assert_int_equal(c->n_attest_attrs, 1);
    assert_int_equal(c->n_values, 1);
    assert_int_equal(c->value_type, V_ASN1_OCTET_STRING);
    assert_null(c->bundle_der);
    attest_csr_free(c);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
}

/* The strict walker the codecs use over opaque ANY values. */
static void test_der_strict(void **state)
{
    static const struct {
        const char *name;
        const unsigned char *der;
        size_t len;
        int ok;
    } cases[] = {
        { "SEQUENCE { BOOLEAN ff, OCTET STRING }", (const unsigned char *)"\x30\x06\x01\x01\xff\x04\x01\x00", 8, 1 },
        { "two TLVs", (const unsigned char *)"\x05\x00\x05\x00", 4, 1 },
        { "context constructed", (const unsigned char *)"\xa0\x03\x02\x01\x05", 5, 1 },
        { "BOOLEAN 01", (const unsigned char *)"\x01\x01\x01", 3, 0 },
        { "BOOLEAN of 2 bytes", (const unsigned char *)"\x01\x02\xff\xff", 4, 0 },
        { "indefinite SEQUENCE", (const unsigned char *)"\x30\x80\x05\x00\x00\x00", 6, 0 },
        { "non-minimal length", (const unsigned char *)"\x04\x81\x01\x00", 4, 0 },
        { "constructed OCTET STRING", (const unsigned char *)"\x24\x03\x04\x01\x00", 5, 0 },
        { "primitive SEQUENCE", (const unsigned char *)"\x10\x00", 2, 0 },
        { "end-of-contents", (const unsigned char *)"\x00\x00", 2, 0 },
        { "inner length past its parent", (const unsigned char *)"\x30\x03\x04\x02\x00\x00", 6, 0 },
        { "content that is not TLVs", (const unsigned char *)"\x30\x01\x00", 3, 0 },
        { "truncated", (const unsigned char *)"\x30\x05\x05\x00", 4, 0 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *buf = dup_bytes(cases[i].der, cases[i].len);
        attest_err err;
        int rc;

        err.msg[0] = '\0';
        rc = attest_der_strict(buf, cases[i].len, &err);
        if (cases[i].ok && rc != 0)
            fail_msg("%s: refused: %s", cases[i].name, err.msg);
        if (!cases[i].ok) {
            if (rc != -1)
                fail_msg("%s: accepted", cases[i].name);
            assert_non_null(strstr(err.msg, "not DER"));
        }
        free(buf);
    }
}

/*
 * An opaque TLV that is a SET (a request's attestation value turned into one):
 * its members are not walked, so the order rule must not read them either.  The
 * second member claims more bytes than the buffer holds, which ends with the SET
 * (fuzz_verify found the over-read under ASan).
 */
static void test_der_opaque_set(void **state)
{
    static const unsigned char der[] = { 0x30, 0x09, 0x31, 0x07, 0x30, 0x03, 0x02, 0x01, 0x00, 0x04, 0x7f };
    static const unsigned char walked[] = { 0x31, 0x07, 0x30, 0x03, 0x02, 0x01, 0x00, 0x04, 0x7f };
    const size_t opaque[] = { 2 };
    unsigned char *buf = dup_bytes(der, sizeof(der));
    attest_err err;

    (void)state;
    err.msg[0] = '\0';
    assert_int_equal(attest_der_strict_canonical(buf, sizeof(der), opaque, 1, &err), 0);
    free(buf);
    /* not opaque: the walk refuses the member before the order rule looks at it */
    buf = dup_bytes(walked, sizeof(walked));
    assert_int_equal(attest_der_strict_canonical(buf, sizeof(walked), NULL, 0, &err), -1);
    assert_non_null(strstr(err.msg, "malformed TLV"));
    free(buf);
}

/* A bundle whose stmt hides a BER BOOLEAN is refused although OpenSSL keeps stmt opaque. */
static void test_bundle_stmt_not_der(void **state)
{
    static const unsigned char bad[] = {
        0x30, 0x12, 0x30, 0x10, 0x30, 0x0e, 0x06, 0x05, 0x67, 0x81, 0x05, 0x14, 0x01, /* 2.23.133.20.1 */
        0x30, 0x05, 0x04, 0x00, 0x01, 0x01, 0x01
    }; /* stmt { OCTET STRING, BOOLEAN 01 } */
    unsigned char good[sizeof(bad)];

    (void)state;
    expect_fail(K_BUNDLE, bad, sizeof(bad), "with BOOLEAN 01 inside stmt", "not DER");
    memcpy(good, bad, sizeof(bad));
    good[sizeof(good) - 1] = 0xff;
    {
        attest_bundle *b = NULL;
        attest_err err;
        unsigned char *buf = dup_bytes(good, sizeof(good));

        if (attest_bundle_decode(buf, sizeof(good), &b, &err) != 0)
            fail_msg("%s", err.msg);
        assert_int_equal(b->stmts[0].stmt_len, 7);
        attest_bundle_free(b);
        free(buf);
    }
}

/* Inputs over the cap are refused before parsing. */
static void test_size_caps(void **state)
{
    unsigned char *big = calloc(1, 1024 * 1024 + 1);
    attest_err err;
    attest_bundle *b = NULL;
    attest_pkix *p = NULL;
    attest_csr *c = NULL;
    attest_tpm2_stmt s;

    (void)state;
    assert_non_null(big);
    big[0] = 0x30;
    err.msg[0] = '\0';
    assert_int_equal(attest_bundle_decode(big, 1024 * 1024 + 1, &b, &err), -1);
    assert_non_null(strstr(err.msg, "size"));
    err.msg[0] = '\0';
    assert_int_equal(attest_pkix_decode(big, 1024 * 1024 + 1, &p, &err), -1);
    assert_non_null(strstr(err.msg, "size"));
    err.msg[0] = '\0';
    assert_int_equal(attest_csr_decode(big, 1024 * 1024 + 1, &c, &err), -1);
    assert_non_null(strstr(err.msg, "size"));
    err.msg[0] = '\0';
    assert_int_equal(attest_tpm2_stmt_decode(big, 1024 * 1024 + 1, &s, &err), -1);
    assert_non_null(strstr(err.msg, "size"));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle_mutations),    cmocka_unit_test(test_bundle_current_mutations),
        cmocka_unit_test(test_stmt_mutations),      cmocka_unit_test(test_pkix_mutations),
        cmocka_unit_test(test_bundle_shapes),       cmocka_unit_test(test_pkix_nonder_boolean),
        cmocka_unit_test(test_nonminimal_length),   cmocka_unit_test(test_tpms_attest_hostile),
        cmocka_unit_test(test_tpmt_public_hostile), cmocka_unit_test(test_tpmt_signature_hostile),
        cmocka_unit_test(test_csr_truncated),       cmocka_unit_test(test_csr_duplicate_attribute),
        cmocka_unit_test(test_csr_two_values),      cmocka_unit_test(test_csr_value_not_sequence),
        cmocka_unit_test(test_der_strict),
        cmocka_unit_test(test_der_opaque_set),          cmocka_unit_test(test_bundle_stmt_not_der),
        cmocka_unit_test(test_size_caps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
