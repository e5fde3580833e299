/*
 * The OID table.  Fixed arcs are literal; PKIX evidence OIDs are built from a
 * configurable arc because draft-ietf-rats-pkix-key-attestation has not been
 * assigned one yet (the samples use 1.3.6.1.5.5.999).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "attest/oids.h"

#define DEFAULT_PKIX_ARC "1.3.6.1.5.5.999"
#define DEFAULT_PKIX_EKU "1.3.6.1.5.5.7.3.999"
#define ARC_MAX          96

enum { FIXED, PKIX_ARC, PKIX_EKU, PKIX_STMT };

struct oid_row {
    const char *sn, *ln;
    int base; /* FIXED: rel is the whole OID; PKIX_ARC: rel is appended */
    const char *rel;
    int placeholder;
};

static const struct oid_row rows[ATTEST_OID_COUNT] = {
    [ATTEST_OID_AA_ATTESTATION] = { "id-aa-attestation", "CSR Attestation Bundle", FIXED, "1.2.840.113549.1.9.16.2.59",
                                    0 },
    [ATTEST_OID_TPM_CERTIFY] = { "tcg-attest-tpm-certify", "TCG TPM2 Certify Attestation", FIXED, "2.23.133.20.1", 0 },
    [ATTEST_OID_TCG_KP_AIK] = { "tcg-kp-AIKCertificate", "TCG Attestation Identity Key Certificate", FIXED,
                                "2.23.133.8.3", 0 },
    [ATTEST_OID_TCG_AT_TPM_MANUFACTURER] = { "tcg-at-tpmManufacturer", "TCG TPM Manufacturer", FIXED, "2.23.133.2.1",
                                             0 },
    [ATTEST_OID_TCG_AT_TPM_MODEL] = { "tcg-at-tpmModel", "TCG TPM Model", FIXED, "2.23.133.2.2", 0 },
    [ATTEST_OID_TCG_AT_TPM_VERSION] = { "tcg-at-tpmVersion", "TCG TPM Version", FIXED, "2.23.133.2.3", 0 },
    [ATTEST_OID_PE_CMW] = { "id-pe-cmw", "Conceptual Message Wrapper", FIXED, "1.3.6.1.5.5.7.1.35", 0 },
    [ATTEST_OID_DICE_CMW] = { "tcg-dice-conceptual-message-wrapper", "TCG DICE Conceptual Message Wrapper", FIXED,
                              "2.23.133.5.4.9", 0 },
    [ATTEST_OID_DICE_TCBINFO] = { "tcg-dice-TcbInfo", "TCG DICE TcbInfo", FIXED, "2.23.133.5.4.1", 0 },
    [ATTEST_OID_PKIX_STATEMENT] = { "id-pkix-evidence", "PKIX Key Attestation Evidence", PKIX_STMT, "", 1 },
    [ATTEST_OID_KP_ATTESTATION_KEY] = { "id-kp-attestationKey", "Attestation Key", PKIX_EKU, "", 1 },
    [ATTEST_OID_PKIX_EL_TRANSACTION] = { "pkix-element-transaction", "PKIX evidence transaction element", PKIX_ARC,
                                         "0.0", 1 },
    [ATTEST_OID_PKIX_EL_PLATFORM] = { "pkix-element-platform", "PKIX evidence platform element", PKIX_ARC, "0.1", 1 },
    [ATTEST_OID_PKIX_EL_KEY] = { "pkix-element-key", "PKIX evidence key element", PKIX_ARC, "0.2", 1 },
    [ATTEST_OID_PKIX_TX_NONCE] = { "pkix-transaction-nonce", "PKIX evidence transaction nonce", PKIX_ARC, "1.0.0", 1 },
    [ATTEST_OID_PKIX_TX_TIMESTAMP] = { "pkix-transaction-timestamp", "PKIX evidence transaction timestamp", PKIX_ARC,
                                       "1.0.1", 1 },
    [ATTEST_OID_PKIX_TX_AK_SPKI] = { "pkix-transaction-ak-spki", "PKIX evidence transaction AK SPKI", PKIX_ARC, "1.0.2",
                                     1 },
    [ATTEST_OID_PKIX_PL_VENDOR] = { "pkix-platform-vendor", "PKIX evidence platform vendor", PKIX_ARC, "1.1.0", 1 },
    [ATTEST_OID_PKIX_PL_OEMID] = { "pkix-platform-oemid", "PKIX evidence platform OEM id", PKIX_ARC, "1.1.1", 1 },
    [ATTEST_OID_PKIX_PL_HWMODEL] = { "pkix-platform-hwmodel", "PKIX evidence platform hardware model", PKIX_ARC,
                                     "1.1.2", 1 },
    [ATTEST_OID_PKIX_PL_HWVERSION] = { "pkix-platform-hwversion", "PKIX evidence platform hardware version", PKIX_ARC,
                                       "1.1.3", 1 },
    [ATTEST_OID_PKIX_PL_HWSERIAL] = { "pkix-platform-hwserial", "PKIX evidence platform hardware serial", PKIX_ARC,
                                      "1.1.4", 1 },
    [ATTEST_OID_PKIX_PL_SWNAME] = { "pkix-platform-swname", "PKIX evidence platform software name", PKIX_ARC, "1.1.5",
                                    1 },
    [ATTEST_OID_PKIX_PL_SWVERSION] = { "pkix-platform-swversion", "PKIX evidence platform software version", PKIX_ARC,
                                       "1.1.6", 1 },
    [ATTEST_OID_PKIX_PL_DEBUGSTAT] = { "pkix-platform-debugstat", "PKIX evidence platform debug status", PKIX_ARC,
                                       "1.1.7", 1 },
    [ATTEST_OID_PKIX_PL_UPTIME] = { "pkix-platform-uptime", "PKIX evidence platform uptime", PKIX_ARC, "1.1.8", 1 },
    [ATTEST_OID_PKIX_PL_BOOTCOUNT] = { "pkix-platform-bootcount", "PKIX evidence platform boot count", PKIX_ARC,
                                       "1.1.9", 1 },
    [ATTEST_OID_PKIX_PL_FIPSBOOT] = { "pkix-platform-fipsboot", "PKIX evidence platform FIPS boot", PKIX_ARC, "1.1.10",
                                      1 },
    [ATTEST_OID_PKIX_PL_FIPSVER] = { "pkix-platform-fipsver", "PKIX evidence platform FIPS version", PKIX_ARC, "1.1.11",
                                     1 },
    [ATTEST_OID_PKIX_PL_FIPSLEVEL] = { "pkix-platform-fipslevel", "PKIX evidence platform FIPS level", PKIX_ARC,
                                       "1.1.12", 1 },
    [ATTEST_OID_PKIX_PL_FIPSMODULE] = { "pkix-platform-fipsmodule", "PKIX evidence platform FIPS module", PKIX_ARC,
                                        "1.1.13", 1 },
    [ATTEST_OID_PKIX_KEY_IDENTIFIER] = { "pkix-key-identifier", "PKIX evidence key identifier", PKIX_ARC, "1.2.0", 1 },
    [ATTEST_OID_PKIX_KEY_SPKI] = { "pkix-key-spki", "PKIX evidence key SPKI", PKIX_ARC, "1.2.1", 1 },
    [ATTEST_OID_PKIX_KEY_EXTRACTABLE] = { "pkix-key-extractable", "PKIX evidence key extractable", PKIX_ARC, "1.2.2",
                                          1 },
    [ATTEST_OID_PKIX_KEY_SENSITIVE] = { "pkix-key-sensitive", "PKIX evidence key sensitive", PKIX_ARC, "1.2.3", 1 },
    [ATTEST_OID_PKIX_KEY_NEVER_EXTRACTABLE] = { "pkix-key-never-extractable", "PKIX evidence key never extractable",
                                                PKIX_ARC, "1.2.4", 1 },
    [ATTEST_OID_PKIX_KEY_LOCAL] = { "pkix-key-local", "PKIX evidence key generated locally", PKIX_ARC, "1.2.5", 1 },
    [ATTEST_OID_PKIX_KEY_EXPIRY] = { "pkix-key-expiry", "PKIX evidence key expiry", PKIX_ARC, "1.2.6", 1 },
    [ATTEST_OID_PKIX_KEY_PURPOSE] = { "pkix-key-purpose", "PKIX evidence key purposes", PKIX_ARC, "1.2.7", 1 },
    [ATTEST_OID_PKIX_CAP_ENCRYPT] = { "pkix-cap-encrypt", "PKIX key capability encrypt", PKIX_ARC, "2.0", 1 },
    [ATTEST_OID_PKIX_CAP_DECRYPT] = { "pkix-cap-decrypt", "PKIX key capability decrypt", PKIX_ARC, "2.1", 1 },
    [ATTEST_OID_PKIX_CAP_WRAP] = { "pkix-cap-wrap", "PKIX key capability wrap", PKIX_ARC, "2.2", 1 },
    [ATTEST_OID_PKIX_CAP_UNWRAP] = { "pkix-cap-unwrap", "PKIX key capability unwrap", PKIX_ARC, "2.3", 1 },
    [ATTEST_OID_PKIX_CAP_SIGN] = { "pkix-cap-sign", "PKIX key capability sign", PKIX_ARC, "2.4", 1 },
    [ATTEST_OID_PKIX_CAP_SIGN_RECOVER] = { "pkix-cap-sign-recover", "PKIX key capability sign-recover", PKIX_ARC, "2.5",
                                           1 },
    [ATTEST_OID_PKIX_CAP_VERIFY] = { "pkix-cap-verify", "PKIX key capability verify", PKIX_ARC, "2.6", 1 },
    [ATTEST_OID_PKIX_CAP_VERIFY_RECOVER] = { "pkix-cap-verify-recover", "PKIX key capability verify-recover", PKIX_ARC,
                                             "2.7", 1 },
    [ATTEST_OID_PKIX_CAP_DERIVE] = { "pkix-cap-derive", "PKIX key capability derive", PKIX_ARC, "2.8", 1 },
};

static char pkix_arc[ARC_MAX] = DEFAULT_PKIX_ARC;
static char pkix_eku[ARC_MAX] = DEFAULT_PKIX_EKU;
static char pkix_stmt[ARC_MAX] = ""; /* empty: the arc itself */
static char dotted[ATTEST_OID_COUNT][ARC_MAX + 16];
static attest_oid_info infos[ATTEST_OID_COUNT];
static ASN1_OBJECT *objs[ATTEST_OID_COUNT];
static int init_ok;
static int configured;
static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;

/* Accept only a well-formed dotted OID (OBJ_txt2obj with no_name=1 checks it). */
static int valid_dotted(const char *s)
{
    ASN1_OBJECT *o;

    if (s == NULL || strlen(s) >= ARC_MAX)
        return 0;
    o = OBJ_txt2obj(s, 1);
    ASN1_OBJECT_free(o);
    return o != NULL;
}

static int set_arc(char *dst, const char *val)
{
    if (val == NULL || *val == '\0')
        return 1;
    if (!valid_dotted(val))
        return 0;
    strcpy(dst, val);
    return 1;
}

int attest_oids_configure(const char *arc, const char *eku, const char *stmt)
{
    if (init_ok)
        return 0;
    if (!set_arc(pkix_arc, arc) || !set_arc(pkix_eku, eku) || !set_arc(pkix_stmt, stmt))
        return 0;
    configured = 1;
    return 1;
}

/*
 * The object from its encoding: OBJ_txt2obj would look every OID up in
 * OpenSSL's tables first (a tenth of a one-request verify, for ~70 OIDs).
 * OBJ_obj2nid still finds the ones OpenSSL knows.
 */
static ASN1_OBJECT *oid_object(const char *text)
{
    unsigned char der[ARC_MAX];
    int n = a2d_ASN1_OBJECT(der, (int)sizeof(der), text, -1);

    return n > 0 ? ASN1_OBJECT_create(NID_undef, der, n, NULL, NULL) : NULL;
}

static void do_init(void)
{
    int i;

    if (!configured) {
        /* Ignore malformed environment values: the defaults stay. */
        (void)set_arc(pkix_arc, getenv("ATTEST_PKIX_ARC"));
        (void)set_arc(pkix_eku, getenv("ATTEST_PKIX_EKU"));
        (void)set_arc(pkix_stmt, getenv("ATTEST_PKIX_STATEMENT_OID"));
    }
    for (i = 0; i < ATTEST_OID_COUNT; i++) {
        const struct oid_row *r = &rows[i];

        switch (r->base) {
        case FIXED: snprintf(dotted[i], sizeof(dotted[i]), "%s", r->rel); break;
        case PKIX_ARC: snprintf(dotted[i], sizeof(dotted[i]), "%s.%s", pkix_arc, r->rel); break;
        case PKIX_EKU: snprintf(dotted[i], sizeof(dotted[i]), "%s", pkix_eku); break;
        default: snprintf(dotted[i], sizeof(dotted[i]), "%s", pkix_stmt[0] ? pkix_stmt : pkix_arc); break;
        }
        if ((objs[i] = oid_object(dotted[i])) == NULL)
            return;
        infos[i] = (attest_oid_info){ (attest_oid_id)i, r->sn, r->ln, dotted[i], r->placeholder };
    }
    init_ok = 1;
}

int attest_oids_init(void)
{
    return CRYPTO_THREAD_run_once(&once, do_init) && init_ok;
}

const attest_oid_info *attest_oid_info_get(attest_oid_id id)
{
    if (!attest_oids_init() || id < 0 || id >= ATTEST_OID_COUNT)
        return NULL;
    return &infos[id];
}

const ASN1_OBJECT *attest_oid_obj(attest_oid_id id)
{
    if (!attest_oids_init() || id < 0 || id >= ATTEST_OID_COUNT)
        return NULL;
    return objs[id];
}

int attest_oid_find(const ASN1_OBJECT *obj)
{
    int i;

    if (obj == NULL || !attest_oids_init())
        return -1;
    for (i = 0; i < ATTEST_OID_COUNT; i++)
        if (OBJ_cmp(obj, objs[i]) == 0)
            return i;
    return -1;
}

const char *attest_oid_name(const ASN1_OBJECT *obj, char *buf, size_t buflen)
{
    int id = attest_oid_find(obj);
    int nid;

    if (id >= 0)
        return infos[id].sn;
    nid = OBJ_obj2nid(obj);
    if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
        return OBJ_nid2sn(nid);
    if (buflen > 0 && OBJ_obj2txt(buf, (int)buflen, obj, 1) <= 0)
        snprintf(buf, buflen, "?");
    return buf;
}
