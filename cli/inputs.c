/*
 * The inputs of a batch: --in files, --in-list lines, and a PEM stream on
 * stdin read block by block (memory stays flat; one block is capped).
 * Every piece of a stream is an input of its own -- a PEM block, or text
 * outside the blocks (an error) -- so nothing in it goes unjudged.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "attest/certfile.h"
#include "attest/limits.h"
#include "attest/pem_fast.h"
#include "cli.h"

/* One read of at most a line (a longer line comes in several pieces). */
typedef struct {
    char s[1024];
    int n;
    long line; /* 1-based line number in the stream */
    int bol;   /* the piece starts its line */
} piece;

struct cli_inputs {
    const char *const *ins;
    int n_ins, next_in;
    FILE *list;
    long list_line;
    int streaming; /* stdin is being read as a PEM stream */
    int count;     /* inputs taken from the stream */
    long line;
    int bol;
    piece held;       /* a BEGIN line read ahead: it starts the next input */
    const char *only; /* cli_inputs_one: a single input with this name and no bytes */
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

cli_inputs *cli_inputs_one(const char *name)
{
    cli_inputs *in = OPENSSL_zalloc(sizeof(*in));

    if (in != NULL)
        in->only = name;
    return in;
}

void cli_inputs_free(cli_inputs *in)
{
    OPENSSL_free(in);
}

/* getc, not fgets: a NUL byte must not end a line (or the stream) early. */
static int read_piece(cli_inputs *it, piece *p)
{
    int c = EOF;

    if (it->held.n > 0) {
        *p = it->held;
        it->held.n = 0;
        return p->n;
    }
    p->line = it->line;
    p->bol = it->bol;
    p->n = 0;
    while (p->n < (int)sizeof(p->s) - 1 && (c = getc_unlocked(stdin)) != EOF) {
        p->s[p->n++] = (char)c;
        if (c == '\n')
            break;
    }
    p->s[p->n] = '\0';
    if (p->n > 0 && p->s[p->n - 1] == '\n') {
        it->line++;
        it->bol = 1;
    } else {
        it->bol = 0;
    }
    return p->n;
}

/* Not strchr: it would find the terminator for a NUL byte. */
static int space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int blank(const piece *p)
{
    int i;

    for (i = 0; i < p->n; i++)
        if (!space((unsigned char)p->s[i]))
            return 0;
    return 1;
}

/*
 * The label of a "-----BEGIN X-----" / "-----END X-----" line into label
 * (printable, for messages too); trailing whitespace is allowed.  0 or -1.
 */
static int pem_label(const char *line, const char *lead, char *label, size_t cap)
{
    size_t ll = strlen(lead), n;
    const char *end;

    if (strncmp(line, lead, ll) != 0 || (end = strstr(line + ll, "-----")) == NULL)
        return -1;
    n = (size_t)(end - (line + ll));
    for (end += 5; *end != '\0'; end++)
        if (strchr(" \t\r\n", *end) == NULL)
            return -1;
    if (n == 0 || n >= cap)
        return -1;
    memcpy(label, line + ll, n);
    label[n] = '\0';
    for (end = label; *end != '\0'; end++)
        if (*end < 0x20 || *end > 0x7e)
            return -1;
    return 0;
}

/* What a PEM label says the block is; ATTEST_DT_NONE: not an input verify takes (the object table says). */
static attest_datatype label_type(const char *label)
{
    attest_datatype dt = attest_object_by_pem(label);

    return attest_object_verifiable(dt) ? dt : ATTEST_DT_NONE;
}

/* Printable, short: a label quoted in a message. */
static void printable(char *dst, size_t cap, const char *src)
{
    size_t i;

    for (i = 0; i + 1 < cap && src[i] != '\0' && src[i] != '\r' && src[i] != '\n'; i++)
        dst[i] = src[i] >= 0x20 && src[i] <= 0x7e ? src[i] : '?';
    dst[i] = '\0';
}

/* A block in the plainest form, read without PEM_read_bio (asn1/pem_fast.c): *der set, or left NULL; -1: memory. */
static int plain_block(BIO *block, unsigned char **der, long *dlen)
{
    char label[ATTEST_PEM_LABEL_MAX + 1];
    char *text = NULL;
    long n = BIO_get_mem_data(block, &text);
    size_t len = 0;
    int r;

    *der = NULL;
    if (n <= 0 || (r = attest_pem_plain((const unsigned char *)text, (size_t)n, label, der, &len)) == 0)
        return 0;
    if (r < 0)
        return -1;
    *dlen = (long)len; /* the label is the one the framing checked: BEGIN and END lines are the block's */
    return 0;
}

/* The block from its BEGIN line (first) to its END line (last) into one input. */
static void finish_block(BIO *block, const char *begin, const char *end_line, long first, long last, cli_input *out)
{
    char label[80], end_label[80], shown[48];
    char *name = NULL, *hdr = NULL;
    unsigned char *der = NULL;
    long dlen = 0;

    if (pem_label(begin, "-----BEGIN ", label, sizeof(label)) != 0) {
        printable(shown, sizeof(shown), begin);
        snprintf(out->error, sizeof(out->error), "line %ld: malformed BEGIN line \"%s\"", first, shown);
        return;
    }
    if ((out->dt = label_type(label)) == ATTEST_DT_NONE) {
        snprintf(out->error, sizeof(out->error), "line %ld: PEM label \"%s\" is not a request, bundle or evidence",
                 first, label);
        return;
    }
    if (pem_label(end_line, "-----END ", end_label, sizeof(end_label)) != 0 || strcmp(label, end_label) != 0) {
        printable(shown, sizeof(shown), end_line);
        snprintf(out->error, sizeof(out->error), "line %ld: END line \"%s\" does not match BEGIN %s", last, shown,
                 label);
        return;
    }
    ERR_set_mark();
    if (plain_block(block, &der, &dlen) != 0) {
        snprintf(out->error, sizeof(out->error), "out of memory");
    } else if (der == NULL && PEM_read_bio(block, &name, &hdr, &der, &dlen) <= 0) {
        unsigned long e = ERR_peek_last_error();
        /* verify runs without OpenSSL's error strings: the one reason a framed block can fail for, named here */
        const char *why = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_BAD_BASE64_DECODE
                            ? "bad base64 decode"
                            : e != 0 ? ERR_reason_error_string(e) : NULL;

        snprintf(out->error, sizeof(out->error), "lines %ld-%ld: PEM block %s does not decode (%s)", first, last, label,
                 why != NULL ? why : "bad PEM");
    } else if (dlen <= 0) {
        snprintf(out->error, sizeof(out->error), "lines %ld-%ld: empty PEM block %s", first, last, label);
    } else if (dlen > ATTEST_MAX_INPUT) {
        snprintf(out->error, sizeof(out->error), "larger than the %d-byte input cap (PEM block at line %ld)",
                 ATTEST_MAX_INPUT, first);
    } else {
        out->data = der;
        out->len = (size_t)dlen;
        der = NULL;
    }
    ERR_pop_to_mark();
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    OPENSSL_free(der);
}

static void unended(const char *begin, long first, cli_input *out)
{
    char label[80];

    if (pem_label(begin, "-----BEGIN ", label, sizeof(label)) != 0)
        snprintf(label, sizeof(label), "(malformed)");
    snprintf(out->error, sizeof(out->error), "line %ld: BEGIN %s has no END line", first, label);
}

/*
 * The next input of the stream, reading at most PEM_TEXT_CAP bytes for it:
 * one endless block (or endless junk) must not grow memory or run forever,
 * so past the cap the rest of stdin is not read.  1: an input, 0: the end.
 */
#define PEM_TEXT_CAP (2 * ATTEST_MAX_INPUT)
static int stream_next(cli_inputs *it, cli_input *out)
{
    piece p;
    char begin[sizeof(p.s)] = "";
    BIO *block = NULL;
    size_t total = 0;
    long first = 0;
    int junk = 0, nul = 0, r = 1;

    for (;;) {
        int is_begin;

        if (read_piece(it, &p) == 0) {
            if (block != NULL)
                unended(begin, first, out);
            else if (junk)
                snprintf(out->error, sizeof(out->error), "line %ld: text outside a PEM block", first);
            else
                r = 0;
            it->streaming = 0;
            break;
        }
        if ((total += (size_t)p.n) > PEM_TEXT_CAP) {
            snprintf(out->error, sizeof(out->error),
                     "PEM text over %d bytes from line %ld (the input cap is %d bytes); rest of stdin not read",
                     PEM_TEXT_CAP, first ? first : p.line, ATTEST_MAX_INPUT);
            it->streaming = 0;
            break;
        }
        is_begin = p.bol && strncmp(p.s, "-----BEGIN ", 11) == 0;
        if (is_begin && (block != NULL || junk)) {
            it->held = p; /* it starts the next input */
            if (block != NULL)
                unended(begin, first, out);
            else
                snprintf(out->error, sizeof(out->error), "line %ld: text outside a PEM block", first);
            break;
        }
        if (block != NULL) {
            nul |= memchr(p.s, '\0', (size_t)p.n) != NULL;
            if (BIO_write(block, p.s, p.n) != p.n) {
                snprintf(out->error, sizeof(out->error), "out of memory");
                break;
            }
            if (p.bol && strncmp(p.s, "-----END ", 9) == 0) {
                if (nul) /* C strings would cut the text short: refuse it */
                    snprintf(out->error, sizeof(out->error), "lines %ld-%ld: a NUL byte in the PEM block", first,
                             p.line);
                else
                    finish_block(block, begin, p.s, first, p.line, out);
                break;
            }
        } else if (is_begin) {
            first = p.line;
            nul = memchr(p.s, '\0', (size_t)p.n) != NULL;
            memcpy(begin, p.s, (size_t)p.n + 1);
            if ((block = BIO_new(BIO_s_mem())) == NULL || BIO_write(block, p.s, p.n) != p.n) {
                snprintf(out->error, sizeof(out->error), "out of memory");
                break;
            }
        } else if (!junk && !blank(&p)) {
            junk = 1;
            first = p.line;
        }
    }
    BIO_free(block);
    if (r)
        snprintf(out->name, sizeof(out->name), "stdin#%d", ++it->count);
    return r;
}

/*
 * "-": a PEM stream when it opens with text; one input read whole when it
 * opens with 0x30 (a DER SEQUENCE) or any other binary byte (the verifier
 * says what is wrong with it), or is empty (an error).
 */
static void start_stdin(cli_inputs *it, cli_input *out)
{
    int c = getc(stdin);

    if (c != EOF)
        ungetc(c, stdin);
    if (c == EOF || c == 0x30 || ((c < 0x20 || c > 0x7e) && !space(c))) {
        if (cli_read_input("-", &out->data, &out->len, out->error, sizeof(out->error)) != 0)
            out->data = NULL;
        return;
    }
    it->streaming = 1;
    it->count = 0;
    it->line = 1;
    it->bol = 1;
    if (stream_next(it, out))
        return;
    snprintf(out->name, sizeof(out->name), "stdin");
    snprintf(out->error, sizeof(out->error), "no PEM block in the stream (only whitespace)");
}

/* A file of one PEM block: its DER and the type its label names, or an error. */
static void pem_file(cli_input *out)
{
    char plain[ATTEST_PEM_LABEL_MAX + 1], *name = NULL, *hdr = NULL;
    unsigned char *der = NULL;
    size_t plain_len = 0;
    long dlen = 0;
    BIO *b = NULL;
    int r;

    ERR_set_mark();
    if ((r = attest_pem_plain(out->data, out->len, plain, &der, &plain_len)) == 1) {
        name = plain; /* the plainest form, read here (asn1/pem_fast.c) */
        dlen = (long)plain_len;
    } else if (r < 0 || (b = BIO_new_mem_buf(out->data, (int)out->len)) == NULL) {
        snprintf(out->error, sizeof(out->error), "out of memory");
    } else if (PEM_read_bio(b, &name, &hdr, &der, &dlen) <= 0 || dlen <= 0) {
        snprintf(out->error, sizeof(out->error), "the PEM block does not decode");
    }
    if (out->error[0] == '\0' && (out->dt = label_type(name)) == ATTEST_DT_NONE)
        snprintf(out->error, sizeof(out->error), "PEM label \"%.60s\" is not a request, bundle or evidence", name);
    ERR_pop_to_mark();
    OPENSSL_free(out->data);
    out->data = NULL;
    out->len = 0;
    if (out->error[0] == '\0') {
        out->data = der;
        out->len = (size_t)dlen;
        der = NULL;
    }
    OPENSSL_free(der);
    if (name != plain)
        OPENSSL_free(name);
    OPENSSL_free(hdr);
    BIO_free(b);
}

/*
 * A file is one input.  A file of several PEM blocks would have all but one
 * go unjudged, so it is an error input of its own that says how to judge
 * each (a stream on stdin).
 */
static void read_path(const char *path, cli_input *out)
{
    int n;

    snprintf(out->name, sizeof(out->name), "%.255s", path);
    if (cli_read_input(path, &out->data, &out->len, out->error, sizeof(out->error)) != 0) {
        out->data = NULL;
        return;
    }
    if (out->len >= 3 && memcmp(out->data, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 byte order mark (Windows tools) */
        memmove(out->data, out->data + 3, out->len - 3);
        out->len -= 3;
    }
    if (out->len == 0 || out->data[0] == 0x30 || (n = attest_pem_begins(out->data, out->len)) == 0)
        return; /* DER, or neither: the verifier says what it is not */
    if (n > 1)
        snprintf(out->error, sizeof(out->error),
                 "%d PEM blocks in one file, which is one input: stream them to "
                 "judge each (cat FILE | attest-req verify --in - ...)",
                 n);
    else
        pem_file(out);
}

int cli_inputs_next(cli_inputs *it, cli_input *out)
{
    memset(out, 0, sizeof(*out));
    out->dt = ATTEST_DT_NONE;
    if (it->only != NULL) {
        snprintf(out->name, sizeof(out->name), "%.255s", it->only);
        it->only = NULL;
        return 1;
    }
    if (it->streaming && stream_next(it, out))
        return 1;
    if (it->next_in < it->n_ins) {
        const char *path = it->ins[it->next_in++];

        if (strcmp(path, "-") == 0) {
            snprintf(out->name, sizeof(out->name), "-");
            start_stdin(it, out);
        } else {
            read_path(path, out);
        }
        return 1;
    }
    while (it->list != NULL) {
        char line[4096];
        int c;

        if (fgets(line, sizeof(line), it->list) == NULL)
            return 0;
        it->list_line++;
        if (strchr(line, '\n') == NULL && !feof(it->list)) {
            while ((c = getc(it->list)) != EOF && c != '\n')
                ;
            snprintf(out->name, sizeof(out->name), "list line %ld", it->list_line);
            snprintf(out->error, sizeof(out->error), "a path over %zu characters", sizeof(line) - 2);
            return 1;
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        read_path(line, out);
        return 1;
    }
    return 0;
}
