/*
 * A request's SubjectPublicKeyInfo set from the key's parameters with
 * X509_PUBKEY_set0_param, not X509_REQ_set_pubkey: on OpenSSL 3.0 the
 * latter builds an OSSL_ENCODER context per call, a fifth of all `new`
 * does for a TPM key.  The RSAPublicKey inside is an ASN.1 template (attest_rsa_public_der).
 */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "attest/request.h"
#include "attest/spki_key.h"

int attest_request_set_spki(X509_REQ *req, EVP_PKEY *key)
{
    X509_PUBKEY *pk = X509_REQ_get_X509_PUBKEY(req);
    unsigned char *bits = NULL;
    int alg, curve, len, ok;

    if (pk == NULL || attest_pkey_spki_fields(key, &alg, &curve, &bits, &len) != 0)
        return 0;
    ok = curve != NID_undef ? X509_PUBKEY_set0_param(pk, OBJ_nid2obj(alg), V_ASN1_OBJECT, OBJ_nid2obj(curve), bits, len)
                            : X509_PUBKEY_set0_param(pk, OBJ_nid2obj(alg), V_ASN1_NULL, NULL, bits, len);
    if (!ok)
        OPENSSL_free(bits);
    return ok;
}
