/* attest-req verify: judging a batch of inputs (verify_batch.c), set up by cmd_verify.c. */
#ifndef ATTEST_CLI_VERIFY_BATCH_H
#define ATTEST_CLI_VERIFY_BATCH_H

#include "attest/bundle.h"
#include "attest/verdict.h"
#include "cli.h"

#define EXIT_WARNING 3
#define EXIT_NONE    4
#define MAX_JOBS     64

typedef struct {
    cli_app *app;
    attest_verify_params vp;
    int json, json_lines;          /* json_lines 0: exactly one input (judged without threads) */
    EVP_PKEY *sign_key;            /* --format jwt: each verdict a compact JWS by this key */
    const char *nonce_state;       /* --nonce-state DIR, or NULL */
    const attest_bundle *evidence; /* --evidence-file: judged with each request, or alone (inputs without bytes) */
} verifier;

/*
 * Judge every input of in, jobs at a time, and print each verdict (or error
 * line) in input order as soon as it and all earlier ones are judged.  At
 * most 4 x jobs inputs are held at once.  Returns the worst exit code and
 * sets *count; on SIGINT or SIGTERM it prints what was judged and ends the
 * process by that signal (it does not return).
 */
int verify_batch(const verifier *v, cli_inputs *in, int jobs, long *count);

#endif
