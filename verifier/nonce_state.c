/*
 * The single-use nonce store (nonce_state.h).  Layout of DIR:
 *   HEX          an issued nonce: "attest-nonce 1 expires SECONDS\n", mtime = expiry
 *   HEX.used     a hard link to it, made by the one verifier that used it
 *   .tmp-HEX     an entry being written (then linked to HEX)
 * No locks: link() either makes the name or fails with EEXIST, atomically,
 * on every POSIX file system and on an NFS server, so exactly one of any
 * number of verifiers (threads, processes or hosts) wins a nonce.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/rand.h>

#include "attest/checks.h"
#include "attest/escape.h"
#include "attest/limits.h"
#include "attest/nonce_state.h"

#define NAME_CAP    (2 * ATTEST_MAX_NONCE + 16)
#define TMP_PREFIX  ".tmp-"
#define USED_SUFFIX ".used"
/* A .tmp- entry this old (by ctime) was left by a crash; younger ones may be in the making. */
#define TMP_STALE   3600

static void hex_name(const unsigned char *n, size_t len, const char *pre, const char *suf, char *out)
{
    size_t o = (size_t)sprintf(out, "%s", pre);

    attest_hex(n, len, out + o, 2 * len + 1);
    strcpy(out + o + 2 * len, suf);
}

/* The directory, created 0700 when create and absent; refused when others may write to it. */
static int open_dir(const char *dir, int create, attest_err *err)
{
    struct stat st;
    int fd;

    if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        attest_err_set(err, "nonce state %s: cannot create: %s", dir, strerror(errno));
        return -1;
    }
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        attest_err_set(err, "nonce state %s: cannot open: %s", dir, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || (st.st_mode & 022) != 0) {
        /* Whoever can write here can issue nonces, or unmark used ones. */
        attest_err_set(err, "nonce state %s: writable by group or others (mode %03o): chmod 700 it", dir,
                       (unsigned)(st.st_mode & 0777));
        close(fd);
        return -1;
    }
    return fd;
}

/* The expiry an entry holds: 0, or -1 when unreadable or not an entry of ours. */
static int read_expiry(int dfd, const char *name, time_t *expires)
{
    char buf[64];
    long long t;
    char nl;
    ssize_t n;
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    if (sscanf(buf, "attest-nonce 1 expires %lld%c", &t, &nl) != 2 || nl != '\n' || t <= 0)
        return -1;
    *expires = (time_t)t;
    return 0;
}

/* Write .tmp-HEX and link it to HEX: 0, 1 when HEX (or HEX.used) exists already, -1 on error. */
static int record(int dfd, const unsigned char *n, size_t len, time_t expires, attest_err *err)
{
    char name[NAME_CAP], tmp[NAME_CAP], used[NAME_CAP], text[64];
    struct timespec ts[2] = { { expires, 0 }, { expires, 0 } };
    struct stat st;
    int fd, tl, rc = -1;

    hex_name(n, len, "", "", name);
    hex_name(n, len, TMP_PREFIX, "", tmp);
    hex_name(n, len, "", USED_SUFFIX, used);
    if (fstatat(dfd, used, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return 1;
    if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
        if (errno == EEXIST)
            return 1;
        attest_err_set(err, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    tl = snprintf(text, sizeof(text), "attest-nonce 1 expires %lld\n", (long long)expires);
    if (write(fd, text, (size_t)tl) != tl || fsync(fd) != 0 || futimens(fd, ts) != 0) {
        attest_err_set(err, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        goto done;
    }
    close(fd);
    if (linkat(dfd, tmp, dfd, name, 0) != 0) {
        if (errno == EEXIST)
            rc = 1;
        else
            attest_err_set(err, "cannot link %s: %s", name, strerror(errno));
        goto done;
    }
    fsync(dfd);
    rc = 0;
done:
    unlinkat(dfd, tmp, 0);
    return rc;
}

int attest_nonce_issue(const char *dir, long ttl, unsigned char *out, size_t len, attest_err *err)
{
    int dfd, tries, r = -1;

    if (len < ATTEST_NONCE_MIN_BYTES || len > ATTEST_MAX_NONCE || ttl < 1 || ttl > ATTEST_NONCE_MAX_TTL) {
        attest_err_set(err, "nonce: %zu bytes for %ld s is out of range", len, ttl);
        return -1;
    }
    if ((dfd = open_dir(dir, 1, err)) < 0)
        return -1;
    /* A collision of 8+ random bytes means a broken generator, but retrying costs nothing. */
    for (tries = 0; tries < 4; tries++) {
        if (RAND_bytes(out, (int)len) != 1) {
            attest_err_set(err, "nonce: the random generator failed");
            break;
        }
        if ((r = record(dfd, out, len, time(NULL) + ttl, err)) != 1)
            break;
    }
    if (r == 1)
        attest_err_set(err, "nonce state %s: every fresh nonce already exists (random generator?)", dir);
    else if (r < 0)
        attest_err_prefix(err, "nonce state %s", dir);
    close(dfd);
    if (r == 0)
        attest_nonce_sweep(dir, time(NULL), NULL);
    return r == 0 ? 0 : -1;
}

attest_nonce_result attest_nonce_consume(const char *dir, const unsigned char *nonce, size_t len, time_t now,
                                         time_t *expires, attest_err *err)
{
    char name[NAME_CAP], used[NAME_CAP];
    struct stat st;
    time_t exp = 0;
    attest_nonce_result r;
    int dfd;

    if (len == 0 || len > ATTEST_MAX_NONCE)
        return ATTEST_NONCE_UNKNOWN;
    if ((dfd = open_dir(dir, 0, err)) < 0)
        return ATTEST_NONCE_ERROR;
    hex_name(nonce, len, "", "", name);
    hex_name(nonce, len, "", USED_SUFFIX, used);
    if (linkat(dfd, name, dfd, used, 0) == 0) {
        /* Ours.  The bare name goes; a crash before this leaves both, which still reads as used. */
        unlinkat(dfd, name, 0);
        fsync(dfd);
        if (read_expiry(dfd, used, &exp) != 0) {
            attest_err_set(err, "nonce state %s: entry %s is not one of ours", dir, name);
            r = ATTEST_NONCE_ERROR;
        } else {
            r = now >= exp ? ATTEST_NONCE_EXPIRED : ATTEST_NONCE_OK;
        }
    } else if (errno == EEXIST) {
        r = ATTEST_NONCE_USED;
    } else if (errno == ENOENT) {
        /* Another verifier links before it unlinks: no used mark now means never issued (or swept). */
        r = fstatat(dfd, used, &st, AT_SYMLINK_NOFOLLOW) == 0 ? ATTEST_NONCE_USED : ATTEST_NONCE_UNKNOWN;
    } else {
        attest_err_set(err, "nonce state %s: cannot mark %s used: %s", dir, name, strerror(errno));
        r = ATTEST_NONCE_ERROR;
    }
    if (r == ATTEST_NONCE_USED)
        read_expiry(dfd, used, &exp);
    if (expires != NULL)
        *expires = exp;
    close(dfd);
    return r;
}

/* HEX, HEX.used or .tmp-HEX, with 2..2*ATTEST_MAX_NONCE lowercase hex digits. */
static int our_name(const char *s, int *tmp)
{
    size_t n;

    *tmp = strncmp(s, TMP_PREFIX, strlen(TMP_PREFIX)) == 0;
    if (*tmp)
        s += strlen(TMP_PREFIX);
    n = strspn(s, "0123456789abcdef");
    if (n < 2 || n % 2 != 0 || n > 2 * ATTEST_MAX_NONCE)
        return 0;
    return s[n] == '\0' || (!*tmp && strcmp(s + n, USED_SUFFIX) == 0);
}

long attest_nonce_sweep(const char *dir, time_t now, attest_err *err)
{
    attest_err local;
    DIR *d;
    struct dirent *e;
    long removed = 0;
    int dfd;

    if ((dfd = open_dir(dir, 0, err != NULL ? err : &local)) < 0)
        return -1;
    if ((d = fdopendir(dfd)) == NULL) {
        attest_err_set(err != NULL ? err : &local, "nonce state %s: %s", dir, strerror(errno));
        close(dfd);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        int tmp;

        if (!our_name(e->d_name, &tmp) || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
            || !S_ISREG(st.st_mode))
            continue;
        /* The expiry is the mtime (set before the entry was linked into place). */
        if ((tmp ? st.st_ctime + TMP_STALE : st.st_mtime) <= now && unlinkat(dfd, e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

static int same_nonce(const attest_submod *a, const attest_submod *b)
{
    return a->nonce_found_len == b->nonce_found_len && memcmp(a->nonce_found, b->nonce_found, a->nonce_found_len) == 0;
}

void attest_verdict_check_nonce_state(attest_verdict *v, const char *dir)
{
    const attest_submod *first = NULL;
    char hex[NAME_CAP], when[48];
    attest_err err;
    time_t exp = 0;
    size_t i;

    if (v->no_attestation) {
        attest_skip(&v->checks, CHK_NONCE_STATE, "no attestation: no nonce to use up");
        return;
    }
    /* Evidence that failed proves no nonce; and a stranger's garbage must not burn a client's nonce. */
    if (attest_verdict_status(v) == ATTEST_STATUS_CONTRAINDICATED) {
        attest_skip(&v->checks, CHK_NONCE_STATE, "not used up: the evidence failed other checks");
        return;
    }
    for (i = 0; i < v->n_subs; i++) {
        const attest_submod *s = &v->subs[i];

        if (!attest_submod_has_nonce(s))
            continue;
        if (first != NULL && !same_nonce(first, s)) {
            attest_fail(&v->checks, CHK_NONCE_STATE, "%s and %s carry different nonces", first->name, s->name);
            return;
        }
        if (first == NULL)
            first = s;
    }
    if (first == NULL) {
        attest_fail(&v->checks, CHK_NONCE_STATE, "no statement reports a nonce");
        return;
    }
    hex_name(first->nonce_found, first->nonce_found_len, "", "", hex);
    switch (attest_nonce_consume(dir, first->nonce_found, first->nonce_found_len, time(NULL), &exp, &err)) {
    case ATTEST_NONCE_OK:
        attest_time_text(exp, when, sizeof(when));
        attest_pass(&v->checks, CHK_NONCE_STATE, "nonce %s was issued here, valid until %s; now used", hex, when);
        break;
    case ATTEST_NONCE_USED: attest_fail(&v->checks, CHK_NONCE_STATE, "nonce %s was already used: a replay", hex); break;
    case ATTEST_NONCE_EXPIRED:
        attest_time_text(exp, when, sizeof(when));
        attest_fail(&v->checks, CHK_NONCE_STATE, "nonce %s expired at %s", hex, when);
        break;
    case ATTEST_NONCE_UNKNOWN:
        attest_fail(&v->checks, CHK_NONCE_STATE, "nonce %s was not issued here (or expired and was swept)", hex);
        break;
    default: attest_fail(&v->checks, CHK_NONCE_STATE, "%s", err.msg); break;
    }
}
