/* Naming certificates in verdicts and errors (certname.h). */
#include <stdio.h>
#include <string.h>
#include <openssl/x509v3.h>

#include "attest/certname.h"
#include "attest/describe.h"
#include "attest/oids.h"

/* The TCG TPM attributes of the subjectAltName's directoryNames, "manufacturer X, model Y, version Z". */
static int tpm_attributes(X509 *x, char *buf, size_t len)
{
    static const struct {
        attest_oid_id id;
        const char *what;
    } attrs[] = {
        { ATTEST_OID_TCG_AT_TPM_MANUFACTURER, "manufacturer" },
        { ATTEST_OID_TCG_AT_TPM_MODEL, "model" },
        { ATTEST_OID_TCG_AT_TPM_VERSION, "version" },
    };
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    size_t used = 0, a;
    int i, j;

    buf[0] = '\0';
    for (a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
        for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
            const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

            for (j = 0; g->type == GEN_DIRNAME && j < X509_NAME_entry_count(g->d.dirn); j++) {
                X509_NAME_ENTRY *e = X509_NAME_get_entry(g->d.dirn, j);
                const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
                char val[96];

                if (attest_oid_find(X509_NAME_ENTRY_get_object(e)) != (int)attrs[a].id || used + 1 >= len)
                    continue;
                attest_escape(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v), val, sizeof(val), 0);
                used += (size_t)snprintf(buf + used, len - used, "%s%s %s", used ? ", " : "TPM ", attrs[a].what, val);
                if (used >= len)
                    used = len - 1;
            }
        }
    }
    GENERAL_NAMES_free(gens);
    return used > 0;
}

void attest_cert_name(X509 *x, char *buf, size_t len)
{
    const X509_NAME *subj = X509_get_subject_name(x);
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    BIGNUM *bn;
    char *hex = NULL, issuer[160];

    if (len == 0)
        return;
    if (subj != NULL && X509_NAME_entry_count(subj) > 0) {
        X509_NAME_oneline(subj, buf, (int)len);
        return;
    }
    if (tpm_attributes(x, buf, len))
        return;
    X509_NAME_oneline(X509_get_issuer_name(x), issuer, sizeof(issuer));
    if ((bn = ASN1_INTEGER_to_BN(serial, NULL)) != NULL)
        hex = BN_bn2hex(bn);
    snprintf(buf, len, "serial 0x%s from %s", hex != NULL ? hex : "?", issuer);
    OPENSSL_free(hex);
    BN_free(bn);
}
