/*
 * The inputs of a batch: --in files, --in-list lines, and PEM streams on
 * stdin read block by block (memory stays flat; one block is capped).
 */
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/limits.h"
#include "cli.h"

struct cli_inputs {
    const char *const *ins;
    int n_ins, next_in;
    FILE *list;
    BIO *stdin_pem;              /* open while a PEM stream is being read */
    int stdin_count;
};

cli_inputs *cli_inputs_new(const char *const *ins, int n_ins, FILE *list)
{
    cli_inputs *in = OPENSSL_zalloc(sizeof(*in));

    if (in != NULL) {
        in->ins = ins;
        in->n_ins = n_ins;
        in->list = list;
    }
    return in;
}

void cli_inputs_free(cli_inputs *in)
{
    if (in == NULL)
        return;
    BIO_free(in->stdin_pem);
    OPENSSL_free(in);
}

/*
 * The text of the next PEM block of the stdin stream (from its BEGIN line to
 * its END line) into *block, reading at most PEM_TEXT_CAP bytes: one endless
 * block (or endless junk between blocks) must not grow memory or run forever.
 * 1: a block (maybe unterminated at the end of the stream), 0: end, -1: over the cap.
 */
#define PEM_TEXT_CAP (2 * ATTEST_MAX_INPUT)
static int read_pem_block(BIO *in, BIO **block)
{
    char line[1024];
    size_t total = 0;
    int n;

    *block = NULL;
    while ((n = BIO_gets(in, line, sizeof(line))) > 0) {
        if ((total += (size_t)n) > PEM_TEXT_CAP)
            return -1;
        if (*block == NULL) {
            if (strncmp(line, "-----BEGIN ", 11) != 0)
                continue;
            if ((*block = BIO_new(BIO_s_mem())) == NULL)
                return -1;
        }
        if (BIO_write(*block, line, n) != n)
            return -1;
        if (strncmp(line, "-----END ", 9) == 0)
            return 1;
    }
    return *block != NULL;
}

int cli_inputs_next(cli_app *app, cli_inputs *it, char *name, size_t namelen, unsigned char **data,
                    size_t *len, int *io_error)
{
    *data = NULL;
    *len = 0;
    *io_error = 0;
    for (;;) {
        if (it->stdin_pem != NULL) {
            char *pname = NULL, *hdr = NULL;
            unsigned char *der = NULL;
            long dlen = 0;
            BIO *block = NULL;
            int r = read_pem_block(it->stdin_pem, &block);

            ERR_set_mark();
            if (r > 0 && PEM_read_bio(block, &pname, &hdr, &der, &dlen) > 0) {
                ERR_pop_to_mark();
                BIO_free(block);
                OPENSSL_free(pname);
                OPENSSL_free(hdr);
                snprintf(name, namelen, "stdin#%d", ++it->stdin_count);
                *data = der;
                *len = (size_t)dlen;
                if (*len > ATTEST_MAX_INPUT) {
                    cli_error(app, "%s: larger than the %d-byte input cap", name, ATTEST_MAX_INPUT);
                    OPENSSL_free(*data);
                    *data = NULL;
                    *io_error = 1;
                }
                return 1;
            }
            ERR_pop_to_mark();
            BIO_free(block);
            if (r < 0) {
                /* The rest of the stream is not read: it may not end. */
                snprintf(name, namelen, "stdin#%d", ++it->stdin_count);
                cli_error(app, "%s: PEM text over %d bytes (the input cap is %d bytes); rest of stdin not read",
                          name, PEM_TEXT_CAP, ATTEST_MAX_INPUT);
                *io_error = 1;
                BIO_free(it->stdin_pem);
                it->stdin_pem = NULL;
                return 1;
            }
            BIO_free(it->stdin_pem);
            it->stdin_pem = NULL;
            continue;
        }
        if (it->next_in < it->n_ins) {
            const char *path = it->ins[it->next_in++];

            if (strcmp(path, "-") == 0) {
                int c = getc(stdin);

                /* A PEM stream is read block by block: memory stays flat. */
                if (c == '-') {
                    ungetc(c, stdin);
                    it->stdin_pem = BIO_new_fp(stdin, BIO_NOCLOSE);
                    continue;
                }
                if (c != EOF)
                    ungetc(c, stdin);
            }
            snprintf(name, namelen, "%.255s", path);
            *io_error = cli_read_file(app, path, data, len) != 0;
            return 1;
        }
        if (it->list != NULL) {
            char line[4096];

            if (fgets(line, sizeof(line), it->list) == NULL)
                return 0;
            line[strcspn(line, "\r\n")] = '\0';
            if (line[0] == '\0' || line[0] == '#')
                continue;
            snprintf(name, namelen, "%.255s", line);
            *io_error = cli_read_file(app, line, data, len) != 0;
            return 1;
        }
        return 0;
    }
}

