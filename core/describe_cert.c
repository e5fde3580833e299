/* Describing an X.509 certificate for show and the describers of every format. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "attest/bundle.h"
#include "attest/crmf.h"
#include "attest/csr.h"
#include "attest/describe.h"
#include "attest/oids.h"
#include "attest/pkix.h"
#include "attest/spki_key.h"
#include "attest/tpm2.h"

json_object *attest_describe_cert(X509 *x)
{
    json_object *o = json_object_new_object();
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    char buf[128];
    int i;

    attest_json_add(o, "subject", attest_json_name(X509_get_subject_name(x)));
    attest_json_add(o, "issuer", attest_json_name(X509_get_issuer_name(x)));
    attest_json_add(o, "serial", json_object_new_string(hex != NULL ? hex : "?"));
    attest_json_add(o, "not_before", attest_json_time(X509_get0_notBefore(x)));
    attest_json_add(o, "not_after", attest_json_time(X509_get0_notAfter(x)));
    attest_json_add(o, "is_ca", json_object_new_boolean(X509_check_ca(x) > 0));
    if (eku != NULL) {
        json_object *a = json_object_new_array();

        for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
            json_object_array_add(
                a, json_object_new_string(attest_oid_name(sk_ASN1_OBJECT_value(eku, i), buf, sizeof(buf))));
        attest_json_add(o, "extended_key_usage", a);
    }
    attest_json_add(o, "public_key", attest_json_spki(X509_get_X509_PUBKEY(x)));
    EXTENDED_KEY_USAGE_free(eku);
    OPENSSL_free(hex);
    BN_free(bn);
    return o;
}

json_object *attest_json_spki(const X509_PUBKEY *k)
{
    json_object *o = json_object_new_object();
    EVP_PKEY *made = NULL, *pk;
    unsigned char *der = NULL;
    int n = i2d_X509_PUBKEY(k, &der);

    ERR_set_mark(); /* a field decoded without its key (ATTEST_LAZY_X509_PUBKEY): made here */
    if ((pk = X509_PUBKEY_get0(k)) == NULL)
        pk = made = attest_spki_pkey_to_describe(k);
    ERR_pop_to_mark();
    if (pk != NULL) {
        attest_json_add(o, "algorithm", json_object_new_string(EVP_PKEY_get0_type_name(pk)));
        attest_json_add(o, "bits", json_object_new_int(EVP_PKEY_get_bits(pk)));
    } else {
        attest_json_add(o, "algorithm", json_object_new_string("unsupported"));
    }
    if (n > 0)
        attest_json_add(o, "der", attest_json_hex(der, (size_t)n));
    OPENSSL_free(der);
    EVP_PKEY_free(made);
    return o;
}
