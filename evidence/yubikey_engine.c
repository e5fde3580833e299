/*
 * YubiKey PIV attestation: the statement is the slot attestation certificate
 * (type 1.3.6.1.4.1.41482.3.1), the F9 device certificate travels in the
 * cert bag.  Yubico vouches for the F9 key (chain), the device for the slot
 * key and its claims (the slot certificate signed with F9).
 */
#include <stdio.h>
#include <string.h>
#include <openssl/x509v3.h>

#include "attest/describe.h"
#include "attest/certcache.h"
#include "attest/engine.h"
#include "attest/verify.h"
#include "attest/yubikey.h"

#define QUIRK_F9_NO_BC    "yubikey-f9-no-basic-constraints"
#define QUIRK_U2F_PATHLEN "yubikey-u2f-root-pathlen"

/* SHA-256 of Yubico U2F Root CA Serial 457200631 (share/attest/anchors/yubikey/PROVENANCE.md). */
static const unsigned char u2f_root_sha256[32] = {
    0x0f, 0xa1, 0x38, 0x6f, 0x80, 0xeb, 0x87, 0x13, 0x26, 0x3a, 0xe5, 0xc1, 0xd8, 0x4d, 0xeb, 0x45,
    0x5b, 0xdf, 0x08, 0xae, 0xa5, 0x0a, 0xb0, 0x55, 0x03, 0xce, 0xfe, 0xe8, 0x2b, 0x09, 0x2d, 0x42,
};

static int is_u2f_root(X509 *x)
{
    unsigned char md[32];

    return x != NULL && attest_cert_sha256(x, md) && memcmp(md, u2f_root_sha256, sizeof(md)) == 0;
}

/* A YubiKey PIV device certificate carries the firmware extension; the U2F root's FIDO attestation
 * certificates (no basicConstraints either) do not. */
static int is_f9(X509 *x)
{
    ASN1_OBJECT *fw = OBJ_txt2obj(ATTEST_YK_OID_FIRMWARE, 1);
    int yes = fw != NULL && X509_get_ext_by_OBJ(x, fw, -1) >= 0;

    ASN1_OBJECT_free(fw);
    return yes;
}

/*
 * Only the 2018 path slot <- F9 <- U2F root, exactly: the F9 certificate
 * right under that root lacks basicConstraints, and the root's pathlen 0
 * does not allow the F9 certificate to issue.
 */
static int relax(void *arg, attest_vctx *v, int error, int depth, X509 *cert, X509 *issuer)
{
    (void)arg;
    if (error == X509_V_ERR_INVALID_CA && depth == 1 && (X509_get_extension_flags(cert) & EXFLAG_BCONS) == 0
        && is_f9(cert) && is_u2f_root(issuer))
        return attest_vctx_quirk(v, QUIRK_F9_NO_BC);
    if (error == X509_V_ERR_PATH_LENGTH_EXCEEDED && depth == 2 && is_u2f_root(cert))
        return attest_vctx_quirk(v, QUIRK_U2F_PATHLEN);
    return 0;
}

static int claims_cert(X509 *leaf)
{
    attest_yk_claims c;
    attest_err err;

    return attest_yk_parse_slot(leaf, &c, &err) == 0;
}

static json_object *describe(const unsigned char *der, size_t len, attest_err *err)
{
    X509 *x = attest_yk_decode_slot(der, len, err);
    attest_yk_claims c;
    json_object *o;

    if (x == NULL)
        return NULL;
    if (attest_yk_parse_slot(x, &c, err) != 0) {
        X509_free(x);
        return NULL;
    }
    o = attest_yk_claims_json(&c);
    attest_json_add(o, "issuer", attest_json_name(X509_get_issuer_name(x)));
    attest_json_add(o, "subject_key", attest_json_spki(X509_get_X509_PUBKEY(x)));
    X509_free(x);
    return o;
}

static int check_object(const unsigned char *der, size_t len, attest_err *err)
{
    X509 *x = attest_yk_decode_slot(der, len, err);
    attest_yk_claims c;
    int r = x != NULL && attest_yk_parse_slot(x, &c, err) == 0 ? 0 : -1;

    X509_free(x);
    return r;
}

/* The extension oid's value (*val) as a certificate: 1 found, 0 absent, -1 duplicate or undecodable. */
static int carried_cert(const STACK_OF(X509_EXTENSION) *exts, const char *oid, X509 **out,
                        const ASN1_OCTET_STRING **val, attest_err *err)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    const ASN1_OCTET_STRING *v;
    const unsigned char *p, *end;
    int at, r;

    *out = NULL;
    if (obj == NULL) {
        attest_err_set(err, "out of memory");
        return -1;
    }
    at = X509v3_get_ext_by_OBJ(exts, obj, -1);
    r = at >= 0 && X509v3_get_ext_by_OBJ(exts, obj, at) >= 0 ? -1 : 0;
    ASN1_OBJECT_free(obj);
    if (r < 0) {
        attest_err_set(err, "YubiKey extension %s occurs more than once in extensionRequest", oid);
        return -1;
    }
    if (at < 0)
        return 0;
    *val = v = X509_EXTENSION_get_data(X509v3_get_ext(exts, at));
    p = ASN1_STRING_get0_data(v);
    end = p + ASN1_STRING_length(v);
    if ((*out = d2i_X509(NULL, &p, end - p)) == NULL || p != end) {
        X509_free(*out);
        *out = NULL;
        attest_err_set(err, "YubiKey extension %s in extensionRequest is not one certificate", oid);
        return -1;
    }
    return 1;
}

/* yubico-piv-tool's carrier: .3.1 (or, before 2025, .3.11) the slot certificate, .3.2 the F9 certificate. */
static int from_request(const STACK_OF(X509_EXTENSION) *exts, attest_bundle *b, attest_err *err)
{
    X509 *slot1 = NULL, *slot11 = NULL, *f9 = NULL;
    const ASN1_OCTET_STRING *v1 = NULL, *v11 = NULL, *v2 = NULL, *v;
    ASN1_OBJECT *type = NULL;
    int r1, r11, r2, r = -1;

    r1 = carried_cert(exts, ATTEST_YK_OID_SLOT, &slot1, &v1, err);
    r11 = r1 >= 0 ? carried_cert(exts, ATTEST_YK_OID_CSPN, &slot11, &v11, err) : -1;
    r2 = r11 >= 0 ? carried_cert(exts, ATTEST_YK_OID_F9, &f9, &v2, err) : -1;
    if (r1 < 0 || r11 < 0 || r2 < 0)
        goto done;
    if (r1 == 0 && r11 == 0 && r2 == 0) {
        r = 0;
        goto done;
    }
    if (r1 > 0 && r11 > 0) {
        attest_err_set(err, "YubiKey slot certificate under both %s and %s in extensionRequest", ATTEST_YK_OID_SLOT,
                       ATTEST_YK_OID_CSPN);
        goto done;
    }
    if (r1 == 0 && r11 == 0) {
        attest_err_set(err, "YubiKey F9 certificate (%s) without a slot attestation certificate", ATTEST_YK_OID_F9);
        goto done;
    }
    /* The statement is the bytes as carried (yubikey.parse judges their DER), typed as the slot certificate. */
    v = r1 > 0 ? v1 : v11;
    if ((type = OBJ_txt2obj(ATTEST_YK_OID_SLOT, 1)) == NULL
        || attest_bundle_add_statement(b, type, ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v), err) != 0)
        goto done;
    if (f9 != NULL && attest_bundle_add_cert(b, f9) != 0) {
        attest_err_set(err, "out of memory");
        goto done;
    }
    r = 1;
done:
    ASN1_OBJECT_free(type);
    X509_free(slot1);
    X509_free(slot11);
    X509_free(f9);
    return r;
}

/* Ranks from weakest: PIN never < once < always; touch never < cached < always. */
static int pin_rank(unsigned v)
{
    return (int)v; /* the bytes are already in that order */
}

static int touch_rank(unsigned v)
{
    return v == ATTEST_YK_TOUCH_ALWAYS ? 3 : v == ATTEST_YK_TOUCH_CACHED ? 2 : (int)v;
}

static void policy_check(attest_vctx *v, const attest_yk_claims *c, attest_submod *sub)
{
    const attest_policy *pol = v->p->policy;
    int pin_low =
        pol->yubikey_min_pin_policy > 0 && pin_rank(c->pin_policy) < pin_rank((unsigned)pol->yubikey_min_pin_policy);
    int touch_low = pol->yubikey_min_touch_policy > 0
        && touch_rank(c->touch_policy) < touch_rank((unsigned)pol->yubikey_min_touch_policy);

    if (pin_low || touch_low)
        attest_fail(&sub->checks, CHK_YUBIKEY_POLICY, "PIN policy %s, touch policy %s: below the required %s%s%s%s",
                    attest_yk_pin_name(c->pin_policy), attest_yk_touch_name(c->touch_policy), pin_low ? "PIN " : "",
                    pin_low ? attest_yk_pin_name((unsigned)pol->yubikey_min_pin_policy) : "",
                    pin_low && touch_low ? ", touch "
                        : touch_low      ? "touch "
                                         : "",
                    touch_low ? attest_yk_touch_name((unsigned)pol->yubikey_min_touch_policy) : "");
    else
        attest_pass(&sub->checks, CHK_YUBIKEY_POLICY, "PIN policy %s, touch policy %s",
                    attest_yk_pin_name(c->pin_policy), attest_yk_touch_name(c->touch_policy));
}

#define FW(a, b, c) (((unsigned)(a) << 16) | ((unsigned)(b) << 8) | (unsigned)(c))

/* Yubico security advisories that weaken a slot key: firmware in [from, to), for keys of type key_type. */
static const struct {
    const char *id;
    int key_type;
    unsigned from, to;
    const char *what;
} advisories[] = {
    { "YSA-2024-03", EVP_PKEY_EC, 0, FW(5, 7, 0), "ECDSA side channel in the Infineon library (EUCLEAK)" },
    { "YSA-2017-01", EVP_PKEY_RSA, FW(4, 2, 6), FW(4, 3, 5), "weak RSA key generation in the Infineon library (ROCA)" },
};

static void firmware_check(attest_vctx *v, const attest_yk_claims *c, X509 *slot, X509 *f9, attest_submod *sub)
{
    unsigned fw = FW(c->fw_major, c->fw_minor, c->fw_patch);
    int type = EVP_PKEY_get_base_id(X509_get0_pubkey(slot)), fips = 0, cspn = 0;
    size_t i;

    attest_yk_f9_flags(f9, &fips, &cspn);
    for (i = 0; i < sizeof(advisories) / sizeof(advisories[0]); i++) {
        if (advisories[i].key_type != type || fw < advisories[i].from || fw >= advisories[i].to)
            continue;
        if (v->p->policy->vulnerable_firmware_fails)
            attest_fail(&sub->checks, CHK_YUBIKEY_FIRMWARE, "firmware %u.%u.%u: %s, %s (--refuse-vulnerable-firmware)",
                        c->fw_major, c->fw_minor, c->fw_patch, advisories[i].id, advisories[i].what);
        else
            attest_warn(&sub->checks, CHK_YUBIKEY_FIRMWARE, "firmware %u.%u.%u: %s, %s", c->fw_major, c->fw_minor,
                        c->fw_patch, advisories[i].id, advisories[i].what);
        return;
    }
    attest_pass(&sub->checks, CHK_YUBIKEY_FIRMWARE,
                "firmware %u.%u.%u, no known advisory for this key; FIPS %s, CSPN %s", c->fw_major, c->fw_minor,
                c->fw_patch, fips ? "yes" : "no", cspn ? "yes" : "no");
}

/* The bundle certificate that issued the slot certificate (the F9 certificate), or NULL. */
static X509 *f9_of(attest_vctx *v, X509 *slot)
{
    int i;

    for (i = 0; i < sk_X509_num(v->bundle_certs); i++)
        if (X509_check_issued(sk_X509_value(v->bundle_certs, i), slot) == X509_V_OK)
            return sk_X509_value(v->bundle_certs, i);
    return NULL;
}

static int verify(attest_vctx *v, const attest_statement *st, attest_submod *sub)
{
    attest_vendor_chain opts = { "yubikey", NULL, relax, NULL, NULL };
    attest_yk_claims c;
    attest_err err;
    X509 *slot = attest_yk_decode_slot(st->stmt, st->stmt_len, &err);
    unsigned char *spki = NULL;
    char serial[24] = "absent";
    int n, chained, bound = 0;

    if (slot == NULL || attest_yk_parse_slot(slot, &c, &err) != 0) {
        attest_fail(&sub->checks, CHK_YUBIKEY_PARSE, "%s", err.msg);
        goto done;
    }
    if (c.has_serial)
        snprintf(serial, sizeof(serial), "%llu", (unsigned long long)c.serial);
    attest_pass(
        &sub->checks, CHK_YUBIKEY_PARSE, "slot %s, firmware %u.%u.%u, serial %s, PIN %s, touch %s, form factor %s",
        c.slot[0] ? c.slot : "?", c.fw_major, c.fw_minor, c.fw_patch, serial, attest_yk_pin_name(c.pin_policy),
        attest_yk_touch_name(c.touch_policy), c.has_form_factor ? attest_yk_form_name(c.form_factor) : "absent");
    attest_vctx_note_key(v, X509_get0_pubkey(slot), "YubiKey slot key");
    chained = attest_vendor_chain_check(v, sub, CHK_YUBIKEY_CHAIN, slot, &opts, NULL) == 0;
    /* The binding is judged even on a broken chain: new --evidence-file asks it without anchors. */
    if ((n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(slot), &spki)) <= 0) {
        attest_fail(&sub->checks, CHK_YUBIKEY_KEY_BINDING, "cannot encode the slot key");
        goto done;
    }
    bound = attest_vendor_key_binding(v, sub, CHK_YUBIKEY_KEY_BINDING, spki, (size_t)n);
    if (!chained)
        goto done; /* claims nobody vouches for are not judged */
    policy_check(v, &c, sub);
    firmware_check(v, &c, slot, f9_of(v, slot), sub);
done:
    OPENSSL_free(spki);
    X509_free(slot);
    return bound;
}

static const attest_object_type objects[] = {
    /* No PEM label of its own and not detected: a certificate is shown as one unless --type yubikey. */
    { "YubiKeyPivAttestation", "yubikey", NULL, "YubiKey PIV slot attestation certificate", 1, 0, check_object,
      describe, NULL },
};

static const attest_check_doc checks[] = {
    { CHK_YUBIKEY_PARSE,
      "the slot attestation certificate is strict DER, not a CA, and carries the Yubico firmware (3 raw bytes) and "
      "PIN/touch policy (2 raw bytes, known values) extensions, serial (DER INTEGER) and form factor (1 byte) when "
      "present, each once" },
    { CHK_YUBIKEY_CHAIN,
      "slot certificate <- F9 device certificate <- a Yubico root of the trust directory's yubikey/ (PIV Root CA "
      "263751, U2F Root CA 457200631 with its named quirks, Attestation Root 1 with the shipped intermediates)" },
    { CHK_CHAIN_ANCHOR_EXPIRY, NULL },
    { CHK_YUBIKEY_KEY_BINDING, "the slot certificate's key is the request's subject key" },
    { CHK_YUBIKEY_POLICY, "the PIN and touch policies are at least --yubikey-pin-policy and --yubikey-touch-policy" },
    { CHK_YUBIKEY_FIRMWARE,
      "the firmware has no known advisory for the key (YSA-2024-03: ECC below 5.7.0; YSA-2017-01: RSA 4.2.6-4.3.4); "
      "a warning, a failure with --refuse-vulnerable-firmware" },
};

static const attest_quirk_doc quirks[] = {
    { QUIRK_F9_NO_BC, "an F9 certificate directly under the Yubico U2F root without basicConstraints acts as a CA" },
    { QUIRK_U2F_PATHLEN, "the Yubico U2F root's pathlen 0 admits its F9 certificates' slot certificates" },
};

/* The slot key was generated on the device and PIV keys do not leave it; a firmware advisory relaxes that. */
static const char *const ar4si_malformed[] = { CHK_YUBIKEY_PARSE, NULL };
static const char *const ar4si_trust[] = { CHK_YUBIKEY_CHAIN, CHK_CHAIN_ANCHOR_EXPIRY, NULL };
static const char *const ar4si_binding[] = { CHK_YUBIKEY_KEY_BINDING, NULL };
static const char *const ar4si_storage[] = { CHK_YUBIKEY_FIRMWARE, NULL };
static const attest_ar4si_map ar4si = { ar4si_malformed, ar4si_trust, NULL, ar4si_binding, ar4si_storage };

const attest_engine attest_engine_yubikey = {
    .name = "yubikey",
    .kind = "yubikey-piv",
    .summary = "YubiKey PIV attestation",
    .oid_text = ATTEST_YK_OID_SLOT,
    .objects = objects,
    .n_objects = sizeof(objects) / sizeof(objects[0]),
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .describe = describe,
    .verify = verify,
    .claims_cert = claims_cert,
    .from_request = from_request,
    .quirks = quirks,
    .n_quirks = sizeof(quirks) / sizeof(quirks[0]),
    .ar4si = &ar4si,
};
