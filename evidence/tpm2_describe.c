/* Describing TPM certify evidence: TPMS_ATTEST, TPMT_PUBLIC, TPMT_SIGNATURE, TcgAttestCertify. */
#include <stdio.h>
#include <string.h>
#include <tss2/tss2_mu.h>

#include "attest/describe.h"
#include "attest/tpm2.h"

static json_object *alg(uint16_t v)
{
    return json_object_new_string(attest_tpm2_alg_name(v));
}

static const char *st_name(uint16_t t)
{
    switch (t) {
    case TPM2_ST_ATTEST_CERTIFY: return "certify";
    case TPM2_ST_ATTEST_QUOTE: return "quote";
    case TPM2_ST_ATTEST_SESSION_AUDIT: return "session-audit";
    case TPM2_ST_ATTEST_COMMAND_AUDIT: return "command-audit";
    case TPM2_ST_ATTEST_TIME: return "time";
    case TPM2_ST_ATTEST_CREATION: return "creation";
    case TPM2_ST_ATTEST_NV: return "nv";
    default: return "unknown";
    }
}

json_object *attest_describe_tpms_attest(const unsigned char *b, size_t n, attest_err *err)
{
    TPMS_ATTEST a;
    json_object *o, *clock;
    char buf[48];

    if (attest_tpms_attest_parse(b, n, &a, err) != 0)
        return NULL;
    o = json_object_new_object();
    snprintf(buf, sizeof(buf), "0x%08x", a.magic);
    attest_json_add(o, "magic", json_object_new_string(buf));
    attest_json_add(o, "magic_ok", json_object_new_boolean(a.magic == TPM2_GENERATED_VALUE));
    snprintf(buf, sizeof(buf), "0x%04x (%s)", a.type, st_name(a.type));
    attest_json_add(o, "type", json_object_new_string(buf));
    attest_json_add(o, "qualified_signer", attest_json_hex(a.qualifiedSigner.name, a.qualifiedSigner.size));
    attest_json_add(o, "extra_data", attest_json_hex(a.extraData.buffer, a.extraData.size));
    if (a.extraData.size == 4 && memcmp(a.extraData.buffer, "\x00\xff\x55\xaa", 4) == 0)
        attest_json_add(o, "extra_data_note", json_object_new_string("tpm2-tools default, no nonce"));
    clock = json_object_new_object();
    attest_json_add(clock, "clock_ms", json_object_new_uint64(a.clockInfo.clock));
    attest_json_add(clock, "reset_count", json_object_new_int64(a.clockInfo.resetCount));
    attest_json_add(clock, "restart_count", json_object_new_int64(a.clockInfo.restartCount));
    attest_json_add(clock, "safe", json_object_new_boolean(a.clockInfo.safe));
    attest_json_add(o, "clock_info", clock);
    snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)a.firmwareVersion);
    attest_json_add(o, "firmware_version", json_object_new_string(buf));
    if (a.type == TPM2_ST_ATTEST_CERTIFY) {
        json_object *c = json_object_new_object();

        attest_json_add(c, "name", attest_json_hex(a.attested.certify.name.name, a.attested.certify.name.size));
        attest_json_add(c, "qualified_name",
                        attest_json_hex(a.attested.certify.qualifiedName.name, a.attested.certify.qualifiedName.size));
        attest_json_add(o, "certify", c);
    }
    return o;
}

json_object *attest_describe_tpmt_public(const unsigned char *b, size_t n, attest_err *err)
{
    TPMT_PUBLIC p;
    json_object *o;
    char buf[256];
    unsigned char name[2 + EVP_MAX_MD_SIZE];
    int nl;

    if (attest_tpmt_public_parse(b, n, &p, err) != 0)
        return NULL;
    o = json_object_new_object();
    attest_json_add(o, "type", alg(p.type));
    attest_json_add(o, "name_alg", alg(p.nameAlg));
    snprintf(buf, sizeof(buf), "0x%08x", p.objectAttributes);
    attest_json_add(o, "object_attributes", json_object_new_string(buf));
    attest_tpma_object_str(p.objectAttributes, buf, sizeof(buf));
    attest_json_add(o, "object_attributes_names", json_object_new_string(buf));
    attest_json_add(o, "auth_policy", attest_json_hex(p.authPolicy.buffer, p.authPolicy.size));
    if (p.type == TPM2_ALG_RSA) {
        const TPMS_RSA_PARMS *r = &p.parameters.rsaDetail;

        attest_json_add(o, "symmetric", alg(r->symmetric.algorithm));
        attest_json_add(o, "scheme", alg(r->scheme.scheme));
        if (r->scheme.scheme != TPM2_ALG_NULL)
            attest_json_add(o, "scheme_hash", alg(r->scheme.details.anySig.hashAlg));
        attest_json_add(o, "key_bits", json_object_new_int(r->keyBits));
        attest_json_add(o, "exponent", json_object_new_int64(r->exponent ? r->exponent : 65537));
        attest_json_add(o, "modulus", attest_json_hex(p.unique.rsa.buffer, p.unique.rsa.size));
    } else {
        const TPMS_ECC_PARMS *e = &p.parameters.eccDetail;

        attest_json_add(o, "symmetric", alg(e->symmetric.algorithm));
        attest_json_add(o, "scheme", alg(e->scheme.scheme));
        if (e->scheme.scheme != TPM2_ALG_NULL)
            attest_json_add(o, "scheme_hash", alg(e->scheme.details.anySig.hashAlg));
        attest_json_add(o, "curve", json_object_new_string(attest_tpm2_curve_name(e->curveID)));
        attest_json_add(o, "kdf", alg(e->kdf.scheme));
        attest_json_add(o, "x", attest_json_hex(p.unique.ecc.x.buffer, p.unique.ecc.x.size));
        attest_json_add(o, "y", attest_json_hex(p.unique.ecc.y.buffer, p.unique.ecc.y.size));
    }
    if ((nl = attest_tpm2_name(b, n, name, sizeof(name), NULL)) > 0)
        attest_json_add(o, "name", attest_json_hex(name, (size_t)nl));
    return o;
}

json_object *attest_describe_tpmt_signature(const unsigned char *b, size_t n)
{
    TPMT_SIGNATURE s;
    json_object *o = json_object_new_object();

    if (!attest_tpmt_signature_parse(b, n, &s)) {
        attest_json_add(o, "format", json_object_new_string("plain"));
        attest_json_add(o, "length", json_object_new_int((int)n));
        attest_json_add(o, "value", attest_json_hex(b, n));
        return o;
    }
    attest_json_add(o, "format", json_object_new_string("TPMT_SIGNATURE"));
    attest_json_add(o, "sig_alg", alg(s.sigAlg));
    attest_json_add(o, "hash", alg(s.signature.any.hashAlg));
    if (s.sigAlg == TPM2_ALG_RSASSA || s.sigAlg == TPM2_ALG_RSAPSS) {
        attest_json_add(o, "value", attest_json_hex(s.signature.rsassa.sig.buffer, s.signature.rsassa.sig.size));
    } else {
        attest_json_add(o, "r",
                        attest_json_hex(s.signature.ecdsa.signatureR.buffer, s.signature.ecdsa.signatureR.size));
        attest_json_add(o, "s",
                        attest_json_hex(s.signature.ecdsa.signatureS.buffer, s.signature.ecdsa.signatureS.size));
    }
    return o;
}

json_object *attest_describe_tpm2_stmt_der(const unsigned char *der, size_t len, attest_err *err)
{
    attest_tpm2_stmt s;
    attest_err sub;
    json_object *o, *att, *pub = NULL;

    if (attest_tpm2_stmt_decode(der, len, &s, err) != 0)
        return NULL;
    o = json_object_new_object();
    att = attest_describe_tpms_attest(s.attest, s.attest_len, &sub);
    attest_json_add(o, "tpms_attest", attest_json_or_error(att, &sub));
    attest_json_add(o, "signature", attest_describe_tpmt_signature(s.sig, s.sig_len));
    if (s.pub != NULL) {
        unsigned char name[2 + EVP_MAX_MD_SIZE];
        TPMS_ATTEST a;
        int nl;

        pub = attest_describe_tpmt_public(s.pub, s.pub_len, &sub);
        attest_json_add(o, "tpmt_public", attest_json_or_error(pub, &sub));
        if (s.pub_was_tpm2b)
            attest_json_add(o, "legacy_shape", json_object_new_string("tpmTPublic-as-TPM2B_PUBLIC"));
        nl = attest_tpm2_name(s.pub, s.pub_len, name, sizeof(name), NULL);
        if (nl > 0 && attest_tpms_attest_parse(s.attest, s.attest_len, &a, NULL) == 0
            && a.type == TPM2_ST_ATTEST_CERTIFY)
            attest_json_add(o, "name_matches_attested",
                            json_object_new_boolean((size_t)nl == a.attested.certify.name.size
                                                    && memcmp(name, a.attested.certify.name.name, (size_t)nl) == 0));
    } else {
        attest_json_add(o, "tpmt_public", json_object_new_string("absent"));
    }
    attest_tpm2_stmt_clear(&s);
    return o;
}
