/*
 * What a verdict records for an audit, beside its checks: the input's
 * digest, the subject and its key, the nonce demanded and the ones found,
 * the policy in force and each AK certificate path.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/describe.h"
#include "attest/certcache.h"
#include "attest/digest.h"
#include "attest/spki_key.h"
#include "attest/verdict.h"

void attest_policy_id(const attest_policy *p, char *buf, size_t len)
{
    /* Table order, so one policy is always spelled the same way. */
    static const char *const names[] = { "sha1",         "small-rsa",      "exportable-key",
                                         "imported-key", "restricted-key", "ak-without-eku" };
    size_t i, n;

    n = (size_t)snprintf(buf, len, "policy:attest-req");
    for (i = 0; p != NULL && i < sizeof(names) / sizeof(names[0]) && n < len; i++)
        if (p->allow & attest_policy_allow_flag(names[i]))
            n += (size_t)snprintf(buf + n, len - n, "+allow-%s", names[i]);
    if (p != NULL && p->strict_shape && n < len)
        n += (size_t)snprintf(buf + n, len - n, "+strict");
    if (p != NULL && p->require_all_signatures && n < len)
        n += (size_t)snprintf(buf + n, len - n, "+require-all-signatures");
    if (p != NULL && p->android_require_verified_boot && n < len)
        n += (size_t)snprintf(buf + n, len - n, "+android-verified-boot");
    if (p != NULL && p->yubikey_min_pin_policy && n < len)
        n += (size_t)snprintf(buf + n, len - n, "+yubikey-pin-policy=%s",
                              p->yubikey_min_pin_policy == 3 ? "always" : "once");
    if (p != NULL && p->yubikey_min_touch_policy && n < len)
        n += (size_t)snprintf(buf + n, len - n, "+yubikey-touch-policy=%s",
                              p->yubikey_min_touch_policy == 2 ? "always" : "cached");
    if (p != NULL && p->vulnerable_firmware_fails && n < len)
        n += (size_t)snprintf(buf + n, len - n, "+refuse-vulnerable-firmware");
    if (p != NULL && !p->require_key_attestation && n < len)
        snprintf(buf + n, len - n, "+key-attestation-optional");
}

void attest_verdict_record_params(attest_verdict *v, const attest_verify_params *p)
{
    attest_policy_id(p->policy, v->policy_id, sizeof(v->policy_id));
    if (p->nonce != NULL) {
        v->nonce_demanded = 1;
        v->nonce_len = p->nonce_len < sizeof(v->nonce) ? p->nonce_len : sizeof(v->nonce);
        memcpy(v->nonce, p->nonce, v->nonce_len);
    }
}

void attest_verdict_record_input(attest_verdict *v, const unsigned char *der, size_t len)
{
    v->has_input_sha256 = attest_sha256(der, len, v->input_sha256);
}

void attest_verdict_record_subject(attest_verdict *v, const X509_NAME *name, const X509_PUBKEY *spki, EVP_PKEY *key)
{
    unsigned char *der = NULL;
    int n = -1;

    if (name != NULL && v->subject == NULL)
        v->subject = attest_name_oneline(name);
    if (spki != NULL)
        n = i2d_X509_PUBKEY(spki, &der);
    else if (key != NULL)
        n = attest_pkey_spki_der(key, &der);
    if (n > 0)
        v->has_subject_key = attest_sha256(der, (size_t)n, v->subject_spki_sha256);
    OPENSSL_free(der);
}

void attest_submod_record_nonce(attest_submod *s, const unsigned char *nonce, size_t len)
{
    s->nonce_found_len = len < sizeof(s->nonce_found) ? len : sizeof(s->nonce_found);
    if (s->nonce_found_len > 0)
        memcpy(s->nonce_found, nonce, s->nonce_found_len);
    s->has_nonce_found = 1;
}

int attest_submod_has_nonce(const attest_submod *s)
{
    return s->has_nonce_found && s->nonce_found_len > 0 && !s->nonce_found_long;
}

void attest_submod_record_chain(attest_submod *s, X509 *ak, const unsigned char *anchor)
{
    attest_chain_record *r;

    if (s == NULL || s->n_chains == ATTEST_MAX_CHAIN_RECORDS)
        return;
    r = &s->chains[s->n_chains];
    if (!attest_cert_sha256(ak, r->ak_sha256))
        return;
    if (anchor != NULL) {
        memcpy(r->anchor_sha256, anchor, sizeof(r->anchor_sha256));
        r->has_anchor = 1;
    }
    s->n_chains++;
}
