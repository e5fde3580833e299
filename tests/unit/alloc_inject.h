/* Allocation-failure injection for OPENSSL_malloc (libfido2 style): the Nth allocation fails. */
#ifndef ALLOC_INJECT_H
#define ALLOC_INJECT_H

#include <stddef.h>

extern long fail_at; /* -1: never */
extern int injected; /* the armed failure happened */
/* Exported function names, space-separated (e.g. "X509_verify_cert"): injected_in_watch says whether the armed
 * failure happened with one of them on the stack.  NULL: not looked at. */
extern const char *inject_watch;
extern int injected_in_watch;

/* Install the hooks; must run before OpenSSL allocates anything. */
int alloc_inject_install(void);
void arm(long n);
/* DER of the first PEM block of $ATTEST_VECTORS/rel (cmocka asserts on failure). */
unsigned char *load_der(const char *rel, size_t *n);

#endif
