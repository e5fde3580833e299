/*
 * TPM 2.0 certify evidence, verify side: the checks of specs §2.7 in order.
 * TPMS_ATTEST names no signer, so the AK is the bundle certificate whose key
 * verifies the signature; only certificates whose key fits the signature's
 * scheme and size are tried, at most ATTEST_MAX_AK_CANDIDATES, each trial
 * paid from the input's signature budget.  The AK certificate must then
 * chain to the trust directory.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "attest/certname.h"
#include "attest/keys.h"
#include "attest/checks.h"
#include "attest/engine.h"
#include "attest/escape.h"
#include "attest/limits.h"
#include "attest/tpm2.h"

/* One verification attempt: md may be NULL for "digest inside the signature". */
static int digest_verify(attest_vctx *v, EVP_PKEY *key, const EVP_MD *md, int pss, const unsigned char *sig,
                         size_t siglen, const unsigned char *msg, size_t msglen)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = 0;

    if (mctx == NULL || !attest_vctx_sig_op(v)) {
        EVP_MD_CTX_free(mctx);
        return 0;
    }
    ERR_set_mark(); /* a key that does not verify is an answer, not an error */
    if (EVP_DigestVerifyInit_ex(mctx, &pctx, EVP_MD_get0_name(md), v->p->libctx, v->p->propq, key, NULL) > 0) {
        if (pss
            && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0
                || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) <= 0))
            goto done;
        ok = EVP_DigestVerify(mctx, sig, siglen, msg, msglen) == 1;
    }
done:
    EVP_MD_CTX_free(mctx);
    ERR_pop_to_mark();
    return ok;
}

/* The digest the key's size calls for (one rule for the whole tree: attest_default_md). */
static const EVP_MD *curve_md(EVP_PKEY *key)
{
    const char *name = attest_default_md(key);

    return name != NULL ? EVP_get_digestbyname(name) : EVP_sha256();
}

/* For a plain RSA signature the DigestInfo inside names the hash. */
static const EVP_MD *recover_md(attest_vctx *v, EVP_PKEY *key, const unsigned char *sig, size_t siglen)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(v->p->libctx, key, v->p->propq);
    unsigned char out[1024];
    size_t outlen = sizeof(out);
    const unsigned char *p = out;
    X509_SIG *di = NULL;
    const X509_ALGOR *alg = NULL;
    const EVP_MD *md = NULL;

    if (ctx == NULL || !attest_vctx_sig_op(v)) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    ERR_set_mark(); /* a probe: no DigestInfo is an answer */
    if (EVP_PKEY_verify_recover_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0
        && EVP_PKEY_verify_recover(ctx, out, &outlen, sig, siglen) > 0
        && (di = d2i_X509_SIG(NULL, &p, (long)outlen)) != NULL) {
        X509_SIG_get0(di, &alg, NULL);
        md = EVP_get_digestbyobj(alg->algorithm);
        /* Only the SHA family a TPM signs with; SHA-1 is then the policy's business. */
        if (md != NULL && !EVP_MD_is_a(md, "SHA1") && !EVP_MD_is_a(md, "SHA256") && !EVP_MD_is_a(md, "SHA384")
            && !EVP_MD_is_a(md, "SHA512"))
            md = NULL;
    }
    X509_SIG_free(di);
    EVP_PKEY_CTX_free(ctx);
    ERR_pop_to_mark();
    return md;
}

/*
 * Does key verify the statement's signature?  On success *md is the hash
 * that was used and how says which form was recognised.
 */
static int try_key(attest_vctx *v, EVP_PKEY *key, const attest_tpm2_stmt *s, const EVP_MD **md, char *how,
                   size_t howlen)
{
    TPMT_SIGNATURE ts;
    int is_rsa = EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS");
    int is_ec = EVP_PKEY_is_a(key, "EC");

    *md = NULL;
    if (attest_tpmt_signature_parse(s->sig, s->sig_len, &ts)) {
        *md = attest_tpm2_md(ts.signature.any.hashAlg);
        if (*md == NULL)
            return 0;
        if (ts.sigAlg == TPM2_ALG_RSASSA || ts.sigAlg == TPM2_ALG_RSAPSS) {
            int pss = ts.sigAlg == TPM2_ALG_RSAPSS;

            snprintf(how, howlen, "TPMT_SIGNATURE %s/%s", pss ? "rsapss" : "rsassa", EVP_MD_get0_name(*md));
            return is_rsa
                && digest_verify(v, key, *md, pss, ts.signature.rsassa.sig.buffer, ts.signature.rsassa.sig.size,
                                 s->attest, s->attest_len);
        }
        if (ts.sigAlg == TPM2_ALG_ECDSA && is_ec) {
            size_t dl = 0;
            unsigned char *der = NULL;
            int ok = attest_tpm2_ecdsa_der(&ts.signature.ecdsa, &der, &dl) == 0
                && digest_verify(v, key, *md, 0, der, dl, s->attest, s->attest_len);

            OPENSSL_free(der);
            snprintf(how, howlen, "TPMT_SIGNATURE ecdsa/%s", EVP_MD_get0_name(*md));
            return ok;
        }
        snprintf(how, howlen, "TPMT_SIGNATURE scheme %s", attest_tpm2_alg_name(ts.sigAlg));
        return 0;
    }
    if (is_rsa) {
        if ((*md = recover_md(v, key, s->sig, s->sig_len)) != NULL) {
            snprintf(how, howlen, "plain RSASSA-PKCS1-v1_5, hash %s from the DigestInfo", EVP_MD_get0_name(*md));
            return digest_verify(v, key, *md, 0, s->sig, s->sig_len, s->attest, s->attest_len);
        }
        *md = EVP_sha256();
        snprintf(how, howlen, "plain RSASSA-PSS, assumed SHA-256, salt length auto");
        return digest_verify(v, key, *md, 1, s->sig, s->sig_len, s->attest, s->attest_len);
    }
    if (is_ec) {
        *md = curve_md(key);
        snprintf(how, howlen, "plain ECDSA, hash %s assumed from the curve size", EVP_MD_get0_name(*md));
        if (digest_verify(v, key, *md, 0, s->sig, s->sig_len, s->attest, s->attest_len))
            return 1;
        if (!EVP_MD_is_a(*md, "SHA256")) {
            *md = EVP_sha256();
            snprintf(how, howlen, "plain ECDSA, hash SHA-256 assumed");
            return digest_verify(v, key, *md, 0, s->sig, s->sig_len, s->attest, s->attest_len);
        }
    }
    return 0;
}

/*
 * Could key have made this signature?  RSA: the signature is as long as the
 * modulus.  ECDSA: r and s (or the DER signature) fit the key's size.  Only
 * sizes are compared: no key operation.
 */
static int key_fits(EVP_PKEY *key, const attest_tpm2_stmt *s, const TPMT_SIGNATURE *ts, int is_tpmt)
{
    int is_rsa = EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS");
    int is_ec = EVP_PKEY_is_a(key, "EC");
    int size = EVP_PKEY_get_size(key), bytes = (EVP_PKEY_get_bits(key) + 7) / 8;

    if (!is_tpmt)
        return (is_rsa && (size_t)size == s->sig_len) || (is_ec && size > 0 && s->sig_len <= (size_t)size);
    switch (ts->sigAlg) {
    case TPM2_ALG_RSASSA:
    case TPM2_ALG_RSAPSS: return is_rsa && size == ts->signature.rsassa.sig.size;
    case TPM2_ALG_ECDSA:
        return is_ec && ts->signature.ecdsa.signatureR.size <= bytes && ts->signature.ecdsa.signatureS.size <= bytes;
    default: return 0;
    }
}

/* The first fitting bundle certificate whose key verifies the signature is the AK. */
static X509 *find_ak(attest_vctx *v, const attest_tpm2_stmt *s, const EVP_MD **md, char *how, size_t howlen, int *tried,
                     int *untried)
{
    TPMT_SIGNATURE ts;
    int i, is_tpmt = attest_tpmt_signature_parse(s->sig, s->sig_len, &ts);

    *tried = *untried = 0;
    /* What the signature is, for the verdict when no key fits; try_key says more. */
    if (is_tpmt)
        snprintf(how, howlen, "TPMT_SIGNATURE scheme %s", attest_tpm2_alg_name(ts.sigAlg));
    else
        snprintf(how, howlen, "a plain signature of %zu bytes", s->sig_len);
    for (i = 0; i < sk_X509_num(v->bundle_certs); i++) {
        X509 *x = sk_X509_value(v->bundle_certs, i);
        EVP_PKEY *k = X509_get0_pubkey(x);

        if (k == NULL || !key_fits(k, s, &ts, is_tpmt))
            continue;
        if (*tried == ATTEST_MAX_AK_CANDIDATES) {
            (*untried)++;
            continue;
        }
        (*tried)++;
        if (try_key(v, k, s, md, how, howlen))
            return x;
    }
    return NULL;
}

static void check_attributes(attest_vctx *v, uint32_t a, attest_checks *c)
{
    unsigned allow = v->p->policy->allow;
    char hard[160] = "", soft[160] = "", names[256];

    attest_tpma_object_str(a, names, sizeof(names));
#define PROBLEM(cond, flag, text)                                         \
    if (cond) {                                                           \
        char *dst = (allow & (flag)) ? soft : hard;                       \
        size_t used = strlen(dst);                                        \
        snprintf(dst + used, 160 - used, "%s%s", used ? ", " : "", text); \
    }
    PROBLEM(!(a & TPMA_OBJECT_FIXEDTPM), ATTEST_ALLOW_EXPORTABLE_KEY, "fixedTPM clear (key can leave the TPM)")
    PROBLEM(!(a & TPMA_OBJECT_FIXEDPARENT), ATTEST_ALLOW_EXPORTABLE_KEY, "fixedParent clear (key can be duplicated)")
    PROBLEM(!(a & TPMA_OBJECT_SENSITIVEDATAORIGIN), ATTEST_ALLOW_IMPORTED_KEY,
            "sensitiveDataOrigin clear (key was imported)")
    PROBLEM(a & TPMA_OBJECT_RESTRICTED, ATTEST_ALLOW_RESTRICTED_KEY,
            "restricted set (an attestation key, not a subscriber key)")
    PROBLEM(!(a & TPMA_OBJECT_SIGN_ENCRYPT), 0, "sign clear (not a signing key)")
#undef PROBLEM
    if (hard[0])
        attest_fail(c, CHK_TPM2_ATTRIBUTES, "objectAttributes 0x%08x: %s", a, hard);
    else if (soft[0])
        attest_warn(c, CHK_TPM2_ATTRIBUTES, "objectAttributes 0x%08x: %s (allowed by policy)", a, soft);
    else
        attest_pass(c, CHK_TPM2_ATTRIBUTES, "%s", names);
}

/* The checks it does not reach are recorded by the driver (verifier/verify.c). */

/*
 * The certified key is the request's subject key when the SPKI an encoder
 * writes for the TPMT_PUBLIC is the request's canonical SPKI, byte for byte
 * (it is then also akpub).  Any other encoding is judged through the keys.
 */
static int bound_by_bytes(attest_vctx *v, const TPMT_PUBLIC *pub, attest_submod *sub)
{
    unsigned char *mine = NULL, *theirs = NULL;
    size_t mlen = 0, tlen = 0;
    int same;

    if (v->subject_key == NULL || !attest_spki_is_canonical(v->subject_spki)
        || attest_tpmt_public_spki_der(pub, &mine, &mlen) != 0
        || attest_spki_der_of(v->subject_spki, NULL, &theirs, &tlen) != 0) {
        OPENSSL_free(mine);
        return 0;
    }
    same = mlen == tlen && memcmp(mine, theirs, mlen) == 0;
    OPENSSL_free(theirs);
    if (!same) {
        OPENSSL_free(mine);
        return 0;
    }
    OPENSSL_free(sub->akpub);
    sub->akpub = mine;
    sub->akpub_len = mlen;
    return 1;
}

int attest_tpm2_verify(attest_vctx *v, const attest_statement *st, attest_submod *sub)
{
    attest_checks *c = &sub->checks;
    attest_tpm2_stmt s;
    TPMS_ATTEST att;
    TPMT_PUBLIC pub;
    EVP_PKEY *tkey = NULL;
    X509 *ak = NULL;
    const EVP_MD *md = NULL;
    attest_err err;
    char how[160] = "", buf[160];
    unsigned char name[2 + EVP_MAX_MD_SIZE];
    int nl, header_ok, parsed = 0, tried = 0, untried = 0, refused = v->sig_ops_refused, bound = 0;
    UINT32 magic = 0;
    TPM2_ST type = 0;
    size_t hoff = 0;

    if (attest_tpm2_stmt_decode(st->stmt, st->stmt_len, &s, &err) != 0) {
        attest_fail(c, CHK_TPM2_PARSE, "%s", err.msg);
        return 0;
    }
    ERR_set_mark(); /* the checks say what failed; the caller's queue stays as it was */
    if (s.pub == NULL) {
        attest_fail(c, CHK_TPM2_PARSE, "tpmTPublic is absent: the evidence cannot be bound to a key");
        goto done;
    }
    /* Magic and type come straight from the header, before any parsing. */
    header_ok = Tss2_MU_UINT32_Unmarshal(s.attest, s.attest_len, &hoff, &magic) == TSS2_RC_SUCCESS
        && Tss2_MU_TPM2_ST_Unmarshal(s.attest, s.attest_len, &hoff, &type) == TSS2_RC_SUCCESS;
    if (header_ok && magic == TPM2_GENERATED_VALUE)
        attest_pass(c, CHK_TPM2_MAGIC, "magic ff544347");
    else
        attest_fail(c, CHK_TPM2_MAGIC, "TPMS_ATTEST.magic is not TPM_GENERATED_VALUE ff544347");
    if (header_ok && type == TPM2_ST_ATTEST_CERTIFY)
        attest_pass(c, CHK_TPM2_TYPE, "type 8017 (certify)");
    else {
        attest_fail(c, CHK_TPM2_TYPE, "TPMS_ATTEST.type is %04x, expected 8017 (certify)", header_ok ? type : 0);
        header_ok = 0;
    }
    if (attest_tpmt_public_parse(s.pub, s.pub_len, &pub, &err) != 0) {
        attest_fail(c, CHK_TPM2_PARSE, "tpmTPublic: %s", err.msg);
    } else if (header_ok && attest_tpms_attest_parse(s.attest, s.attest_len, &att, &err) != 0) {
        attest_fail(c, CHK_TPM2_PARSE, "tpmSAttest: %s", err.msg);
    } else if (header_ok) {
        parsed = 1;
        attest_pass(c, CHK_TPM2_PARSE, "TPMS_ATTEST %zu bytes, TPMT_PUBLIC %zu bytes%s, signature %zu bytes",
                    s.attest_len, s.pub_len, s.pub_was_tpm2b ? " (legacy TPM2B prefix stripped)" : "", s.sig_len);
    } else {
        attest_skip(c, CHK_TPM2_PARSE, "TPMS_ATTEST not parsed: its header is wrong");
    }

    /* The signature covers the exact TPMS_ATTEST bytes, whatever they hold. */
    if ((ak = find_ak(v, &s, &md, how, sizeof(how), &tried, &untried)) != NULL) {
        attest_pass(c, CHK_TPM2_SIGNATURE, "%s, by %s", how, (attest_cert_name(ak, buf, sizeof(buf)), buf));
        attest_vctx_note_md(v, md, "the TPM signature");
        attest_vctx_note_key(v, X509_get0_pubkey(ak), "the AK");
        attest_ak_check_chain(v, ak, c);
        attest_ak_check_profile(v, ak, ATTEST_AK_FOR_TPM2, c);
    } else {
        if (v->sig_ops_refused > refused)
            /* Not run, and not sound: an error, though nothing failed here (limits.signatures did). */
            attest_check_add(c, CHK_TPM2_SIGNATURE, ATTEST_CHECK_SKIP, ATTEST_SEV_ERROR,
                             "not verified: the input's %d signature operations are spent (limits.signatures)",
                             ATTEST_MAX_SIG_OPS);
        else if (sk_X509_num(v->bundle_certs) == 0)
            attest_fail(c, CHK_TPM2_SIGNATURE,
                        "no certificate in the bundle (none with a usable key): the AK cannot be found");
        else if (tried == 0)
            attest_fail(c, CHK_TPM2_SIGNATURE,
                        "no bundle certificate has a key of the kind and size the signature needs (%s)", how);
        else
            attest_fail(
                c, CHK_TPM2_SIGNATURE,
                "no bundle certificate's key verifies the signature over TPMS_ATTEST (%d tried%s); last form tried: %s",
                tried, untried ? ", more not tried: per-statement cap" : "", how);
    }

    if (!parsed)
        goto done;
    attest_vctx_note_md(v, attest_tpm2_md(pub.nameAlg), "the key's nameAlg");
    nl = attest_tpm2_name(s.pub, s.pub_len, name, sizeof(name), &err);
    if (nl > 0 && (size_t)nl == att.attested.certify.name.size
        && memcmp(name, att.attested.certify.name.name, (size_t)nl) == 0) {
        attest_hex(name, (size_t)nl, buf, sizeof(buf));
        attest_pass(c, CHK_TPM2_NAME, "attested.name %s = nameAlg || H(tpmTPublic)", buf);
    } else {
        attest_fail(c, CHK_TPM2_NAME,
                    "attested.name does not match nameAlg || H(tpmTPublic): the evidence is about another key");
    }

    if (bound_by_bytes(v, &pub, sub)) {
        /* The request's own SPKI, byte for byte: no key made for the comparison. */
        bound = 1;
        attest_pass(c, CHK_TPM2_KEY_BINDING, "the TPM key (%s-%d) is the request's subject key",
                    EVP_PKEY_get0_type_name(v->subject_key), EVP_PKEY_get_bits(v->subject_key));
    } else if ((tkey = attest_tpmt_public_to_pkey(&pub, v->p->libctx, &err)) == NULL) {
        attest_fail(c, CHK_TPM2_KEY_BINDING, "%s", err.msg);
    } else {
        bound = v->subject_key != NULL && attest_key_public_eq(tkey, v->subject_key) == 1;

        /* The TPM key is the request's key: its SPKI, when in the encoder's form, is akpub as is. */
        if (attest_spki_der_of(bound && attest_spki_is_canonical(v->subject_spki) ? v->subject_spki : NULL, tkey,
                               &sub->akpub, &sub->akpub_len)
            != 0)
            sub->akpub = NULL;
        if (v->subject_key == NULL)
            attest_fail(c, CHK_TPM2_KEY_BINDING, "no subject key to bind to");
        else if (bound) {
            attest_pass(c, CHK_TPM2_KEY_BINDING, "the TPM key (%s-%d) is the request's subject key",
                        EVP_PKEY_get0_type_name(tkey), EVP_PKEY_get_bits(tkey));
        } else
            attest_fail(c, CHK_TPM2_KEY_BINDING, "the TPM key (%s-%d) is not the request's subject key",
                        EVP_PKEY_get0_type_name(tkey), EVP_PKEY_get_bits(tkey));
    }

    attest_engine_nonce(v, sub, CHK_TPM2_NONCE, "extraData", att.extraData.buffer, att.extraData.size, 1);

    check_attributes(v, pub.objectAttributes, c);
done:
    ERR_pop_to_mark();
    EVP_PKEY_free(tkey);
    attest_tpm2_stmt_clear(&s);
    return bound;
}
