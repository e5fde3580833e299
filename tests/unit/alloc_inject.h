/* Allocation-failure injection for OPENSSL_malloc (libfido2 style): the Nth allocation fails. */
#ifndef ALLOC_INJECT_H
#define ALLOC_INJECT_H

#include <stddef.h>

extern long fail_at;   /* -1: never */
extern int injected;   /* the armed failure happened */

/* Install the hooks; must run before OpenSSL allocates anything. */
int alloc_inject_install(void);
void arm(long n);
/* DER of the first PEM block of $ATTEST_VECTORS/rel (cmocka asserts on failure). */
unsigned char *load_der(const char *rel, size_t *n);

#endif
