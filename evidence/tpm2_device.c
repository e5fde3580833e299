/*
 * TPM-facing half of the TPM2 evidence engine (see attest/tpm2_device.h).
 * ESAPI for every command, tss2-mu for every structure that leaves here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include <tss2/tss2_mu.h>

#include "attest/error.h"
#include "attest/tpm2_device.h"
#include "attest/tss2_privkey.h"
#include "tpm2_device_int.h"

/* tss2 3.2.1's TPM2_TRANSIENT_FIRST shifts an int into the sign bit (UB) */
#define TRANSIENT_FIRST 0x80000000u

/*
 * tpm2-openssl's primary ("SRK") templates for keys whose parent is the
 * owner hierarchy.  Note noDA: tpm2_createprimary's defaults lack it and
 * so give a different primary, under which such keys do not load.
 */
#define SRK_ATTRS                                                                                                      \
    (TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_NODA | TPMA_OBJECT_FIXEDTPM \
     | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN)

static const TPM2B_PUBLIC srk_ecc_template = {
    .publicArea = {
        .type = TPM2_ALG_ECC,
        .nameAlg = TPM2_ALG_SHA256,
        .objectAttributes = SRK_ATTRS,
        .parameters.eccDetail = {
            .symmetric = {
                .algorithm = TPM2_ALG_AES,
                .keyBits.aes = 128,
                .mode.aes = TPM2_ALG_CFB,
            },
            .scheme.scheme = TPM2_ALG_NULL,
            .curveID = TPM2_ECC_NIST_P256,
            .kdf.scheme = TPM2_ALG_NULL,
        },
    },
};

static const TPM2B_PUBLIC srk_rsa_template = {
    .publicArea = {
        .type = TPM2_ALG_RSA,
        .nameAlg = TPM2_ALG_SHA256,
        .objectAttributes = SRK_ATTRS,
        .parameters.rsaDetail = {
            .symmetric = {
                .algorithm = TPM2_ALG_AES,
                .keyBits.aes = 128,
                .mode.aes = TPM2_ALG_CFB,
            },
            .scheme.scheme = TPM2_ALG_NULL,
            .keyBits = 2048,
            .exponent = 0,
        },
    },
};

/* A TCTI-layer failure means the TPM went away, not that it said no. */
static int rc_unreachable(TSS2_RC rc)
{
    return (rc & TSS2_RC_LAYER_MASK) == TSS2_TCTI_RC_LAYER;
}

/*
 * "<step>: <decoded reason> (0x<rc>)"; returns -2 or -1.  After a TCTI
 * error ESYS only answers "bad sequence", so t remembers it (see alive).
 */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int
attest_tpmdev_fail(attest_tpm *t, attest_err *err, TSS2_RC rc,
    const char *fmt, ...)
{
    char step[192], why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(step, sizeof(step), fmt, ap);
    va_end(ap);
    attest_tpm_rc_text(rc, why, sizeof(why));
    attest_err_set(err, "%s: %s", step, why);
    if (!rc_unreachable(rc))
        return -1;
    if (t != NULL)
        t->lost = 1;

    return ATTEST_TPM_UNREACHABLE;
}

int attest_tpmdev_alive(const attest_tpm *t, attest_err *err)
{
    if (!t->lost)
        return 0;
    attest_err_set(err,
                   "TPM unreachable: the connection was lost "
                   "earlier; reopen it");

    return ATTEST_TPM_UNREACHABLE;
}

const char *attest_tpm_tcti(const char *tcti)
{
    static const char *const vars[] = { "ATTEST_TCTI", "TPM2TOOLS_TCTI", "TCTI" };
    const char *v;
    size_t i;

    if (tcti != NULL && *tcti != '\0')
        return tcti;
    for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        if ((v = getenv(vars[i])) != NULL && *v != '\0')
            return v;

    return NULL; /* tctildr default search */
}

/*
 * First command: proves the TPM answers (and was started), and tells how
 * large a TPMT_HA, hence a TPM2B_DATA, may be on this TPM.
 */
static int probe(attest_tpm *t, attest_err *err)
{
    TPMS_CAPABILITY_DATA *cap = NULL;
    TPMI_YES_NO more = TPM2_NO;
    TPMS_TAGGED_PROPERTY *p;
    size_t max_digest = 32; /* SHA-256: the least any TPM 2.0 has */
    TSS2_RC rc;
    int ok = ATTEST_TPM_UNREACHABLE;

    rc = attest_tss2.Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
                            TPM2_PT_MAX_DIGEST, 1, &more, &cap);
    if (rc != TSS2_RC_SUCCESS) {
        attest_tpmdev_fail(t, err, rc, "TPM2_GetCapability (probe)");
        goto fail;
    }
    if (cap->data.tpmProperties.count > 0) {
        p = &cap->data.tpmProperties.tpmProperty[0];
        if (p->property == TPM2_PT_MAX_DIGEST && p->value >= 20 && p->value <= sizeof(TPMU_HA))
            max_digest = p->value;
    }
    t->data_cap = sizeof(TPMI_ALG_HASH) + max_digest;

    ok = 0;
fail:
    attest_esys_free(cap);

    return ok;
}

int attest_tpm_open(const char *tcti, attest_tpm **out, attest_err *err)
{
    attest_tpm *t = NULL;
    const char *conf;
    TSS2_RC rc;
    int ok = -1;

    if (out == NULL) {
        attest_err_set(err, "attest_tpm_open: invalid argument");
        return -1;
    }
    *out = NULL;
    if (attest_tss2_load(err) != 0)
        return -1;
    conf = attest_tpm_tcti(tcti);
    if ((t = OPENSSL_zalloc(sizeof(*t))) == NULL) {
        attest_err_set(err, "attest_tpm_open: out of memory");
        goto fail;
    }
    if ((rc = attest_tss2.Tss2_TctiLdr_Initialize(conf, &t->tcti)) != TSS2_RC_SUCCESS) {
        attest_tpmdev_fail(t, err, rc, "TPM unreachable: TCTI \"%s\"", conf != NULL ? conf : "(tctildr default)");
        ok = ATTEST_TPM_UNREACHABLE;
        goto fail;
    }
    if ((rc = attest_tss2.Esys_Initialize(&t->esys, t->tcti, NULL)) != TSS2_RC_SUCCESS) {
        attest_tpmdev_fail(t, err, rc, "TPM unreachable: Esys_Initialize");
        ok = ATTEST_TPM_UNREACHABLE;
        goto fail;
    }
    if ((ok = probe(t, err)) < 0)
        goto fail;

    *out = t;
    t = NULL;
    ok = 0;
fail:
    attest_tpm_close(t);

    return ok;
}

void attest_tpm_close(attest_tpm *t)
{
    if (t == NULL)
        return;
    attest_tpm_hold_key(t, 0);
    if (t->esys != NULL)
        attest_tss2.Esys_Finalize(&t->esys);
    if (t->tcti != NULL)
        attest_tss2.Tss2_TctiLdr_Finalize(&t->tcti);
    OPENSSL_free(t);
}

void attest_tpmdev_obj_close(attest_tpm *t, tpm_obj *o)
{
    if (o->borrowed) {
        *o = (tpm_obj)TPM_OBJ_INIT;
        return;
    }
    if (o->tr != ESYS_TR_NONE) {
        /* a failed flush only leaks a slot; nothing else to do here */
        if (o->flush)
            (void)attest_tss2.Esys_FlushContext(t->esys, o->tr);
        else
            (void)attest_tss2.Esys_TR_Close(t->esys, &o->tr);
    }
    attest_esys_free(o->pub);
    o->tr = ESYS_TR_NONE;
    o->flush = 0;
    o->pub = NULL;
}

static int obj_from_handle(attest_tpm *t, uint32_t h, const char *what, tpm_obj *o, attest_err *err)
{
    ESYS_TR tr = ESYS_TR_NONE;
    TSS2_RC rc;

    if ((h >> TPM2_HR_SHIFT) != TPM2_HT_PERSISTENT && (h >> TPM2_HR_SHIFT) != TPM2_HT_TRANSIENT) {
        attest_err_set(err,
                       "%s handle 0x%08x: not a persistent "
                       "(0x81xxxxxx) or transient (0x80xxxxxx) object",
                       what, h);
        return -1;
    }
    rc = attest_tss2.Esys_TR_FromTPMPublic(t->esys, h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr);
    if (rc != TSS2_RC_SUCCESS)
        return attest_tpmdev_fail(t, err, rc,
                                  "%s handle 0x%08x: "
                                  "TPM2_ReadPublic",
                                  what, h);
    o->tr = tr;
    o->flush = 0;

    return 0;
}

/* The parent of a TSS2 key: a persistent handle, or a rebuilt SRK. */
static int parent_open(attest_tpm *t, const attest_tss2_key *k, tpm_obj *o, attest_err *err)
{
    static const TPM2B_SENSITIVE_CREATE sens; /* empty auth, no data */
    static const TPM2B_DATA outside;
    static const TPML_PCR_SELECTION pcrs;
    ESYS_TR tr = ESYS_TR_NONE;
    TSS2_RC rc;

    if (k->parent != TPM2_RH_OWNER)
        return obj_from_handle(t, k->parent, "TSS2 key parent", o, err);
    rc = attest_tss2.Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
                            k->rsa_parent ? &srk_rsa_template : &srk_ecc_template, &outside, &pcrs, &tr, NULL, NULL,
                            NULL, NULL);
    if (rc != TSS2_RC_SUCCESS)
        return attest_tpmdev_fail(t, err, rc,
                                  "TSS2 key parent (owner %s "
                                  "SRK): TPM2_CreatePrimary",
                                  k->rsa_parent ? "RSA" : "ECC");
    o->tr = tr;
    o->flush = 1;

    return 0;
}

static int obj_from_blob(attest_tpm *t, const attest_tpm_keyref *key, tpm_obj *o, attest_err *err)
{
    attest_tss2_key k;
    tpm_obj parent = TPM_OBJ_INIT;
    ESYS_TR tr = ESYS_TR_NONE;
    TSS2_RC rc;
    int ok = -1;

    if (attest_tss2_key_decode(key->tss2_pem, key->tss2_pem_len, &k, err) < 0)
        goto fail;
    /* a password would need an auth source this API does not have */
    if (!k.empty_auth) {
        attest_err_set(err,
                       "TSS2 key: emptyAuth is not TRUE; keys "
                       "with a password are not supported");
        goto fail;
    }
    if ((ok = parent_open(t, &k, &parent, err)) < 0)
        goto fail;
    rc = attest_tss2.Esys_Load(t->esys, parent.tr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &k.priv, &k.pub, &tr);
    if (rc != TSS2_RC_SUCCESS) {
        ok = attest_tpmdev_fail(t, err, rc,
                                "TSS2 key: TPM2_Load under "
                                "parent 0x%08x",
                                k.parent);
        goto fail;
    }
    o->tr = tr;
    o->flush = 1;

    ok = 0;
fail:
    attest_tpmdev_obj_close(t, &parent); /* the SRK is only needed for the load */
    OPENSSL_cleanse(&k, sizeof(k));

    return ok;
}

/* Resolve a key reference and read its public area from the TPM. */
int attest_tpmdev_obj_open(attest_tpm *t, const attest_tpm_keyref *key, const char *what, tpm_obj *o, attest_err *err)
{
    TSS2_RC rc;
    int ok;

    if (key->tss2_pem != NULL)
        ok = obj_from_blob(t, key, o, err);
    else
        ok = obj_from_handle(t, key->handle, what, o, err);
    if (ok < 0)
        return ok;
    rc = attest_tss2.Esys_ReadPublic(t->esys, o->tr, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &o->pub, NULL, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        ok = attest_tpmdev_fail(t, err, rc, "%s: TPM2_ReadPublic", what);
        attest_tpmdev_obj_close(t, o);
        return ok;
    }

    return 0;
}

static int marshal_public(const TPMT_PUBLIC *p, unsigned char **out, size_t *out_len, attest_err *err)
{
    uint8_t buf[sizeof(TPMT_PUBLIC)];
    size_t off = 0;
    TSS2_RC rc;

    if ((rc = Tss2_MU_TPMT_PUBLIC_Marshal(p, buf, sizeof(buf), &off)) != TSS2_RC_SUCCESS) {
        attest_tpmdev_fail(NULL, err, rc, "Tss2_MU_TPMT_PUBLIC_Marshal");
        return -1;
    }
    if ((*out = OPENSSL_memdup(buf, off)) == NULL) {
        attest_err_set(err, "TPMT_PUBLIC: out of memory");
        return -1;
    }
    *out_len = off;

    return 0;
}

/*
 * inScheme for TPM2_Certify: NULL lets the TPM use the AK's own scheme;
 * an AK without one gets the plain scheme for its type and nameAlg.
 */
static void certify_scheme(const TPMT_PUBLIC *ak, TPMT_SIG_SCHEME *s)
{
    memset(s, 0, sizeof(*s));
    s->scheme = TPM2_ALG_NULL;
    if (ak->type == TPM2_ALG_RSA && ak->parameters.rsaDetail.scheme.scheme == TPM2_ALG_NULL)
        s->scheme = TPM2_ALG_RSASSA;
    else if (ak->type == TPM2_ALG_ECC && ak->parameters.eccDetail.scheme.scheme == TPM2_ALG_NULL)
        s->scheme = TPM2_ALG_ECDSA;
    if (s->scheme != TPM2_ALG_NULL)
        s->details.any.hashAlg = ak->nameAlg;
}

void attest_tpm_certify_out_clear(attest_tpm_certify_out *o)
{
    if (o == NULL)
        return;
    OPENSSL_free(o->attest);
    OPENSSL_free(o->sig);
    OPENSSL_free(o->pub);
    OPENSSL_free(o->ak_pub);
    memset(o, 0, sizeof(*o));
}

static int certify_copy(const TPM2B_ATTEST *info, const TPMT_SIGNATURE *sig, const TPMT_PUBLIC *pub,
                        const TPMT_PUBLIC *ak_pub, attest_tpm_certify_out *out, attest_err *err)
{
    uint8_t buf[sizeof(TPMT_SIGNATURE)];
    size_t off = 0;
    TSS2_RC rc;

    if (info->size == 0 || info->size > sizeof(info->attestationData)) {
        attest_err_set(err, "TPM2_Certify: TPM2B_ATTEST of %u bytes", (unsigned)info->size);
        return -1;
    }
    if ((out->attest = OPENSSL_memdup(info->attestationData, info->size)) == NULL) {
        attest_err_set(err, "TPM2_Certify: out of memory");
        return -1;
    }
    out->attest_len = info->size;
    if ((rc = Tss2_MU_TPMT_SIGNATURE_Marshal(sig, buf, sizeof(buf), &off)) != TSS2_RC_SUCCESS) {
        attest_tpmdev_fail(NULL, err, rc, "Tss2_MU_TPMT_SIGNATURE_Marshal");
        return -1;
    }
    if ((out->sig = OPENSSL_memdup(buf, off)) == NULL) {
        attest_err_set(err, "TPM2_Certify: out of memory");
        return -1;
    }
    out->sig_len = off;
    if (marshal_public(pub, &out->pub, &out->pub_len, err) < 0
        || marshal_public(ak_pub, &out->ak_pub, &out->ak_pub_len, err) < 0)
        return -1;
    out->object_attributes = pub->objectAttributes;

    return 0;
}

int attest_tpm_certify(attest_tpm *t, const attest_tpm_keyref *key, uint32_t ak_handle, const unsigned char *nonce,
                       size_t nonce_len, attest_tpm_certify_out *out, attest_err *err)
{
    tpm_obj k = TPM_OBJ_INIT, ak = TPM_OBJ_INIT;
    TPM2B_ATTEST *info = NULL;
    TPMT_SIGNATURE *sig = NULL;
    TPMT_SIG_SCHEME scheme;
    TPM2B_DATA qd;
    attest_tpm_keyref akref;
    size_t cap;
    TSS2_RC rc;
    int ok = -1;

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (t == NULL || key == NULL || out == NULL || (nonce == NULL && nonce_len > 0)) {
        attest_err_set(err, "attest_tpm_certify: invalid argument");
        goto fail;
    }
    if (attest_tpmdev_alive(t, err) < 0) {
        ok = ATTEST_TPM_UNREACHABLE;
        goto fail;
    }
    /* policy cap, the TPM's TPMT_HA, and tss2 3.2.1's smaller buffer */
    cap = ATTEST_TPM_NONCE_MAX;
    if (cap > t->data_cap)
        cap = t->data_cap;
    if (cap > sizeof(qd.buffer))
        cap = sizeof(qd.buffer);
    if (nonce_len > cap) {
        attest_err_set(err,
                       "TPM2_Certify: qualifyingData (nonce) is "
                       "%zu bytes, at most %zu allowed (TPM2B_DATA capacity: TPM "
                       "%zu, tss2 %zu)",
                       nonce_len, cap, t->data_cap, sizeof(qd.buffer));
        goto fail;
    }
    memset(&qd, 0, sizeof(qd));
    qd.size = (UINT16)nonce_len;
    if (nonce_len > 0)
        memcpy(qd.buffer, nonce, nonce_len);

    memset(&akref, 0, sizeof(akref));
    akref.handle = ak_handle;
    if ((ok = attest_tpmdev_key_open(t, key, &k, err)) < 0
        || (ok = attest_tpmdev_obj_open(t, &akref, "AK", &ak, err)) < 0)
        goto fail;
    certify_scheme(&ak.pub->publicArea, &scheme);
    rc =
        attest_tss2.Esys_Certify(t->esys, k.tr, ak.tr, ESYS_TR_PASSWORD, ESYS_TR_PASSWORD, ESYS_TR_NONE, &qd, &scheme, &info, &sig);
    if (rc != TSS2_RC_SUCCESS) {
        ok = attest_tpmdev_fail(t, err, rc, "TPM2_Certify");
        goto fail;
    }
    if ((ok = certify_copy(info, sig, &k.pub->publicArea, &ak.pub->publicArea, out, err)) < 0)
        goto fail;

    ok = 0;
fail:
    attest_esys_free(info);
    attest_esys_free(sig);
    if (t != NULL) {
        /* ESYS has one TR per TPM handle: a self-certify shares it */
        if (ak.tr == k.tr)
            ak.tr = ESYS_TR_NONE;
        attest_tpmdev_obj_close(t, &k);
        attest_tpmdev_obj_close(t, &ak);
    }
    if (ok < 0)
        attest_tpm_certify_out_clear(out);

    return ok;
}

int attest_tpm_read_public(attest_tpm *t, const attest_tpm_keyref *key, unsigned char **pub, size_t *pub_len,
                           attest_err *err)
{
    tpm_obj o = TPM_OBJ_INIT;
    attest_tss2_key k;
    int ok = -1;

    if (pub != NULL)
        *pub = NULL;
    if (pub_len != NULL)
        *pub_len = 0;
    if (key == NULL || pub == NULL || pub_len == NULL || (t == NULL && key->tss2_pem == NULL)) {
        attest_err_set(err, "attest_tpm_read_public: invalid argument");
        return -1;
    }
    if (key->tss2_pem != NULL) {
        /* the blob's public area is what TPM2_Load would check */
        if (attest_tss2_key_decode(key->tss2_pem, key->tss2_pem_len, &k, err) < 0)
            return -1;
        ok = marshal_public(&k.pub.publicArea, pub, pub_len, err);
        OPENSSL_cleanse(&k, sizeof(k));
        return ok;
    }
    if ((ok = attest_tpmdev_alive(t, err)) < 0 || (ok = attest_tpmdev_key_open(t, key, &o, err)) < 0)
        goto fail;
    if ((ok = marshal_public(&o.pub->publicArea, pub, pub_len, err)) < 0)
        goto fail;

    ok = 0;
fail:
    attest_tpmdev_obj_close(t, &o);

    return ok;
}

int attest_tpm_count_transients(attest_tpm *t, size_t *n, attest_err *err)
{
    TPMS_CAPABILITY_DATA *cap = NULL;
    TPMI_YES_NO more = TPM2_NO;
    uint32_t next = TRANSIENT_FIRST;
    TPM2_HANDLE h;
    TSS2_RC rc;
    UINT32 i;
    int ok = -1;

    if (t == NULL || n == NULL) {
        attest_err_set(err,
                       "attest_tpm_count_transients: invalid "
                       "argument");
        return -1;
    }
    *n = 0;
    if ((ok = attest_tpmdev_alive(t, err)) < 0)
        return ok;
    do {
        rc = attest_tss2.Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES, next,
                                TPM2_MAX_CAP_HANDLES, &more, &cap);
        if (rc != TSS2_RC_SUCCESS) {
            ok = attest_tpmdev_fail(t, err, rc,
                                    "TPM2_GetCapability "
                                    "(transient handles)");
            goto fail;
        }
        if (cap->data.handles.count == 0)
            more = TPM2_NO;
        for (i = 0; i < cap->data.handles.count; i++) {
            h = cap->data.handles.handle[i];
            if ((h >> TPM2_HR_SHIFT) != TPM2_HT_TRANSIENT) {
                more = TPM2_NO;
                break;
            }
            (*n)++;
            next = h + 1;
        }
        attest_esys_free(cap);
        cap = NULL;
    } while (more == TPM2_YES);

    ok = 0;
fail:
    attest_esys_free(cap);

    return ok;
}
