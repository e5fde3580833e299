/* attest-req show: print (or convert) any attestation object through the provider. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "cli.h"

static void show_usage(FILE *f)
{
    fprintf(f,
            "usage: attest-req show [--in FILE] [--type TYPE] [--format text|json|der|pem] [--out FILE]\n"
            "                       [--certs-out FILE] [--evidence-out FILE]\n"
            "       attest-req show --list-types\n"
            "  --in FILE      input, PEM or DER (default: - for stdin)\n"
            "  --type TYPE    %s\n"
            "                 (default: detected)\n",
            attest_object_names(1, ", "));
    fputs("  --format F     text (default), json, or der/pem to convert\n"
          "  --out FILE     write here, atomically (default: - for stdout)\n"
          "  --certs-out FILE     also write the bundle's certificates (or a PKIX evidence's\n"
          "                       intermediates) as PEM\n"
          "  --evidence-out FILE  also write each statement's DER (several: FILE.0, FILE.1, ...)\n"
          "  --verify-with CERT|PUBKEY  the input is a signed verdict (verify --format jwt):\n"
          "                 check its signature, print its EAR (exit 1 if it does not verify)\n",
          f);
}

/* The object table, for scripts and completion: alias, name, summary. */
static void list_types(void)
{
    size_t i;

    for (i = 0; i < attest_object_count(); i++) {
        const attest_object_type *t = attest_object_at((attest_datatype)i);

        printf("%-16s %-20s %s\n", t->alias, t->name, t->summary);
    }
}

int cmd_show(cli_app *app, int argc, char **argv)
{
    static const struct option longopts[] = { { "in", required_argument, NULL, 'i' },
                                              { "type", required_argument, NULL, 't' },
                                              { "list-types", no_argument, NULL, 'L' },
                                              { "format", required_argument, NULL, 'f' },
                                              { "out", required_argument, NULL, 'o' },
                                              { "verify-with", required_argument, NULL, 'V' },
                                              { "certs-out", required_argument, NULL, 'C' },
                                              { "evidence-out", required_argument, NULL, 'E' },
                                              { "help", no_argument, NULL, 'h' },
                                              CLI_COMMON_LONGOPTS,
                                              { NULL, 0, NULL, 0 } };
    const char *in = "-", *type = NULL, *format = "text", *outpath = "-", *verify_with = NULL;
    const char *certs_out = NULL, *evidence_out = NULL;
    cli_extract *extract = NULL;
    unsigned char *data = NULL, *out = NULL;
    size_t len = 0, outlen = 0;
    cli_object obj = { 0 };
    int opt, rc = EXIT_USAGE;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'i': in = optarg; break;
        case 't': type = optarg; break;
        case 'f': format = optarg; break;
        case 'o': outpath = optarg; break;
        case 'V': verify_with = optarg; break;
        case 'C': certs_out = optarg; break;
        case 'E': evidence_out = optarg; break;
        case 'h': show_usage(stdout); return EXIT_OK;
        case 'L': list_types(); return EXIT_OK;
        default:
            switch (cli_common_option(app, opt, optarg)) {
            case 1: continue;
            case -1: return EXIT_USAGE;
            default: cli_bad_option(app, argv, "show"); return EXIT_USAGE;
            }
        }
    }
    if (optind < argc) {
        cli_error(app, "unexpected argument '%s' (try: attest-req show --help)", argv[optind]);
        return EXIT_USAGE;
    }
    if ((certs_out != NULL && (*certs_out == '\0' || strcmp(certs_out, "-") == 0))
        || (evidence_out != NULL && (*evidence_out == '\0' || strcmp(evidence_out, "-") == 0))) {
        cli_error(app, "--certs-out and --evidence-out take a file name, not standard output");
        return EXIT_USAGE;
    }
    if (verify_with != NULL && (certs_out != NULL || evidence_out != NULL)) {
        cli_error(app, "--certs-out and --evidence-out do not go with --verify-with");
        return EXIT_USAGE;
    }
    if (verify_with != NULL) {
        rc = cli_app_start(app) == 0 ? cli_show_jws(app, in, verify_with, format, outpath) : EXIT_USAGE;
        cli_app_end(app);
        return rc;
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "der") != 0
        && strcmp(format, "pem") != 0) {
        cli_error(app, "--format must be text, json, der or pem, not '%s'", format);
        return EXIT_USAGE;
    }
    /* A bad --type is a usage error (exit 2), not a failed decode. */
    if (type != NULL && attest_datatype_from_name(type) < 0) {
        cli_error(app, "unknown --type '%s' (%s)", type, attest_object_names(1, ", "));
        return EXIT_USAGE;
    }
    if (cli_app_start(app) != 0)
        goto done;
    if (cli_read_file(app, in, &data, &len) != 0)
        goto done;
    rc = EXIT_FAIL;
    if (cli_decode(app, in, data, len, type, &obj) != 0)
        goto done;
    if (cli_encode(app, &obj, format, &out, &outlen) != 0)
        goto done;
    /* Extracted files go into place only once the description is out: all or nothing. */
    if ((certs_out != NULL || evidence_out != NULL)
        && (extract = cli_extract_stage(app, &obj, certs_out, evidence_out, &rc)) == NULL)
        goto done;
    rc = EXIT_USAGE;
    if (cli_write_file(app, outpath, out, outlen) != 0)
        goto done;
    if (extract != NULL && cli_extract_commit(app, extract) != 0) {
        extract = NULL;
        goto done;
    }
    extract = NULL;
    rc = EXIT_OK;
done:
    cli_extract_discard(extract);
    OPENSSL_free(out);
    OPENSSL_free(data);
    cli_object_clear(&obj);
    cli_app_end(app);
    return rc;
}
