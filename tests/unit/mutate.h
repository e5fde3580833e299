/*
 * A DER mutator for the mutation suite: a flat TLV tree of a DER blob (walked
 * with OpenSSL's ASN1_get_object, constructed nodes descended), and splicing
 * that replaces one node's TLV and re-encodes the length of every ancestor,
 * so that a mutation stays local.  Plus re-signing a PKCS#10 request over
 * whatever its first element now holds, as an attacker who owns the subject
 * key would.
 */
#ifndef MUTATE_H
#define MUTATE_H

#include <stddef.h>
#include <openssl/evp.h>

typedef struct {
    size_t off;        /* TLV start in the source */
    size_t idlen;      /* identifier octets */
    size_t hdr;        /* identifier + length octets */
    size_t len;        /* content octets */
    unsigned char tag; /* first identifier octet */
    int cons;          /* constructed (children were walked) */
    int parent;        /* -1 at the top */
    int depth;
    int nchild;
} mut_node;

typedef struct {
    const unsigned char *der;
    size_t len;
    mut_node *v;
    int n, cap;
} mut_tree;

/* 0 on success; every byte must belong to a well-formed TLV. */
int mut_parse(mut_tree *t, const unsigned char *der, size_t len);
void mut_tree_free(mut_tree *t);
/* Index of the k-th child of node i, or -1. */
int mut_child(const mut_tree *t, int i, int k);
/* 1 when node i is a (strict) ancestor of node j. */
int mut_is_ancestor(const mut_tree *t, int i, int j);
/* 1 when node j is i or inside it. */
int mut_within(const mut_tree *t, int j, int i);
size_t mut_end(const mut_node *n); /* off + hdr + len */

/*
 * The source with node target's TLV replaced by repl (repl_len 0: removed)
 * and every ancestor's length re-encoded.  OPENSSL_malloc'd.
 */
unsigned char *mut_splice(const mut_tree *t, int target, const unsigned char *repl, size_t repl_len, size_t *out_len);
/* Node i's TLV with the content replaced: identifier kept, length re-encoded (plus delta). */
unsigned char *mut_retlv(const mut_tree *t, int i, const unsigned char *content, size_t clen, long delta,
                         size_t *out_len);
/* Definite-length octets for n into out (up to 9 bytes); returns their count. */
size_t mut_put_len(unsigned char *out, size_t n);

/*
 * der is SEQUENCE { cri, algorithm, BIT STRING }: sign the cri TLV (as found,
 * whatever it holds) with key and md, keep the algorithm TLV, and return the
 * new request.  NULL when the outer two TLVs cannot be found.
 */
unsigned char *mut_resign_csr(const unsigned char *der, size_t len, EVP_PKEY *key, const EVP_MD *md, size_t *out_len);

/* xorshift64*: deterministic, seedable. */
typedef struct {
    unsigned long long s;
} mut_rng;
void mut_rng_seed(mut_rng *r, unsigned long long seed);
unsigned long long mut_rng_next(mut_rng *r);
unsigned mut_rng_below(mut_rng *r, unsigned n);

#endif
