/*
 * Decoders.  "DER" (input=pem) turns our PEM labels into DER; one decoder per
 * object type (input=der) accepts the bytes only when they strictly decode as
 * that type, so a chain with every decoder added detects the type by itself.
 * Objects are passed on as OSSL_PARAMs: data type name + bytes.
 */
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/limits.h"
#include "attest/provider.h"
#include "attest_prov.h"

typedef struct {
    ATTEST_PROV_CTX *prov;
    int dt;     /* attest_datatype, or -1 for PEM */
    int strict; /* ATTEST_DECODER_PARAM_STRICT */
} DEC_CTX;

static OSSL_FUNC_decoder_freectx_fn dec_freectx;
static OSSL_FUNC_decoder_settable_ctx_params_fn dec_settable_ctx_params;
static OSSL_FUNC_decoder_set_ctx_params_fn dec_set_ctx_params;
static OSSL_FUNC_decoder_decode_fn dec_decode;
static OSSL_FUNC_decoder_decode_fn pem_decode;
static OSSL_FUNC_decoder_does_selection_fn dec_does_selection;

static void *dec_newctx(void *provctx, int dt)
{
    DEC_CTX *c = OPENSSL_zalloc(sizeof(*c));

    if (c != NULL) {
        c->prov = provctx;
        c->dt = dt;
    }
    return c;
}

static void dec_freectx(void *vctx)
{
    OPENSSL_free(vctx);
}

static const OSSL_PARAM *dec_settable_ctx_params(void *provctx)
{
    static const OSSL_PARAM settable[] = { OSSL_PARAM_int(ATTEST_DECODER_PARAM_STRICT, NULL), OSSL_PARAM_END };

    (void)provctx;
    return settable;
}

static int dec_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    DEC_CTX *c = vctx;
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, ATTEST_DECODER_PARAM_STRICT);

    return p == NULL || OSSL_PARAM_get_int(p, &c->strict);
}

/* These are not keys: any selection, including none, is fine. */
static int dec_does_selection(void *provctx, int selection)
{
    (void)provctx;
    (void)selection;
    return 1;
}

/* dt < 0: no data type, so that every type decoder looks at the bytes. */
static int pass_object(int dt, const unsigned char *data, size_t len, OSSL_CALLBACK *data_cb, void *data_cbarg)
{
    OSSL_PARAM params[4], *p = params;
    int object_type = OSSL_OBJECT_UNKNOWN;

    *p++ = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &object_type);
    if (dt >= 0)
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE,
                                                (char *)attest_datatype_name((attest_datatype)dt), 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA, (void *)data, len);
    *p = OSSL_PARAM_construct_end();
    return data_cb(params, data_cbarg);
}

static int dec_decode(void *vctx, OSSL_CORE_BIO *cin, int selection, OSSL_CALLBACK *data_cb, void *data_cbarg,
                      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    DEC_CTX *c = vctx;
    unsigned char *der = NULL;
    size_t len = 0;
    attest_err err;
    int ok;

    (void)selection;
    (void)pw_cb;
    (void)pw_cbarg;
    if (!attest_prov_read_all(c->prov, cin, ATTEST_MAX_INPUT, &der, &len))
        return 0;
    if (attest_object_check((attest_datatype)c->dt, der, len, &err) != 0) {
        /*
         * Not ours: let other decoders try (OpenSSL then drops this error),
         * or, strict, end the decode here with the reason kept.
         */
        attest_prov_raise(c->prov, ATTEST_R_MALFORMED, "%s", err.msg);
        OPENSSL_free(der);
        return !c->strict;
    }
    ok = pass_object(c->dt, der, len, data_cb, data_cbarg);
    OPENSSL_free(der);
    return ok;
}

static int pem_decode(void *vctx, OSSL_CORE_BIO *cin, int selection, OSSL_CALLBACK *data_cb, void *data_cbarg,
                      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    DEC_CTX *c = vctx;
    BIO *in = BIO_new_from_core_bio(c->prov->libctx, cin);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    int dt, ok = 1;

    (void)selection;
    (void)pw_cb;
    (void)pw_cbarg;
    if (in == NULL)
        return 0;
    if (PEM_read_bio(in, &name, &header, &data, &len) > 0) {
        dt = attest_object_by_pem(name);
        /* Strict: the one type decoder asked for must see (and judge) the bytes. */
        if (dt != ATTEST_DT_NONE)
            ok = pass_object(c->strict ? -1 : dt, data, (size_t)len, data_cb, data_cbarg);
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    BIO_free(in);
    return ok;
}

/*
 * One decoder per row of the object table.  A decoder's newctx cannot be
 * told which row it serves, so each slot has its own (ATTEST_MAX_OBJECT_TYPES
 * of them); the algorithm table is made from the object table once.
 */
#define DECODER_SLOT(i)                                                                     \
    static void *slot##i##_newctx(void *provctx)                                            \
    {                                                                                       \
        return dec_newctx(provctx, i);                                                      \
    }                                                                                       \
    static const OSSL_DISPATCH slot##i##_fns[] = {                                          \
        { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))slot##i##_newctx },                     \
        { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))dec_freectx },                         \
        { OSSL_FUNC_DECODER_DOES_SELECTION, (void (*)(void))dec_does_selection },           \
        { OSSL_FUNC_DECODER_DECODE, (void (*)(void))dec_decode },                           \
        { OSSL_FUNC_DECODER_SETTABLE_CTX_PARAMS, (void (*)(void))dec_settable_ctx_params }, \
        { OSSL_FUNC_DECODER_SET_CTX_PARAMS, (void (*)(void))dec_set_ctx_params },           \
        { 0, NULL }                                                                         \
    };
ATTEST_OBJECT_SLOTS(DECODER_SLOT)

#define SLOT_FNS(i) slot##i##_fns,
static const OSSL_DISPATCH *const slot_fns[] = { ATTEST_OBJECT_SLOTS(SLOT_FNS) };

static OSSL_FUNC_decoder_newctx_fn pem_newctx;
static void *pem_newctx(void *provctx)
{
    return dec_newctx(provctx, -1);
}

static const OSSL_DISPATCH pem_fns[] = { { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))pem_newctx },
                                         { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))dec_freectx },
                                         { OSSL_FUNC_DECODER_DOES_SELECTION, (void (*)(void))dec_does_selection },
                                         { OSSL_FUNC_DECODER_DECODE, (void (*)(void))pem_decode },
                                         { OSSL_FUNC_DECODER_SETTABLE_CTX_PARAMS,
                                           (void (*)(void))dec_settable_ctx_params },
                                         { OSSL_FUNC_DECODER_SET_CTX_PARAMS, (void (*)(void))dec_set_ctx_params },
                                         { 0, NULL } };

static OSSL_ALGORITHM decoders[ATTEST_MAX_OBJECT_TYPES + 2];
static char decoder_props[ATTEST_MAX_OBJECT_TYPES][96];

static void decoders_build(void)
{
    size_t i, n = attest_object_count(), k = 0;

    decoders[k++] =
        (OSSL_ALGORITHM){ "DER", "provider=attest,input=pem", pem_fns, "PEM to DER for attestation objects" };
    for (i = 0; i < n && i < ATTEST_MAX_OBJECT_TYPES; i++) {
        const attest_object_type *t = attest_object_at((attest_datatype)i);

        snprintf(decoder_props[i], sizeof(decoder_props[i]), "provider=attest,input=der,structure=%s", t->alias);
        decoders[k++] = (OSSL_ALGORITHM){ t->name, decoder_props[i], slot_fns[i], t->summary };
    }
    decoders[k] = (OSSL_ALGORITHM){ NULL, NULL, NULL, NULL };
}

const OSSL_ALGORITHM *attest_decoders(void)
{
    static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;

    return CRYPTO_THREAD_run_once(&once, decoders_build) ? decoders : NULL;
}
