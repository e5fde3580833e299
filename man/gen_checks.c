/*
 * Prints the verifier's check table as roff, from the registry (the core's
 * checks and each engine's).  The build writes it to man/checks.roff in the
 * build tree; test_man_checks compares it with the block of attest-req(1)
 * between the CHECKS markers, and the update-man-checks target rewrites
 * that block.
 */
#include <stdio.h>

#include "attest/registry.h"

/* roff: a hyphen is \-, a leading dot or quote would start a request. */
static void roff(const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", stdout);
    for (; *s != '\0'; s++) {
        if (*s == '-')
            fputs("\\-", stdout);
        else if (*s == '\\')
            fputs("\\e", stdout);
        else
            putchar(*s);
    }
}

static int row(void *arg, const char *id, const char *what)
{
    (void)arg;
    fputs(".TP\n.B ", stdout);
    roff(id);
    putchar('\n');
    roff(what);
    fputs(".\n", stdout);
    return 0;
}

int main(void)
{
    attest_check_docs(row, NULL);
    return fflush(stdout) == 0 ? 0 : 1;
}
