/* The marvell tests' lab (marvell_lab.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/cmw.h"
#include "attest/engine.h"
#include "attest/gzip.h"
#include "attest/import.h"
#include "attest/marvell.h"
#include "attest/oids.h"
#include "testutil.h"
#include "marvell_lab.h"

int error_count(const attest_verdict *v)
{
    size_t i, j;
    int n = 0;

    for (i = 0; i <= v->n_subs; i++) {
        const attest_checks *c = i == 0 ? &v->checks : &v->subs[i - 1].checks;

        for (j = 0; j < c->n; j++)
            n += c->v[j].severity == ATTEST_SEV_ERROR;
    }
    return n;
}


void run_init(run *r, const char *dir)
{
    attest_err err;

    memset(r, 0, sizeof(*r));
    r->trust = attest_trust_new();
    assert_int_equal(attest_trust_add_dir(r->trust, dir, NULL, NULL, &err), 0);
    attest_policy_default(&r->policy);
    r->p.trust = r->trust;
    r->p.policy = &r->policy;
}


EVP_PKEY *gen(const char *alg)
{
    EVP_PKEY *k = strcmp(alg, "RSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
                                          : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

    assert_non_null(k);
    return k;
}

/* A certificate for key named cn, by issuer (NULL: self-signed) with ikey; v1: no extensions. */
X509 *mkcert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, int ca, int v1)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    assert_non_null(x);
    X509_set_version(x, v1 ? X509_VERSION_1 : X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
    X509_set_pubkey(x, key);
    if (!v1) {
        X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
        ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    assert_true(X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()) > 0);
    X509_NAME_free(n);
    return x;
}



static void put(buf *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof(o->b));
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put32(buf *o, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                           (unsigned char)v };
    put(o, b, 4);
}

static void put16(buf *o, uint32_t v)
{
    unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };
    put(o, b, 2);
}

static void attr(buf *o, uint32_t type, const void *v, uint32_t len)
{
    put32(o, type);
    put32(o, len);
    put(o, v, len);
}

static void attr1(buf *o, uint32_t type, unsigned char v)
{
    attr(o, type, &v, 1);
}

/* One key object: handle, count, size, then the TLVs. */
static void object(buf *o, uint32_t handle, int priv, const unsigned char *point, size_t plen, int local, int ext)
{
    buf t = { { 0 }, 0 };
    char label[128] = "test_key", id[128] = "0123456789abcdef";

    attr1(&t, MV_CKA_CLASS, priv ? MV_CKO_PRIVATE_KEY : MV_CKO_PUBLIC_KEY);
    attr1(&t, MV_CKA_KEY_TYPE, MV_CKK_EC);
    attr(&t, MV_CKA_LABEL, label, sizeof(label));
    attr(&t, MV_CKA_ID, id, sizeof(id));
    attr(&t, MV_CKA_MODULUS, point, (uint32_t)plen);
    attr1(&t, MV_CKA_LOCAL, (unsigned char)local);
    attr1(&t, MV_CKA_EXTRACTABLE, (unsigned char)(priv ? ext : 1));
    attr1(&t, MV_CKA_NEVER_EXTRACTABLE, (unsigned char)(priv ? !ext : 0));
    attr1(&t, MV_CKA_SENSITIVE, (unsigned char)priv);
    put32(o, handle);
    put32(o, 9);
    put32(o, (uint32_t)t.n);
    put(o, t.b, t.n);
}

/* A V2 blob for subject's key, signed by part. */
void make_blob(buf *o, EVP_PKEY *subject, EVP_PKEY *part, int local, int ext)
{
    unsigned char point[133];
    size_t plen = 0, siglen = ATTEST_MARVELL_SIG_LEN;
    buf objs = { { 0 }, 0 };
    size_t first;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    assert_true(EVP_PKEY_get_octet_string_param(subject, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point),
                                                &plen));
    object(&objs, 0x101, 0, point, plen, local, ext);
    first = objs.n;
    object(&objs, 0x102, 1, point, plen, local, ext);
    o->n = 0;
    put32(o, 0);
    put32(o, 3);
    put32(o, (uint32_t)(32 + 8 + objs.n + ATTEST_MARVELL_SIG_LEN));
    put32(o, (uint32_t)(8 + objs.n));
    put32(o, 0), put32(o, 0x101), put32(o, 0), put32(o, 0x102);
    put16(o, 1), put16(o, 3), put16(o, 8), put16(o, (uint32_t)(8 + first));
    put(o, objs.b, objs.n);
    assert_true(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, part) == 1);
    assert_true(EVP_DigestSign(md, o->b + o->n, &siglen, o->b, o->n) == 1);
    assert_int_equal(siglen, ATTEST_MARVELL_SIG_LEN);
    o->n += siglen;
    EVP_MD_CTX_free(md);
}

/* CAVIUM_V1: the same objects at the fixed offset 984 (smallstep parseAttestationV1), signed. */
void make_blob_v1(buf *o, EVP_PKEY *subject, EVP_PKEY *part)
{
    unsigned char point[133];
    size_t plen = 0, siglen = ATTEST_MARVELL_SIG_LEN;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    assert_true(EVP_PKEY_get_octet_string_param(subject, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point),
                                                &plen));
    memset(o->b, 0, 984);
    o->n = 984;
    object(o, 0x201, 0, point, plen, 1, 0);
    object(o, 0x202, 1, point, plen, 1, 0);
    assert_true(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, part) == 1);
    assert_true(EVP_DigestSign(md, o->b + o->n, &siglen, o->b, o->n) == 1);
    o->n += siglen;
    EVP_MD_CTX_free(md);
}
