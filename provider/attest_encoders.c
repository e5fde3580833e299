/*
 * Encoders: every object type to DER (the bytes as they are), PEM (with our
 * label), TEXT and JSON (the describe tree).  The object arrives as an
 * ATTEST_ENCODER_OBJECT (see attest/provider.h) and is re-validated here: an
 * encoder never prints what it could not decode.
 */
#include <string.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/provider.h"
#include "attest_prov.h"

enum { OUT_DER, OUT_PEM, OUT_TEXT, OUT_JSON };

typedef struct {
    ATTEST_PROV_CTX *prov;
    int dt;
    int out;
} ENC_CTX;

static OSSL_FUNC_encoder_freectx_fn enc_freectx;
static OSSL_FUNC_encoder_encode_fn enc_encode;
static OSSL_FUNC_encoder_does_selection_fn enc_does_selection;

static void *enc_newctx(void *provctx, int dt, int out)
{
    ENC_CTX *c = OPENSSL_zalloc(sizeof(*c));

    if (c != NULL) {
        c->prov = provctx;
        c->dt = dt;
        c->out = out;
    }
    return c;
}

static void enc_freectx(void *vctx)
{
    OPENSSL_free(vctx);
}

static int enc_does_selection(void *provctx, int selection)
{
    (void)provctx;
    (void)selection;
    return 1;
}

static int enc_encode(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw, const OSSL_PARAM obj_abstract[],
                      int selection, OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    ENC_CTX *c = vctx;
    const ATTEST_ENCODER_OBJECT *obj = obj_raw;
    const char *want = attest_datatype_name((attest_datatype)c->dt);
    json_object *tree = NULL;
    attest_err err;
    BIO *out = NULL;
    int ok = 0;

    (void)obj_abstract;
    (void)selection;
    (void)cb;
    (void)cbarg;
    if (obj == NULL || obj->version != ATTEST_ENCODER_OBJECT_VERSION || obj->data == NULL || obj->data_type == NULL) {
        attest_prov_raise(c->prov, ATTEST_R_BAD_OBJECT, "expected an ATTEST_ENCODER_OBJECT");
        return 0;
    }
    if (strcmp(obj->data_type, want) != 0) {
        attest_prov_raise(c->prov, ATTEST_R_WRONG_TYPE, "object is %s, encoder is for %s", obj->data_type, want);
        return 0;
    }
    if ((out = BIO_new_from_core_bio(c->prov->libctx, cout)) == NULL)
        return 0;
    if (c->out == OUT_TEXT || c->out == OUT_JSON) {
        if ((tree = attest_describe((attest_datatype)c->dt, obj->data, obj->len, &err)) == NULL) {
            attest_prov_raise(c->prov, ATTEST_R_MALFORMED, "%s", err.msg);
            goto done;
        }
        ok = c->out == OUT_TEXT ? attest_render_text(tree, out) : attest_render_json(tree, out, 1);
    } else {
        if (attest_object_check((attest_datatype)c->dt, obj->data, obj->len, &err) != 0) {
            attest_prov_raise(c->prov, ATTEST_R_MALFORMED, "%s", err.msg);
            goto done;
        }
        if (c->out == OUT_DER)
            ok = BIO_write(out, obj->data, (int)obj->len) == (int)obj->len;
        else
            ok = PEM_write_bio(out, attest_datatype_pem_label((attest_datatype)c->dt), "", obj->data, (long)obj->len)
                > 0;
    }
    if (!ok)
        attest_prov_raise(c->prov, ATTEST_R_ENCODE_FAILED, "writing %s failed", want);
done:
    json_object_put(tree);
    BIO_free(out);
    return ok;
}

/* Four encoders (DER, PEM, text, JSON) per row of the object table; slots as for the decoders. */
#define ENCODER_FNS(i, OUT)                                                       \
    static void *slot##i##_##OUT##_newctx(void *provctx)                          \
    {                                                                             \
        return enc_newctx(provctx, i, OUT);                                       \
    }                                                                             \
    static const OSSL_DISPATCH slot##i##_##OUT##_fns[] = {                        \
        { OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))slot##i##_##OUT##_newctx },   \
        { OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))enc_freectx },               \
        { OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))enc_does_selection }, \
        { OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))enc_encode },                 \
        { 0, NULL }                                                               \
    };
#define ENCODER_SLOT(i) \
    ENCODER_FNS(i, OUT_DER) ENCODER_FNS(i, OUT_PEM) ENCODER_FNS(i, OUT_TEXT) ENCODER_FNS(i, OUT_JSON)
ATTEST_OBJECT_SLOTS(ENCODER_SLOT)

#define SLOT_FNS(i) { slot##i##_OUT_DER_fns, slot##i##_OUT_PEM_fns, slot##i##_OUT_TEXT_fns, slot##i##_OUT_JSON_fns },
static const OSSL_DISPATCH *const slot_fns[][4] = { ATTEST_OBJECT_SLOTS(SLOT_FNS) };

static OSSL_ALGORITHM encoders[4 * ATTEST_MAX_OBJECT_TYPES + 1];
static char encoder_props[4 * ATTEST_MAX_OBJECT_TYPES][96], encoder_desc[4 * ATTEST_MAX_OBJECT_TYPES][80];

static void encoders_build(void)
{
    static const char *const outs[] = { "der", "pem", "text", "json" },
                             *const outnames[] = { "DER", "PEM", "text", "JSON" };
    size_t i, n = attest_object_count(), k = 0;
    int o;

    for (i = 0; i < n && i < ATTEST_MAX_OBJECT_TYPES; i++) {
        const attest_object_type *t = attest_object_at((attest_datatype)i);

        for (o = OUT_DER; o <= OUT_JSON; o++) {
            if (o == OUT_PEM && t->pem == NULL)
                continue; /* no PEM label, no PEM encoder (CRMF) */
            snprintf(encoder_props[k], sizeof(encoder_props[k]), "provider=attest,output=%s,structure=%s", outs[o],
                     t->alias);
            snprintf(encoder_desc[k], sizeof(encoder_desc[k]), "%s to %s", t->name, outnames[o]);
            encoders[k] = (OSSL_ALGORITHM){ t->name, encoder_props[k], slot_fns[i][o], encoder_desc[k] };
            k++;
        }
    }
    encoders[k] = (OSSL_ALGORITHM){ NULL, NULL, NULL, NULL };
}

const OSSL_ALGORITHM *attest_encoders(void)
{
    static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;

    return CRYPTO_THREAD_run_once(&once, encoders_build) ? encoders : NULL;
}
