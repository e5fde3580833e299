/*
 * What the vendor engines stand on: CMW JSON records, bounded gzip, the
 * evidence-file importer's refusals, vendor anchor scopes of a trust
 * directory (a vendor root anchors only its own engine's chains).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/cmw.h"
#include "attest/gzip.h"
#include "attest/import.h"
#include "attest/trust_scope.h"
#include "testutil.h"

/* ---- CMW records ---- */

static void test_cmw_round_trip(void **state)
{
    static const unsigned char blob[] = { 0x00, 0xff, 0x10, 0x20, 0x7e };
    unsigned char *der = NULL, *data = NULL;
    size_t der_len = 0, n = 0;
    char *media = NULL;
    attest_err err;

    (void)state;
    assert_int_equal(attest_cmw_record_encode("application/x-test", blob, sizeof(blob), &der, &der_len, &err), 0);
    assert_int_equal(der[0], V_ASN1_UTF8STRING);
    assert_int_equal(attest_cmw_record_decode(der, der_len, &media, &data, &n, &err), 0);
    assert_string_equal(media, "application/x-test");
    assert_int_equal(n, sizeof(blob));
    assert_memory_equal(data, blob, sizeof(blob));
    OPENSSL_free(data);
    OPENSSL_free(media);
    /* The media type alone: what picks the engine, without decoding the value. */
    assert_int_equal(attest_cmw_record_decode(der, der_len, &media, NULL, NULL, &err), 0);
    assert_string_equal(media, "application/x-test");
    OPENSSL_free(media);
    OPENSSL_free(der);
}

static int decode_text(const char *json)
{
    ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();
    unsigned char *der = NULL, *data = NULL;
    char *media = NULL;
    size_t n;
    int len, r;
    attest_err err;

    ASN1_STRING_set(s, json, (int)strlen(json));
    len = i2d_ASN1_UTF8STRING(s, &der);
    r = attest_cmw_record_decode(der, (size_t)len, &media, &data, &n, &err);
    assert_true(r != 0 || media != NULL);
    OPENSSL_free(der);
    OPENSSL_free(data);
    OPENSSL_free(media);
    ASN1_UTF8STRING_free(s);
    return r;
}

static void test_cmw_refusals(void **state)
{
    static const unsigned char octets[] = { 0x04, 0x02, 0x5b, 0x5d }; /* the CBOR form: not a JSON record */
    unsigned char *data = NULL;
    char *media = NULL;
    size_t n;
    attest_err err;

    (void)state;
    assert_int_equal(decode_text("[\"a/b\",\"AQID\"]"), 0);
    assert_int_not_equal(decode_text("[\"a/b\",\"AQI=\"]"), 0);   /* padding */
    assert_int_not_equal(decode_text("[\"a/b\",\"AQ+/\"]"), 0);   /* base64, not base64url */
    assert_int_not_equal(decode_text("[\"a/b\",\"AQID\",1]"), 0); /* a third member (indicator) */
    assert_int_not_equal(decode_text("[30,\"AQID\"]"), 0);        /* a CoAP content format number */
    assert_int_not_equal(decode_text("[\"a/b\",\"AQID\"] x"), 0); /* trailing text */
    assert_int_not_equal(decode_text("{\"a/b\":\"AQID\"}"), 0);   /* a collection */
    assert_int_not_equal(attest_cmw_record_decode(octets, sizeof(octets), &media, &data, &n, &err), 0);
    assert_null(media);
    assert_null(data);
}

/* ---- gzip ---- */

static void test_gunzip_bounds(void **state)
{
    size_t len = 0, n = 0;
    unsigned char *gz = read_vec("vendors/marvell/smallstep_ec.dat", &len), *out = NULL, *more;
    attest_err err;

    (void)state;
    assert_true(attest_is_gzip(gz, len));
    assert_int_equal(attest_gunzip(gz, len, 1 << 20, &out, &n, &err), 0);
    assert_int_equal(n, 2112); /* the sample inflated (tests/vectors/vendors/SOURCES.md) */
    OPENSSL_free(out);
    /* One byte under the size: the cap holds. */
    assert_int_not_equal(attest_gunzip(gz, len, 2111, &out, &n, &err), 0);
    assert_non_null(strstr(err.msg, "size cap"));
    /* Truncated. */
    assert_int_not_equal(attest_gunzip(gz, len - 9, 1 << 20, &out, &n, &err), 0);
    assert_non_null(strstr(err.msg, "truncated"));
    /* A byte after the member. */
    more = OPENSSL_malloc(len + 1);
    memcpy(more, gz, len);
    more[len] = 0;
    assert_int_not_equal(attest_gunzip(more, len + 1, 1 << 20, &out, &n, &err), 0);
    assert_non_null(strstr(err.msg, "after the gzip member"));
    assert_false(attest_is_gzip((const unsigned char *)"\x1f\x8b", 2));
    OPENSSL_free(more);
    free(gz);
}

/* n bytes of a repeating pattern, gzip-compressed (a few hundred bytes): *len set. */
static unsigned char *gzip_pattern(size_t n, size_t *len)
{
    unsigned char *plain = OPENSSL_malloc(n), *gz = OPENSSL_malloc(n / 2 + 1024);
    z_stream z;
    size_t i;

    assert_non_null(plain);
    assert_non_null(gz);
    for (i = 0; i < n; i++)
        plain[i] = (unsigned char)("attest"[i % 6]);
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = plain;
    z.avail_in = (uInt)n;
    z.next_out = gz;
    z.avail_out = (uInt)(n / 2 + 1024);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *len = z.total_out;
    deflateEnd(&z);
    OPENSSL_free(plain);
    return gz;
}

/* Output far larger than the input: the buffer grows to it, and the cap still holds to the byte. */
static void test_gunzip_grows(void **state)
{
    size_t len = 0, n = 0, i;
    unsigned char *gz = gzip_pattern(300000, &len), *out = NULL;
    attest_err err;

    (void)state;
    assert_true(len < 3000);
    assert_int_equal(attest_gunzip(gz, len, 1 << 20, &out, &n, &err), 0);
    assert_int_equal(n, 300000);
    for (i = 0; i < n; i++)
        if (out[i] != (unsigned char)("attest"[i % 6]))
            fail_msg("byte %zu differs", i);
    OPENSSL_free(out);
    assert_int_equal(attest_gunzip(gz, len, 300000, &out, &n, &err), 0);
    OPENSSL_free(out);
    assert_int_not_equal(attest_gunzip(gz, len, 299999, &out, &n, &err), 0);
    assert_null(out);
    assert_non_null(strstr(err.msg, "size cap"));
    OPENSSL_free(gz);
}

/* ---- the importer's refusals (no engine claims anything here) ---- */

static int import_text(const char *name, const char *text, attest_err *err)
{
    attest_evidence_file f = { name, (const unsigned char *)text, strlen(text) };
    attest_bundle *b = NULL;
    int r = attest_evidence_import(&f, 1, NULL, NULL, &b, err);

    attest_bundle_free(b);
    return r;
}

static void test_import_refusals(void **state)
{
    attest_err err;
    attest_evidence_file f = { "empty", (const unsigned char *)"", 0 };
    attest_bundle *b = NULL;

    (void)state;
    assert_int_not_equal(attest_evidence_import(&f, 1, NULL, NULL, &b, &err), 0);
    assert_null(b);
    assert_non_null(strstr(err.msg, "empty: size 0"));
    assert_int_not_equal(import_text("key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", &err),
                         0);
    assert_non_null(strstr(err.msg, "PRIVATE KEY is not vendor evidence"));
    assert_int_not_equal(import_text("junk.bin", "hello", &err), 0);
    assert_non_null(strstr(err.msg, "junk.bin: neither certificates"));
    assert_int_not_equal(import_text("bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", &err),
                         0);
    assert_non_null(strstr(err.msg, "does not decode"));
}

/* A good certificate, then a block PEM_read_bio cannot read: an error, not a file of one certificate. */
static void test_import_bad_second_block(void **state)
{
    size_t len = 0;
    unsigned char *pem = read_vec("vendors/marvell/pv_owner-root_hawksbill-root-v1-prod.pem", &len);
    char *text = malloc(len + 80);
    attest_err err;

    (void)state;
    memcpy(text, pem, len);
    strcpy(text + len, "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
    assert_int_not_equal(import_text("two.pem", text, &err), 0);
    assert_non_null(strstr(err.msg, "two.pem: PEM block 2 does not decode"));
    free(text);
    free(pem);
}

/* A second BEGIN that does not start a line: PEM_read_bio skips it, the import must not. */
static void test_import_hidden_second_block(void **state)
{
    size_t len = 0;
    unsigned char *pem = read_vec("vendors/marvell/pv_owner-root_hawksbill-root-v1-prod.pem", &len);
    char *text = malloc(2 * len + 16);
    attest_err err;

    (void)state;
    memcpy(text, pem, len);
    strcpy(text + len, "see also: ");
    memcpy(text + len + 10, pem, len);
    text[2 * len + 10] = '\0';
    assert_int_not_equal(import_text("hidden.pem", text, &err), 0);
    assert_non_null(strstr(err.msg, "hidden.pem: PEM block 2 does not decode"));
    free(text);
    free(pem);
}

/* ---- vendor anchor scopes ---- */

static EVP_PKEY *root_key, *leaf_key;
static X509 *root, *leaf;

static X509 *make_cert(const char *cn, X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key, int ca)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
    X509_set_pubkey(x, key);
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(x, issuer_key, EVP_sha256());
    X509_NAME_free(n);
    return x;
}

static void write_pem(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    PEM_write_X509(f, x);
    fclose(f);
}

static char dir[] = "/tmp/attest-scope-XXXXXX";

static int scope_setup(void **state)
{
    char path[256];

    (void)state;
    root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    root = make_cert("Vendor Root", NULL, root_key, root_key, 1);
    leaf = make_cert("Vendor Leaf", root, root_key, leaf_key, 0);
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/vendorx", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/vendorx/root.pem", dir);
    write_pem(path, root);
    snprintf(path, sizeof(path), "%s/vendorx/PROVENANCE.md", dir);
    fclose(fopen(path, "w"));
    return 0;
}

static int scope_teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return -1;
    X509_free(root);
    X509_free(leaf);
    EVP_PKEY_free(root_key);
    EVP_PKEY_free(leaf_key);
    return 0;
}

static void notice_count(void *arg, const char *msg)
{
    (void)msg;
    (*(int *)arg)++;
}

static void test_scope_anchors_only_their_engine(void **state)
{
    attest_trust *t = attest_trust_new();
    attest_err err;
    STACK_OF(X509) *chain = NULL;
    int notices = 0;

    (void)state;
    /* The subdirectory's root, and nothing directly in the directory: still a usable trust directory. */
    assert_int_equal(attest_trust_add_dir(t, dir, notice_count, &notices, &err), 0);
    assert_int_equal(notices, 0); /* PROVENANCE.md is not a certificate and not a notice */
    assert_int_equal(attest_trust_anchor_count(t), 0);
    assert_int_equal(attest_trust_scope_anchor_count(t, "vendorx"), 1);
    /* The vendor root anchors its own scope ... */
    assert_int_equal(attest_trust_verify_scoped(t, "vendorx", leaf, NULL, NULL, &err, &chain), 0);
    assert_int_equal(sk_X509_num(chain), 2);
    sk_X509_pop_free(chain, X509_free);
    /* ... and no other: not the general anchors (TPM AKs, PKIX), not another vendor's. */
    assert_int_not_equal(attest_trust_verify(t, leaf, NULL, &err), 0);
    assert_int_not_equal(attest_trust_verify_scoped(t, "vendory", leaf, NULL, NULL, &err, NULL), 0);
    assert_non_null(strstr(err.msg, "no vendory anchors"));
    attest_trust_free(t);
}

static void test_scope_no_partial_chain(void **state)
{
    attest_trust *t = attest_trust_new();
    attest_err err;
    char path[300], sub[200];
    int notices = 0;

    (void)state;
    /* A leaf placed among a scope's anchors is not an anchor by itself: the path must reach a root. */
    snprintf(sub, sizeof(sub), "%s/leafonly", dir);
    mkdir(sub, 0700);
    snprintf(path, sizeof(path), "%s/leaf.pem", sub);
    write_pem(path, leaf);
    snprintf(path, sizeof(path), "%s/nested", sub);
    mkdir(path, 0700);
    assert_int_equal(attest_trust_add_dir(t, dir, notice_count, &notices, &err), 0);
    assert_int_equal(notices, 1); /* a directory inside a vendor directory is skipped, with a notice */
    assert_int_not_equal(attest_trust_verify_scoped(t, "leafonly", leaf, NULL, NULL, &err, NULL), 0);
    attest_trust_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmw_round_trip),
        cmocka_unit_test(test_cmw_refusals),
        cmocka_unit_test(test_gunzip_bounds),
        cmocka_unit_test(test_gunzip_grows),
        cmocka_unit_test(test_import_refusals),
        cmocka_unit_test(test_import_bad_second_block),
        cmocka_unit_test(test_import_hidden_second_block),
        cmocka_unit_test(test_scope_anchors_only_their_engine),
        cmocka_unit_test(test_scope_no_partial_chain),
    };

    return cmocka_run_group_tests(tests, scope_setup, scope_teardown);
}
