/*
 * The Android KeyDescription (extension 1.3.6.1.4.1.11129.2.1.17): the
 * 8-field SEQUENCE by an OpenSSL template; each AuthorizationList kept as a
 * SEQUENCE OF ANY (its fields are EXPLICIT context tags up to ~724, and new
 * KeyMint versions add tags), then the fields the verifier uses decoded by
 * tag.  Unknown tags are tolerated; a known one twice is not.
 */
#include <string.h>
#include <openssl/asn1t.h>
#include <openssl/x509v3.h>

#include "attest/android.h"
#include "attest/der.h"
#include "attest/describe.h"

typedef struct {
    ASN1_INTEGER *version;
    ASN1_ENUMERATED *level;
    ASN1_INTEGER *km_version;
    ASN1_ENUMERATED *km_level;
    ASN1_OCTET_STRING *challenge;
    ASN1_OCTET_STRING *unique_id;
    STACK_OF(ASN1_TYPE) *sw;
    STACK_OF(ASN1_TYPE) *hw;
} ANDROID_KEYDESC;

ASN1_SEQUENCE(ANDROID_KEYDESC) = {
    ASN1_SIMPLE(ANDROID_KEYDESC, version, ASN1_INTEGER),
    ASN1_SIMPLE(ANDROID_KEYDESC, level, ASN1_ENUMERATED),
    ASN1_SIMPLE(ANDROID_KEYDESC, km_version, ASN1_INTEGER),
    ASN1_SIMPLE(ANDROID_KEYDESC, km_level, ASN1_ENUMERATED),
    ASN1_SIMPLE(ANDROID_KEYDESC, challenge, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ANDROID_KEYDESC, unique_id, ASN1_OCTET_STRING),
    ASN1_SEQUENCE_OF(ANDROID_KEYDESC, sw, ASN1_ANY),
    ASN1_SEQUENCE_OF(ANDROID_KEYDESC, hw, ASN1_ANY),
} static_ASN1_SEQUENCE_END(ANDROID_KEYDESC)

typedef struct {
    ASN1_OCTET_STRING *boot_key;
    ASN1_BOOLEAN locked;
    ASN1_ENUMERATED *state;
    ASN1_OCTET_STRING *boot_hash; /* attestation version 3 and later */
} ANDROID_ROT;

ASN1_SEQUENCE(ANDROID_ROT) = {
    ASN1_SIMPLE(ANDROID_ROT, boot_key, ASN1_OCTET_STRING),
    ASN1_SIMPLE(ANDROID_ROT, locked, ASN1_BOOLEAN),
    ASN1_SIMPLE(ANDROID_ROT, state, ASN1_ENUMERATED),
    ASN1_OPT(ANDROID_ROT, boot_hash, ASN1_OCTET_STRING),
} static_ASN1_SEQUENCE_END(ANDROID_ROT)

/* KeyMint tags (Tag.aidl numbers without the type bits) */
enum {
    TAG_PURPOSE = 1,
    TAG_ALGORITHM = 2,
    TAG_KEY_SIZE = 3,
    TAG_EC_CURVE = 10,
    TAG_CREATION_DATETIME = 701,
    TAG_ORIGIN = 702,
    TAG_ROOT_OF_TRUST = 704,
    TAG_OS_VERSION = 705,
    TAG_OS_PATCHLEVEL = 706,
    TAG_VENDOR_PATCHLEVEL = 718,
    TAG_BOOT_PATCHLEVEL = 719
};

static int get_int(const unsigned char *p, long n, int64_t *out, attest_err *err, int tag)
{
    const unsigned char *q = p;
    ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &q, n);
    int ok = i != NULL && q == p + n && ASN1_INTEGER_get_int64(out, i) == 1;

    ASN1_INTEGER_free(i);
    if (!ok)
        attest_err_set(err, "KeyDescription: tag [%d] is not one INTEGER", tag);
    return ok ? 0 : -1;
}

/* purpose: SET OF INTEGER */
static int get_purposes(const unsigned char *p, long n, attest_android_authlist *a, attest_err *err)
{
    const unsigned char *q = p;
    ASN1_SEQUENCE_ANY *s = d2i_ASN1_SET_ANY(NULL, &q, n);
    int i, ok = s != NULL && q == p + n;
    int64_t v;

    for (i = 0; ok && i < sk_ASN1_TYPE_num(s); i++) {
        const ASN1_TYPE *t = sk_ASN1_TYPE_value(s, i);

        ok = t->type == V_ASN1_INTEGER && ASN1_INTEGER_get_int64(&v, t->value.integer) == 1;
        if (ok && v >= 0 && v < 32)
            a->purposes |= 1u << v;
    }
    sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
    if (!ok)
        attest_err_set(err, "KeyDescription: purpose is not a SET OF INTEGER");
    a->has_purpose = ok;
    return ok ? 0 : -1;
}

static void copy_cap(unsigned char *dst, size_t *dst_len, const ASN1_OCTET_STRING *s)
{
    *dst_len = (size_t)s->length < 64 ? (size_t)s->length : 64;
    memcpy(dst, s->data, *dst_len);
}

static int get_root_of_trust(const unsigned char *p, long n, attest_android_authlist *a, attest_err *err)
{
    const unsigned char *q = p;
    ANDROID_ROT *r = (ANDROID_ROT *)ASN1_item_d2i(NULL, &q, n, ASN1_ITEM_rptr(ANDROID_ROT));
    int ok = r != NULL && q == p + n && ASN1_ENUMERATED_get_int64(&a->boot_state, r->state) == 1;

    if (ok) {
        a->has_root_of_trust = 1;
        a->device_locked = r->locked > 0;
        copy_cap(a->boot_key, &a->boot_key_len, r->boot_key);
        if (r->boot_hash != NULL)
            copy_cap(a->boot_hash, &a->boot_hash_len, r->boot_hash);
    } else {
        attest_err_set(err, "KeyDescription: rootOfTrust does not decode");
    }
    ASN1_item_free((ASN1_VALUE *)r, ASN1_ITEM_rptr(ANDROID_ROT));
    return ok ? 0 : -1;
}

/* One [tag] EXPLICIT field of an AuthorizationList. */
static int authlist_field(const ASN1_TYPE *t, attest_android_authlist *a, uint64_t *seen, attest_err *err)
{
    const unsigned char *p, *end;
    long n;
    int tag, cls, r;
    int64_t *slot = NULL;

    if (t->type != V_ASN1_OTHER) {
        attest_err_set(err, "KeyDescription: an AuthorizationList field is not context-tagged");
        return -1;
    }
    p = t->value.asn1_string->data;
    end = p + t->value.asn1_string->length;
    r = ASN1_get_object(&p, &n, &tag, &cls, (long)(end - p));
    if ((r & 0x80) || cls != V_ASN1_CONTEXT_SPECIFIC || !(r & V_ASN1_CONSTRUCTED) || p + n != end) {
        attest_err_set(err, "KeyDescription: an AuthorizationList field is not an EXPLICIT context tag");
        return -1;
    }
    switch (tag) {
    case TAG_ALGORITHM: slot = &a->algorithm; break;
    case TAG_KEY_SIZE: slot = &a->key_size; break;
    case TAG_EC_CURVE: slot = &a->ec_curve; break;
    case TAG_CREATION_DATETIME: slot = &a->creation_time; break;
    case TAG_ORIGIN: slot = &a->origin; break;
    case TAG_OS_VERSION: slot = &a->os_version; break;
    case TAG_OS_PATCHLEVEL: slot = &a->os_patch_level; break;
    case TAG_VENDOR_PATCHLEVEL: slot = &a->vendor_patch_level; break;
    case TAG_BOOT_PATCHLEVEL: slot = &a->boot_patch_level; break;
    case TAG_PURPOSE:
    case TAG_ROOT_OF_TRUST: break;
    default: return 0; /* a tag the verifier does not use */
    }
    /* one bit per known tag: the enum above fits in 11 distinct bits */
    {
        int bit = tag < 64 ? tag : tag - 690; /* 701..719 -> 11..29 */

        if (*seen & (1ull << bit)) {
            attest_err_set(err, "KeyDescription: tag [%d] twice in one AuthorizationList", tag);
            return -1;
        }
        *seen |= 1ull << bit;
    }
    if (tag == TAG_PURPOSE)
        return get_purposes(p, n, a, err);
    if (tag == TAG_ROOT_OF_TRUST)
        return get_root_of_trust(p, n, a, err);
    return get_int(p, n, slot, err, tag);
}

static int authlist(const STACK_OF(ASN1_TYPE) *s, attest_android_authlist *a, attest_err *err)
{
    uint64_t seen = 0;
    int i;

    memset(a, 0, sizeof(*a));
    a->algorithm = a->key_size = a->ec_curve = a->origin = a->os_version = a->os_patch_level = -1;
    a->vendor_patch_level = a->boot_patch_level = a->creation_time = a->boot_state = -1;
    for (i = 0; i < sk_ASN1_TYPE_num(s); i++)
        if (authlist_field(sk_ASN1_TYPE_value(s, i), a, &seen, err) != 0)
            return -1;
    return 0;
}

static int copy_octets(unsigned char *dst, size_t cap, size_t *len, const ASN1_OCTET_STRING *s, const char *what,
                       attest_err *err)
{
    if ((size_t)s->length > cap) {
        attest_err_set(err, "KeyDescription: %s of %d bytes (at most %zu)", what, s->length, cap);
        return -1;
    }
    memcpy(dst, s->data, (size_t)s->length);
    *len = (size_t)s->length;
    return 0;
}

int attest_android_keydesc_decode(const unsigned char *der, size_t len, attest_android_keydesc *kd, attest_err *err)
{
    const unsigned char *p = der;
    ANDROID_KEYDESC *k = NULL;
    int r = -1;

    memset(kd, 0, sizeof(*kd));
    if (len > 65536) {
        attest_err_set(err, "KeyDescription of %zu bytes (at most 65536)", len);
        goto done;
    }
    if (attest_der_strict_canonical(der, len, NULL, 0, err) != 0)
        goto done;
    k = (ANDROID_KEYDESC *)ASN1_item_d2i(NULL, &p, (long)len, ASN1_ITEM_rptr(ANDROID_KEYDESC));
    if (k == NULL || p != der + len) {
        attest_err_set(err, "KeyDescription: not the 8-field SEQUENCE (or trailing bytes)");
        goto done;
    }
    if (ASN1_INTEGER_get_int64(&kd->attestation_version, k->version) != 1
        || ASN1_ENUMERATED_get_int64(&kd->attestation_security_level, k->level) != 1
        || ASN1_INTEGER_get_int64(&kd->keymint_version, k->km_version) != 1
        || ASN1_ENUMERATED_get_int64(&kd->keymint_security_level, k->km_level) != 1) {
        attest_err_set(err, "KeyDescription: a version or security level is out of range");
        goto done;
    }
    if (copy_octets(kd->challenge, sizeof(kd->challenge), &kd->challenge_len, k->challenge, "attestationChallenge", err)
            != 0
        || copy_octets(kd->unique_id, sizeof(kd->unique_id), &kd->unique_id_len, k->unique_id, "uniqueId", err) != 0)
        goto done;
    if (authlist(k->sw, &kd->sw, err) != 0 || authlist(k->hw, &kd->hw, err) != 0)
        goto done;
    r = 0;
done:
    ASN1_item_free((ASN1_VALUE *)k, ASN1_ITEM_rptr(ANDROID_KEYDESC));
    return r;
}

int attest_android_keydesc_of_cert(X509 *x, attest_android_keydesc *kd, attest_err *err)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(ATTEST_ANDROID_KEYDESC_OID, 1);
    int at, again;
    const ASN1_OCTET_STRING *v;

    if (oid == NULL) {
        attest_err_set(err, "out of memory");
        return -1;
    }
    at = X509_get_ext_by_OBJ(x, oid, -1);
    again = at >= 0 ? X509_get_ext_by_OBJ(x, oid, at) : -1;
    ASN1_OBJECT_free(oid);
    if (at < 0)
        return 0;
    if (again >= 0) {
        attest_err_set(err, "the certificate carries the KeyDescription extension more than once");
        return -1;
    }
    v = X509_EXTENSION_get_data(X509_get_ext(x, at));
    return attest_android_keydesc_decode(v->data, (size_t)v->length, kd, err) == 0 ? 1 : -1;
}

const char *attest_android_level_name(int64_t v)
{
    return v == ATTEST_ANDROID_SOFTWARE ? "Software"
        : v == ATTEST_ANDROID_TEE       ? "TrustedEnvironment"
        : v == ATTEST_ANDROID_STRONGBOX ? "StrongBox"
                                        : "unknown";
}

const char *attest_android_origin_name(int64_t v)
{
    return v == ATTEST_ANDROID_GENERATED        ? "GENERATED"
        : v == ATTEST_ANDROID_DERIVED           ? "DERIVED"
        : v == ATTEST_ANDROID_IMPORTED          ? "IMPORTED"
        : v == ATTEST_ANDROID_SECURELY_IMPORTED ? "SECURELY_IMPORTED"
        : v == -1                               ? "absent"
                                                : "unknown";
}

const char *attest_android_boot_state_name(int64_t v)
{
    return v == ATTEST_ANDROID_VERIFIED   ? "Verified"
        : v == ATTEST_ANDROID_SELF_SIGNED ? "SelfSigned"
        : v == ATTEST_ANDROID_UNVERIFIED  ? "Unverified"
        : v == ATTEST_ANDROID_FAILED      ? "Failed"
                                          : "unknown";
}

static void add_int(json_object *o, const char *key, int64_t v)
{
    if (v >= 0)
        attest_json_add_copy(o, key, json_object_new_int64(v));
}

static json_object *authlist_json(const attest_android_authlist *a)
{
    static const char *const purpose_names[] = { "encrypt", "decrypt", "sign",     "verify",
                                                 "4",       "wrapKey", "agreeKey", "attestKey" };
    json_object *o = json_object_new_object(), *arr, *rot;
    unsigned i;

    if (a->has_purpose) {
        arr = json_object_new_array();
        for (i = 0; i < 32; i++)
            if (a->purposes & (1u << i))
                json_object_array_add(arr,
                                      i < 8 ? json_object_new_string(purpose_names[i]) : json_object_new_int((int)i));
        attest_json_add(o, "purpose", arr);
    }
    if (a->algorithm >= 0)
        attest_json_add(o, "algorithm",
                        a->algorithm == 1       ? json_object_new_string("RSA")
                            : a->algorithm == 3 ? json_object_new_string("EC")
                                                : json_object_new_int64(a->algorithm));
    add_int(o, "key_size", a->key_size);
    add_int(o, "ec_curve", a->ec_curve);
    if (a->origin >= 0)
        attest_json_add(o, "origin", json_object_new_string(attest_android_origin_name(a->origin)));
    if (a->has_root_of_trust) {
        rot = json_object_new_object();
        attest_json_add(rot, "verified_boot_key", attest_json_hex(a->boot_key, a->boot_key_len));
        attest_json_add(rot, "device_locked", json_object_new_boolean(a->device_locked));
        attest_json_add(rot, "verified_boot_state",
                        json_object_new_string(attest_android_boot_state_name(a->boot_state)));
        if (a->boot_hash_len > 0)
            attest_json_add(rot, "verified_boot_hash", attest_json_hex(a->boot_hash, a->boot_hash_len));
        attest_json_add(o, "root_of_trust", rot);
    }
    add_int(o, "os_version", a->os_version);
    add_int(o, "os_patch_level", a->os_patch_level);
    add_int(o, "vendor_patch_level", a->vendor_patch_level);
    add_int(o, "boot_patch_level", a->boot_patch_level);
    add_int(o, "creation_time_ms", a->creation_time);
    return o;
}

json_object *attest_android_keydesc_json(const attest_android_keydesc *kd)
{
    json_object *o = json_object_new_object();

    attest_json_add(o, "attestation_version", json_object_new_int64(kd->attestation_version));
    attest_json_add(o, "attestation_security_level",
                    json_object_new_string(attest_android_level_name(kd->attestation_security_level)));
    attest_json_add(o, "keymint_version", json_object_new_int64(kd->keymint_version));
    attest_json_add(o, "keymint_security_level",
                    json_object_new_string(attest_android_level_name(kd->keymint_security_level)));
    attest_json_add(o, "attestation_challenge", attest_json_hex(kd->challenge, kd->challenge_len));
    attest_json_add(o, "unique_id", attest_json_hex(kd->unique_id, kd->unique_id_len));
    attest_json_add(o, "software_enforced", authlist_json(&kd->sw));
    attest_json_add(o, "hardware_enforced", authlist_json(&kd->hw));
    return o;
}
