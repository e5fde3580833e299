/* attest-req show --verify-with: check a signed verdict (compact JWS) and print its EAR. */
#include <string.h>
#include <json-c/json.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/jws.h"
#include "cli.h"

/* A certificate's key or a bare public key, PEM or DER. */
static EVP_PKEY *load_verify_key(const cli_app *app, const char *path)
{
    unsigned char *data = NULL;
    const unsigned char *p;
    size_t len = 0;
    BIO *b;
    X509 *x = NULL;
    EVP_PKEY *k = NULL;

    if (cli_read_file(app, path, &data, &len) != 0)
        return NULL;
    if ((b = BIO_new_mem_buf(data, (int)len)) != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
        (void)BIO_reset(b);
        k = PEM_read_bio_PUBKEY_ex(b, NULL, NULL, NULL, app->libctx, app->propq);
    }
    BIO_free(b);
    if (x == NULL && k == NULL) {
        p = data;
        x = d2i_X509(NULL, &p, (long)len);
    }
    if (x == NULL && k == NULL) {
        p = data;
        k = d2i_PUBKEY_ex(NULL, &p, (long)len, app->libctx, app->propq);
    }
    if (x != NULL && (k = X509_get_pubkey(x)) == NULL)
        cli_error(app, "%s: the certificate's key cannot be decoded", path);
    else if (k == NULL)
        cli_error(app, "%s: not a certificate or a public key (PEM or DER)", path);
    X509_free(x);
    OPENSSL_free(data);
    return k;
}

int cli_show_jws(cli_app *app, const char *in, const char *with, const char *format, const char *outpath)
{
    unsigned char *data = NULL;
    size_t len = 0, plen = 0;
    EVP_PKEY *key = NULL;
    char *payload = NULL;
    json_object *ear = NULL;
    BIO *out = NULL;
    char *text = NULL;
    long n;
    attest_err err;
    int rc = EXIT_USAGE;

    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        cli_error(app, "--verify-with prints the verified EAR: --format text or json, not '%s'", format);
        return EXIT_USAGE;
    }
    if (cli_read_file(app, in, &data, &len) != 0 || (key = load_verify_key(app, with)) == NULL)
        goto done;
    rc = EXIT_FAIL;
    if ((payload = attest_jws_verify((const char *)data, len, key, app->libctx, app->propq, &plen, &err)) == NULL) {
        cli_error(app, "%s: %s", in, err.msg);
        goto done;
    }
    if ((ear = json_tokener_parse(payload)) == NULL || !json_object_is_type(ear, json_type_object)) {
        cli_error(app, "%s: the signature verifies, but the payload is not a JSON object", in);
        goto done;
    }
    if ((out = BIO_new(BIO_s_mem())) == NULL)
        goto done;
    if (strcmp(format, "json") == 0)
        attest_render_json(ear, out, 1);
    else
        attest_render_text(ear, out);
    n = BIO_get_mem_data(out, &text);
    rc = cli_write_file(app, outpath, (unsigned char *)text, (size_t)n) == 0 ? EXIT_OK : EXIT_USAGE;
done:
    BIO_free(out);
    json_object_put(ear);
    OPENSSL_free(payload);
    EVP_PKEY_free(key);
    OPENSSL_free(data);
    return rc;
}
