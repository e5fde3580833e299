/*
 * The checks of the request, the bundle, the AK chain, policy and limits,
 * one line of documentation each; every engine lists its own (engine.h).
 */
#include "attest/checks.h"

static const attest_check_doc table[] = {
    { CHK_CSR_PARSE,
      "the input is a DER PKCS#10 request, strict DER all the way down (or a bundle given with --pubkey)" },
    { CHK_CSR_SIGNATURE, "the request's self-signature verifies with its own key (proof of possession)" },
    { CHK_CRMF_PARSE,
      "the input is a strict DER CRMF CertReqMessages or CMP PKIMessage (ir, cr, kur, p10cr); 1 to 8 requests, "
      "distinct certReqIds" },
    { CHK_CRMF_POPO,
      "the CRMF request's POPO signature verifies with its template's public key, over the CertRequest "
      "(template subject present) or over a POPOSigningKeyInput naming exactly the template key (raVerified is "
      "refused)" },
    { CHK_BUNDLE_COUNT, "exactly one id-aa-attestation attribute holding exactly one value (CRMF: one extension)" },
    { CHK_BUNDLE_PARSE, "the AttestationBundle is strict DER with no trailing bytes and within the caps" },
    { CHK_BUNDLE_SHAPE, "the bundle uses the current (-28) shape; older shapes warn (fail with --strict)" },
    { CHK_BUNDLE_TYPE, "the statement type is one this verifier understands" },
    { CHK_CHAIN_TRUST, "the attestation key certificate chains to an anchor of --trust-dir at the verification time" },
    { CHK_CHAIN_AK_PROFILE,
      "the attestation key certificate is not a CA, has digitalSignature and the AK EKU of its evidence format (TPM "
      "certify: tcg-kp-AIKCertificate; PKIX: id-kp-attestationKey and no TPM AK mark)" },
    { CHK_CHAIN_ANCHOR_EXPIRY,
      "the vendor anchor a chain ended at is valid for 90 days more; expiring soon or expired warns (expired fails "
      "with --strict)" },
    { CHK_POLICY_WEAK_ALGS, "no SHA-1 and no RSA key under 2048 bits anywhere" },
    { CHK_POLICY_KEY_ATTESTED, "at least one statement binds the request's key with verified evidence" },
    { CHK_LIMITS_RSA_EXPONENT, "no RSA key the verifier would use has a public exponent over 32 bits" },
    { CHK_LIMITS_SIGNATURES, "the input needed at most 64 signature operations, all statements together" },
    { CHK_POLICY_VERIFICATION_TIME,
      "evidence is judged at the current time; a time given with --at-time is a relaxation (warning)" },
    { CHK_POLICY_QUIRKS,
      "the vendor quirks the evidence needed (named relaxations for real devices, see attest(7)) warn; --strict "
      "refuses them" },
    { CHK_NONCE_STATE,
      "with --nonce-state: the evidence's nonce (one for all statements) was issued there, has not expired and was not "
      "used; it is now marked used" },
};

const attest_check_doc *attest_check_table(size_t *n)
{
    *n = sizeof(table) / sizeof(table[0]);
    return table;
}
