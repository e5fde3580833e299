/*
 * The Yubico extensions of a PIV slot attestation certificate.  Most values
 * are raw bytes in extnValue (not DER): firmware 3 bytes, policy 2, form
 * factor 1; only the serial is a DER INTEGER.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include "attest/der.h"
#include "attest/describe.h"
#include "attest/yubikey.h"

#define SLOT_CN_PREFIX "YubiKey PIV Attestation "

/* The value of the extension oid when it occurs exactly once; *val NULL when absent.  -1 on a duplicate. */
static int ext_once(X509 *x, const char *oid, const ASN1_OCTET_STRING **val, attest_err *err)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    int at, again;

    *val = NULL;
    if (obj == NULL) {
        attest_err_set(err, "out of memory");
        return -1;
    }
    at = X509_get_ext_by_OBJ(x, obj, -1);
    again = at >= 0 ? X509_get_ext_by_OBJ(x, obj, at) : -1;
    ASN1_OBJECT_free(obj);
    if (again >= 0) {
        attest_err_set(err, "extension %s occurs more than once", oid);
        return -1;
    }
    if (at >= 0)
        *val = X509_EXTENSION_get_data(X509_get_ext(x, at));
    return 0;
}

/* A required or optional raw value of exactly n bytes. */
static int raw_ext(X509 *x, const char *oid, const char *what, int n, int required, const unsigned char **out,
                   attest_err *err)
{
    const ASN1_OCTET_STRING *v;

    *out = NULL;
    if (ext_once(x, oid, &v, err) != 0)
        return -1;
    if (v == NULL) {
        if (required)
            attest_err_set(err, "no %s extension (%s)", what, oid);
        return required ? -1 : 0;
    }
    if (ASN1_STRING_length(v) != n) {
        attest_err_set(err, "%s extension (%s): %d bytes, want %d raw bytes", what, oid, ASN1_STRING_length(v), n);
        return -1;
    }
    *out = ASN1_STRING_get0_data(v);
    return 0;
}

static int serial_ext(X509 *x, attest_yk_claims *c, attest_err *err)
{
    const ASN1_OCTET_STRING *v;
    const unsigned char *p, *end;
    ASN1_INTEGER *i = NULL;
    int ok;

    if (ext_once(x, ATTEST_YK_OID_SERIAL, &v, err) != 0)
        return -1;
    if (v == NULL)
        return 0; /* firmware before 5 */
    p = ASN1_STRING_get0_data(v);
    end = p + ASN1_STRING_length(v);
    ok = attest_der_strict(p, (size_t)(end - p), err) == 0 && (i = d2i_ASN1_INTEGER(NULL, &p, end - p)) != NULL
        && p == end && ASN1_STRING_type(i) == V_ASN1_INTEGER && ASN1_INTEGER_get_uint64(&c->serial, i) == 1
        && c->serial <= INT64_MAX; /* JSON numbers are int64 */
    ASN1_INTEGER_free(i);
    if (!ok) {
        attest_err_set(err, "serial extension (%s) is not one non-negative DER INTEGER", ATTEST_YK_OID_SERIAL);
        return -1;
    }
    c->has_serial = 1;
    return 0;
}

/* "9a" when the subject is exactly CN=YubiKey PIV Attestation <2 hex digits>. */
static void slot_of(X509 *x, attest_yk_claims *c)
{
    X509_NAME *n = X509_get_subject_name(x);
    int at = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
    const ASN1_STRING *cn;
    size_t k = strlen(SLOT_CN_PREFIX);
    const unsigned char *d;

    c->slot[0] = '\0';
    if (X509_NAME_entry_count(n) != 1 || at < 0)
        return;
    cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, at));
    d = ASN1_STRING_get0_data(cn);
    if ((size_t)ASN1_STRING_length(cn) != k + 2 || memcmp(d, SLOT_CN_PREFIX, k) != 0 || !isxdigit(d[k])
        || !isxdigit(d[k + 1]))
        return;
    c->slot[0] = (char)tolower(d[k]);
    c->slot[1] = (char)tolower(d[k + 1]);
    c->slot[2] = '\0';
}

X509 *attest_yk_decode_slot(const unsigned char *der, size_t len, attest_err *err)
{
    const unsigned char *p = der;
    X509 *x;

    if (attest_der_strict(der, len, err) != 0)
        return NULL;
    if ((x = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len) {
        X509_free(x);
        attest_err_set(err, "the slot attestation certificate does not decode as one X.509 certificate");
        return NULL;
    }
    return x;
}

int attest_yk_parse_slot(X509 *x, attest_yk_claims *c, attest_err *err)
{
    const unsigned char *fw, *pol, *ff;

    memset(c, 0, sizeof(*c));
    if (X509_check_ca(x) != 0) {
        attest_err_set(err, "the slot attestation certificate is a CA certificate");
        return -1;
    }
    if (raw_ext(x, ATTEST_YK_OID_FIRMWARE, "firmware", 3, 1, &fw, err) != 0
        || raw_ext(x, ATTEST_YK_OID_POLICY, "PIN/touch policy", 2, 1, &pol, err) != 0
        || raw_ext(x, ATTEST_YK_OID_FORM, "form factor", 1, 0, &ff, err) != 0 || serial_ext(x, c, err) != 0)
        return -1;
    c->fw_major = fw[0];
    c->fw_minor = fw[1];
    c->fw_patch = fw[2];
    c->pin_policy = pol[0];
    c->touch_policy = pol[1];
    /* Unknown policy bytes (newer firmware) cannot be ranked against a minimum: refuse rather than guess. */
    if (c->pin_policy < ATTEST_YK_PIN_NEVER || c->pin_policy > ATTEST_YK_PIN_ALWAYS
        || c->touch_policy < ATTEST_YK_TOUCH_NEVER || c->touch_policy > ATTEST_YK_TOUCH_CACHED) {
        attest_err_set(err, "unknown PIN/touch policy bytes %02x %02x", c->pin_policy, c->touch_policy);
        return -1;
    }
    if (ff != NULL) {
        c->has_form_factor = 1;
        c->form_factor = ff[0];
    }
    slot_of(x, c);
    return 0;
}

void attest_yk_f9_flags(X509 *f9, int *fips, int *cspn)
{
    ASN1_OBJECT *a = OBJ_txt2obj(ATTEST_YK_OID_FIPS, 1), *b = OBJ_txt2obj(ATTEST_YK_OID_CSPN, 1);

    *fips = a != NULL && f9 != NULL && X509_get_ext_by_OBJ(f9, a, -1) >= 0;
    *cspn = b != NULL && f9 != NULL && X509_get_ext_by_OBJ(f9, b, -1) >= 0;
    ASN1_OBJECT_free(a);
    ASN1_OBJECT_free(b);
}

const char *attest_yk_pin_name(unsigned v)
{
    static const char *const names[] = { "default", "never", "once", "always" };

    return v < 4 ? names[v] : "unknown";
}

const char *attest_yk_touch_name(unsigned v)
{
    static const char *const names[] = { "default", "never", "always", "cached" };

    return v < 4 ? names[v] : "unknown";
}

const char *attest_yk_form_name(unsigned v)
{
    static const char *const names[] = { "unspecified",    "usb-a-keychain",           "usb-a-nano",
                                         "usb-c-keychain", "usb-c-nano",               "usb-c-lightning-keychain",
                                         "usb-a-bio",      "usb-c-bio" };

    return (v & 0x0f) < 8 ? names[v & 0x0f] : "unknown";
}

json_object *attest_yk_claims_json(const attest_yk_claims *c)
{
    json_object *o = json_object_new_object();
    char fw[16];

    snprintf(fw, sizeof(fw), "%u.%u.%u", c->fw_major, c->fw_minor, c->fw_patch);
    if (c->slot[0] != '\0')
        attest_json_add(o, "slot", json_object_new_string(c->slot));
    attest_json_add(o, "firmware", json_object_new_string(fw));
    if (c->has_serial)
        attest_json_add(o, "serial", json_object_new_int64((int64_t)c->serial));
    attest_json_add(o, "pin_policy", json_object_new_string(attest_yk_pin_name(c->pin_policy)));
    attest_json_add(o, "touch_policy", json_object_new_string(attest_yk_touch_name(c->touch_policy)));
    if (c->has_form_factor) {
        attest_json_add(o, "form_factor", json_object_new_string(attest_yk_form_name(c->form_factor)));
        attest_json_add(o, "form_factor_byte", json_object_new_int((int)c->form_factor));
        attest_json_add(o, "fips_edition", json_object_new_boolean((c->form_factor & 0x80) != 0));
    }
    return o;
}
