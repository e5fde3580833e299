/*
 * Android Key Attestation (evidence/android_*.c): the KeyDescription that
 * KeyMint puts in the attestation certificate of a key, decoded into what the
 * android engine judges and show prints.  Not installed.
 */
#ifndef ATTEST_ANDROID_H
#define ATTEST_ANDROID_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <openssl/x509.h>

#include "attest/error.h"

#define ATTEST_ANDROID_KEYDESC_OID "1.3.6.1.4.1.11129.2.1.17"

#define CHK_ANDROID_PARSE          "android.parse"
#define CHK_ANDROID_CHAIN          "android.chain"
#define CHK_ANDROID_SECURITY_LEVEL "android.security-level"
#define CHK_ANDROID_ORIGIN         "android.origin"
#define CHK_ANDROID_BOOT_STATE     "android.boot-state"
#define CHK_ANDROID_NONCE          "android.nonce"
#define CHK_ANDROID_KEY_BINDING    "android.key-binding"

/* SecurityLevel, KeyOrigin and VerifiedBootState values (AOSP KeyMint AIDL). */
enum { ATTEST_ANDROID_SOFTWARE = 0, ATTEST_ANDROID_TEE = 1, ATTEST_ANDROID_STRONGBOX = 2 };
enum {
    ATTEST_ANDROID_GENERATED = 0,
    ATTEST_ANDROID_DERIVED = 1,
    ATTEST_ANDROID_IMPORTED = 2,
    ATTEST_ANDROID_SECURELY_IMPORTED = 4
};
enum {
    ATTEST_ANDROID_VERIFIED = 0,
    ATTEST_ANDROID_SELF_SIGNED = 1,
    ATTEST_ANDROID_UNVERIFIED = 2,
    ATTEST_ANDROID_FAILED = 3
};

/* The AuthorizationList fields the verifier uses; -1: absent. */
typedef struct {
    uint32_t purposes; /* 1 << KeyPurpose for each listed purpose below 32 */
    int has_purpose;
    int64_t algorithm, key_size, ec_curve, origin, os_version, os_patch_level, vendor_patch_level, boot_patch_level,
        creation_time;
    int has_root_of_trust;
    unsigned char boot_key[64], boot_hash[64];
    size_t boot_key_len, boot_hash_len; /* copied up to 64 bytes */
    int device_locked;
    int64_t boot_state;
} attest_android_authlist;

typedef struct {
    int64_t attestation_version, attestation_security_level, keymint_version, keymint_security_level;
    unsigned char challenge[128], unique_id[128]; /* KeyMint caps the challenge at 128 bytes */
    size_t challenge_len, unique_id_len;
    attest_android_authlist sw, hw; /* softwareEnforced, hardwareEnforced */
} attest_android_keydesc;

/* A strict DER KeyDescription: 0 and *kd filled, or -1 and err. */
int attest_android_keydesc_decode(const unsigned char *der, size_t len, attest_android_keydesc *kd, attest_err *err);
/* The one KeyDescription extension of x: 1 found and decoded, 0 none, -1 several or undecodable (err). */
int attest_android_keydesc_of_cert(X509 *x, attest_android_keydesc *kd, attest_err *err);

/* Names for details and show ("TrustedEnvironment", "GENERATED", "Unverified"); "unknown" otherwise. */
const char *attest_android_level_name(int64_t v);
const char *attest_android_origin_name(int64_t v);
const char *attest_android_boot_state_name(int64_t v);

/* The claims as JSON (show). */
json_object *attest_android_keydesc_json(const attest_android_keydesc *kd);

#endif
