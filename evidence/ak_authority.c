/*
 * The enrolling authority (attest/ak_authority.h): what it checks before
 * it challenges, and the AK certificate it issues after.  Soundness: the
 * EK certificate vouches that ekPublic is a TPM's EK (manufacturer chain);
 * MakeCredential to that EK, bound to the AK's Name, is answerable only by
 * that TPM with that AK loaded; the AK's attributes (fixedTPM, restricted)
 * are part of its Name, so the TPM vouches for them by answering.
 */
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/ak_authority.h"
#include "attest/credential.h"
#include "attest/keys.h"
#include "attest/oids.h"
#include "attest/tpm2.h"

#define AK_MUST                                                                                                \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_RESTRICTED \
     | TPMA_OBJECT_SIGN_ENCRYPT)

static X509 *cert_of(const attest_bytes *b)
{
    const unsigned char *p = b->p;
    X509 *x = d2i_X509(NULL, &p, (long)b->n);

    if (x != NULL && p != b->p + b->n) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

static int check_ek(OSSL_LIB_CTX *libctx, const attest_ak_request *r, X509 *ek, const attest_trust *roots,
                    attest_err *err)
{
    attest_err why;
    TPMT_PUBLIC pub;
    EVP_PKEY *k = NULL;
    int ok = -1;

    if (attest_trust_verify(roots, ek, NULL, &why) != 0) {
        attest_err_set(err, "enroll.ek-chain: the EK certificate does not chain to an EK root: %s", why.msg);
        return -1;
    }
    if (attest_tpmt_public_parse(r->ek_pub.p, r->ek_pub.n, &pub, &why) != 0) {
        attest_err_set(err, "enroll.ek-public: %s", why.msg);
        return -1;
    }
    if ((pub.objectAttributes & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_SIGN_ENCRYPT))
        != (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)) {
        attest_err_set(err, "enroll.ek-public: the EK is not a restricted decryption key");
        return -1;
    }
    if ((k = attest_tpmt_public_to_pkey(&pub, libctx, &why)) == NULL)
        attest_err_set(err, "enroll.ek-public: %s", why.msg);
    else if (attest_key_public_eq(k, X509_get0_pubkey(ek)) != 1)
        attest_err_set(err, "enroll.ek-public: the EK public area is not the key of the EK certificate");
    else
        ok = 0;
    EVP_PKEY_free(k);
    return ok;
}

static int check_ak(const attest_ak_request *r, attest_err *err)
{
    unsigned char name[2 + EVP_MAX_MD_SIZE];
    char attrs[160];
    attest_err why;
    TPMT_PUBLIC pub;
    int n;

    if (attest_tpmt_public_parse(r->ak_pub.p, r->ak_pub.n, &pub, &why) != 0) {
        attest_err_set(err, "enroll.ak-attributes: %s", why.msg);
        return -1;
    }
    if ((pub.objectAttributes & AK_MUST) != AK_MUST || (pub.objectAttributes & TPMA_OBJECT_DECRYPT)) {
        attest_tpma_object_str(pub.objectAttributes, attrs, sizeof(attrs));
        attest_err_set(err,
                       "enroll.ak-attributes: the AK is %s; an AK must be fixedTPM, fixedParent, "
                       "sensitiveDataOrigin, restricted and sign, not decrypt",
                       attrs);
        return -1;
    }
    if (!(pub.type == TPM2_ALG_RSA && pub.parameters.rsaDetail.keyBits >= 2048)
        && !(pub.type == TPM2_ALG_ECC
             && (pub.parameters.eccDetail.curveID == TPM2_ECC_NIST_P256
                 || pub.parameters.eccDetail.curveID == TPM2_ECC_NIST_P384
                 || pub.parameters.eccDetail.curveID == TPM2_ECC_NIST_P521))) {
        attest_err_set(err, "enroll.ak-attributes: the AK is neither RSA >= 2048 bits nor NIST P-256/384/521");
        return -1;
    }
    n = attest_tpm2_name(r->ak_pub.p, r->ak_pub.n, name, sizeof(name), &why);
    if (n < 0 || (size_t)n != r->ak_name.n || CRYPTO_memcmp(name, r->ak_name.p, (size_t)n) != 0) {
        attest_err_set(err, "enroll.ak-name: the AK Name is not nameAlg || H(akPublic)");
        return -1;
    }
    return 0;
}

int attest_ak_request_check(OSSL_LIB_CTX *libctx, const attest_ak_request *r, const attest_trust *ek_roots,
                            attest_err *err)
{
    X509 *ek = cert_of(&r->ek_cert);
    int ok;

    if (ek == NULL) {
        attest_err_set(err, "enroll.ek-chain: the EK certificate does not decode");
        return -1;
    }
    ok = check_ek(libctx, r, ek, ek_roots, err) == 0 && check_ak(r, err) == 0 ? 0 : -1;
    X509_free(ek);
    return ok;
}

int attest_ak_challenge_make(OSSL_LIB_CTX *libctx, const attest_ak_request *r, int64_t not_after,
                             attest_ak_challenge *c, attest_ak_state *s, attest_err *err)
{
    unsigned char cred[32];

    memset(c, 0, sizeof(*c));
    memset(s, 0, sizeof(*s));
    s->not_after = not_after;
    if ((c->id.p = OPENSSL_malloc(ATTEST_AK_ID_LEN)) == NULL || (s->credential.p = OPENSSL_malloc(sizeof(cred))) == NULL
        || RAND_bytes_ex(libctx, c->id.p, ATTEST_AK_ID_LEN, 0) <= 0
        || RAND_bytes_ex(libctx, cred, sizeof(cred), 0) <= 0) {
        attest_err_set(err, "challenge: no random bytes");
        goto fail;
    }
    c->id.n = ATTEST_AK_ID_LEN;
    memcpy(s->credential.p, cred, sizeof(cred));
    s->credential.n = sizeof(cred);
    if (attest_make_credential(libctx, r->ek_pub.p, r->ek_pub.n, r->ak_name.p, r->ak_name.n, cred, sizeof(cred),
                               &c->blob.p, &c->blob.n, &c->secret.p, &c->secret.n, err)
        != 0)
        goto fail;
    if ((c->ek_pub.p = OPENSSL_memdup(r->ek_pub.p, r->ek_pub.n)) == NULL
        || (s->ak_pub.p = OPENSSL_memdup(r->ak_pub.p, r->ak_pub.n)) == NULL
        || (s->ek_cert.p = OPENSSL_memdup(r->ek_cert.p, r->ek_cert.n)) == NULL) {
        attest_err_set(err, "challenge: out of memory");
        goto fail;
    }
    c->ek_pub.n = r->ek_pub.n;
    s->ak_pub.n = r->ak_pub.n;
    s->ek_cert.n = r->ek_cert.n;
    OPENSSL_cleanse(cred, sizeof(cred));
    return 0;
fail:
    OPENSSL_cleanse(cred, sizeof(cred));
    attest_ak_challenge_clear(c);
    attest_ak_state_clear(s);
    return -1;
}

/* The TCG TPM attributes of the EK certificate's subjectAltName, as one directoryName. */
static GENERAL_NAMES *tpm_san(X509 *ek)
{
    static const attest_oid_id want[] = { ATTEST_OID_TCG_AT_TPM_MANUFACTURER, ATTEST_OID_TCG_AT_TPM_MODEL,
                                          ATTEST_OID_TCG_AT_TPM_VERSION };
    GENERAL_NAMES *in = X509_get_ext_d2i(ek, NID_subject_alt_name, NULL, NULL), *out = NULL;
    X509_NAME *dn = X509_NAME_new();
    GENERAL_NAME *g = NULL;
    size_t w;
    int i, j, found = 0;

    for (w = 0; dn != NULL && w < sizeof(want) / sizeof(want[0]); w++) {
        for (i = 0; i < sk_GENERAL_NAME_num(in); i++) {
            GENERAL_NAME *gi = sk_GENERAL_NAME_value(in, i);

            if (gi->type != GEN_DIRNAME)
                continue;
            j = X509_NAME_get_index_by_OBJ(gi->d.directoryName, attest_oid_obj(want[w]), -1);
            if (j >= 0) {
                if (!X509_NAME_add_entry(dn, X509_NAME_get_entry(gi->d.directoryName, j), -1, 1))
                    goto done;
                found++;
                break;
            }
        }
    }
    if (found != (int)(sizeof(want) / sizeof(want[0])) || (g = GENERAL_NAME_new()) == NULL
        || (out = sk_GENERAL_NAME_new_null()) == NULL)
        goto done;
    GENERAL_NAME_set0_value(g, GEN_DIRNAME, dn);
    dn = NULL;
    if (!sk_GENERAL_NAME_push(out, g)) {
        GENERAL_NAMES_free(out);
        out = NULL;
        goto done;
    }
    g = NULL;
done:
    GENERAL_NAME_free(g);
    X509_NAME_free(dn);
    GENERAL_NAMES_free(in);
    return out;
}

static int add_ext(X509 *x, X509 *ca, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;
    int ok;

    X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
    if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
        return 0;
    ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

static int random_serial(X509 *x)
{
    unsigned char b[16];
    BIGNUM *bn;
    int ok;

    if (RAND_bytes(b, sizeof(b)) <= 0)
        return 0;
    b[0] = (unsigned char)((b[0] & 0x7f) | 0x40); /* positive, full 16 bytes */
    bn = BN_bin2bn(b, sizeof(b), NULL);
    ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

X509 *attest_ak_cert_issue(OSSL_LIB_CTX *libctx, const char *propq, const attest_ak_state *s, X509 *ca_cert,
                           EVP_PKEY *ca_key, int days, attest_err *err)
{
    X509 *ek = cert_of(&s->ek_cert), *x = NULL;
    GENERAL_NAMES *san = NULL;
    EVP_MD_CTX *mctx = NULL;
    EVP_PKEY *ak = NULL;
    TPMT_PUBLIC pub;
    attest_err why;
    char pq[96];
    int ok = 0;

    if (ek == NULL || attest_tpmt_public_parse(s->ak_pub.p, s->ak_pub.n, &pub, &why) != 0
        || (ak = attest_tpmt_public_to_pkey(&pub, libctx, &why)) == NULL) {
        attest_err_set(err, "issue: the state entry does not decode");
        goto done;
    }
    if (attest_key_public_eq(X509_get0_pubkey(ca_cert), ca_key) != 1) {
        attest_err_set(err, "issue: the CA key is not the key of the CA certificate");
        goto done;
    }
    if ((san = tpm_san(ek)) == NULL) {
        attest_err_set(err,
                       "enroll.ek-attributes: the EK certificate's subjectAltName lacks the TCG TPM "
                       "manufacturer, model or version");
        goto done;
    }
    if ((x = X509_new_ex(libctx, propq)) == NULL || !X509_set_version(x, X509_VERSION_3) || !random_serial(x)
        || !X509_set_issuer_name(x, X509_get_subject_name(ca_cert))
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL
        || !X509_set_pubkey(x, ak)
        /* subject empty: the TPM is named by the critical subjectAltName (RFC 5280 4.2.1.6) */
        || !X509_add1_ext_i2d(x, NID_subject_alt_name, san, 1, X509V3_ADD_DEFAULT)
        || !add_ext(x, ca_cert, NID_basic_constraints, "critical,CA:FALSE")
        || !add_ext(x, ca_cert, NID_key_usage, "critical,digitalSignature")
        || !add_ext(x, ca_cert, NID_ext_key_usage, "2.23.133.8.3")
        || !add_ext(x, ca_cert, NID_subject_key_identifier, "hash")
        /* a CA certificate without an SKI gets its issuer and serial named instead */
        || (!add_ext(x, ca_cert, NID_authority_key_identifier, "keyid:always")
            && !add_ext(x, ca_cert, NID_authority_key_identifier, "issuer:always"))) {
        attest_err_set(err, "issue: cannot build the AK certificate");
        goto done;
    }
    if ((mctx = EVP_MD_CTX_new()) == NULL
        || EVP_DigestSignInit_ex(mctx, NULL, attest_default_md(ca_key), libctx,
                                 attest_key_propq(ca_key, propq, pq, sizeof(pq)), ca_key, NULL)
            <= 0
        || X509_sign_ctx(x, mctx) <= 0) {
        unsigned long e = ERR_peek_last_error();

        attest_err_set(err, "issue: signing with the CA key failed%s%s", e ? ": " : "",
                       e ? ERR_reason_error_string(e) : "");
        goto done;
    }
    ok = 1;
done:
    if (!ok) {
        X509_free(x);
        x = NULL;
    }
    EVP_MD_CTX_free(mctx);
    GENERAL_NAMES_free(san);
    EVP_PKEY_free(ak);
    X509_free(ek);
    return x;
}
