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

static int enc_encode(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                      const OSSL_PARAM obj_abstract[], int selection,
                      OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
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
    if (obj == NULL || obj->version != ATTEST_ENCODER_OBJECT_VERSION || obj->data == NULL
        || obj->data_type == NULL) {
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
            ok = PEM_write_bio(out, attest_datatype_pem_label((attest_datatype)c->dt), "",
                               obj->data, (long)obj->len) > 0;
    }
    if (!ok)
        attest_prov_raise(c->prov, ATTEST_R_ENCODE_FAILED, "writing %s failed", want);
done:
    json_object_put(tree);
    BIO_free(out);
    return ok;
}

#define ENCODER_FNS(tag, DT, OUT)                                                 \
    static OSSL_FUNC_encoder_newctx_fn tag##_newctx;                              \
    static void *tag##_newctx(void *provctx) { return enc_newctx(provctx, DT, OUT); } \
    static const OSSL_DISPATCH tag##_fns[] = {                                    \
        {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))tag##_newctx},                 \
        {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))enc_freectx},                 \
        {OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))enc_does_selection},   \
        {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))enc_encode},                   \
        {0, NULL}}

#define ENCODERS_FOR(tag, DT)                 \
    ENCODER_FNS(tag##_der, DT, OUT_DER);      \
    ENCODER_FNS(tag##_pem, DT, OUT_PEM);      \
    ENCODER_FNS(tag##_text, DT, OUT_TEXT);    \
    ENCODER_FNS(tag##_json, DT, OUT_JSON)

ENCODERS_FOR(csr, ATTEST_DT_CSR);
ENCODERS_FOR(bundle, ATTEST_DT_BUNDLE);
ENCODERS_FOR(tpm2stmt, ATTEST_DT_TPM2_STMT);
ENCODERS_FOR(pkix, ATTEST_DT_PKIX);
ENCODERS_FOR(tpmsattest, ATTEST_DT_TPMS_ATTEST);
ENCODERS_FOR(tpmtpublic, ATTEST_DT_TPMT_PUBLIC);
ENCODERS_FOR(tpmtsig, ATTEST_DT_TPMT_SIGNATURE);
/* CRMF/CMP messages have no PEM label: DER, text and JSON only. */
ENCODER_FNS(crmf_der, ATTEST_DT_CRMF, OUT_DER);
ENCODER_FNS(crmf_text, ATTEST_DT_CRMF, OUT_TEXT);
ENCODER_FNS(crmf_json, ATTEST_DT_CRMF, OUT_JSON);

#define ENC_ROW(NAME, tag, structure)                                                         \
    {NAME, "provider=attest,output=der,structure=" structure, tag##_der_fns, NAME " to DER"},   \
    {NAME, "provider=attest,output=pem,structure=" structure, tag##_pem_fns, NAME " to PEM"},   \
    {NAME, "provider=attest,output=text,structure=" structure, tag##_text_fns, NAME " to text"}, \
    {NAME, "provider=attest,output=json,structure=" structure, tag##_json_fns, NAME " to JSON"}

const OSSL_ALGORITHM attest_encoders[] = {
    ENC_ROW(ATTEST_NAME_CSR, csr, "csr"),
    ENC_ROW(ATTEST_NAME_BUNDLE, bundle, "bundle"),
    ENC_ROW(ATTEST_NAME_TPM2_STMT, tpm2stmt, "tpm2"),
    ENC_ROW(ATTEST_NAME_PKIX, pkix, "pkix"),
    ENC_ROW(ATTEST_NAME_TPMS_ATTEST, tpmsattest, "tpms-attest"),
    ENC_ROW(ATTEST_NAME_TPMT_PUBLIC, tpmtpublic, "tpmt-public"),
    ENC_ROW(ATTEST_NAME_TPMT_SIGNATURE, tpmtsig, "tpmt-signature"),
    {ATTEST_NAME_CRMF, "provider=attest,output=der,structure=crmf", crmf_der_fns, ATTEST_NAME_CRMF " to DER"},
    {ATTEST_NAME_CRMF, "provider=attest,output=text,structure=crmf", crmf_text_fns, ATTEST_NAME_CRMF " to text"},
    {ATTEST_NAME_CRMF, "provider=attest,output=json,structure=crmf", crmf_json_fns, ATTEST_NAME_CRMF " to JSON"},
    {NULL, NULL, NULL, NULL}
};
