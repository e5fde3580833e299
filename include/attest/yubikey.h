/*
 * YubiKey PIV attestation (engine yubikey): the slot attestation certificate
 * the device signs with its F9 key, and the Yubico extensions in it
 * (arc 1.3.6.1.4.1.41482.3).  See attest(7), "Vendor evidence".
 */
#ifndef ATTEST_YUBIKEY_H
#define ATTEST_YUBIKEY_H

#include <stdint.h>
#include <json-c/json.h>
#include <openssl/x509.h>

#include "attest/error.h"

#define CHK_YUBIKEY_PARSE       "yubikey.parse"
#define CHK_YUBIKEY_CHAIN       "yubikey.chain"
#define CHK_YUBIKEY_KEY_BINDING "yubikey.key-binding"
#define CHK_YUBIKEY_POLICY      "yubikey.policy"
#define CHK_YUBIKEY_FIRMWARE    "yubikey.firmware"

#define ATTEST_YK_ARC          "1.3.6.1.4.1.41482.3"
#define ATTEST_YK_OID_SLOT     ATTEST_YK_ARC ".1"  /* statement type; CSR carrier of the slot cert */
#define ATTEST_YK_OID_F9       ATTEST_YK_ARC ".2"  /* CSR carrier of the F9 cert */
#define ATTEST_YK_OID_FIRMWARE ATTEST_YK_ARC ".3"  /* raw 3 bytes major.minor.patch */
#define ATTEST_YK_OID_SERIAL   ATTEST_YK_ARC ".7"  /* DER INTEGER */
#define ATTEST_YK_OID_POLICY   ATTEST_YK_ARC ".8"  /* raw 2 bytes: PIN policy, touch policy */
#define ATTEST_YK_OID_FORM     ATTEST_YK_ARC ".9"  /* raw 1 byte */
#define ATTEST_YK_OID_FIPS     ATTEST_YK_ARC ".10" /* F9 cert: present on FIPS devices */
#define ATTEST_YK_OID_CSPN     ATTEST_YK_ARC ".11" /* F9 cert: CSPN flag; in a CSR: the slot cert (old tool) */

/* Policy bytes as the device writes them. */
enum { ATTEST_YK_PIN_NEVER = 1, ATTEST_YK_PIN_ONCE = 2, ATTEST_YK_PIN_ALWAYS = 3 };
enum { ATTEST_YK_TOUCH_NEVER = 1, ATTEST_YK_TOUCH_ALWAYS = 2, ATTEST_YK_TOUCH_CACHED = 3 };

typedef struct {
    unsigned fw_major, fw_minor, fw_patch;
    unsigned pin_policy, touch_policy;
    int has_serial;
    uint64_t serial;
    int has_form_factor;
    unsigned form_factor;
    char slot[3]; /* "9a" from the subject "YubiKey PIV Attestation 9a"; "" when not of that shape */
} attest_yk_claims;

/*
 * The claims of a slot attestation certificate: firmware and policy present,
 * serial and form factor optional, each once and in its exact form; not a
 * CA.  0, or -1 and err.
 */
int attest_yk_parse_slot(X509 *slot, attest_yk_claims *c, attest_err *err);
/* The slot certificate from its DER: one strict-DER certificate, nothing after it. */
X509 *attest_yk_decode_slot(const unsigned char *der, size_t len, attest_err *err);
/* An F9 certificate's FIPS (.10) and CSPN (.11) flags: presence. */
void attest_yk_f9_flags(X509 *f9, int *fips, int *cspn);
/* The claims as a JSON object (firmware, serial, policies, form factor, slot). */
json_object *attest_yk_claims_json(const attest_yk_claims *c);
const char *attest_yk_pin_name(unsigned v);
const char *attest_yk_touch_name(unsigned v);
/* "usb-c-keychain"; flags as fips/security-key in the JSON. */
const char *attest_yk_form_name(unsigned v);

#endif
