/*
 * The attest provider through public OpenSSL APIs only: this file is the
 * example to copy when using the provider from C.  It links libcrypto and
 * json-c, nothing of attest but <attest/provider.h> (names and the encoder
 * object), and finds attest.so through OPENSSL_MODULES.
 *
 *   decode: OSSL_DECODER_CTX with the attest decoders; objects come back as
 *           OSSL_PARAMs (OSSL_OBJECT_PARAM_DATA_TYPE + OSSL_OBJECT_PARAM_DATA).
 *   encode: OSSL_ENCODER_CTX whose construct callback returns a heap-allocated
 *           ATTEST_ENCODER_OBJECT (OSSL_ENCODER_CTX_free() frees it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/provider.h>

#include "attest/provider.h"
#include "testutil.h"

#define CSR_9245 "csr-attestation/tcgAttestTpmCertify.9245d16.pem"

static const char *const type_names[] = {
    ATTEST_NAME_CSR,         ATTEST_NAME_BUNDLE,      ATTEST_NAME_TPM2_STMT,      ATTEST_NAME_PKIX,
    ATTEST_NAME_TPMS_ATTEST, ATTEST_NAME_TPMT_PUBLIC, ATTEST_NAME_TPMT_SIGNATURE,
};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

typedef struct {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *attest, *dflt;
} fixture;

/* ---------------------------------------------------------------- helpers */

/* PEM -> DER with plain libcrypto, to compare with what the provider hands back. */
static unsigned char *pem_to_der(const unsigned char *pem, size_t len, size_t *derlen)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long n = 0;

    assert_non_null(b);
    assert_true(PEM_read_bio(b, &name, &header, &data, &n) > 0);
    OPENSSL_free(name);
    OPENSSL_free(header);
    BIO_free(b);
    *derlen = (size_t)n;
    return data;
}

/* ------------------------------------------------------------- decoding */

typedef struct {
    char type[64];       /* OSSL_OBJECT_PARAM_DATA_TYPE of the result */
    unsigned char *data; /* OSSL_OBJECT_PARAM_DATA (copied) */
    size_t len;
    int pem_steps; /* objects seen from the "DER" (PEM to DER) decoder */
} decoded;

static int construct(OSSL_DECODER_INSTANCE *inst, const OSSL_PARAM *params, void *arg)
{
    decoded *d = arg;
    const OSSL_PARAM *pt = OSSL_PARAM_locate_const(params, OSSL_OBJECT_PARAM_DATA_TYPE);
    const OSSL_PARAM *pd = OSSL_PARAM_locate_const(params, OSSL_OBJECT_PARAM_DATA);
    const char *type = NULL;
    const void *data = NULL;
    size_t len = 0;

    if (pt == NULL || pd == NULL || !OSSL_PARAM_get_utf8_string_ptr(pt, &type)
        || !OSSL_PARAM_get_octet_string_ptr(pd, &data, &len))
        return 0;
    /*
     * The decoder named "DER" only turns PEM into DER and passes it on:
     * returning 0 lets the chain continue to the type decoders, whose
     * object is the result.
     */
    if (strcmp(OSSL_DECODER_get0_name(OSSL_DECODER_INSTANCE_get_decoder(inst)), "DER") == 0) {
        d->pem_steps++;
        return 0;
    }
    if (strlen(type) >= sizeof(d->type) || (d->data = OPENSSL_memdup(data, len ? len : 1)) == NULL)
        return 0;
    strcpy(d->type, type);
    d->len = len;
    return 1;
}

static int add_decoder(OSSL_DECODER_CTX *ctx, OSSL_LIB_CTX *libctx, const char *name)
{
    OSSL_DECODER *dec = OSSL_DECODER_fetch(libctx, name, "provider=attest");
    int ok = dec != NULL && OSSL_DECODER_CTX_add_decoder(ctx, dec);

    OSSL_DECODER_free(dec); /* the context holds its own reference */
    return ok;
}

/*
 * Decode in[0..len) with the given attest type decoders (all when names is
 * NULL) plus the PEM step; strict: see ATTEST_DECODER_PARAM_STRICT.  1 when
 * an object came out.
 */
static int decode_with(OSSL_LIB_CTX *libctx, const char *const *names, size_t n, int strict, const unsigned char *in,
                       size_t len, decoded *out)
{
    OSSL_DECODER_CTX *ctx = OSSL_DECODER_CTX_new();
    const unsigned char *p = in;
    size_t left = len, i;
    int ok;

    memset(out, 0, sizeof(*out));
    assert_non_null(ctx);
    if (names == NULL) {
        names = type_names;
        n = N_TYPES;
    }
    for (i = 0; i < n; i++)
        assert_true(add_decoder(ctx, libctx, names[i]));
    assert_true(add_decoder(ctx, libctx, "DER"));
    assert_int_equal(OSSL_DECODER_CTX_set_construct(ctx, construct), 1);
    assert_int_equal(OSSL_DECODER_CTX_set_construct_data(ctx, out), 1);
    if (strict) {
        /* after the decoders are added: the parameter goes to each of them */
        OSSL_PARAM params[2];

        params[0] = OSSL_PARAM_construct_int(ATTEST_DECODER_PARAM_STRICT, &strict);
        params[1] = OSSL_PARAM_construct_end();
        assert_int_equal(OSSL_DECODER_CTX_set_params(ctx, params), 1);
    }
    ok = OSSL_DECODER_from_data(ctx, &p, &left) && out->data != NULL;
    OSSL_DECODER_CTX_free(ctx);
    return ok;
}

/* ------------------------------------------------------------- encoding */

static const void *enc_construct(OSSL_ENCODER_INSTANCE *inst, void *arg)
{
    (void)inst;
    return arg; /* the ATTEST_ENCODER_OBJECT set as construct data */
}

static void enc_cleanup(void *arg)
{
    (void)arg; /* the object itself is freed by OSSL_ENCODER_CTX_free() */
}

/* Encode (data_type, data) with the attest encoder for output; 1 on success. */
static int encode_as(OSSL_LIB_CTX *libctx, const char *encoder_name, const char *data_type, const unsigned char *data,
                     size_t len, const char *output, unsigned char **out, size_t *outlen)
{
    char props[80];
    OSSL_ENCODER *enc;
    OSSL_ENCODER_CTX *ctx;
    ATTEST_ENCODER_OBJECT *obj;
    BIO *mem;
    char *buf;
    long n;
    int ok;

    snprintf(props, sizeof(props), "provider=attest,output=%s", output);
    assert_non_null(enc = OSSL_ENCODER_fetch(libctx, encoder_name, props));
    assert_non_null(ctx = OSSL_ENCODER_CTX_new());
    /* Must be heap memory: OSSL_ENCODER_CTX_free() calls OPENSSL_free() on it. */
    assert_non_null(obj = OPENSSL_malloc(sizeof(*obj)));
    obj->version = ATTEST_ENCODER_OBJECT_VERSION;
    obj->data_type = data_type;
    obj->data = data;
    obj->len = len;
    assert_int_equal(OSSL_ENCODER_CTX_add_encoder(ctx, enc), 1);
    assert_int_equal(OSSL_ENCODER_CTX_set_construct(ctx, enc_construct), 1);
    assert_int_equal(OSSL_ENCODER_CTX_set_construct_data(ctx, obj), 1);
    assert_int_equal(OSSL_ENCODER_CTX_set_cleanup(ctx, enc_cleanup), 1);
    assert_non_null(mem = BIO_new(BIO_s_mem()));
    ok = OSSL_ENCODER_to_bio(ctx, mem);
    *out = NULL;
    *outlen = 0;
    if (ok) {
        n = BIO_get_mem_data(mem, &buf);
        assert_true(n > 0);
        assert_non_null(*out = OPENSSL_malloc((size_t)n + 1));
        memcpy(*out, buf, (size_t)n);
        (*out)[n] = '\0';
        *outlen = (size_t)n;
    }
    BIO_free(mem);
    OSSL_ENCODER_CTX_free(ctx);
    OSSL_ENCODER_free(enc);
    return ok;
}

static json_object *path_get(json_object *o, const char *const *keys)
{
    for (; *keys != NULL; keys++) {
        json_object *next = NULL;

        if (**keys == '#') {
            assert_true(json_object_is_type(o, json_type_array));
            next = json_object_array_get_idx(o, (size_t)atoi(*keys + 1));
        } else if (!json_object_object_get_ex(o, *keys, &next)) {
            fail_msg("JSON has no key '%s'", *keys);
        }
        assert_non_null(next);
        o = next;
    }
    return o;
}

/* ---------------------------------------------------------------- tests */

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    ASN1_OBJECT *o;

    if (f == NULL)
        return -1;
    /* The OID names are unknown until the provider registers them. */
    o = OBJ_txt2obj("id-aa-attestation", 0);
    if (o != NULL) {
        ASN1_OBJECT_free(o);
        free(f);
        return -1;
    }
    ERR_clear_error();
    if ((f->libctx = OSSL_LIB_CTX_new()) == NULL
        || (f->attest = OSSL_PROVIDER_load(f->libctx, ATTEST_PROVIDER_NAME)) == NULL
        || (f->dflt = OSSL_PROVIDER_load(f->libctx, "default")) == NULL) {
        ERR_print_errors_fp(stderr);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    OSSL_PROVIDER_unload(f->attest);
    OSSL_PROVIDER_unload(f->dflt);
    OSSL_LIB_CTX_free(f->libctx);
    free(f);
    return 0;
}

static void test_provider_params(void **state)
{
    fixture *f = *state;
    const char *name = NULL, *version = NULL;
    OSSL_PARAM params[3];

    assert_int_equal(OSSL_PROVIDER_available(f->libctx, ATTEST_PROVIDER_NAME), 1);
    assert_string_equal(OSSL_PROVIDER_get0_name(f->attest), "attest");
    params[0] = OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_NAME, (char **)&name, 0);
    params[1] = OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_VERSION, (char **)&version, 0);
    params[2] = OSSL_PARAM_construct_end();
    assert_int_equal(OSSL_PROVIDER_get_params(f->attest, params), 1);
    assert_non_null(name);
    assert_non_null(strstr(name, "attest"));
    assert_non_null(version);
    assert_true(version[0] >= '0' && version[0] <= '9');
}

typedef struct {
    int seen[N_TYPES + 1]; /* + "DER" */
    int foreign_der;       /* "DER" decoders of other providers */
} listing;

static void list_one(OSSL_DECODER *d, void *arg)
{
    listing *l = arg;
    const char *prov = OSSL_PROVIDER_get0_name(OSSL_DECODER_get0_provider(d));
    size_t i;

    if (strcmp(prov, "attest") != 0) {
        l->foreign_der += OSSL_DECODER_is_a(d, "DER");
        return;
    }
    for (i = 0; i < N_TYPES; i++)
        if (OSSL_DECODER_is_a(d, type_names[i]))
            l->seen[i]++;
    if (OSSL_DECODER_is_a(d, "DER"))
        l->seen[N_TYPES]++;
}

static void test_list_decoders(void **state)
{
    fixture *f = *state;
    listing l;
    size_t i;

    memset(&l, 0, sizeof(l));
    OSSL_DECODER_do_all_provided(f->libctx, list_one, &l);
    for (i = 0; i < N_TYPES; i++)
        if (l.seen[i] != 1)
            fail_msg("decoder %s offered %d times by attest", type_names[i], l.seen[i]);
    assert_int_equal(l.seen[N_TYPES], 1);
    /* the default provider also has a "DER" decoder: fetch ours by property */
    assert_true(l.foreign_der >= 1);
    {
        OSSL_DECODER *d = OSSL_DECODER_fetch(f->libctx, "DER", "provider=attest");

        assert_non_null(d);
        assert_string_equal(OSSL_PROVIDER_get0_name(OSSL_DECODER_get0_provider(d)), "attest");
        assert_string_equal(OSSL_DECODER_get0_properties(d), "provider=attest,input=pem");
        OSSL_DECODER_free(d);
    }
}

static void test_decode_csr_pem(void **state)
{
    fixture *f = *state;
    size_t len, derlen;
    unsigned char *pem = read_vec(CSR_9245, &len), *der;
    decoded d;

    assert_true(decode_with(f->libctx, NULL, 0, 0, pem, len, &d));
    assert_string_equal(d.type, ATTEST_NAME_CSR);
    assert_int_equal(d.len, 3487);
    assert_int_equal(d.pem_steps, 1);
    /* the bytes are the PEM's DER */
    der = pem_to_der(pem, len, &derlen);
    assert_int_equal(derlen, d.len);
    assert_memory_equal(d.data, der, derlen);
    OPENSSL_free(d.data);

    /* the same from DER: no PEM step */
    assert_true(decode_with(f->libctx, NULL, 0, 0, der, derlen, &d));
    assert_string_equal(d.type, ATTEST_NAME_CSR);
    assert_int_equal(d.pem_steps, 0);
    assert_memory_equal(d.data, der, derlen);
    OPENSSL_free(d.data);
    OPENSSL_free(der);
    free(pem);
}

/* Every vector is recognised as its own type; a plain signature as none. */
static void test_decode_detects_types(void **state)
{
    static const struct {
        const char *file, *type;
    } cases[] = {
        { "csr-attestation/tcgAttestTpmCertify.HEAD-02aed20.pem", ATTEST_NAME_CSR },
        { "pkix-evidence/evidence1.pem", ATTEST_NAME_PKIX },
        { "pkix-evidence/evidence3.pem", ATTEST_NAME_PKIX },
        { "swtpm-rsa/certify1.tpms_attest", ATTEST_NAME_TPMS_ATTEST },
        { "swtpm-ecc/certify2.tpms_attest", ATTEST_NAME_TPMS_ATTEST },
        { "swtpm-rsa/key.tpmt_public", ATTEST_NAME_TPMT_PUBLIC },
        { "swtpm-ecc/ak.tpmt_public", ATTEST_NAME_TPMT_PUBLIC },
        { "swtpm-rsa/certify2.sig.tpmt_signature", ATTEST_NAME_TPMT_SIGNATURE },
        { "swtpm-ecc/certify2.sig.tpmt_signature", ATTEST_NAME_TPMT_SIGNATURE },
        { "swtpm-rsa/certify1.sig.plain", NULL },
        { "pkix-evidence/ak.crt", NULL },
    };
    fixture *f = *state;
    size_t i, len;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *in = read_vec(cases[i].file, &len);
        decoded d;
        int ok;

        ERR_set_mark();
        ok = decode_with(f->libctx, NULL, 0, 0, in, len, &d);
        ERR_pop_to_mark();
        if (cases[i].type == NULL) {
            if (ok)
                fail_msg("%s decoded as %s", cases[i].file, d.type);
        } else {
            if (!ok)
                fail_msg("%s: not decoded", cases[i].file);
            assert_string_equal(d.type, cases[i].type);
        }
        OPENSSL_free(d.data);
        free(in);
    }
}

static void test_encode_json(void **state)
{
    static const char *const tpms[] = { "content", "attestation_bundle", "attestations",
                                        "#0",      "statement",          "tpms_attest",
                                        NULL };
    static const char *const top[] = { "type", NULL };
    fixture *f = *state;
    size_t len, derlen, jlen;
    unsigned char *pem = read_vec(CSR_9245, &len), *der = pem_to_der(pem, len, &derlen), *js;
    json_object *root, *t;

    assert_true(encode_as(f->libctx, ATTEST_NAME_CSR, ATTEST_NAME_CSR, der, derlen, "json", &js, &jlen));
    assert_non_null(root = json_tokener_parse((const char *)js));
    assert_string_equal(json_object_get_string(path_get(root, top)), "AttestedCSR");
    t = path_get(root, tpms);
    {
        static const char *const ed[] = { "extra_data", NULL }, *const fw[] = { "firmware_version", NULL };
        static const char *const nm[] = { "certify", "name", NULL };

        assert_string_equal(json_object_get_string(path_get(t, ed)), "00ff55aa");
        assert_string_equal(json_object_get_string(path_get(t, fw)), "2015011300154822");
        assert_string_equal(json_object_get_string(path_get(t, nm)),
                            "000b46c3ee11b5ad3c0f9c5e21d5cfacdd9ba0df3985fcbabad15af2d60281245bc3");
    }
    {
        static const char *const hint[] = { "content", "attestation_bundle", "attestations", "#0", "hint", NULL };
        static const char *const legacy[] = { "content", "attestation_bundle", "legacy_shape", NULL };
        static const char *const certs[] = { "content", "attestation_bundle", "certs", NULL };

        assert_string_equal(json_object_get_string(path_get(root, hint)), "tpmverifier.example.com");
        assert_int_equal(json_object_get_boolean(path_get(root, legacy)), 1);
        assert_int_equal(json_object_array_length(path_get(root, certs)), 2);
    }
    json_object_put(root);
    OPENSSL_free(js);

    /* the text encoder says the same in another form */
    assert_true(encode_as(f->libctx, ATTEST_NAME_CSR, ATTEST_NAME_CSR, der, derlen, "text", &js, &jlen));
    assert_non_null(strstr((const char *)js, "00ff55aa"));
    assert_null(json_tokener_parse((const char *)js));
    OPENSSL_free(js);
    OPENSSL_free(der);
    free(pem);
}

static void test_encode_pem_der(void **state)
{
    fixture *f = *state;
    size_t len, derlen, outlen, der2len;
    unsigned char *pem = read_vec(CSR_9245, &len), *der = pem_to_der(pem, len, &derlen), *out, *der2;
    decoded d;

    assert_true(encode_as(f->libctx, ATTEST_NAME_CSR, ATTEST_NAME_CSR, der, derlen, "der", &out, &outlen));
    assert_int_equal(outlen, derlen);
    assert_memory_equal(out, der, derlen);
    OPENSSL_free(out);

    assert_true(encode_as(f->libctx, ATTEST_NAME_CSR, ATTEST_NAME_CSR, der, derlen, "pem", &out, &outlen));
    assert_memory_equal(out, "-----BEGIN CERTIFICATE REQUEST-----\n", 36);
    der2 = pem_to_der(out, outlen, &der2len);
    assert_int_equal(der2len, derlen);
    assert_memory_equal(der2, der, derlen);
    /* and the provider reads its own PEM back */
    assert_true(decode_with(f->libctx, NULL, 0, 0, out, outlen, &d));
    assert_string_equal(d.type, ATTEST_NAME_CSR);
    assert_int_equal(d.len, derlen);
    assert_memory_equal(d.data, der, derlen);
    OPENSSL_free(d.data);
    OPENSSL_free(der2);
    OPENSSL_free(out);

    /* a raw TPM structure gets its own PEM label */
    {
        size_t alen;
        unsigned char *att = read_vec("swtpm-rsa/certify1.tpms_attest", &alen);

        assert_true(
            encode_as(f->libctx, ATTEST_NAME_TPMS_ATTEST, ATTEST_NAME_TPMS_ATTEST, att, alen, "pem", &out, &outlen));
        assert_non_null(strstr((const char *)out, "-----BEGIN TPMS ATTEST-----"));
        assert_true(decode_with(f->libctx, NULL, 0, 0, out, outlen, &d));
        assert_string_equal(d.type, ATTEST_NAME_TPMS_ATTEST);
        assert_int_equal(d.len, alen);
        assert_memory_equal(d.data, att, alen);
        OPENSSL_free(d.data);
        OPENSSL_free(out);
        free(att);
    }
    OPENSSL_free(der);
    free(pem);
}

static void test_encode_wrong_type(void **state)
{
    fixture *f = *state;
    size_t len, derlen, outlen;
    unsigned char *pem = read_vec(CSR_9245, &len), *der = pem_to_der(pem, len, &derlen), *out;
    unsigned long e;

    /* the object says it is a bundle, the encoder is for CSRs */
    ERR_clear_error();
    assert_false(encode_as(f->libctx, ATTEST_NAME_CSR, ATTEST_NAME_BUNDLE, der, derlen, "der", &out, &outlen));
    assert_null(out);
    e = ERR_peek_last_error();
    assert_int_not_equal(e, 0);
    assert_int_equal(ERR_GET_REASON(e), ATTEST_R_WRONG_TYPE);
    ERR_clear_error();
    /* the object's bytes are not what it claims to be */
    assert_false(encode_as(f->libctx, ATTEST_NAME_BUNDLE, ATTEST_NAME_BUNDLE, der, derlen, "json", &out, &outlen));
    assert_null(out);
    assert_int_equal(ERR_GET_REASON(ERR_peek_last_error()), ATTEST_R_MALFORMED);
    ERR_clear_error();
    OPENSSL_free(der);
    free(pem);
}

static void test_oid_names_registered(void **state)
{
    fixture *f = *state;
    ASN1_OBJECT *o;
    char buf[64];

    (void)f;
    assert_non_null(o = OBJ_txt2obj("id-aa-attestation", 0));
    assert_true(OBJ_obj2txt(buf, sizeof(buf), o, 1) > 0);
    assert_string_equal(buf, "1.2.840.113549.1.9.16.2.59");
    ASN1_OBJECT_free(o);
    assert_non_null(o = OBJ_txt2obj("tcg-attest-tpm-certify", 0));
    assert_true(OBJ_obj2txt(buf, sizeof(buf), o, 1) > 0);
    assert_string_equal(buf, "2.23.133.20.1");
    ASN1_OBJECT_free(o);
    /* and the OID has a NID with the provider's names */
    assert_non_null(o = OBJ_txt2obj("1.3.6.1.5.5.999.1.2.1", 1));
    assert_int_not_equal(OBJ_obj2nid(o), NID_undef);
    assert_string_equal(OBJ_nid2sn(OBJ_obj2nid(o)), "pkix-key-spki");
    ASN1_OBJECT_free(o);
}

static void test_decode_error_text(void **state)
{
    static const char *const bundle_only[] = { ATTEST_NAME_BUNDLE };
    fixture *f = *state;
    size_t len, derlen;
    unsigned char *pem = read_vec(CSR_9245, &len), *der = pem_to_der(pem, len, &derlen);
    const char *data = NULL, *reason;
    int flags = 0;
    unsigned long e;
    decoded d;

    /*
     * Without the strict parameter OpenSSL drops what a passing decoder
     * raised: only its generic "unsupported" error is left.
     */
    ERR_clear_error();
    assert_false(decode_with(f->libctx, bundle_only, 1, 0, der, derlen, &d));
    assert_null(d.data);
    e = ERR_peek_last_error();
    assert_int_equal(ERR_GET_LIB(e), ERR_LIB_OSSL_DECODER);
    ERR_clear_error();

    /* a CSR is not a bundle: strict, the bundle decoder says why */
    assert_false(decode_with(f->libctx, bundle_only, 1, 1, der, derlen, &d));
    assert_null(d.data);
    e = ERR_peek_last_error_all(NULL, NULL, NULL, &data, &flags);
    assert_int_not_equal(e, 0);
    assert_int_equal(ERR_GET_REASON(e), ATTEST_R_MALFORMED);
    assert_true(flags & ERR_TXT_STRING);
    assert_non_null(data);
    assert_true(data[0] != '\0');
    assert_non_null(strstr(data, "bundle"));
    /* the reason string comes from the provider's table */
    reason = ERR_reason_error_string(e);
    assert_non_null(reason);
    assert_string_equal(reason, "malformed attestation object");
    ERR_clear_error();

    /* the same from PEM: the PEM step hands the bytes to the bundle decoder */
    data = NULL;
    assert_false(decode_with(f->libctx, bundle_only, 1, 1, pem, len, &d));
    e = ERR_peek_last_error_all(NULL, NULL, NULL, &data, &flags);
    assert_int_equal(ERR_GET_REASON(e), ATTEST_R_MALFORMED);
    assert_non_null(data);
    assert_non_null(strstr(data, "bundle"));
    ERR_clear_error();

    /* strict is for one type: with all of them the first that rejects ends the decode */
    assert_false(decode_with(f->libctx, NULL, 0, 1, pem, len, &d));
    assert_null(d.data);
    ERR_clear_error();
    /* and it does not change what the matching decoder accepts */
    {
        static const char *const csr_only[] = { ATTEST_NAME_CSR };

        assert_true(decode_with(f->libctx, csr_only, 1, 1, pem, len, &d));
        assert_string_equal(d.type, ATTEST_NAME_CSR);
        assert_int_equal(d.len, derlen);
        OPENSSL_free(d.data);
    }

    /* a truncated bundle, decoded as a bundle */
    {
        static const unsigned char cut[] = { 0x30, 0x82, 0x0a, 0xc8, 0x30, 0x82 };

        assert_false(decode_with(f->libctx, bundle_only, 1, 1, cut, sizeof(cut), &d));
        data = NULL;
        e = ERR_peek_last_error_all(NULL, NULL, NULL, &data, &flags);
        assert_int_equal(ERR_GET_REASON(e), ATTEST_R_MALFORMED);
        assert_non_null(data);
        assert_true(data[0] != '\0');
        ERR_clear_error();
    }
    OPENSSL_free(der);
    free(pem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_provider_params),   cmocka_unit_test(test_list_decoders),
        cmocka_unit_test(test_decode_csr_pem),    cmocka_unit_test(test_decode_detects_types),
        cmocka_unit_test(test_encode_json),       cmocka_unit_test(test_encode_pem_der),
        cmocka_unit_test(test_encode_wrong_type), cmocka_unit_test(test_oid_names_registered),
        cmocka_unit_test(test_decode_error_text),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
