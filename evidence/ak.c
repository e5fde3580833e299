/*
 * Attestation-key certificates, common to every engine: path validation to
 * the trust directory and the AK profile (not a CA, digitalSignature, an AK
 * EKU).  Also the notes for the weak-algorithm policy.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "attest/certname.h"
#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/oids.h"
#include "attest/spki_key.h"

static void note(attest_vctx *v, const char *what, const char *where)
{
    size_t used = strlen(v->weak);

    if (strstr(v->weak, where) != NULL && strstr(v->weak, what) != NULL)
        return;
    snprintf(v->weak + used, sizeof(v->weak) - used, "%s%s %s", used ? ", " : "", what, where);
}

void attest_vctx_note_md(attest_vctx *v, const EVP_MD *md, const char *where)
{
    if (md != NULL && EVP_MD_is_a(md, "SHA1")) {
        v->weak_sha1 = 1;
        note(v, "SHA-1 in", where);
    }
}

void attest_vctx_note_key(attest_vctx *v, EVP_PKEY *key, const char *where)
{
    if (key != NULL && EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) < 2048) {
        char what[48];

        v->weak_rsa = 1;
        snprintf(what, sizeof(what), "RSA-%d as", EVP_PKEY_get_bits(key));
        note(v, what, where);
    }
}

int attest_spki_der(EVP_PKEY *key, unsigned char **der, size_t *len)
{
    int n;

    if ((n = attest_pkey_spki_der(key, der)) <= 0)
        return -1;
    *len = (size_t)n;
    return 0;
}

/*
 * i2d_PUBKEY of a provider key sets up an OSSL_ENCODER context: with OpenSSL
 * 3.0 that costs more than the signature checks of a request.  A decoded
 * X509_PUBKEY re-encodes its own fields instead (and attest_spki_der reads
 * RSA and EC keys' fields, attest_pkey_spki_der).
 */
int attest_spki_der_of(const X509_PUBKEY *spki, EVP_PKEY *key, unsigned char **der, size_t *len)
{
    int n;

    if (spki == NULL)
        return attest_spki_der(key, der, len);
    *der = NULL;
    if ((n = i2d_X509_PUBKEY(spki, der)) <= 0)
        return -1;
    *len = (size_t)n;
    return 0;
}

int attest_spki_is_canonical(const X509_PUBKEY *spki)
{
    ASN1_OBJECT *alg = NULL;
    const unsigned char *pk = NULL;
    X509_ALGOR *a = NULL;
    int pklen = 0, ptype = V_ASN1_UNDEF;

    if (spki == NULL || !X509_PUBKEY_get0_param(&alg, &pk, &pklen, &a, spki))
        return 0;
    X509_ALGOR_get0(NULL, &ptype, NULL, a);
    switch (OBJ_obj2nid(alg)) {
    case NID_rsaEncryption: return ptype == V_ASN1_NULL;
    case NID_X9_62_id_ecPublicKey: return ptype == V_ASN1_OBJECT && pklen > 0 && pk[0] == 0x04;
    default: return 0;
    }
}

static void subject_line(X509 *x, char *buf, size_t len)
{
    attest_cert_name(x, buf, len);
}

void attest_ak_check_chain(attest_vctx *v, X509 *ak, attest_checks *c)
{
    char subj[160];
    attest_err err;
    unsigned char anchor[32];

    subject_line(ak, subj, sizeof(subj));
    if (v->p->trust == NULL) {
        attest_fail(c, CHK_CHAIN_TRUST, "no trust anchors given (--trust-dir)");
        return;
    }
    if (attest_trust_verify_anchor(v->p->trust, ak, v->bundle_certs, &err, anchor) != 0) {
        attest_submod_record_chain(v->sub, ak, NULL);
        attest_fail(c, CHK_CHAIN_TRUST, "AK certificate %s does not chain to a trust anchor: %s", subj, err.msg);
        return;
    }
    attest_submod_record_chain(v->sub, ak, anchor);
    attest_pass(c, CHK_CHAIN_TRUST, "AK certificate %s chains to a trust anchor %s", subj, err.msg);
}

/* Which AK purposes the certificate's extendedKeyUsage names. */
enum { EKU_NONE = 0, EKU_PRESENT = 1, EKU_TPM_AIK = 2, EKU_PKIX_AK = 4 };

static int ak_ekus(X509 *ak)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(ak, NID_ext_key_usage, NULL, NULL);
    int i, found = eku != NULL ? EKU_PRESENT : EKU_NONE;

    for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
        int id = attest_oid_find(sk_ASN1_OBJECT_value(eku, i));

        if (id == ATTEST_OID_TCG_KP_AIK)
            found |= EKU_TPM_AIK;
        else if (id == ATTEST_OID_KP_ATTESTATION_KEY)
            found |= EKU_PKIX_AK;
    }
    EXTENDED_KEY_USAGE_free(eku);
    return found;
}

/* TCG TPM attributes (manufacturer, model, version) in a subjectAltName directoryName. */
static int san_names_tpm(X509 *x)
{
    GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int i, j, found = 0;

    for (i = 0; !found && i < sk_GENERAL_NAME_num(san); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(san, i);

        if (gn->type != GEN_DIRNAME)
            continue;
        for (j = 0; !found && j < X509_NAME_entry_count(gn->d.dirn); j++) {
            int id = attest_oid_find(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(gn->d.dirn, j)));

            found = id == ATTEST_OID_TCG_AT_TPM_MANUFACTURER || id == ATTEST_OID_TCG_AT_TPM_MODEL
                || id == ATTEST_OID_TCG_AT_TPM_VERSION;
        }
    }
    GENERAL_NAMES_free(san);
    return found;
}

int attest_ak_cert_is_tpm(X509 *ak)
{
    return (ak_ekus(ak) & EKU_TPM_AIK) != 0 || san_names_tpm(ak);
}

/*
 * The EKU is scoped per evidence format (design §6): a TPM AK vouches only
 * for TPM-generated TPMS_ATTEST and signs any other digest the host hands it,
 * so a certificate that marks a TPM key never admits PKIX evidence, whatever
 * else it lists and whatever --allow says.
 */
void attest_ak_check_profile(attest_vctx *v, X509 *ak, attest_ak_format fmt, attest_checks *c)
{
    uint32_t ku;
    int allow_eku = (v->p->policy->allow & ATTEST_ALLOW_AK_WITHOUT_EKU) != 0;
    int ekus, want, other;
    const char *want_name, *fmt_name;

    /*
     * X509_check_ca also caches the extensions so the flags below are valid.
     * It answers 0 for basicConstraints cA=TRUE when keyUsage lacks
     * keyCertSign, so EXFLAG_CA is checked as well.
     */
    if (X509_check_ca(ak) != 0 || (X509_get_extension_flags(ak) & EXFLAG_CA)) {
        attest_fail(c, CHK_CHAIN_AK_PROFILE, "the AK certificate is a CA certificate");
        return;
    }
    if (X509_get_extension_flags(ak) & EXFLAG_INVALID) {
        attest_fail(c, CHK_CHAIN_AK_PROFILE, "the AK certificate has invalid extensions");
        return;
    }
    ku = X509_get_key_usage(ak);
    if (!(ku & KU_DIGITAL_SIGNATURE)) {
        attest_fail(c, CHK_CHAIN_AK_PROFILE, "the AK certificate's keyUsage lacks digitalSignature");
        return;
    }
    ekus = ak_ekus(ak);
    if (fmt == ATTEST_AK_FOR_PKIX) {
        if (attest_ak_cert_is_tpm(ak)) {
            attest_fail(c, CHK_CHAIN_AK_PROFILE,
                        "the AK certificate is a TPM AK certificate (%s): a TPM AK signs "
                        "whatever the host hands it, so it cannot vouch for PKIX claims (no --allow changes this)",
                        (ekus & EKU_TPM_AIK) ? "EKU tcg-kp-AIKCertificate" : "TCG TPM attributes in subjectAltName");
            return;
        }
        want = EKU_PKIX_AK;
        other = EKU_TPM_AIK;
        want_name = "id-kp-attestationKey";
        fmt_name = "PKIX evidence";
    } else {
        want = EKU_TPM_AIK;
        other = EKU_PKIX_AK;
        want_name = "tcg-kp-AIKCertificate (2.23.133.8.3)";
        fmt_name = "TPM certify evidence";
    }
    if (!(ekus & want) && (ekus & other)) {
        attest_fail(c, CHK_CHAIN_AK_PROFILE, "the AK certificate's EKU is for the other evidence format; %s needs %s",
                    fmt_name, want_name);
        return;
    }
    if (!(ekus & want)) {
        if (allow_eku)
            attest_warn(c, CHK_CHAIN_AK_PROFILE, "the AK certificate has no EKU %s (allowed by --allow ak-without-eku)",
                        want_name);
        else
            attest_fail(c, CHK_CHAIN_AK_PROFILE, "the AK certificate has no EKU %s, which %s needs", want_name,
                        fmt_name);
        return;
    }
    attest_pass(c, CHK_CHAIN_AK_PROFILE, "end-entity AK certificate with digitalSignature and EKU %s", want_name);
}
