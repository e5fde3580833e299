/* attest-req: build, verify and show CSRs that carry key attestation evidence. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "attest/compat.h"
#include "attest/oids.h"
#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(cli_app *, int, char **);
    const char *summary;
} commands[] = {
    { "new", cmd_new, "build and sign an attested CSR (TPM 2.0 or PKIX evidence)" },
    { "evidence", cmd_evidence, "emit PKIX key attestation evidence alone" },
    { "verify", cmd_verify, "judge an attested CSR against a trust-anchor directory" },
    { "show", cmd_show, "print or convert a CSR, bundle, TPM or PKIX evidence object" },
    { "ak", cmd_ak, "TPM AK enrollment: create, request, challenge, activate, issue" },
    { "nonce", cmd_nonce, "issue a single-use nonce for verify --nonce-state" },
};

static void usage(FILE *f)
{
    size_t i;

    fputs("usage: attest-req [--provider NAME]... [--propquery Q] [--verbose] COMMAND [options]\n"
          "       attest-req --help | --version | COMMAND --help\n\ncommands:\n",
          f);
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\nexit codes: 0 success, 1 failure, 2 usage or I/O error (verify: see attest-req(1))\n", f);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = { { "help", no_argument, NULL, 'h' },
                                              { "version", no_argument, NULL, 'V' },
                                              CLI_COMMON_LONGOPTS,
                                              { NULL, 0, NULL, 0 } };
    cli_app app = { 0 };
    size_t i;
    int opt;

    attest_tss2_quiet_marshal();
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'V': printf("attest-req %s\n", ATTEST_VERSION); return EXIT_OK;
        default:
            if (cli_common_option(&app, opt, optarg) == 1)
                continue;
            cli_bad_option(&app, argv, "");
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!attest_oids_init()) {
        cli_error(&app, "OID table failed to initialise");
        return EXIT_FAIL;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[optind], commands[i].name) == 0) {
            app.cmd = commands[i].name;
            return commands[i].fn(&app, argc - optind, argv + optind);
        }
    }
    cli_error(&app, "unknown command '%s' (try: attest-req --help)", argv[optind]);
    return EXIT_USAGE;
}
