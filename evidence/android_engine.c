/*
 * The Android Key Attestation engine: the statement is the attestation
 * certificate KeyMint issued for the key (its KeyDescription extension says
 * where the key lives and how it was made), the rest of the device's chain in
 * the cert bag, ending at a Google hardware attestation root (anchors/android/).
 */
#include <stdio.h>
#include <string.h>
#include <openssl/x509.h>

#include "attest/android.h"
#include "attest/certcache.h"
#include "attest/describe.h"
#include "attest/engine.h"

#define QUIRK_ISSUER_NAME "android-issuer-name-mismatch"

/* The statement's certificate, strict: nothing after it (cached: describe and verify both read it). */
static X509 *leaf_of(const attest_vctx *v, const unsigned char *der, size_t len, attest_err *err)
{
    X509 *x = attest_cert_from_der_ex(der, len, v != NULL ? v->p->libctx : NULL, v != NULL ? v->p->propq : NULL);

    if (x == NULL)
        attest_err_set(err, "the statement is not one DER certificate");
    return x;
}

static int check_object(const unsigned char *der, size_t len, attest_err *err)
{
    attest_android_keydesc kd;
    X509 *x = leaf_of(NULL, der, len, err);
    int r = x != NULL ? attest_android_keydesc_of_cert(x, &kd, err) : -1;

    X509_free(x);
    if (r == 0)
        attest_err_set(err, "the certificate has no KeyDescription extension");
    return r == 1 ? 0 : -1;
}

static json_object *describe(const unsigned char *der, size_t len, attest_err *err)
{
    attest_android_keydesc kd;
    X509 *x = leaf_of(NULL, der, len, err);
    json_object *o = NULL;
    int r = x != NULL ? attest_android_keydesc_of_cert(x, &kd, err) : -1;

    if (r == 0)
        attest_err_set(err, "the certificate has no KeyDescription extension");
    if (r == 1) {
        o = json_object_new_object();
        attest_json_add(o, "key_description", attest_android_keydesc_json(&kd));
        attest_json_add(o, "certificate", attest_describe_cert(x));
    }
    X509_free(x);
    return o;
}

static int claims_cert(X509 *leaf)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(ATTEST_ANDROID_KEYDESC_OID, 1);
    int r = oid != NULL && X509_get_ext_by_OBJ(leaf, oid, -1) >= 0;

    ASN1_OBJECT_free(oid);
    return r;
}

/* Only the KeyDescription nearest the root came from KeyMint: one in an issuer means the leaf was added below. */
static int issuer_has_keydesc(const attest_vctx *v)
{
    int i;

    for (i = 0; i < sk_X509_num(v->bundle_certs); i++)
        if (claims_cert(sk_X509_value(v->bundle_certs, i)))
            return 1;
    return 0;
}

static void security_level(attest_submod *sub, const attest_android_keydesc *kd)
{
    int64_t a = kd->attestation_security_level, k = kd->keymint_security_level;
    int hw = (a == ATTEST_ANDROID_TEE || a == ATTEST_ANDROID_STRONGBOX)
        && (k == ATTEST_ANDROID_TEE || k == ATTEST_ANDROID_STRONGBOX);

    if (hw)
        attest_pass(&sub->checks, CHK_ANDROID_SECURITY_LEVEL, "attestation %s, KeyMint %s (version %lld)",
                    attest_android_level_name(a), attest_android_level_name(k), (long long)kd->keymint_version);
    else
        attest_fail(&sub->checks, CHK_ANDROID_SECURITY_LEVEL,
                    "attestation %s, KeyMint %s: the key is not attested by secure hardware",
                    attest_android_level_name(a), attest_android_level_name(k));
}

static void origin(attest_vctx *v, attest_submod *sub, const attest_android_keydesc *kd)
{
    int64_t o = kd->hw.origin;
    int imported = o == ATTEST_ANDROID_IMPORTED || o == ATTEST_ANDROID_SECURELY_IMPORTED || o == ATTEST_ANDROID_DERIVED;

    if (o == ATTEST_ANDROID_GENERATED)
        attest_pass(&sub->checks, CHK_ANDROID_ORIGIN, "hardware-enforced origin GENERATED");
    else if (imported && (v->p->policy->allow & ATTEST_ALLOW_IMPORTED_KEY))
        attest_warn(&sub->checks, CHK_ANDROID_ORIGIN, "hardware-enforced origin %s (allowed by policy)",
                    attest_android_origin_name(o));
    else if (o < 0)
        attest_fail(&sub->checks, CHK_ANDROID_ORIGIN, "no hardware-enforced origin%s",
                    kd->sw.origin >= 0 ? " (only a software-enforced one)" : "");
    else
        attest_fail(&sub->checks, CHK_ANDROID_ORIGIN, "hardware-enforced origin %s: not generated in the device%s",
                    attest_android_origin_name(o), imported ? " (--allow imported-key accepts it)" : "");
}

static void boot_state(attest_vctx *v, attest_submod *sub, const attest_android_keydesc *kd)
{
    const attest_android_authlist *a = &kd->hw;
    int must = v->p->policy->android_require_verified_boot;
    char os[96];

    /* reported for the CA, not judged: what counts as current is its policy */
    snprintf(os, sizeof(os), "OS version %lld, patch level %lld", (long long)a->os_version,
             (long long)a->os_patch_level);
    if (!a->has_root_of_trust) {
        if (must)
            attest_fail(&sub->checks, CHK_ANDROID_BOOT_STATE,
                        "no hardware-enforced rootOfTrust (--android-verified-boot)");
        else
            attest_warn(&sub->checks, CHK_ANDROID_BOOT_STATE,
                        "no hardware-enforced rootOfTrust: boot state unknown; %s", os);
    } else if (a->boot_state == ATTEST_ANDROID_VERIFIED && a->device_locked) {
        attest_pass(&sub->checks, CHK_ANDROID_BOOT_STATE, "device locked, verified boot Verified; %s", os);
    } else if (must || a->boot_state == ATTEST_ANDROID_FAILED) {
        attest_fail(&sub->checks, CHK_ANDROID_BOOT_STATE, "device %s, verified boot %s%s; %s",
                    a->device_locked ? "locked" : "unlocked", attest_android_boot_state_name(a->boot_state),
                    must ? " (--android-verified-boot)" : "", os);
    } else {
        attest_warn(&sub->checks, CHK_ANDROID_BOOT_STATE,
                    "device %s, verified boot %s: the OS may be modified (--android-verified-boot refuses it); %s",
                    a->device_locked ? "locked" : "unlocked", attest_android_boot_state_name(a->boot_state), os);
    }
}

static int key_binding(attest_vctx *v, attest_submod *sub, X509 *leaf)
{
    unsigned char *spki = NULL;
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &spki), r;

    if (n <= 0) {
        attest_fail(&sub->checks, CHK_ANDROID_KEY_BINDING, "cannot encode the attested key");
        return 0;
    }
    r = attest_vendor_key_binding(v, sub, CHK_ANDROID_KEY_BINDING, spki, (size_t)n);
    OPENSSL_free(spki);
    return r;
}

static int verify(attest_vctx *v, const attest_statement *st, attest_submod *sub)
{
    attest_vendor_chain opts = { .scope = "android", .issuer_by_signature = QUIRK_ISSUER_NAME };
    attest_android_keydesc kd;
    attest_err err;
    X509 *leaf = leaf_of(v, st->stmt, st->stmt_len, &err);
    int r, bound = 0;

    r = leaf != NULL ? attest_android_keydesc_of_cert(leaf, &kd, &err) : -1;
    if (r == 0)
        attest_err_set(&err, "the certificate has no KeyDescription extension");
    if (r == 1 && issuer_has_keydesc(v)) {
        attest_err_set(&err,
                       "a bundle certificate also carries a KeyDescription: only the one nearest the root is "
                       "KeyMint's");
        r = -1;
    }
    if (r != 1) {
        attest_fail(&sub->checks, CHK_ANDROID_PARSE, "%s", err.msg);
        X509_free(leaf);
        return 0;
    }
    attest_pass(&sub->checks, CHK_ANDROID_PARSE, "KeyDescription version %lld", (long long)kd.attestation_version);
    (void)attest_vendor_chain_check(v, sub, CHK_ANDROID_CHAIN, leaf, &opts, NULL);
    security_level(sub, &kd);
    origin(v, sub, &kd);
    boot_state(v, sub, &kd);
    attest_engine_nonce(v, sub, CHK_ANDROID_NONCE, "attestationChallenge", kd.challenge, kd.challenge_len, 1);
    bound = key_binding(v, sub, leaf);
    X509_free(leaf);
    return bound;
}

static const attest_object_type objects[] = {
    { "AndroidKeyAttestation", "android", NULL, "Android key attestation certificate (KeyDescription)", 1, 1,
      check_object, describe, NULL },
};

static const attest_check_doc checks[] = {
    { CHK_ANDROID_PARSE,
      "the statement is one DER certificate with exactly one strict DER KeyDescription extension "
      "(1.3.6.1.4.1.11129.2.1.17), and no bundle certificate carries another" },
    { CHK_ANDROID_CHAIN,
      "the attestation certificate chains through the bundle's certificates to an anchor of the trust directory's "
      "android/ subdirectory (a Google hardware attestation root)" },
    { CHK_CHAIN_ANCHOR_EXPIRY, NULL },
    { CHK_ANDROID_SECURITY_LEVEL,
      "attestationSecurityLevel and keyMintSecurityLevel are TrustedEnvironment or StrongBox (Software fails)" },
    { CHK_ANDROID_ORIGIN,
      "the hardware-enforced origin is GENERATED; IMPORTED, SECURELY_IMPORTED or DERIVED fail (--allow imported-key: "
      "warn)" },
    { CHK_ANDROID_BOOT_STATE,
      "the hardware-enforced rootOfTrust says locked with verified boot Verified; otherwise a warning (Failed, or "
      "with --android-verified-boot anything else, fails)" },
    { CHK_ANDROID_NONCE, "attestationChallenge equals the nonce given with --nonce" },
    { CHK_ANDROID_KEY_BINDING, "the attestation certificate's key is the request's subject key" },
};

static const attest_quirk_doc quirks[] = {
    { QUIRK_ISSUER_NAME,
      "a certificate of the chain names another issuer than the certificate whose key signed it (seen in StrongBox "
      "chains); the path is built by signature" },
};

static const char *const ar4si_malformed[] = { CHK_ANDROID_PARSE, NULL };
static const char *const ar4si_trust[] = { CHK_ANDROID_CHAIN, CHK_CHAIN_ANCHOR_EXPIRY, NULL };
static const char *const ar4si_binding[] = { CHK_ANDROID_KEY_BINDING, NULL };
static const char *const ar4si_storage[] = { CHK_ANDROID_SECURITY_LEVEL, CHK_ANDROID_ORIGIN, NULL };
static const attest_ar4si_map ar4si = { ar4si_malformed, ar4si_trust, NULL, ar4si_binding, ar4si_storage };

const attest_engine attest_engine_android = {
    .name = "android",
    .kind = "android-key",
    .summary = "Android key attestation",
    .oid_text = ATTEST_ANDROID_KEYDESC_OID,
    .objects = objects,
    .n_objects = sizeof(objects) / sizeof(objects[0]),
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .describe = describe,
    .verify = verify,
    .claims_cert = claims_cert,
    .quirks = quirks,
    .n_quirks = sizeof(quirks) / sizeof(quirks[0]),
    .ar4si = &ar4si,
};
