/*
 * The CLI's only door to the formats: it loads the attest provider into its
 * own library context and decodes/encodes through OSSL_DECODER/OSSL_ENCODER.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/provider.h"
#include "cli.h"

#ifndef ATTEST_INSTALL_MODULESDIR
#define ATTEST_INSTALL_MODULESDIR ""
#endif
#ifndef ATTEST_BUILD_MODULESDIR
#define ATTEST_BUILD_MODULESDIR ""
#endif
#ifndef ATTEST_EXE_MODULESDIR
#define ATTEST_EXE_MODULESDIR ""
#endif

static void print_queue(void)
{
    ERR_print_errors_fp(stderr);
}

void cli_error(const cli_app *app, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "attest-req: %s%s", app && app->cmd ? app->cmd : "", app && app->cmd ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (app != NULL && app->verbose)
        print_queue();
    /* Reported (and printed when verbose): emptied, so the next message does not repeat it. */
    ERR_clear_error();
}

void cli_notice(const cli_app *app, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "attest-req: %s%snotice: ", app && app->cmd ? app->cmd : "", app && app->cmd ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/*
 * The word getopt stopped at.  An unknown short option inside "-in" leaves
 * optind on that word; one at the end of a word has moved past it.
 */
static const char *bad_word(char **argv)
{
    const char *prev = optind > 1 ? argv[optind - 1] : NULL;

    if (optopt != 0 && prev != NULL && prev[0] == '-' && prev[1] != '-' && prev[strlen(prev) - 1] == optopt)
        return prev;
    if (optopt != 0 && argv[optind] != NULL && argv[optind][0] == '-' && argv[optind][1] != '-')
        return argv[optind];
    return prev != NULL ? prev : "?";
}

void cli_bad_option(const cli_app *app, char **argv, const char *cmd)
{
    const char *what = bad_word(argv);

    /* OpenSSL habits: -in, -out, -key. */
    if (what[0] == '-' && what[1] != '-' && what[1] != '\0' && what[2] != '\0')
        cli_error(app, "unknown option '%s' (did you mean -%s? try: attest-req %s%s--help)", what, what, cmd,
                  *cmd ? " " : "");
    else
        cli_error(app, "unknown option or missing value: '%s' (try: attest-req %s%s--help)", what, cmd,
                  *cmd ? " " : "");
}

int cli_common_option(cli_app *app, int opt, const char *arg)
{
    switch (opt) {
    case CLI_OPT_PROVIDER:
        if (app->n_providers >= CLI_MAX_PROVIDERS) {
            cli_error(app, "too many --provider options (at most %d)", CLI_MAX_PROVIDERS);
            return -1;
        }
        app->provider_names[app->n_providers++] = arg;
        return 1;
    case CLI_OPT_PROPQUERY: app->propq = arg; return 1;
    case CLI_OPT_VERBOSE: app->verbose = 1; return 1;
    default: return 0;
    }
}

/*
 * <dir of this executable>/ATTEST_EXE_MODULESDIR: an installed CLI finds the module
 * installed with it whatever prefix `cmake --install --prefix` was given.
 */
static int exe_relative_dir(char out[PATH_MAX])
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf));
    char *slash;

    if (ATTEST_EXE_MODULESDIR[0] == '\0' || n <= 0 || (size_t)n >= sizeof(buf))
        return 0;
    buf[n] = '\0';
    if ((slash = strrchr(buf, '/')) == NULL || (size_t)(slash + 1 - buf) + strlen(ATTEST_EXE_MODULESDIR) >= sizeof(buf))
        return 0;
    strcpy(slash + 1, ATTEST_EXE_MODULESDIR);
    return realpath(buf, out) != NULL; /* also: it exists */
}

/*
 * Where the module lives: OPENSSL_MODULES or OpenSSL's own directory first
 * (where an install into OpenSSL's prefix puts it), then an explicit
 * ATTEST_MODULESDIR, then next to the executable (../lib/ossl-modules), then
 * the build tree (so an uninstalled build just works).
 */
static OSSL_PROVIDER *load_attest(OSSL_LIB_CTX *libctx)
{
    char exedir[PATH_MAX];
    const char *dirs[] = { ATTEST_INSTALL_MODULESDIR, "", ATTEST_BUILD_MODULESDIR };
    OSSL_PROVIDER *p;
    size_t i;

    ERR_set_mark(); /* each retry supersedes the reasons of the attempt before */
    p = OSSL_PROVIDER_load(libctx, ATTEST_PROVIDER_NAME);
    if (p == NULL && exe_relative_dir(exedir))
        dirs[1] = exedir;
    for (i = 0; p == NULL && i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (dirs[i][0] == '\0' || getenv("OPENSSL_MODULES") != NULL)
            continue;
        ERR_pop_to_mark();
        ERR_set_mark();
        OSSL_PROVIDER_set_default_search_path(libctx, dirs[i]);
        p = OSSL_PROVIDER_load(libctx, ATTEST_PROVIDER_NAME);
    }
    ERR_clear_last_mark();
    return p;
}

/* OPENSSL_MODULES may point at attest's directory only: fall back to OpenSSL's own. */
static OSSL_PROVIDER *load_other(OSSL_LIB_CTX *libctx, const char *name)
{
    OSSL_PROVIDER *p;

    ERR_set_mark(); /* the retry supersedes the first attempt's reasons */
    p = OSSL_PROVIDER_load(libctx, name);
    if (p == NULL && getenv("OPENSSL_MODULES") != NULL) {
        /* OpenSSL_version() says: MODULESDIR: "/usr/lib/.../ossl-modules" */
        const char *v = strchr(OpenSSL_version(OPENSSL_MODULES_DIR), '"');
        char dir[512];

        if (v == NULL || snprintf(dir, sizeof(dir), "%s", v + 1) >= (int)sizeof(dir)) {
            ERR_clear_last_mark();
            return NULL;
        }
        dir[strcspn(dir, "\"")] = '\0';
        ERR_pop_to_mark();
        ERR_set_mark();
        OSSL_PROVIDER_set_default_search_path(libctx, dir);
        p = OSSL_PROVIDER_load(libctx, name);
        OSSL_PROVIDER_set_default_search_path(libctx, NULL);
    }
    ERR_clear_last_mark();
    return p;
}

int cli_app_start(cli_app *app)
{
    int i;

    /*
     * verify with nothing but OpenSSL's own providers: the default context,
     * which libcrypto initialises anyway (a second one costs its name map,
     * provider and algorithm caches again, a sixth of a one-request run).
     */
    if (app->core_only && app->n_providers == 0 && app->propq == NULL) {
        app->libctx = NULL;
        return 0;
    }
    if ((app->libctx = OSSL_LIB_CTX_new()) == NULL) {
        cli_error(app, "cannot create a library context");
        return -1;
    }
    /*
     * verify judges through the library (attest_verify_any): without our
     * decoders in the context, every key decode OpenSSL does enumerates fewer.
     */
    if (!app->core_only && (app->attest = load_attest(app->libctx)) == NULL) {
        cli_error(app, "cannot load the attest provider (set OPENSSL_MODULES to the directory holding attest.so)");
        return -1;
    }
    OSSL_PROVIDER_set_default_search_path(app->libctx, NULL);
    for (i = 0; i < app->n_providers; i++) {
        if (strcmp(app->provider_names[i], "attest") == 0)
            continue;
        if ((app->providers[i] = load_other(app->libctx, app->provider_names[i])) == NULL) {
            const char *tcti = getenv("TPM2OPENSSL_TCTI");

            if (strcmp(app->provider_names[i], "tpm2") == 0)
                cli_error(app, "cannot load the tpm2 provider: is the TPM reachable (TPM2OPENSSL_TCTI=%s)?",
                          tcti != NULL ? tcti : "unset");
            else
                cli_error(app, "cannot load provider %s", app->provider_names[i]);
            return -1;
        }
    }
    /* default is always there for plain crypto; explicit --provider default is harmless. */
    if (!OSSL_PROVIDER_available(app->libctx, "default")
        && (app->def = OSSL_PROVIDER_load(app->libctx, "default")) == NULL) {
        cli_error(app, "cannot load the default provider");
        return -1;
    }
    return 0;
}

void cli_app_end(cli_app *app)
{
    int i;

    for (i = 0; i < app->n_providers; i++)
        OSSL_PROVIDER_unload(app->providers[i]);
    OSSL_PROVIDER_unload(app->def);
    OSSL_PROVIDER_unload(app->attest);
    OSSL_LIB_CTX_free(app->libctx);
    memset(app->providers, 0, sizeof(app->providers));
    app->attest = NULL;
    app->def = NULL;
    app->libctx = NULL;
}

void cli_object_clear(cli_object *obj)
{
    OPENSSL_free(obj->data);
    memset(obj, 0, sizeof(*obj));
}

static int construct_cb(OSSL_DECODER_INSTANCE *inst, const OSSL_PARAM *params, void *arg)
{
    cli_object *obj = arg;
    const OSSL_PARAM *pt = OSSL_PARAM_locate_const(params, OSSL_OBJECT_PARAM_DATA_TYPE);
    const OSSL_PARAM *pd = OSSL_PARAM_locate_const(params, OSSL_OBJECT_PARAM_DATA);
    const char *type = NULL;
    const void *data = NULL;
    size_t len = 0;
    int dt;

    (void)inst;
    if (pt == NULL || pd == NULL || !OSSL_PARAM_get_utf8_string_ptr(pt, &type)
        || !OSSL_PARAM_get_octet_string_ptr(pd, &data, &len))
        return 0;
    if ((dt = attest_datatype_from_name(type)) < 0)
        return 0;
    /* The PEM step hands DER on; only a type decoder's verdict ends the chain. */
    if (strcmp(OSSL_DECODER_get0_name(OSSL_DECODER_INSTANCE_get_decoder(inst)), "DER") == 0)
        return 0;
    if ((obj->data = OPENSSL_memdup(data, len ? len : 1)) == NULL)
        return 0;
    obj->dt = (attest_datatype)dt;
    obj->len = len;
    return 1;
}

static int add_decoder(OSSL_DECODER_CTX *ctx, OSSL_LIB_CTX *libctx, const char *name)
{
    OSSL_DECODER *d = OSSL_DECODER_fetch(libctx, name, "provider=attest");
    int ok = d != NULL && OSSL_DECODER_CTX_add_decoder(ctx, d);

    OSSL_DECODER_free(d);
    return ok;
}

int cli_decode(const cli_app *app, const char *what, const unsigned char *in, size_t inlen, const char *type,
               cli_object *obj)
{
    OSSL_DECODER_CTX *ctx = OSSL_DECODER_CTX_new();
    const unsigned char *p = in;
    size_t left = inlen;
    int dt = -1, i, ok = -1;

    memset(obj, 0, sizeof(*obj));
    if (type != NULL && (dt = attest_datatype_from_name(type)) < 0) {
        cli_error(app, "unknown --type '%s' (%s)", type, attest_object_names(1, ", "));
        goto done;
    }
    if (ctx == NULL)
        goto done;
    for (i = 0; i < (int)attest_object_count(); i++) {
        if (dt >= 0 && i != dt)
            continue;
        if (!add_decoder(ctx, app->libctx, attest_datatype_name((attest_datatype)i))) {
            cli_error(app, "the attest provider offers no %s decoder", attest_datatype_name((attest_datatype)i));
            goto done;
        }
    }
    if (!add_decoder(ctx, app->libctx, "DER") || !OSSL_DECODER_CTX_set_construct(ctx, construct_cb)
        || !OSSL_DECODER_CTX_set_construct_data(ctx, obj)) {
        cli_error(app, "cannot set up the decoder chain");
        goto done;
    }
    /* One type asked for: its decoder's reason must survive (OpenSSL drops it otherwise). */
    if (dt >= 0) {
        int strict = 1;
        OSSL_PARAM params[2];

        params[0] = OSSL_PARAM_construct_int(ATTEST_DECODER_PARAM_STRICT, &strict);
        params[1] = OSSL_PARAM_construct_end();
        if (!OSSL_DECODER_CTX_set_params(ctx, params)) {
            cli_error(app, "cannot set up the decoder chain");
            goto done;
        }
    }
    ERR_set_mark();
    if (OSSL_DECODER_from_data(ctx, &p, &left) && obj->data != NULL) {
        ERR_pop_to_mark();
        ok = 0;
        goto done;
    }
    /* Strict mode left the type decoder's reason last in the queue. */
    if (dt >= 0) {
        const char *data = NULL;
        int flags = 0;

        ERR_peek_last_error_all(NULL, NULL, NULL, &data, &flags);
        cli_error(app, "%s: not a valid %s: %s", what, attest_datatype_name((attest_datatype)dt),
                  data != NULL && (flags & ERR_TXT_STRING) && *data ? data : "unrecognised data");
    } else if (what != NULL) { /* NULL: a quiet probe (verify lets csr.parse explain) */
        cli_error(app, "%s: not a recognised attestation object (%s; PEM or DER)", what, attest_object_names(0, ", "));
    }
    ERR_clear_last_mark();
done:
    OSSL_DECODER_CTX_free(ctx);
    if (ok != 0)
        cli_object_clear(obj);
    return ok;
}

static const void *encode_construct(OSSL_ENCODER_INSTANCE *inst, void *arg)
{
    (void)inst;
    return arg;
}

/* Nothing to release per run: the context frees the object wrapper. */
static void encode_cleanup(void *arg)
{
    (void)arg;
}

int cli_encode(const cli_app *app, const cli_object *obj, const char *output, unsigned char **out, size_t *outlen)
{
    char props[64];
    ATTEST_ENCODER_OBJECT *eo = OPENSSL_malloc(sizeof(*eo));
    OSSL_ENCODER *enc;
    OSSL_ENCODER_CTX *ctx = NULL;
    BIO *mem = NULL;
    char *buf = NULL;
    long n;
    int ok = -1;

    if (eo == NULL)
        return -1;
    *eo = (ATTEST_ENCODER_OBJECT){ ATTEST_ENCODER_OBJECT_VERSION, attest_datatype_name(obj->dt), obj->data, obj->len };
    snprintf(props, sizeof(props), "provider=attest,output=%s", output);
    if ((enc = OSSL_ENCODER_fetch(app->libctx, eo->data_type, props)) == NULL) {
        cli_error(app, "the attest provider has no %s encoder for %s", output, eo->data_type);
        OPENSSL_free(eo);
        return -1;
    }
    /* OSSL_ENCODER_CTX_free() frees the construct data: hand eo over first so every exit frees it. */
    if ((ctx = OSSL_ENCODER_CTX_new()) == NULL || !OSSL_ENCODER_CTX_set_construct_data(ctx, eo)) {
        OPENSSL_free(eo);
        goto done;
    }
    if (!OSSL_ENCODER_CTX_add_encoder(ctx, enc) || !OSSL_ENCODER_CTX_set_construct(ctx, encode_construct)
        || !OSSL_ENCODER_CTX_set_cleanup(ctx, encode_cleanup)) {
        cli_error(app, "cannot set up the %s encoder", output);
        goto done;
    }
    if ((mem = BIO_new(BIO_s_mem())) == NULL || !OSSL_ENCODER_to_bio(ctx, mem)) {
        const char *data = NULL;
        int flags = 0;

        ERR_peek_last_error_all(NULL, NULL, NULL, &data, &flags);
        cli_error(app, "encoding %s as %s failed: %s", attest_datatype_name(obj->dt), output,
                  data != NULL && (flags & ERR_TXT_STRING) && *data ? data : "encoder error");
        goto done;
    }
    n = BIO_get_mem_data(mem, &buf);
    if (n < 0 || (*out = OPENSSL_memdup(buf, n > 0 ? (size_t)n : 1)) == NULL)
        goto done;
    *outlen = (size_t)n;
    ok = 0;
done:
    BIO_free(mem);
    OSSL_ENCODER_CTX_free(ctx);
    OSSL_ENCODER_free(enc);
    return ok;
}

int cli_want_provider(cli_app *app, const char *name)
{
    int i;

    for (i = 0; i < app->n_providers; i++)
        if (strcmp(app->provider_names[i], name) == 0)
            return 0;
    if (app->n_providers >= CLI_MAX_PROVIDERS)
        return -1;
    app->provider_names[app->n_providers++] = name;
    return 0;
}
