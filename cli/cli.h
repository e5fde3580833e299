/* Shared state and helpers of the attest-req commands. */
#ifndef ATTEST_CLI_H
#define ATTEST_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <openssl/provider.h>

#include "attest/bundle.h"
#include "attest/describe.h"
#include "attest/registry.h"
#include "attest/tpm2_device.h"

#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

#define CLI_MAX_PROVIDERS 8

typedef struct {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *attest;
    OSSL_PROVIDER *def; /* default, when we loaded it */
    OSSL_PROVIDER *providers[CLI_MAX_PROVIDERS];
    const char *provider_names[CLI_MAX_PROVIDERS];
    int n_providers;
    const char *propq;
    int verbose;
    const char *cmd; /* for error lines */
    int core_only;   /* verify, new signing with TPM2_Sign: the library does the work, no attest provider needed */
} cli_app;

/* One line to stderr: "attest-req: CMD: message"; with --verbose, the OpenSSL error queue too. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cli_error(const cli_app *app, const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cli_notice(const cli_app *app, const char *fmt, ...);

/* Common options every command takes.  Returns 1 if opt was one of them, -1 on error. */
int cli_common_option(cli_app *app, int opt, const char *arg);
#define CLI_OPT_PROVIDER  1000
#define CLI_OPT_PROPQUERY 1001
#define CLI_OPT_VERBOSE   1002
#define CLI_COMMON_LONGOPTS                                          \
    { "provider", required_argument, NULL, CLI_OPT_PROVIDER },       \
        { "propquery", required_argument, NULL, CLI_OPT_PROPQUERY }, \
    {                                                                \
        "verbose", no_argument, NULL, CLI_OPT_VERBOSE                \
    }

/* One line naming the option getopt did not know (or that lacks its argument). */
void cli_bad_option(const cli_app *app, char **argv, const char *cmd);
/* Add a provider to load (no-op if already asked for). */
int cli_want_provider(cli_app *app, const char *name);
/* Library context with the attest provider (and default + --provider ones) loaded. */
int cli_app_start(cli_app *app);
void cli_app_end(cli_app *app);

/* io.c */
int cli_read_file(const cli_app *app, const char *path, unsigned char **out, size_t *len);
/* The same, silent: on failure msg holds the reason (without the path). */
int cli_read_input(const char *path, unsigned char **out, size_t *len, char *msg, size_t msglen);
/* Atomic: temp file in the same directory, then rename; "-" is stdout. */
int cli_write_file(const cli_app *app, const char *path, const unsigned char *data, size_t len);
/* The two halves, for all-or-nothing output to several files: stage writes the temporary
 * (*tmp, OPENSSL_malloc'd); commit renames it over path; discard removes it.  Both free tmp. */
int cli_stage_file(const cli_app *app, const char *path, const unsigned char *data, size_t len, char **tmp);
int cli_commit_file(const cli_app *app, const char *path, char *tmp);
void cli_discard_file(char *tmp);
int cli_parse_hex(const char *hex, unsigned char *out, size_t cap, size_t *len);
/* Unix seconds or RFC 3339 UTC. */
int cli_parse_time(const char *s, time_t *out);
/* --nonce HEX / --nonce-file F (raw bytes, or hex text) into buf. */
int cli_load_nonce(const cli_app *app, const char *hex, const char *file, unsigned char *buf, size_t cap, size_t *len);

/* provider_glue.c: decoding and encoding through the attest provider. */
typedef struct {
    attest_datatype dt;
    unsigned char *data; /* DER / marshaled bytes */
    size_t len;
} cli_object;
/* type: NULL to detect.  Fills obj; on failure prints one line and returns -1. */
int cli_decode(const cli_app *app, const char *what, const unsigned char *in, size_t inlen, const char *type,
               cli_object *obj);
void cli_object_clear(cli_object *obj);
/* output: "text", "json", "der", "pem".  Result in a malloc'd buffer. */
int cli_encode(const cli_app *app, const cli_object *obj, const char *output, unsigned char **out, size_t *outlen);

/* inputs.c: the inputs of a batch, one at a time. */
typedef struct cli_inputs cli_inputs;
typedef struct {
    char name[256];      /* the path, "-", or "stdin#N" for block N of a PEM stream */
    unsigned char *data; /* DER or a file's bytes (OPENSSL_malloc'd) */
    size_t len;
    attest_datatype dt; /* from the PEM label of a stream block; ATTEST_DT_COUNT: detect */
    char error[256];    /* non-empty: this input is an error (exit 2), data is NULL */
} cli_input;
/* evidence_files.c: --evidence-file FILE... as one bundle; NULL after one line on stderr. */
#define CLI_MAX_EVIDENCE_FILES 16
attest_bundle *cli_load_evidence(const cli_app *app, const char *const *paths, int n);
/* new --evidence-file: the files as a bundle (DER) for a request by key.  -2: unreadable or not evidence;
 * -1: a statement attests another key (one line said which). */
int cli_vendor_bundle(const cli_app *app, const char *const *paths, int n, EVP_PKEY *key, const char *key_spec,
                      unsigned char **der, size_t *len);

cli_inputs *cli_inputs_new(const char *const *ins, int n_ins, FILE *list);
/* One input named name without bytes: verify --evidence-file without --in judges the evidence alone. */
cli_inputs *cli_inputs_one(const char *name);
/* 1 and the next input (maybe an error), 0 at the end.  Prints nothing. */
int cli_inputs_next(cli_inputs *in, cli_input *out);
void cli_inputs_free(cli_inputs *in);

int cmd_show(cli_app *app, int argc, char **argv);
/* show_jws.c: verify a signed verdict with a certificate or public key file, print its EAR. */
int cli_show_jws(cli_app *app, const char *in, const char *with, const char *format, const char *outpath);
/* show_extract.c: --certs-out / --evidence-out of a decoded object. */
typedef struct cli_extract cli_extract;
/* Stages the files (nothing in place yet); NULL after one line on stderr, *rc set to 1 or 2. */
cli_extract *cli_extract_stage(const cli_app *app, const cli_object *obj, const char *certs_out,
                               const char *evidence_out, int *rc);
/* Renames them into place (0, or -1 after one line); frees x. */
int cli_extract_commit(const cli_app *app, cli_extract *x);
/* Removes the staged files; frees x (NULL is fine). */
void cli_extract_discard(cli_extract *x);
int cmd_verify(cli_app *app, int argc, char **argv);
int cmd_new(cli_app *app, int argc, char **argv);
int cmd_evidence(cli_app *app, int argc, char **argv);
int cmd_ak(cli_app *app, int argc, char **argv);
int cmd_nonce(cli_app *app, int argc, char **argv);

/* pkix_glue.c: PKIX evidence about a key, signed by each AK through the provider. */
#define CLI_MAX_AKS 8
typedef struct {
    const char *key; /* the attested key's spec (for what its store can tell) */
    const char *tcti;
    const char *aks[CLI_MAX_AKS];
    int n_aks;
    const char *claims, *key_id, *ak_md;
    int ak_pss;
    const unsigned char *nonce;
    size_t nonce_len;
} cli_pkix_opts;
/* 0, -1 (message printed), -2 TPM unreachable.  ak_certs[i] may be NULL. */
int cli_make_pkix_evidence(cli_app *app, const cli_pkix_opts *o, EVP_PKEY *subject, X509 *const *ak_certs,
                           unsigned char **der, size_t *len);
/* An HSM-made evidence must at least name the request's key. */
int cli_check_evidence_names_key(cli_app *app, const unsigned char *der, size_t len, EVP_PKEY *subject,
                                 const char *what);

/* keys.c: private keys from a file or a provider URI (handle:, object:, pkcs11:). */
EVP_PKEY *cli_load_private_key(const cli_app *app, const char *spec);
/* A TPM reference for ESAPI: "handle:0x81...", "0x81...", or a TSS2 PRIVATE KEY file. */
int cli_tpm_keyref(const cli_app *app, const char *spec, attest_tpm_keyref *ref, unsigned char **blob);
/* The key URI for OSSL_STORE ("0x81000010" -> "handle:0x81000010"). */
const char *cli_key_uri(const char *spec, char *buf, size_t len);
/* Is spec a TPM key (handle or TSS2 PRIVATE KEY file)? */
int cli_is_tpm_key(const char *spec);
/* tpm2-openssl's object: URI: a TPM object whose attributes attest-req cannot read. */
int cli_is_tpm_object_uri(const char *spec);
/* A key spec naming a local file that cannot be opened: one line with the errno text, -1 (a usage/I-O error). */
int cli_check_key_file(const cli_app *app, const char *spec);
/* "no private key found", with the --provider to add for a pkcs11: URI (then EXIT_USAGE, else EXIT_FAIL). */
int cli_no_private_key(const cli_app *app, const char *spec);
/* The local file a key spec names (bare path or file: URI), or NULL for a provider URI. */
const char *cli_key_file(const char *spec);
X509 *cli_load_cert(const cli_app *app, const char *path);
int cli_load_certs(const cli_app *app, const char *path, STACK_OF(X509) *into);

#endif
