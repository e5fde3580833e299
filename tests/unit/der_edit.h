/*
 * Hand edits of DER for hostile-input tests: replace one TLV by other bytes
 * and give every TLV around it a fresh minimal length, so that only the edit
 * itself breaks DER.  Built on OpenSSL's tokenizer (ASN1_get_object).
 */
#ifndef DER_EDIT_H
#define DER_EDIT_H

#include <stddef.h>

/*
 * der[0..len) with the TLV that starts at offset `at` (at_len bytes) replaced
 * by repl; the enclosing TLVs are re-headed.  malloc'd, *out_len set.
 */
unsigned char *der_splice(const unsigned char *der, size_t len, size_t at, size_t at_len, const unsigned char *repl,
                          size_t repl_len, size_t *out_len);

/* Offset of the first occurrence of pat in der, asserting there is one. */
size_t der_find(const unsigned char *der, size_t len, const unsigned char *pat, size_t plen);

/* Offset and total length of the idx-th child TLV of the constructed TLV at `at`. */
size_t der_child(const unsigned char *der, size_t len, size_t at, int idx, size_t *child_len);

#endif
