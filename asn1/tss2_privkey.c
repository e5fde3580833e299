/*
 * TSS2 PRIVATE KEY codec (see include/attest/tss2_privkey.h for the ASN.1).
 * The DER layer is OpenSSL templates; the TPM structures inside the two
 * OCTET STRINGs are unmarshaled with tss2-mu.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <tss2/tss2_mu.h>

#include "attest/error.h"
#include "attest/tss2_privkey.h"

ASN1_SEQUENCE(ATTEST_TSS2_PRIVKEY) = {
    ASN1_SIMPLE(ATTEST_TSS2_PRIVKEY, type, ASN1_OBJECT),
    ASN1_EXP_OPT(ATTEST_TSS2_PRIVKEY, empty_auth, ASN1_BOOLEAN, 0),
    ASN1_EXP_OPT(ATTEST_TSS2_PRIVKEY, policy, ASN1_ANY, 1),
    ASN1_EXP_OPT(ATTEST_TSS2_PRIVKEY, secret, ASN1_OCTET_STRING, 2),
    ASN1_EXP_OPT(ATTEST_TSS2_PRIVKEY, auth_policy, ASN1_ANY, 3),
    ASN1_EXP_OPT(ATTEST_TSS2_PRIVKEY, description, ASN1_UTF8STRING, 4),
    ASN1_EXP_OPT(ATTEST_TSS2_PRIVKEY, rsa_parent, ASN1_BOOLEAN, 5),
    ASN1_SIMPLE(ATTEST_TSS2_PRIVKEY, parent, ASN1_INTEGER),
    ASN1_SIMPLE(ATTEST_TSS2_PRIVKEY, pubkey, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ATTEST_TSS2_PRIVKEY, privkey, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(ATTEST_TSS2_PRIVKEY)

IMPLEMENT_ASN1_FUNCTIONS(ATTEST_TSS2_PRIVKEY)

/* DER of the PEM block, or a copy of buf if it already is DER. */
static int
to_der(const unsigned char *buf, size_t len, unsigned char **der,
    long *der_len, attest_err *err)
{
    BIO *bio = NULL;
    char *name = NULL;
    int ok = -1;

    *der = NULL;
    *der_len = 0;

    if (len > 0 && buf[0] == 0x30) {
        if (len > LONG_MAX) {
            attest_err_set(err, "TSS2 key: %zu bytes is too large", len);
            goto fail;
        }
        if ((*der = OPENSSL_memdup(buf, len)) == NULL) {
            attest_err_set(err, "TSS2 key: out of memory");
            goto fail;
        }
        *der_len = (long)len;
        ok = 0;
        goto fail;
    }
    if (len > INT_MAX || (bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
        attest_err_set(err, "TSS2 key: cannot read %zu bytes", len);
        goto fail;
    }
    if (!PEM_bytes_read_bio(der, der_len, &name, ATTEST_TSS2_PEM_NAME, bio, NULL, NULL)) {
        attest_err_set(err,
                       "TSS2 key: no \"-----BEGIN %s-----\" "
                       "block",
                       ATTEST_TSS2_PEM_NAME);
        goto fail;
    }

    ok = 0;
fail:
    BIO_free(bio);
    OPENSSL_free(name);

    return ok;
}

static int oid_is(const ASN1_OBJECT *obj, const char *dotted)
{
    char txt[64];
    int n;

    n = OBJ_obj2txt(txt, sizeof(txt), obj, 1);

    return n > 0 && (size_t)n < sizeof(txt) && strcmp(txt, dotted) == 0;
}

static int check_type(const ATTEST_TSS2_PRIVKEY *k, attest_err *err)
{
    char txt[64];

    if (oid_is(k->type, ATTEST_TSS2_OID_LOADABLE))
        return 0;
    if (oid_is(k->type, ATTEST_TSS2_OID_IMPORTABLE))
        attest_err_set(err,
                       "TSS2 key: importable keys (%s) are not "
                       "supported, only loadable (%s)",
                       ATTEST_TSS2_OID_IMPORTABLE, ATTEST_TSS2_OID_LOADABLE);
    else if (oid_is(k->type, ATTEST_TSS2_OID_SEALED))
        attest_err_set(err, "TSS2 key: sealed data (%s) is not a key", ATTEST_TSS2_OID_SEALED);
    else {
        if (OBJ_obj2txt(txt, sizeof(txt), k->type, 1) <= 0)
            strcpy(txt, "?");
        attest_err_set(err,
                       "TSS2 key: type %s, expected loadable "
                       "key %s",
                       txt, ATTEST_TSS2_OID_LOADABLE);
    }

    return -1;
}

static int get_parent(const ASN1_INTEGER *a, uint32_t *parent, attest_err *err)
{
    uint64_t v;

    if (!ASN1_INTEGER_get_uint64(&v, a) || v > UINT32_MAX) {
        attest_err_set(err, "TSS2 key: parent is not a 32-bit handle");
        return -1;
    }
    /* tpm2-openssl reads 0 as "owner hierarchy" */
    *parent = v == 0 ? TPM2_RH_OWNER : (uint32_t)v;
    if (*parent != TPM2_RH_OWNER && (*parent >> TPM2_HR_SHIFT) != TPM2_HT_PERSISTENT) {
        attest_err_set(err,
                       "TSS2 key: parent 0x%08x is neither the "
                       "owner hierarchy (0x%08x) nor a persistent handle",
                       *parent, TPM2_RH_OWNER);
        return -1;
    }

    return 0;
}

static int unmarshal(const ATTEST_TSS2_PRIVKEY *k, attest_tss2_key *out, attest_err *err)
{
    size_t off;
    TSS2_RC rc;

    off = 0;
    rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(k->pubkey->data, (size_t)k->pubkey->length, &off, &out->pub);
    if (rc != TSS2_RC_SUCCESS || off != (size_t)k->pubkey->length || out->pub.size == 0) {
        attest_err_set(err,
                       "TSS2 key: pubkey is not exactly one "
                       "TPM2B_PUBLIC (%d bytes, rc 0x%x, used %zu)",
                       k->pubkey->length, rc, off);
        return -1;
    }
    off = 0;
    rc = Tss2_MU_TPM2B_PRIVATE_Unmarshal(k->privkey->data, (size_t)k->privkey->length, &off, &out->priv);
    if (rc != TSS2_RC_SUCCESS || off != (size_t)k->privkey->length || out->priv.size == 0) {
        attest_err_set(err,
                       "TSS2 key: privkey is not exactly one "
                       "TPM2B_PRIVATE (%d bytes, rc 0x%x, used %zu)",
                       k->privkey->length, rc, off);
        return -1;
    }

    return 0;
}

int attest_tss2_key_decode(const unsigned char *buf, size_t len, attest_tss2_key *out, attest_err *err)
{
    ATTEST_TSS2_PRIVKEY *k = NULL;
    unsigned char *der = NULL;
    const unsigned char *p;
    long der_len = 0;
    int ok = -1;

    memset(out, 0, sizeof(*out));

    if (buf == NULL || len == 0) {
        attest_err_set(err, "TSS2 key: empty input");
        goto fail;
    }
    if (to_der(buf, len, &der, &der_len, err) < 0)
        goto fail;
    p = der;
    if ((k = d2i_ATTEST_TSS2_PRIVKEY(NULL, &p, der_len)) == NULL) {
        attest_err_set(err, "TSS2 key: DER does not parse as TPMKey");
        goto fail;
    }
    if (p != der + der_len) {
        attest_err_set(err, "TSS2 key: %ld trailing bytes after TPMKey", (long)(der + der_len - p));
        goto fail;
    }
    if (check_type(k, err) < 0)
        goto fail;
    /* a policy needs a policy session; nothing here can build one */
    if (k->policy != NULL || k->auth_policy != NULL) {
        attest_err_set(err,
                       "TSS2 key: keys with a policy or "
                       "authPolicy are not supported");
        goto fail;
    }
    if (k->secret != NULL) {
        attest_err_set(err,
                       "TSS2 key: a loadable key must not carry "
                       "an import secret");
        goto fail;
    }
    if (get_parent(k->parent, &out->parent, err) < 0 || unmarshal(k, out, err) < 0)
        goto fail;
    /* BOOLEAN: -1 absent; tpm2-openssl 1.1.1 writes TRUE as 0x01, not 0xff */
    out->empty_auth = k->empty_auth > 0;
    out->rsa_parent = k->rsa_parent > 0;

    ok = 0;
fail:
    if (ok < 0)
        memset(out, 0, sizeof(*out));
    ATTEST_TSS2_PRIVKEY_free(k);
    OPENSSL_clear_free(der, der_len > 0 ? (size_t)der_len : 0);

    return ok;
}
