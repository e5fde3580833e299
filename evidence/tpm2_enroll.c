/*
 * The TPM side of AK enrollment (see attest/tpm2_enroll.h): ESAPI for
 * every command, tss2-mu for the structures that leave here.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <tss2/tss2_mu.h>

#include "attest/error.h"
#include "attest/keys.h"
#include "attest/tpm2.h"
#include "attest/tpm2_enroll.h"
#include "tpm2_device_int.h"

const uint32_t attest_ek_cert_indices[] = {
    0x01c00002, 0x01c0000a,             /* low range: RSA-2048, ECC P-256 */
    0x01c00012, 0x01c00014, 0x01c00016, /* high range: RSA-2048, P-256, P-384 */
    0x01c00018, 0x01c0001a, 0x01c0001c, 0x01c0001e,
};
const size_t attest_ek_cert_n_indices = sizeof(attest_ek_cert_indices) / sizeof(attest_ek_cert_indices[0]);

#define EK_FIRST 0x81010000u /* TCG reserves 0x81010000-0x810100ff for EKs */
#define EK_LAST  0x810100ffu
#define NV_CHUNK 512u /* below every TPM's TPM2_PT_NV_BUFFER_MAX */

#define AK_ATTRS                                                                                                 \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH \
     | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT)
/* TCG EK Credential Profile, attributes "A" (low range) */
#define EK_ATTRS_A                                                                                                  \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY \
     | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)

/* PolicySecret(TPM_RH_ENDORSEMENT), SHA-256: the low-range EK authPolicy */
static const unsigned char policy_a_sha256[32] = {
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5, 0xd7, 0x24,
    0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa,
};

static void ek_template(int rsa, TPM2B_PUBLIC *p)
{
    memset(p, 0, sizeof(*p));
    p->publicArea.nameAlg = TPM2_ALG_SHA256;
    p->publicArea.objectAttributes = EK_ATTRS_A;
    p->publicArea.authPolicy.size = sizeof(policy_a_sha256);
    memcpy(p->publicArea.authPolicy.buffer, policy_a_sha256, sizeof(policy_a_sha256));
    if (rsa) {
        TPMS_RSA_PARMS *r = &p->publicArea.parameters.rsaDetail;

        p->publicArea.type = TPM2_ALG_RSA;
        r->symmetric.algorithm = TPM2_ALG_AES;
        r->symmetric.keyBits.aes = 128;
        r->symmetric.mode.aes = TPM2_ALG_CFB;
        r->scheme.scheme = TPM2_ALG_NULL;
        r->keyBits = 2048;
        p->publicArea.unique.rsa.size = 256; /* zeros */
    } else {
        TPMS_ECC_PARMS *e = &p->publicArea.parameters.eccDetail;

        p->publicArea.type = TPM2_ALG_ECC;
        e->symmetric.algorithm = TPM2_ALG_AES;
        e->symmetric.keyBits.aes = 128;
        e->symmetric.mode.aes = TPM2_ALG_CFB;
        e->scheme.scheme = TPM2_ALG_NULL;
        e->curveID = TPM2_ECC_NIST_P256;
        e->kdf.scheme = TPM2_ALG_NULL;
        p->publicArea.unique.ecc.x.size = 32;
        p->publicArea.unique.ecc.y.size = 32;
    }
}

static int marshal_pub(const TPMT_PUBLIC *p, unsigned char **out, size_t *len, attest_err *err)
{
    size_t off = 0;

    if ((*out = OPENSSL_malloc(sizeof(*p))) == NULL
        || Tss2_MU_TPMT_PUBLIC_Marshal(p, *out, sizeof(*p), &off) != TSS2_RC_SUCCESS) {
        OPENSSL_free(*out);
        *out = NULL;
        attest_err_set(err, "cannot marshal a TPMT_PUBLIC");
        return -1;
    }
    *len = off;

    return 0;
}

static int primary(attest_tpm *t, ESYS_TR hier, const TPM2B_PUBLIC *tpl, ESYS_TR *tr, TPM2B_PUBLIC **out,
                   const char *what, attest_err *err)
{
    static const TPM2B_SENSITIVE_CREATE sens;
    static const TPM2B_DATA outside;
    static const TPML_PCR_SELECTION pcrs;
    TSS2_RC rc;

    rc = attest_tss2.Esys_CreatePrimary(t->esys, hier, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens, tpl, &outside, &pcrs,
                            tr, out, NULL, NULL, NULL);
    if (rc != TSS2_RC_SUCCESS)
        return attest_tpmdev_fail(t, err, rc, "%s: TPM2_CreatePrimary", what);

    return 0;
}

int attest_tpm_ak_create(attest_tpm *t, uint32_t handle, int rsa, int force, unsigned char **pub, size_t *pub_len,
                         attest_err *err)
{
    TPM2B_PUBLIC tpl, *out = NULL;
    ESYS_TR obj = ESYS_TR_NONE, old = ESYS_TR_NONE, pers = ESYS_TR_NONE;
    TSS2_RC rc;
    int ok;

    *pub = NULL;
    if ((ok = attest_tpmdev_alive(t, err)) < 0)
        return ok;
    if ((handle >> TPM2_HR_SHIFT) != TPM2_HT_PERSISTENT) {
        attest_err_set(err,
                       "AK handle 0x%08x: not a persistent handle "
                       "(0x81xxxxxx)",
                       handle);
        return -1;
    }
    ok = -1;
    if (attest_tss2.Esys_TR_FromTPMPublic(t->esys, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &old) == TSS2_RC_SUCCESS) {
        if (!force) {
            attest_err_set(err,
                           "AK handle 0x%08x is occupied "
                           "(--force replaces its object)",
                           handle);
            goto done;
        }
        rc = attest_tss2.Esys_EvictControl(t->esys, ESYS_TR_RH_OWNER, old, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, handle,
                               &pers);
        if (rc != TSS2_RC_SUCCESS) {
            ok = attest_tpmdev_fail(t, err, rc,
                                    "AK handle "
                                    "0x%08x: evicting the old object",
                                    handle);
            goto done;
        }
        /* ESYS keeps the evicted object's Name: drop it, or the next
         * TR_FromTPMPublic of this handle fails on a Name mismatch */
        (void)attest_tss2.Esys_TR_Close(t->esys, &old);
        old = ESYS_TR_NONE;
        if (pers != ESYS_TR_NONE)
            (void)attest_tss2.Esys_TR_Close(t->esys, &pers);
        pers = ESYS_TR_NONE;
    }
    memset(&tpl, 0, sizeof(tpl));
    tpl.publicArea.nameAlg = TPM2_ALG_SHA256;
    tpl.publicArea.objectAttributes = AK_ATTRS;
    if (rsa) {
        TPMS_RSA_PARMS *r = &tpl.publicArea.parameters.rsaDetail;

        tpl.publicArea.type = TPM2_ALG_RSA;
        r->symmetric.algorithm = TPM2_ALG_NULL;
        r->scheme.scheme = TPM2_ALG_RSASSA;
        r->scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
        r->keyBits = 2048;
        tpl.publicArea.unique.rsa.size = 32;
        rc = RAND_bytes(tpl.publicArea.unique.rsa.buffer, 32) > 0;
    } else {
        TPMS_ECC_PARMS *e = &tpl.publicArea.parameters.eccDetail;

        tpl.publicArea.type = TPM2_ALG_ECC;
        e->symmetric.algorithm = TPM2_ALG_NULL;
        e->scheme.scheme = TPM2_ALG_ECDSA;
        e->scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
        e->curveID = TPM2_ECC_NIST_P256;
        e->kdf.scheme = TPM2_ALG_NULL;
        tpl.publicArea.unique.ecc.x.size = 32;
        rc = RAND_bytes(tpl.publicArea.unique.ecc.x.buffer, 32) > 0;
    }
    /* a primary is a function of the template: random unique = a new key */
    if (!rc) {
        attest_err_set(err, "AK: no random bytes");
        goto done;
    }
    if ((ok = primary(t, ESYS_TR_RH_ENDORSEMENT, &tpl, &obj, &out, "AK", err)) < 0)
        goto done;
    rc = attest_tss2.Esys_EvictControl(t->esys, ESYS_TR_RH_OWNER, obj, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, handle, &pers);
    if (rc != TSS2_RC_SUCCESS) {
        ok = attest_tpmdev_fail(t, err, rc,
                                "AK handle 0x%08x: "
                                "TPM2_EvictControl",
                                handle);
        goto done;
    }
    ok = marshal_pub(&out->publicArea, pub, pub_len, err);
done:
    if (obj != ESYS_TR_NONE)
        (void)attest_tss2.Esys_FlushContext(t->esys, obj);
    if (pers != ESYS_TR_NONE)
        (void)attest_tss2.Esys_TR_Close(t->esys, &pers);
    if (old != ESYS_TR_NONE)
        (void)attest_tss2.Esys_TR_Close(t->esys, &old);
    attest_esys_free(out);

    return ok;
}

/* 1: the index exists and was read; 0: absent; <0: failure. */
static int nv_read(attest_tpm *t, uint32_t index, unsigned char **der, size_t *len, attest_err *err)
{
    TPM2B_NV_PUBLIC *np = NULL;
    TPM2B_MAX_NV_BUFFER *chunk = NULL;
    ESYS_TR tr = ESYS_TR_NONE;
    unsigned char *buf = NULL;
    const unsigned char *p;
    X509 *x = NULL;
    size_t size, off = 0;
    TSS2_RC rc;
    int ok = -1;

    if (attest_tss2.Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr) != TSS2_RC_SUCCESS)
        return attest_tpmdev_alive(t, err) < 0 ? ATTEST_TPM_UNREACHABLE : 0;
    rc = attest_tss2.Esys_NV_ReadPublic(t->esys, tr, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &np, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        ok = attest_tpmdev_fail(t, err, rc,
                                "EK certificate NV "
                                "0x%08x: TPM2_NV_ReadPublic",
                                index);
        goto done;
    }
    size = np->nvPublic.dataSize;
    if (size == 0 || (buf = OPENSSL_malloc(size)) == NULL) {
        attest_err_set(err, "EK certificate NV 0x%08x: empty", index);
        goto done;
    }
    while (off < size) {
        UINT16 n = (UINT16)(size - off > NV_CHUNK ? NV_CHUNK : size - off);

        /* EK certificate indices are AUTHREAD with an empty auth */
        rc = attest_tss2.Esys_NV_Read(t->esys, tr, tr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, n, (UINT16)off, &chunk);
        if (rc != TSS2_RC_SUCCESS) {
            ok = attest_tpmdev_fail(t, err, rc,
                                    "EK certificate "
                                    "NV 0x%08x: TPM2_NV_Read",
                                    index);
            goto done;
        }
        if (chunk->size != n) {
            attest_err_set(err, "EK certificate NV 0x%08x: short read", index);
            goto done;
        }
        memcpy(buf + off, chunk->buffer, n);
        off += n;
        attest_esys_free(chunk);
        chunk = NULL;
    }
    /* some TPMs pad the index: keep the certificate's own bytes */
    p = buf;
    if ((x = d2i_X509(NULL, &p, (long)size)) == NULL) {
        attest_err_set(err, "EK certificate NV 0x%08x: not a DER certificate", index);
        goto done;
    }
    *len = (size_t)(p - buf);
    *der = buf;
    buf = NULL;
    ok = 1;
done:
    X509_free(x);
    OPENSSL_free(buf);
    attest_esys_free(chunk);
    attest_esys_free(np);
    (void)attest_tss2.Esys_TR_Close(t->esys, &tr);

    return ok;
}

int attest_tpm_ek_cert_read(attest_tpm *t, uint32_t index, unsigned char **der, size_t *len, uint32_t *found,
                            attest_err *err)
{
    size_t i;
    int r;

    *der = NULL;
    if ((r = attest_tpmdev_alive(t, err)) < 0)
        return r;
    for (i = 0; i < attest_ek_cert_n_indices; i++) {
        uint32_t ix = index ? index : attest_ek_cert_indices[i];

        if ((r = nv_read(t, ix, der, len, err)) < 0)
            return r;
        if (r == 1) {
            *found = ix;
            return 0;
        }
        if (index)
            break;
    }
    if (index)
        attest_err_set(err, "no EK certificate at NV index 0x%08x", index);
    else
        attest_err_set(err,
                       "no EK certificate in NV at the TCG indices "
                       "(0x01c00002, 0x01c0000a, ...): give --ek-cert FILE");

    return -1;
}

/* What the EK must be: the certificate's key, or exactly these TPMT_PUBLIC bytes. */
typedef struct {
    EVP_PKEY *key;
    const unsigned char *pub;
    size_t pub_len;
} ek_want;

static int ek_matches(const TPMT_PUBLIC *p, const ek_want *w)
{
    unsigned char *m = NULL;
    size_t mlen = 0;
    EVP_PKEY *k;
    int eq = 0;

    if ((p->objectAttributes & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT))
        != (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT))
        return 0;
    if (w->pub != NULL) {
        if (marshal_pub(p, &m, &mlen, NULL) == 0)
            eq = mlen == w->pub_len && memcmp(m, w->pub, mlen) == 0;
        OPENSSL_free(m);
        return eq;
    }
    if ((k = attest_tpmt_public_to_pkey(p, NULL, NULL)) == NULL)
        return 0;
    eq = attest_key_public_eq(k, w->key) == 1;
    EVP_PKEY_free(k);

    return eq;
}

/* The EK as an object: o->tr (flush when created), pub its public area. */
static int ek_find(attest_tpm *t, const ek_want *w, tpm_obj *o, attest_err *err)
{
    TPMS_CAPABILITY_DATA *cap = NULL;
    TPMI_YES_NO more = TPM2_NO;
    TPM2B_PUBLIC tpl, *pub = NULL;
    ESYS_TR tr;
    TSS2_RC rc;
    UINT32 i;
    int k, r;

    rc = attest_tss2.Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES, EK_FIRST, 256, &more,
                            &cap);
    if (rc != TSS2_RC_SUCCESS)
        return attest_tpmdev_fail(t, err, rc, "EK: TPM2_GetCapability");
    for (i = 0; i < cap->data.handles.count; i++) {
        uint32_t h = cap->data.handles.handle[i];

        if (h > EK_LAST)
            break;
        tr = ESYS_TR_NONE;
        if (attest_tss2.Esys_TR_FromTPMPublic(t->esys, h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr) != TSS2_RC_SUCCESS)
            continue;
        if (attest_tss2.Esys_ReadPublic(t->esys, tr, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, NULL, NULL) == TSS2_RC_SUCCESS
            && ek_matches(&pub->publicArea, w)) {
            o->tr = tr;
            o->flush = 0;
            o->pub = pub;
            attest_esys_free(cap);
            return 0;
        }
        attest_esys_free(pub);
        pub = NULL;
        (void)attest_tss2.Esys_TR_Close(t->esys, &tr);
    }
    attest_esys_free(cap);
    for (k = 0; k < 2; k++) {
        ek_template(k == 0, &tpl);
        if ((r = primary(t, ESYS_TR_RH_ENDORSEMENT, &tpl, &tr, &pub, k == 0 ? "EK (RSA template)" : "EK (ECC template)",
                         err))
            < 0)
            return r;
        if (ek_matches(&pub->publicArea, w)) {
            o->tr = tr;
            o->flush = 1;
            o->pub = pub;
            return 0;
        }
        attest_esys_free(pub);
        pub = NULL;
        (void)attest_tss2.Esys_FlushContext(t->esys, tr);
    }
    attest_err_set(err,
                   "no EK of this TPM matches %s (neither a persistent EK "
                   "in 0x81010000-0x810100ff nor the TCG low-range templates)",
                   w->pub != NULL ? "the challenge's EK" : "the EK certificate");

    return -1;
}

int attest_tpm_ek_public(attest_tpm *t, EVP_PKEY *cert_key, unsigned char **pub, size_t *pub_len, attest_err *err)
{
    ek_want w = { cert_key, NULL, 0 };
    tpm_obj o = TPM_OBJ_INIT;
    int ok;

    *pub = NULL;
    if ((ok = attest_tpmdev_alive(t, err)) < 0)
        return ok;
    if ((ok = ek_find(t, &w, &o, err)) == 0)
        ok = marshal_pub(&o.pub->publicArea, pub, pub_len, err);
    attest_tpmdev_obj_close(t, &o);

    return ok;
}

/* A policy session satisfying PolicySecret(TPM_RH_ENDORSEMENT). */
static int ek_session(attest_tpm *t, TPMI_ALG_HASH alg, ESYS_TR *s, attest_err *err)
{
    static const TPMT_SYM_DEF none = { .algorithm = TPM2_ALG_NULL };
    TPM2B_TIMEOUT *timeout = NULL;
    TPMT_TK_AUTH *ticket = NULL;
    TSS2_RC rc;

    rc = attest_tss2.Esys_StartAuthSession(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL,
                               TPM2_SE_POLICY, &none, alg, s);
    if (rc != TSS2_RC_SUCCESS)
        return attest_tpmdev_fail(t, err, rc, "EK policy session: TPM2_StartAuthSession");
    rc = attest_tss2.Esys_PolicySecret(t->esys, ESYS_TR_RH_ENDORSEMENT, *s, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, NULL,
                           NULL, NULL, 0, &timeout, &ticket);
    attest_esys_free(timeout);
    attest_esys_free(ticket);
    if (rc != TSS2_RC_SUCCESS) {
        (void)attest_tss2.Esys_FlushContext(t->esys, *s);
        *s = ESYS_TR_NONE;
        return attest_tpmdev_fail(t, err, rc, "EK policy session: TPM2_PolicySecret(endorsement)");
    }

    return 0;
}

int attest_tpm_activate(attest_tpm *t, uint32_t ak, const unsigned char *ek_pub, size_t ek_pub_len,
                        const unsigned char *id_object, size_t id_len, const unsigned char *secret, size_t secret_len,
                        unsigned char **cred, size_t *cred_len, attest_err *err)
{
    ek_want w = { NULL, ek_pub, ek_pub_len };
    tpm_obj ek = TPM_OBJ_INIT;
    attest_tpm_keyref ref = { ak, NULL, 0 };
    tpm_obj akobj = TPM_OBJ_INIT;
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET sec;
    TPM2B_DIGEST *out = NULL;
    ESYS_TR sess = ESYS_TR_NONE;
    size_t off = 0;
    TSS2_RC rc;
    int ok;

    *cred = NULL;
    if ((ok = attest_tpmdev_alive(t, err)) < 0)
        return ok;
    ok = -1;
    if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(id_object, id_len, &off, &blob) != TSS2_RC_SUCCESS || off != id_len
        || (off = 0, Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(secret, secret_len, &off, &sec)) != TSS2_RC_SUCCESS
        || off != secret_len) {
        attest_err_set(err,
                       "challenge: credential blob or secret is not "
                       "a TPM2B_ID_OBJECT / TPM2B_ENCRYPTED_SECRET");
        return -1;
    }
    if ((ok = attest_tpmdev_obj_open(t, &ref, "AK", &akobj, err)) < 0)
        goto done;
    if ((ok = ek_find(t, &w, &ek, err)) < 0)
        goto done;
    if (!(ek.pub->publicArea.objectAttributes & TPMA_OBJECT_USERWITHAUTH)
        && (ok = ek_session(t, ek.pub->publicArea.nameAlg, &sess, err)) < 0)
        goto done;
    rc = attest_tss2.Esys_ActivateCredential(t->esys, akobj.tr, ek.tr, ESYS_TR_PASSWORD,
                                 sess != ESYS_TR_NONE ? sess : ESYS_TR_PASSWORD, ESYS_TR_NONE, &blob, &sec, &out);
    if (rc != TSS2_RC_SUCCESS) {
        ok = attest_tpmdev_fail(t, err, rc, "TPM2_ActivateCredential");
        goto done;
    }
    if ((*cred = OPENSSL_memdup(out->buffer, out->size ? out->size : 1)) == NULL) {
        ok = -1;
        goto done;
    }
    *cred_len = out->size;
    ok = 0;
done:
    /* ESYS starts sessions with continueSession: it outlives the command */
    if (sess != ESYS_TR_NONE)
        (void)attest_tss2.Esys_FlushContext(t->esys, sess);
    if (out != NULL)
        OPENSSL_cleanse(out->buffer, out->size);
    attest_esys_free(out);
    attest_tpmdev_obj_close(t, &ek);
    attest_tpmdev_obj_close(t, &akobj);

    return ok;
}
