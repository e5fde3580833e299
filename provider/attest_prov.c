/*
 * The attest provider: entry point, parameters, reason strings and the OIDs
 * registered by name with the core when the provider loads.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "attest/limits.h"
#include "attest/oids.h"
#include "attest/provider.h"
#include "attest_prov.h"

static OSSL_FUNC_core_new_error_fn *c_new_error;
static OSSL_FUNC_core_set_error_debug_fn *c_set_error_debug;
static OSSL_FUNC_core_vset_error_fn *c_vset_error;
static OSSL_FUNC_core_obj_create_fn *c_obj_create;

static OSSL_FUNC_provider_teardown_fn attest_teardown;
static OSSL_FUNC_provider_gettable_params_fn attest_gettable_params;
static OSSL_FUNC_provider_get_params_fn attest_get_params;
static OSSL_FUNC_provider_query_operation_fn attest_query;
static OSSL_FUNC_provider_get_reason_strings_fn attest_reason_strings;

void attest_prov_raise(const ATTEST_PROV_CTX *ctx, int reason, const char *fmt, ...)
{
    va_list ap;

    if (c_new_error == NULL || c_vset_error == NULL || ctx == NULL)
        return;
    c_new_error(ctx->handle);
    if (c_set_error_debug != NULL)
        c_set_error_debug(ctx->handle, OPENSSL_FILE, OPENSSL_LINE, OPENSSL_FUNC);
    va_start(ap, fmt);
    c_vset_error(ctx->handle, (uint32_t)reason, fmt, ap);
    va_end(ap);
}

int attest_prov_read_all(const ATTEST_PROV_CTX *ctx, OSSL_CORE_BIO *cin, size_t cap, unsigned char **out,
                         size_t *outlen)
{
    BIO *in = BIO_new_from_core_bio(ctx->libctx, cin);
    unsigned char *buf = NULL;
    size_t len = 0, size = 0;
    int n, ok = 0;

    if (in == NULL)
        return 0;
    for (;;) {
        if (len == size) {
            unsigned char *grown;

            if (size > cap) {
                attest_prov_raise(ctx, ATTEST_R_TOO_LARGE, "input larger than %zu bytes", cap);
                goto done;
            }
            size = size ? size * 2 : 4096;
            if ((grown = OPENSSL_realloc(buf, size)) == NULL)
                goto done;
            buf = grown;
        }
        n = BIO_read(in, buf + len, (int)(size - len));
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    if (len > cap) {
        attest_prov_raise(ctx, ATTEST_R_TOO_LARGE, "input larger than %zu bytes", cap);
        goto done;
    }
    *out = buf;
    *outlen = len;
    buf = NULL;
    ok = 1;
done:
    OPENSSL_free(buf);
    BIO_free(in);
    return ok;
}

static const OSSL_PARAM gettable[] = { OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
                                       OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
                                       OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL, 0),
                                       OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
                                       OSSL_PARAM_END };

static const OSSL_PARAM *attest_gettable_params(void *provctx)
{
    (void)provctx;
    return gettable;
}

static int attest_get_params(void *provctx, OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    (void)provctx;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) != NULL
        && !OSSL_PARAM_set_utf8_ptr(p, "attest: CSR attestation (TPM 2.0 certify, PKIX evidence)"))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) != NULL && !OSSL_PARAM_set_utf8_ptr(p, ATTEST_VERSION))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) != NULL
        && !OSSL_PARAM_set_utf8_ptr(p, "attest " ATTEST_VERSION))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) != NULL && !OSSL_PARAM_set_int(p, 1))
        return 0;
    return 1;
}

static const OSSL_ALGORITHM ak_keymgmt[] = { { ATTEST_AK_NAME, "provider=attest", attest_ak_keymgmt_functions,
                                               "attestation key held by any provider" },
                                             { NULL, NULL, NULL, NULL } };

static const OSSL_ALGORITHM ak_signature[] = { { ATTEST_AK_NAME, "provider=attest", attest_ak_signature_functions,
                                                 "key attestation signature (PKIX evidence)" },
                                               { NULL, NULL, NULL, NULL } };

static const OSSL_ALGORITHM *attest_query(void *provctx, int operation_id, int *no_cache)
{
    (void)provctx;
    *no_cache = 0;
    switch (operation_id) {
    case OSSL_OP_DECODER: return attest_decoders();
    case OSSL_OP_ENCODER: return attest_encoders();
    case OSSL_OP_KEYMGMT: return ak_keymgmt;
    case OSSL_OP_SIGNATURE: return ak_signature;
    default: return NULL;
    }
}

static const OSSL_ITEM reasons[] = { { ATTEST_R_MALFORMED, "malformed attestation object" },
                                     { ATTEST_R_WRONG_TYPE, "object is not of the requested type" },
                                     { ATTEST_R_TOO_LARGE, "input exceeds the size cap" },
                                     { ATTEST_R_ENCODE_FAILED, "encoding failed" },
                                     { ATTEST_R_BAD_OBJECT, "encoder was given an invalid object" },
                                     { ATTEST_R_KEY_LOAD, "cannot load the attestation key" },
                                     { ATTEST_R_SIGN_FAILED, "key attestation signature failed" },
                                     { 0, NULL } };

static const OSSL_ITEM *attest_reason_strings(void *provctx)
{
    (void)provctx;
    return reasons;
}

/*
 * The module is linked -z nodelete: it stays mapped after unloading, so the
 * OID table it built stays valid (and reachable) for a later load.
 */
static void attest_teardown(void *provctx)
{
    ATTEST_PROV_CTX *ctx = provctx;

    if (ctx == NULL)
        return;
    OSSL_LIB_CTX_free(ctx->libctx);
    OPENSSL_free(ctx);
}

static const OSSL_DISPATCH attest_dispatch[] = {
    { OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))attest_teardown },
    { OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))attest_gettable_params },
    { OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))attest_get_params },
    { OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))attest_query },
    { OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, (void (*)(void))attest_reason_strings },
    { 0, NULL }
};

/* Give every OID of the table a name in the loading library's object database. */
static int register_oids(const OSSL_CORE_HANDLE *handle)
{
    int i;

    if (!attest_oids_init())
        return 0;
    if (c_obj_create == NULL)
        return 1; /* an older core: numeric OIDs still work */
    for (i = 0; i < ATTEST_OID_COUNT; i++) {
        const attest_oid_info *info = attest_oid_info_get((attest_oid_id)i);

        if (!c_obj_create(handle, info->dotted, info->sn, info->ln))
            return 0;
    }
    return 1;
}

__attribute__((visibility("default"))) int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                                                              const OSSL_DISPATCH **out, void **provctx);

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in, const OSSL_DISPATCH **out,
                       void **provctx)
{
    ATTEST_PROV_CTX *ctx;
    const OSSL_DISPATCH *d;

    for (d = in; d->function_id != 0; d++) {
        switch (d->function_id) {
        case OSSL_FUNC_CORE_NEW_ERROR: c_new_error = OSSL_FUNC_core_new_error(d); break;
        case OSSL_FUNC_CORE_SET_ERROR_DEBUG: c_set_error_debug = OSSL_FUNC_core_set_error_debug(d); break;
        case OSSL_FUNC_CORE_VSET_ERROR: c_vset_error = OSSL_FUNC_core_vset_error(d); break;
        case OSSL_FUNC_CORE_OBJ_CREATE: c_obj_create = OSSL_FUNC_core_obj_create(d); break;
        default: break;
        }
    }
    /* BIO_new_from_core_bio needs a library context built from the core's dispatch. */
    if ((ctx = OPENSSL_zalloc(sizeof(*ctx))) == NULL)
        return 0;
    ctx->handle = handle;
    if ((ctx->libctx = OSSL_LIB_CTX_new_child(handle, in)) == NULL) {
        OPENSSL_free(ctx);
        return 0;
    }
    if (!register_oids(handle)) {
        OSSL_LIB_CTX_free(ctx->libctx);
        OPENSSL_free(ctx);
        return 0;
    }
    *out = attest_dispatch;
    *provctx = ctx;
    return 1;
}
