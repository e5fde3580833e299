/* The authority's state directory (attest/ak_authority.h): single use, private, atomic. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "attest/ak_authority.h"
#include "attest/escape.h"
#include "attest/limits.h"

static int entry_path(const char *dir, const unsigned char *id, size_t idlen, const char *suffix, char *out, size_t cap)
{
    char hex[2 * ATTEST_AK_ID_LEN + 1];

    if (idlen != ATTEST_AK_ID_LEN)
        return -1;
    attest_hex(id, idlen, hex, sizeof(hex));
    return (size_t)snprintf(out, cap, "%s/%s%s", dir, hex, suffix) < cap ? 0 : -1;
}

/* The secrets must not be readable by others: refuse a directory they can enter. */
static int dir_ok(const char *dir, attest_err *err)
{
    struct stat st;

    errno = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        attest_err_set(err, "state directory %s: %s", dir, errno ? strerror(errno) : "not a directory");
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        attest_err_set(err, "state directory %s: open to group or others (chmod 700 it)", dir);
        return -1;
    }
    return 0;
}

int attest_ak_state_put(const char *dir, const unsigned char *id, size_t idlen, const unsigned char *der, size_t len,
                        attest_err *err)
{
    char path[4096], tmp[4096];
    size_t off = 0;
    int fd, ok = -1;

    if (dir_ok(dir, err) != 0)
        return -1;
    if (entry_path(dir, id, idlen, ".state", path, sizeof(path)) != 0
        || (size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp.XXXXXX", dir) >= sizeof(tmp)) {
        attest_err_set(err, "state directory %s: path too long", dir);
        return -1;
    }
    if ((fd = mkstemp(tmp)) < 0) { /* mkstemp: mode 0600 */
        attest_err_set(err, "state directory %s: %s", dir, strerror(errno));
        return -1;
    }
    while (off < len) {
        ssize_t w = write(fd, der + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (off != len || fsync(fd) != 0) {
        attest_err_set(err, "state directory %s: write failed: %s", dir, strerror(errno));
        close(fd);
        goto done;
    }
    if (close(fd) != 0) {
        attest_err_set(err, "state directory %s: write failed: %s", dir, strerror(errno));
        goto done;
    }
    /* link, not rename: an existing entry is never replaced */
    if (link(tmp, path) != 0) {
        attest_err_set(err, "state entry %s: %s", path, strerror(errno));
        goto done;
    }
    ok = 0;
done:
    unlink(tmp);
    return ok;
}

int attest_ak_state_take(const char *dir, const unsigned char *id, size_t idlen, unsigned char **der, size_t *len,
                         attest_err *err)
{
    char path[4096], claimed[4096], sfx[48];
    unsigned char *buf = NULL;
    struct stat st;
    size_t off = 0;
    int fd = -1, ok = -1;

    *der = NULL;
    if (dir_ok(dir, err) != 0)
        return -1;
    snprintf(sfx, sizeof(sfx), ".claimed.%ld", (long)getpid());
    if (entry_path(dir, id, idlen, ".state", path, sizeof(path)) != 0
        || entry_path(dir, id, idlen, sfx, claimed, sizeof(claimed)) != 0) {
        attest_err_set(err, "enroll.state: bad challenge id or path too long");
        return -1;
    }
    /* rename is atomic: of two takers of one entry, one wins */
    if (rename(path, claimed) != 0) {
        if (errno == ENOENT)
            attest_err_set(err, "enroll.state: no pending challenge with this id (unknown, or already answered)");
        else
            attest_err_set(err, "enroll.state: %s: %s", path, strerror(errno));
        return -1;
    }
    if ((fd = open(claimed, O_RDONLY | O_NOFOLLOW)) < 0 || fstat(fd, &st) != 0 || st.st_size <= 0
        || st.st_size > ATTEST_MAX_INPUT || (buf = OPENSSL_malloc((size_t)st.st_size)) == NULL) {
        attest_err_set(err, "enroll.state: cannot read %s", claimed);
        goto done;
    }
    while (off < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        off += (size_t)r;
    }
    if (off != (size_t)st.st_size) {
        attest_err_set(err, "enroll.state: short read of %s", claimed);
        goto done;
    }
    *der = buf;
    *len = off;
    buf = NULL;
    ok = 0;
done:
    if (fd >= 0)
        close(fd);
    OPENSSL_clear_free(buf, off);
    unlink(claimed); /* used or unreadable: never again */
    return ok;
}
