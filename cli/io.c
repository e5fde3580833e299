/* Reading inputs with a size cap, writing outputs atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>

#include "attest/limits.h"
#include "cli.h"

int cli_read_file(const cli_app *app, const char *path, unsigned char **out, size_t *len)
{
    char msg[256];

    if (cli_read_input(path, out, len, msg, sizeof(msg)) == 0)
        return 0;
    cli_error(app, "%s: %s", path, msg);
    return -1;
}

/* Grows buf to hold at least need bytes and a NUL; the reason in msg when it cannot. */
static int room(unsigned char **buf, size_t *cap, size_t need, char *msg, size_t msglen)
{
    unsigned char *grown;
    size_t c = *cap ? *cap : 8192;

    if (need <= *cap)
        return 0;
    if (need > (size_t)ATTEST_MAX_INPUT + 1) {
        snprintf(msg, msglen, "larger than the %d-byte input cap", ATTEST_MAX_INPUT);
        return -1;
    }
    while (c < need)
        c *= 2;
    if ((grown = OPENSSL_realloc(*buf, c + 1)) == NULL) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    *buf = grown;
    *cap = c;
    return 0;
}

/*
 * A path is read through its descriptor (sized by fstat: one read, then the
 * one that says end of file); stdin through stdio, whose buffer the PEM
 * stream reader shares.  Either way to end of file, at most one byte past
 * the cap.
 */
int cli_read_input(const char *path, unsigned char **out, size_t *len, char *msg, size_t msglen)
{
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? -1 : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    struct stat st;

    if (!is_stdin && fd < 0) {
        snprintf(msg, msglen, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (fd >= 0 && fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(msg, msglen, "is a directory");
            goto fail;
        }
        /* Room for the whole file and one byte more, so the read that finds its end needs no growing. */
        if (S_ISREG(st.st_mode) && st.st_size > 0 && room(&buf, &cap, (size_t)st.st_size + 1, msg, msglen) != 0)
            goto fail;
    }
    for (;;) {
        ssize_t r;

        if (room(&buf, &cap, n + 1, msg, msglen) != 0)
            goto fail;
        if (is_stdin) {
            r = (ssize_t)fread(buf + n, 1, cap - n, stdin);
            if (r == 0 && ferror(stdin)) {
                snprintf(msg, msglen, "read error: %s", strerror(errno));
                goto fail;
            }
        } else if ((r = read(fd, buf + n, cap - n)) < 0) {
            if (errno == EINTR)
                continue;
            snprintf(msg, msglen, "read error: %s", strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > ATTEST_MAX_INPUT) {
        snprintf(msg, msglen, "larger than the %d-byte input cap", ATTEST_MAX_INPUT);
        goto fail;
    }
    if (n == 0) {
        snprintf(msg, msglen, "empty input");
        goto fail;
    }
    buf[n] = '\0';
    if (fd >= 0)
        close(fd);
    *out = buf;
    *len = n;
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    OPENSSL_free(buf);
    return -1;
}

/*
 * Anything but a regular file -- a device, a FIFO, a symbolic link such as
 * /dev/stdout -- is written in place: renaming over it would replace the
 * device or the link (`--out /dev/null` once left a regular file there).
 */
static int write_in_place(const cli_app *app, const char *path, const unsigned char *data, size_t len)
{
    size_t off = 0;
    int fd = open(path, O_WRONLY | O_NOCTTY | O_TRUNC);

    if (fd < 0) {
        cli_error(app, "%s: cannot open for writing: %s", path, strerror(errno));
        return -1;
    }
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            cli_error(app, "%s: write failed: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (close(fd) != 0) {
        cli_error(app, "%s: write failed: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * A regular file (or none yet) is staged into a temporary beside it; anything
 * else is written in place right away and *tmpout stays NULL, which
 * cli_commit_file and cli_discard_file take as "nothing to rename".
 */
int cli_stage_file(const cli_app *app, const char *path, const unsigned char *data, size_t len, char **tmpout)
{
    char *tmp = NULL;
    size_t off = 0;
    int fd = -1, ok = -1;
    struct stat st;

    *tmpout = NULL;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode) || (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
            cli_error(app, "%s: is a directory", path);
            return -1;
        }
        return write_in_place(app, path, data, len);
    }
    if ((tmp = OPENSSL_malloc(strlen(path) + 16)) == NULL)
        return -1;
    sprintf(tmp, "%s.tmp.XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0) {
        cli_error(app, "%s: cannot create a temporary file: %s", path, strerror(errno));
        OPENSSL_free(tmp);
        return -1;
    }
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            cli_error(app, "%s: write failed: %s", path, strerror(errno));
            goto done;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        cli_error(app, "%s: cannot finish writing: %s", path, strerror(errno));
        goto done;
    }
    fd = -1;
    ok = 0;
done:
    if (fd >= 0)
        close(fd);
    if (ok != 0) {
        unlink(tmp);
        OPENSSL_free(tmp);
    } else {
        *tmpout = tmp;
    }
    return ok;
}

int cli_commit_file(const cli_app *app, const char *path, char *tmp)
{
    int ok = 0;

    if (tmp == NULL)
        return 0; /* written in place by cli_stage_file */
    if (rename(tmp, path) != 0) {
        cli_error(app, "%s: cannot rename into place: %s", path, strerror(errno));
        unlink(tmp);
        ok = -1;
    }
    OPENSSL_free(tmp);
    return ok;
}

void cli_discard_file(char *tmp)
{
    if (tmp != NULL)
        unlink(tmp);
    OPENSSL_free(tmp);
}

int cli_write_file(const cli_app *app, const char *path, const unsigned char *data, size_t len)
{
    char *tmp;

    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            cli_error(app, "stdout: write failed: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    if (cli_stage_file(app, path, data, len, &tmp) != 0)
        return -1;
    return cli_commit_file(app, path, tmp);
}

int cli_parse_hex(const char *hex, unsigned char *out, size_t cap, size_t *len)
{
    size_t n = strlen(hex), i;

    if (n >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
        hex += 2;
        n -= 2;
    }
    if (n % 2 != 0 || n / 2 > cap)
        return -1;
    for (i = 0; i < n / 2; i++) {
        int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]);
        int lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    *len = n / 2;
    return 0;
}

int cli_load_nonce(const cli_app *app, const char *hex, const char *file, unsigned char *buf, size_t cap, size_t *len)
{
    unsigned char *data = NULL;
    size_t n = 0;

    if (hex != NULL && file != NULL) {
        cli_error(app, "give --nonce or --nonce-file, not both");
        return -1;
    }
    if (hex != NULL) {
        if (cli_parse_hex(hex, buf, cap, len) != 0 || *len == 0) {
            cli_error(app, "--nonce: expected 1 to %zu bytes of hex", cap);
            return -1;
        }
        return 0;
    }
    if (cli_read_file(app, file, &data, &n) != 0)
        return -1;
    /* A file of hex text (trailing newline allowed) or raw bytes. */
    while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        data[--n] = '\0';
    if (cli_parse_hex((const char *)data, buf, cap, len) != 0) {
        if (n > cap) {
            cli_error(app, "%s: nonce longer than %zu bytes", file, cap);
            OPENSSL_free(data);
            return -1;
        }
        memcpy(buf, data, n);
        *len = n;
    }
    OPENSSL_free(data);
    return 0;
}
