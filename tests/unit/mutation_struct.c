/* Mutation classes a-f: bit flips, truncations, lengths, tags, OIDs, duplicates. */
#include "mutation.h"

/* ------------------------------------------------------------ (a) bit flips */

/* Flip bits in bytes [from, to) of the request; sampled per S.bits_per_byte / S.stride. */
void flip_range(const base_t *b, const char *cls, const expect_t *e, size_t from, size_t to)
{
    unsigned char *m;
    size_t off, phase;
    char desc[160];

    if (S.counting) {
        S.counted += (long)(to - from);
        return;
    }
    phase = mut_rng_below(&S.rng, (unsigned)S.stride);
    assert_non_null(m = OPENSSL_memdup(b->out.csr, b->out.csr_len));
    for (off = from; off < to; off++) {
        unsigned bits = 0;
        int k;

        if ((off - from) % (size_t)S.stride != phase)
            continue;
        for (k = 0; k < S.bits_per_byte; k++) {
            unsigned bit;

            do
                bit = mut_rng_below(&S.rng, 8);
            while (bits & (1u << bit));
            bits |= 1u << bit;
            m[off] ^= (unsigned char)(1u << bit);
            snprintf(desc, sizeof(desc), "byte %zu (region offset %zu) bit %u flipped", off, off - from, bit);
            run(b, cls, e, m, b->out.csr_len, desc);
            m[off] ^= (unsigned char)(1u << bit);
        }
    }
    OPENSSL_free(m);
}

size_t content_off(const base_t *b, int i)
{
    return b->t.v[i].off + b->t.v[i].hdr;
}

size_t region_bytes(const base_t *b)
{
    const mut_node *v = b->t.v;

    if (b->fam == FAM_PKIX) {
        size_t n = (v[b->cri].hdr + v[b->cri].len) + v[b->sigval].len + (v[b->ptbs].hdr + v[b->ptbs].len);
        int k;

        for (k = 0; k < b->naks; k++)
            n += v[b->bval[k]].len + (v[b->btbs[k]].hdr + v[b->btbs[k]].len);
        return n;
    }
    return (v[b->cri].hdr + v[b->cri].len) + v[b->attest].len + v[b->pub].len + (v[b->tbs].hdr + v[b->tbs].len)
        + v[b->tsig].len + v[b->sigval].len;
}

void gen_bitflips(const base_t *b)
{
    const mut_node *v = b->t.v;
    expect_t e;
    int k;

    memset(&e, 0, sizeof(e));
    e.want_rc = -1;
    /* the CertificationRequestInfo, signature kept: csr.signature (or csr.parse) */
    e.oneof = S_CSR;
    flip_range(b, "a.flip.cri", &e, v[b->cri].off, mut_end(&v[b->cri]));
    /* the request's signature value */
    flip_range(b, "a.flip.csr-sig", &e, content_off(b, b->sigval), mut_end(&v[b->sigval]));
    if (b->fam == FAM_PKIX) {
        /* inside the evidence, request re-signed: the TbsEvidence (every block's signature breaks) */
        e.resign = 1;
        e.oneof = S_PEV;
        flip_range(b, "a.flip.pkix-tbs", &e, v[b->ptbs].off, mut_end(&v[b->ptbs]));
        for (k = 0; k < b->naks; k++) {
            expect_t ek = e;

            /* a SignatureBlock's signatureValue; with two blocks the other one is intact */
            ek.oneof = S_PSIG;
            one_of_two(b, &ek, k);
            flip_range(b, b->naks == 2 ? "a.flip.pkix-sig-1of2" : "a.flip.pkix-sig", &ek, content_off(b, b->bval[k]),
                       mut_end(&v[b->bval[k]]));
            /* the AK certificate's tbs in the bag */
            ek = e;
            ek.oneof = S_PCHAIN;
            one_of_two(b, &ek, k);
            flip_range(b, b->naks == 2 ? "a.flip.ak-tbs-1of2" : "a.flip.ak-tbs", &ek, v[b->btbs[k]].off,
                       mut_end(&v[b->btbs[k]]));
        }
        return;
    }
    /* inside the evidence, request re-signed */
    e.resign = 1;
    e.oneof = S_TPMSIG;
    flip_range(b, "a.flip.tpms-attest", &e, content_off(b, b->attest), mut_end(&v[b->attest]));
    flip_range(b, "a.flip.tpm-sig", &e, content_off(b, b->tsig), mut_end(&v[b->tsig]));
    e.oneof = S_PUB;
    flip_range(b, "a.flip.tpmt-public", &e, content_off(b, b->pub), mut_end(&v[b->pub]));
    e.oneof = S_TBS;
    flip_range(b, "a.flip.ak-tbs", &e, v[b->tbs].off, mut_end(&v[b->tbs]));
}

/* ------------------------------------------------------------ (b) truncation */

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

void gen_trunc(const base_t *b)
{
    const mut_tree *t = &b->t;
    size_t *cuts = OPENSSL_malloc(sizeof(size_t) * (size_t)(2 * t->n));
    size_t ncut = 0, i;
    char desc[200];
    expect_t e;
    int n, k;

    /* b.trunc.raw: the request cut at every TLV boundary (start and end of every TLV) */
    assert_non_null(cuts);
    for (n = 0; n < t->n; n++) {
        cuts[ncut++] = t->v[n].off;
        cuts[ncut++] = mut_end(&t->v[n]);
    }
    qsort(cuts, ncut, sizeof(*cuts), cmp_size);
    memset(&e, 0, sizeof(e));
    e.want_rc = -1;
    e.oneof = S_CSR;
    for (i = 0; i < ncut; i++) {
        if ((i > 0 && cuts[i] == cuts[i - 1]) || cuts[i] >= b->out.csr_len)
            continue;
        snprintf(desc, sizeof(desc), "request cut to %zu of %zu bytes", cuts[i], b->out.csr_len);
        if (S.counting)
            S.counted++;
        else
            run(b, "b.trunc.raw", &e, b->out.csr, cuts[i], desc);
    }
    OPENSSL_free(cuts);

    /* b.trunc.children: a constructed TLV cut after its k-th child, lengths fixed up */
    for (n = 0; n < t->n; n++) {
        const mut_node *nd = &t->v[n];

        if (!nd->cons || n == b->root)
            continue;
        for (k = 0; k < nd->nchild; k++) {
            int c = mut_child(t, n, k);
            size_t rlen = 0;
            unsigned char *r;

            e = region_expect(b, n);
            if (n == b->certs && k == 0)
                e.oneof = S_BPARSE;
            else if (n == b->sigalg && k > 0)
                e.equiv = EQ_MAY; /* parameters removed */
            else if (b->fam == FAM_PKIX && k > 0 && block_alg_params(b, c))
                e.equiv = EQ_MAY; /* an RSA block's (or sid key's) NULL parameters removed */
            else if (n == b->sigs && k == 0)
                e.oneof = S_PSIG; /* no SignatureBlock left */
            else if (n == b->sigs || n == b->certs)
                one_of_two(b, &e, 1); /* block 1 (the bag's second AK certificate) gone: block 0 carries */
            describe(b, n, desc, sizeof(desc), "content cut before child %d of %d", k, nd->nchild);
            if (S.counting) {
                S.counted++;
                continue;
            }
            r = mut_retlv(t, n, t->der + content_off(b, n), t->v[c].off - content_off(b, n), 0, &rlen);
            assert_non_null(r);
            run_splice(b, "b.trunc.children", &e, n, r, rlen, desc);
            OPENSSL_free(r);
        }
    }

    /* b.drop: one TLV removed, lengths fixed up */
    for (n = 1; n < t->n; n++) {
        e = region_expect(b, n);
        if (n == b->certs) {
            /* the whole cert bag gone: the AK cannot be found (PKIX: the sid's key has no certificate) */
            e = ex_nocert(b, "no certificate in the bundle");
            e.fresh_trust = 0;
            e.want_rc = -1;
            e.resign = 1;
        } else if (n == b->cert && b->t.v[b->certs].nchild == 1) {
            /* the only certificate gone: the bag is empty */
            e.oneof = S_BPARSE;
        } else if (b->fam == FAM_PKIX && n == b->sigs) {
            e.oneof = S_PEV;
        } else if (b->fam == FAM_PKIX && b->t.v[n].parent == b->sigs && b->naks == 1) {
            /* the only block gone */
            e.oneof = S_PSIG;
        }
        describe(b, n, desc, sizeof(desc), "removed");
        run_splice(b, "b.drop", &e, n, NULL, 0, desc);
    }
}

/* b.tpm-trunc: the TPM structures cut at every byte (and one byte appended). */
void gen_tpm_trunc(const base_t *b)
{
    const int nodes[3] = { b->attest, b->pub, b->tsig };
    const char *const *sets[3] = { S_TPMSIG, S_PUB, S_TPMSIG };
    char desc[200];
    expect_t e;
    int w;

    for (w = 0; w < 3; w++) {
        const mut_node *nd = &b->t.v[nodes[w]];
        const unsigned char *c = b->t.der + content_off(b, nodes[w]);
        unsigned char *ext;
        size_t k, rlen = 0;
        unsigned char *r;

        memset(&e, 0, sizeof(e));
        e.want_rc = -1;
        e.resign = 1;
        e.oneof = sets[w];
        for (k = 0; k < nd->len; k++) {
            describe(b, nodes[w], desc, sizeof(desc), "content cut to %zu bytes", k);
            if (S.counting) {
                S.counted++;
                continue;
            }
            assert_non_null(r = mut_retlv(&b->t, nodes[w], c, k, 0, &rlen));
            run_splice(b, "b.tpm-trunc", &e, nodes[w], r, rlen, desc);
            OPENSSL_free(r);
        }
        /* one byte more */
        describe(b, nodes[w], desc, sizeof(desc), "a 0x00 byte appended to the content");
        if (S.counting) {
            S.counted++;
            continue;
        }
        assert_non_null(ext = OPENSSL_malloc(nd->len + 1));
        memcpy(ext, c, nd->len);
        ext[nd->len] = 0;
        e.oneof = w == 1 ? S_TPARSE : S_TPMSIG;
        assert_non_null(r = mut_retlv(&b->t, nodes[w], ext, nd->len + 1, 0, &rlen));
        run_splice(b, "b.tpm-trunc", &e, nodes[w], r, rlen, desc);
        OPENSSL_free(r);
        OPENSSL_free(ext);
    }
}

/* ------------------------------------------------------------ (c) lengths */

void gen_lengths(const base_t *b)
{
    const mut_tree *t = &b->t;
    char desc[200];
    int n, d;

    for (n = 0; n < t->n; n++) {
        const mut_node *nd = &t->v[n];
        expect_t e = region_expect(b, n);

        for (d = -1; d <= 1; d += 2) {
            unsigned char *r, *m;
            size_t rlen = 0;
            unsigned char *lastlen;

            /* c.len.fixed: this length lies, every enclosing length is re-encoded */
            if (!(d < 0 && nd->len == 0)) {
                describe(b, n, desc, sizeof(desc), "length %+d, enclosing lengths fixed up", d);
                if (S.counting) {
                    S.counted++;
                } else {
                    assert_non_null(r = mut_retlv(t, n, t->der + content_off(b, n), nd->len, d, &rlen));
                    run_splice(b, "c.len.fixed", &e, n, r, rlen, desc);
                    OPENSSL_free(r);
                }
            }
            /* c.len.raw: the last length octet edited in place, nothing else */
            lastlen = (unsigned char *)t->der + nd->off + nd->hdr - 1;
            if ((d > 0 && (*lastlen == 0xff || (nd->hdr == nd->idlen + 1 && *lastlen == 0x7f)))
                || (d < 0 && *lastlen == 0x00))
                continue;
            describe(b, n, desc, sizeof(desc), "length %+d in place", d);
            if (S.counting) {
                S.counted++;
                continue;
            }
            assert_non_null(m = OPENSSL_memdup(t->der, t->len));
            m[nd->off + nd->hdr - 1] = (unsigned char)(m[nd->off + nd->hdr - 1] + d);
            run(b, "c.len.raw", &e, m, t->len, desc);
            OPENSSL_free(m);
        }
    }
}

/* ------------------------------------------------------------ (d) tags */

static int swaps_for(unsigned char tag, unsigned char out[3])
{
    switch (tag) {
    case 0x30:
        out[0] = 0x31;
        out[1] = 0xa0;
        return 2;
    case 0x31: out[0] = 0x30; return 1;
    case 0x04:
        out[0] = 0x0c;
        out[1] = 0x80;
        return 2;
    case 0x0c:
        out[0] = 0x04;
        out[1] = 0x13;
        return 2;
    case 0x13: out[0] = 0x0c; return 1;
    case 0x02:
        out[0] = 0x0a;
        out[1] = 0x04;
        return 2;
    case 0x0a: out[0] = 0x02; return 1;
    case 0x06:
        out[0] = 0x0d;
        out[1] = 0x04;
        return 2;
    case 0x03: out[0] = 0x04; return 1;
    case 0x05: out[0] = 0x04; return 1;
    case 0x01: out[0] = 0x02; return 1;
    case 0x17: out[0] = 0x18; return 1;
    case 0x18: out[0] = 0x17; return 1;
    case 0xa0:
        out[0] = 0xa1;
        out[1] = 0x30;
        return 2;
    case 0xa1:
    case 0xa2: out[0] = 0xa0; return 1;
    case 0xa3:
        out[0] = 0xa0;
        out[1] = 0x30;
        return 2;
    case 0x80: out[0] = 0x81; return 1;
    case 0x81:
    case 0x82: out[0] = 0x80; return 1;
    default: out[0] = (unsigned char)(tag ^ 0x01); return 1;
    }
}

void gen_tags(const base_t *b)
{
    const mut_tree *t = &b->t;
    unsigned char sw[3], *m;
    char desc[200];
    int n, k, ns;

    for (n = 0; n < t->n; n++) {
        expect_t e = region_expect(b, n);

        ns = swaps_for(t->v[n].tag, sw);
        for (k = 0; k < ns; k++) {
            /* A cert re-tagged [0] is the legacy implicit form: the same certificate, a shape warning. */
            expect_t ek = e;

            if (t->v[n].parent == b->certs && sw[k] == 0xa0) {
                ek.oneof = NULL;
                ek.only = CHK_BUNDLE_SHAPE;
                ek.only_sev = ATTEST_SEV_WARNING;
                ek.want_rc = 3;
            }
            describe(b, n, desc, sizeof(desc), "tag %02x -> %02x", t->v[n].tag, sw[k]);
            if (S.counting) {
                S.counted++;
                continue;
            }
            assert_non_null(m = OPENSSL_memdup(t->der, t->len));
            m[t->v[n].off] = sw[k];
            run(b, "d.tag", &ek, m, t->len, desc);
            OPENSSL_free(m);
        }
    }
}

/* ------------------------------------------------------------ (e) OIDs */

void gen_oids(const base_t *b)
{
    const char *dotted[] = {
        "1.2.840.113549.1.9.14",      /* extensionRequest */
        "1.3.6.1.4.1.55555.7.1",      /* unknown */
        "1.2.840.113549.1.9.16.2.59", /* id-aa-attestation */
        "2.23.133.20.1",              /* tcg-attest-tpm-certify */
        NULL,                         /* the PKIX statement type (configured) */
        NULL,                         /* the CMW statement type */
        "2.23.133.8.3",               /* tcg-kp-AIKCertificate */
    };
    const mut_tree *t = &b->t;
    char desc[200];
    size_t k;
    int n;

    for (n = 0; n < t->n; n++) {
        const mut_node *nd = &t->v[n];

        if (nd->tag != 0x06)
            continue;
        for (k = 0; k < sizeof(dotted) / sizeof(dotted[0]); k++) {
            const ASN1_OBJECT *o = k == 4 ? attest_oid_obj(ATTEST_OID_PKIX_STATEMENT)
                : k == 5                  ? attest_oid_obj(ATTEST_OID_PE_CMW)
                                          : NULL;
            ASN1_OBJECT *own = NULL;
            unsigned char *der = NULL;
            char name[80];
            expect_t e = region_expect(b, n);
            int dl;

            if (o == NULL)
                assert_non_null(o = own = OBJ_txt2obj(dotted[k], 1));
            assert_true((dl = i2d_ASN1_OBJECT(o, &der)) > 0);
            OBJ_obj2txt(name, sizeof(name), o, 1);
            ASN1_OBJECT_free(own);
            if ((size_t)dl == nd->hdr + nd->len && memcmp(der, t->der + nd->off, (size_t)dl) == 0) {
                OPENSSL_free(der);
                continue;
            }
            if (n == b->attr_oid) {
                /* no id-aa-attestation attribute any more (extensionRequest included) */
                e.oneof = NULL;
                e.want_rc = 4;
            } else if (n == b->stmt_type && k == 4) {
                e.oneof = S_PKIX;
            } else if (n == b->stmt_type && k == 3) {
                e.oneof = S_TPARSE; /* PKIX evidence read as TcgAttestCertify */
            } else if (n == b->stmt_type) {
                /* a statement type this verifier does not check: no key evidence at all */
                e.oneof = NULL;
                e.only = CHK_POLICY_KEY_ATTESTED;
            }
            describe(b, n, desc, sizeof(desc), "OID -> %s", name);
            run_splice(b, "e.oid", &e, n, der, (size_t)dl, desc);
            OPENSSL_free(der);
        }
    }
}

/* ------------------------------------------------------------ (f) duplicates */

void gen_dups(const base_t *b)
{
    const mut_tree *t = &b->t;
    char desc[200];
    int n;

    for (n = 1; n < t->n; n++) {
        const mut_node *nd = &t->v[n];
        size_t tl = nd->hdr + nd->len;
        unsigned char *two;
        const char *cls = "f.dup.element";
        expect_t e = region_expect(b, n);

        if (n == b->attr) {
            cls = "f.dup.attribute";
            e.oneof = NULL;
            e.only = CHK_BUNDLE_COUNT;
        } else if (n == b->bundle) {
            cls = "f.dup.value";
            e.oneof = NULL;
            e.only = CHK_BUNDLE_COUNT;
        } else if (n == mut_child(&b->t, b->sigalg, 0)) {
            /* the signature OID doubled: it becomes the (ignored) parameters */
            e.equiv = EQ_MAY;
        } else if (n == b->stmt || nd->parent == b->certs || (b->fam == FAM_PKIX && nd->parent == b->sigs)) {
            /* the same statement, certificate or SignatureBlock twice: equivalent content */
            e.equiv = EQ_MAY;
            e.other1 = 0;
        }
        describe(b, n, desc, sizeof(desc), "TLV duplicated in place");
        if (S.counting) {
            S.counted++;
            continue;
        }
        assert_non_null(two = OPENSSL_malloc(2 * tl));
        memcpy(two, t->der + nd->off, tl);
        memcpy(two + tl, t->der + nd->off, tl);
        run_splice(b, cls, &e, n, two, 2 * tl, desc);
        OPENSSL_free(two);
    }
}
