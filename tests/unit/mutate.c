/* DER mutator for the mutation suite (see mutate.h). */
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mutate.h"

static int push(mut_tree *t, const mut_node *n)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        mut_node *g = OPENSSL_realloc(t->v, (size_t)cap * sizeof(*g));

        if (g == NULL)
            return -1;
        t->v = g;
        t->cap = cap;
    }
    t->v[t->n] = *n;
    return t->n++;
}

static size_t id_len(const unsigned char *p, size_t avail)
{
    size_t i = 1;

    if ((p[0] & 0x1f) != 0x1f)
        return 1;
    while (i < avail && (p[i] & 0x80))
        i++;
    return i + 1;
}

static int walk(mut_tree *t, size_t off, size_t end, int parent, int depth)
{
    while (off < end) {
        const unsigned char *p = t->der + off, *q = p;
        long plen;
        int tag, cls, r, idx;
        mut_node n;

        if (depth > 40)
            return -1;
        r = ASN1_get_object(&q, &plen, &tag, &cls, (long)(end - off));
        if ((r & 0x80) || r == 0x21)
            return -1;
        memset(&n, 0, sizeof(n));
        n.off = off;
        n.hdr = (size_t)(q - p);
        n.len = (size_t)plen;
        n.idlen = id_len(p, n.hdr);
        n.tag = p[0];
        n.cons = (r & V_ASN1_CONSTRUCTED) != 0;
        n.parent = parent;
        n.depth = depth;
        if ((idx = push(t, &n)) < 0)
            return -1;
        if (parent >= 0)
            t->v[parent].nchild++;
        if (n.cons && walk(t, off + n.hdr, off + n.hdr + n.len, idx, depth + 1) != 0)
            return -1;
        off += n.hdr + n.len;
    }
    return off == end ? 0 : -1;
}

int mut_parse(mut_tree *t, const unsigned char *der, size_t len)
{
    memset(t, 0, sizeof(*t));
    t->der = der;
    t->len = len;
    if (walk(t, 0, len, -1, 0) != 0) {
        mut_tree_free(t);
        return -1;
    }
    return 0;
}

void mut_tree_free(mut_tree *t)
{
    OPENSSL_free(t->v);
    memset(t, 0, sizeof(*t));
}

int mut_child(const mut_tree *t, int i, int k)
{
    int j;

    if (i < 0)
        return -1;
    for (j = i + 1; j < t->n && mut_is_ancestor(t, i, j); j++)
        if (t->v[j].parent == i && k-- == 0)
            return j;
    return -1;
}

int mut_is_ancestor(const mut_tree *t, int i, int j)
{
    for (j = t->v[j].parent; j >= 0; j = t->v[j].parent)
        if (j == i)
            return 1;
    return 0;
}

int mut_within(const mut_tree *t, int j, int i)
{
    return i == j || (i >= 0 && mut_is_ancestor(t, i, j));
}

size_t mut_end(const mut_node *n)
{
    return n->off + n->hdr + n->len;
}

size_t mut_put_len(unsigned char *out, size_t n)
{
    unsigned char tmp[8];
    size_t k = 0, i;

    if (n < 0x80) {
        out[0] = (unsigned char)n;
        return 1;
    }
    while (n > 0) {
        tmp[k++] = (unsigned char)n;
        n >>= 8;
    }
    out[0] = (unsigned char)(0x80 | k);
    for (i = 0; i < k; i++)
        out[1 + i] = tmp[k - 1 - i];
    return 1 + k;
}

/* A growable byte buffer. */
typedef struct {
    unsigned char *b;
    size_t n, cap;
    int bad;
} buf_t;

static void put(buf_t *b, const unsigned char *p, size_t n)
{
    if (b->bad || n == 0)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        unsigned char *g;

        while (cap < b->n + n)
            cap *= 2;
        if ((g = OPENSSL_realloc(b->b, cap)) == NULL) {
            b->bad = 1;
            return;
        }
        b->b = g;
        b->cap = cap;
    }
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

/* Node i as it is after the splice, appended to out. */
static void emit(const mut_tree *t, int i, int target, const unsigned char *repl, size_t rlen, buf_t *out)
{
    const mut_node *n = &t->v[i];
    buf_t content = { 0 };
    unsigned char lb[9];
    int j;

    if (i == target) {
        put(out, repl, rlen);
        return;
    }
    if (!mut_is_ancestor(t, i, target)) {
        put(out, t->der + n->off, n->hdr + n->len);
        return;
    }
    for (j = i + 1; j < t->n && mut_is_ancestor(t, i, j); j++)
        if (t->v[j].parent == i)
            emit(t, j, target, repl, rlen, &content);
    if (content.bad) {
        out->bad = 1;
    } else {
        put(out, t->der + n->off, n->idlen);
        put(out, lb, mut_put_len(lb, content.n));
        put(out, content.b, content.n);
    }
    OPENSSL_free(content.b);
}

unsigned char *mut_splice(const mut_tree *t, int target, const unsigned char *repl, size_t repl_len, size_t *out_len)
{
    buf_t out = { 0 };
    int i;

    for (i = 0; i < t->n; i++)
        if (t->v[i].parent < 0)
            emit(t, i, target, repl, repl_len, &out);
    if (out.bad || out.n == 0) {
        OPENSSL_free(out.b);
        return NULL;
    }
    *out_len = out.n;
    return out.b;
}

unsigned char *mut_retlv(const mut_tree *t, int i, const unsigned char *content, size_t clen, long delta,
                         size_t *out_len)
{
    const mut_node *n = &t->v[i];
    buf_t out = { 0 };
    unsigned char lb[9];

    if (delta < 0 && (size_t)-delta > clen)
        return NULL;
    put(&out, t->der + n->off, n->idlen);
    put(&out, lb, mut_put_len(lb, (size_t)((long)clen + delta)));
    put(&out, content, clen);
    if (out.bad) {
        OPENSSL_free(out.b);
        return NULL;
    }
    *out_len = out.n;
    return out.b;
}

/* The TLV at *off within [0, len): its full extent. */
static int next_tlv(const unsigned char *der, size_t len, size_t *off, size_t *tlv_len, size_t *hdr)
{
    const unsigned char *p = der + *off, *q = p;
    long plen;
    int tag, cls, r;

    if (*off >= len)
        return 0;
    r = ASN1_get_object(&q, &plen, &tag, &cls, (long)(len - *off));
    if ((r & 0x80) || r == 0x21)
        return 0;
    *hdr = (size_t)(q - p);
    *tlv_len = *hdr + (size_t)plen;
    return 1;
}

unsigned char *mut_resign_csr(const unsigned char *der, size_t len, EVP_PKEY *key, const EVP_MD *md, size_t *out_len)
{
    size_t off = 0, outer, ohdr, cri_off, cri_len, alg_off, alg_len, h, siglen = 0;
    unsigned char *sig = NULL, lb[9];
    EVP_MD_CTX *ctx = NULL;
    buf_t content = { 0 }, out = { 0 };

    if (!next_tlv(der, len, &off, &outer, &ohdr))
        return NULL;
    cri_off = ohdr;
    if (!next_tlv(der, len, &cri_off, &cri_len, &h))
        return NULL;
    alg_off = cri_off + cri_len;
    if (!next_tlv(der, len, &alg_off, &alg_len, &h))
        return NULL;
    if ((ctx = EVP_MD_CTX_new()) == NULL
        || EVP_DigestSignInit_ex(ctx, NULL, EVP_MD_get0_name(md), NULL, NULL, key, NULL) != 1
        || EVP_DigestSign(ctx, NULL, &siglen, der + cri_off, cri_len) != 1 || (sig = OPENSSL_malloc(siglen + 1)) == NULL
        || EVP_DigestSign(ctx, sig + 1, &siglen, der + cri_off, cri_len) != 1) {
        EVP_MD_CTX_free(ctx);
        OPENSSL_free(sig);
        return NULL;
    }
    EVP_MD_CTX_free(ctx);
    sig[0] = 0x00; /* no unused bits */
    put(&content, der + cri_off, cri_len);
    put(&content, der + alg_off, alg_len);
    put(&content, (const unsigned char *)"\x03", 1);
    put(&content, lb, mut_put_len(lb, siglen + 1));
    put(&content, sig, siglen + 1);
    OPENSSL_free(sig);
    put(&out, (const unsigned char *)"\x30", 1);
    put(&out, lb, mut_put_len(lb, content.n));
    put(&out, content.b, content.n);
    OPENSSL_free(content.b);
    if (out.bad || content.bad) {
        OPENSSL_free(out.b);
        return NULL;
    }
    *out_len = out.n;
    return out.b;
}

void mut_rng_seed(mut_rng *r, unsigned long long seed)
{
    r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

unsigned long long mut_rng_next(mut_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

unsigned mut_rng_below(mut_rng *r, unsigned n)
{
    return n ? (unsigned)(mut_rng_next(r) % n) : 0;
}
