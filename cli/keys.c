/* Keys and certificates from files or provider URIs, through OSSL_STORE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ui.h>

#include "attest/certfile.h"
#include "attest/keys.h"
#include "cli.h"

const char *cli_key_uri(const char *spec, char *buf, size_t len)
{
    /* A bare persistent handle is what TPM users type. */
    if (strncmp(spec, "0x81", 4) == 0 || strncmp(spec, "0X81", 4) == 0) {
        snprintf(buf, len, "handle:%s", spec);
        return buf;
    }
    return spec;
}

static int parse_handle(const char *s, uint32_t *h)
{
    char *end;
    unsigned long v;

    if (strncmp(s, "handle:", 7) == 0)
        s += 7;
    v = strtoul(s, &end, 16);
    if (*s == '\0' || *end != '\0' || v < 0x80000000ul || v > 0x81ffffffu)
        return -1;
    *h = (uint32_t)v;
    return 0;
}

static int file_has_tss2_key(const char *path)
{
    FILE *f = fopen(path, "rb");
    char line[128];
    int found = 0;

    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof(line), f) != NULL)
        found = strstr(line, "-----BEGIN TSS2 PRIVATE KEY-----") != NULL;
    fclose(f);
    return found;
}

/*
 * The local file a key spec names: a bare path or a file: URI (file:PATH,
 * file:///PATH, file://localhost/PATH), as OpenSSL's file store reads them.
 * NULL for a provider URI (handle:, object:, pkcs11:, ...).
 */
const char *cli_key_file(const char *spec)
{
    if (strncmp(spec, "file://", 7) == 0) {
        spec += 7;
        if (strncmp(spec, "localhost/", 10) == 0)
            spec += 9;
        return *spec == '/' ? spec : NULL;
    }
    if (strncmp(spec, "file:", 5) == 0)
        return spec[5] != '\0' ? spec + 5 : NULL;
    if (strchr(spec, ':') == NULL || spec[0] == '/' || spec[0] == '.')
        return spec;
    return NULL;
}

int cli_is_tpm_object_uri(const char *spec)
{
    return strncmp(spec, "object:", 7) == 0;
}

int cli_is_tpm_key(const char *spec)
{
    uint32_t h;
    const char *path = cli_key_file(spec);

    return parse_handle(spec, &h) == 0 || cli_is_tpm_object_uri(spec) || (path != NULL && file_has_tss2_key(path));
}

int cli_tpm_keyref(const cli_app *app, const char *spec, attest_tpm_keyref *ref, unsigned char **blob)
{
    const char *path = cli_key_file(spec);
    size_t len = 0;

    memset(ref, 0, sizeof(*ref));
    *blob = NULL;
    if (parse_handle(spec, &ref->handle) == 0)
        return 0;
    if (path == NULL || !file_has_tss2_key(path)) {
        cli_error(app,
                  "%s: not a TPM key attest-req can read (expected handle:0x81..., 0x81... or a TSS2 PRIVATE KEY file)",
                  spec);
        return -1;
    }
    if (cli_read_file(app, path, blob, &len) != 0)
        return -1;
    ref->tss2_pem = *blob;
    ref->tss2_pem_len = len;
    return 0;
}

int cli_check_key_file(const cli_app *app, const char *spec)
{
    const char *path = cli_key_file(spec);
    uint32_t h;
    int fd;

    if (path == NULL || parse_handle(spec, &h) == 0)
        return 0;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        cli_error(app, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

int cli_no_private_key(const cli_app *app, const char *spec)
{
    int i, asked = 0;

    for (i = 0; i < app->n_providers; i++)
        asked |= strcmp(app->provider_names[i], "pkcs11") == 0;
    if (strncmp(spec, "pkcs11:", 7) == 0 && !asked) {
        cli_error(app,
                  "%s: no loaded provider opens pkcs11: URIs: add --provider pkcs11 (pkcs11-provider) "
                  "or your HSM vendor's provider",
                  spec);
        return EXIT_USAGE;
    }
    cli_error(app, "%s: no private key found (file or provider URI)", spec);
    return EXIT_FAIL;
}

EVP_PKEY *cli_load_private_key(const cli_app *app, const char *spec)
{
    char buf[64];
    EVP_PKEY *key = attest_load_private_key(cli_key_uri(spec, buf, sizeof(buf)), app->libctx, app->propq);

    if (key == NULL)
        cli_no_private_key(app, spec);
    return key;
}

int cli_load_certs(const cli_app *app, const char *path, STACK_OF(X509) *into)
{
    unsigned char *data = NULL;
    size_t len = 0;
    BIO *b;
    int n = -1;

    if (cli_read_file(app, path, &data, &len) != 0)
        return -1;
    if ((b = BIO_new_mem_buf(data, (int)len)) != NULL)
        n = attest_certs_read(b, into);
    BIO_free(b);
    OPENSSL_free(data);
    if (n <= 0) {
        cli_error(app, n < 0 ? "%s: out of memory" : "%s: no certificate found (PEM or DER)", path);
        return -1;
    }
    return n;
}

X509 *cli_load_cert(const cli_app *app, const char *path)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    X509 *x = NULL;

    if (sk != NULL && cli_load_certs(app, path, sk) > 0)
        x = sk_X509_shift(sk);
    sk_X509_pop_free(sk, X509_free);
    return x;
}
