/*
 * attest-req nonce: issue a single-use nonce for `verify --nonce-state`.
 * The nonce is printed in hex on stdout and recorded in the state directory
 * (see attest/nonce_state.h for its layout and why it needs no locks).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/escape.h"
#include "attest/limits.h"
#include "attest/nonce_state.h"
#include "cli.h"

static void nonce_usage(FILE *f)
{
    fprintf(f,
            "usage: attest-req nonce --state DIR [--ttl SECONDS] [--bytes N]\n"
            "  --state DIR        the nonce state directory (created 0700 if absent); the same\n"
            "                     DIR is given to verify --nonce-state\n"
            "  --ttl SECONDS      the nonce expires after SECONDS, 1 .. %ld (default %d)\n"
            "  --bytes N          random bytes, %d .. %d (default %d)\n"
            "prints the nonce in hex; give it to attest-req new --nonce (or the HSM/TPM client).\n",
            ATTEST_NONCE_MAX_TTL, ATTEST_NONCE_DEFAULT_TTL, ATTEST_NONCE_MIN_BYTES, ATTEST_MAX_NONCE,
            ATTEST_NONCE_DEFAULT_BYTES);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long n = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

int cmd_nonce(cli_app *app, int argc, char **argv)
{
    static const struct option longopts[] = { { "state", required_argument, NULL, 's' },
                                              { "ttl", required_argument, NULL, 't' },
                                              { "bytes", required_argument, NULL, 'b' },
                                              { "help", no_argument, NULL, 'h' },
                                              CLI_COMMON_LONGOPTS,
                                              { NULL, 0, NULL, 0 } };
    const char *state = NULL;
    long ttl = ATTEST_NONCE_DEFAULT_TTL, bytes = ATTEST_NONCE_DEFAULT_BYTES;
    unsigned char n[ATTEST_MAX_NONCE];
    char hex[2 * ATTEST_MAX_NONCE + 1];
    attest_err err;
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 's': state = optarg; break;
        case 't':
            if (parse_long(optarg, 1, ATTEST_NONCE_MAX_TTL, &ttl) != 0) {
                cli_error(app, "--ttl must be 1..%ld seconds, not '%s'", ATTEST_NONCE_MAX_TTL, optarg);
                return EXIT_USAGE;
            }
            break;
        case 'b':
            if (parse_long(optarg, ATTEST_NONCE_MIN_BYTES, ATTEST_MAX_NONCE, &bytes) != 0) {
                cli_error(app, "--bytes must be %d..%d, not '%s'", ATTEST_NONCE_MIN_BYTES, ATTEST_MAX_NONCE, optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h': nonce_usage(stdout); return EXIT_OK;
        default:
            if (cli_common_option(app, opt, optarg) == 1)
                continue;
            cli_bad_option(app, argv, "nonce");
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error(app, "unexpected argument '%s' (try: attest-req nonce --help)", argv[optind]);
        return EXIT_USAGE;
    }
    if (state == NULL) {
        cli_error(app, "--state DIR is required (the directory verify --nonce-state reads)");
        return EXIT_USAGE;
    }
    if (attest_nonce_issue(state, ttl, n, (size_t)bytes, &err) != 0) {
        cli_error(app, "%s", err.msg);
        return EXIT_USAGE;
    }
    printf("%s\n", attest_hex(n, (size_t)bytes, hex, sizeof(hex)));
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(app, "cannot write the nonce to stdout");
        return EXIT_USAGE;
    }
    if (app->verbose)
        cli_notice(app, "nonce recorded in %s, valid for %ld s", state, ttl);
    return EXIT_OK;
}
