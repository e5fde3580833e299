/*
 * The marvell engine: Marvell LiquidSecurity key attestations (Google Cloud
 * HSM) in a CMW statement, their two certificate chains in the cert bag.
 * Who vouches: the partition key signs the blob; Marvell's root vouches for
 * the card and partition (manufacturer chain), the operator's root (Google
 * Hawksbill) for the same partition (owner chain); the private object's
 * attributes say the key was generated in the HSM and cannot leave it.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "attest/certname.h"
#include "attest/describe.h"
#include "attest/digest.h"
#include "attest/engine.h"
#include "attest/escape.h"
#include "attest/marvell.h"

#define QUIRK_V1_CARD "marvell-v1-card-cert"

/* SHA-256 of the SubjectPublicKeyInfo of Cavium's LiquidSecurity root (localca.liquidsecurity.cavium.com): the
 * 2015 v1 root and its 2024 v3 reissue share it.  Only under this key is a v1 card certificate a CA. */
static const unsigned char cavium_root_spki_sha256[32] = {
    0x78, 0xad, 0xcb, 0xa1, 0xf3, 0x8b, 0xee, 0x30, 0x4b, 0xc4, 0x4d, 0x6a, 0x08, 0x65, 0x03, 0xf2,
    0x94, 0x00, 0x37, 0xd4, 0xb3, 0xd5, 0x8a, 0x1b, 0xf6, 0x6a, 0x32, 0x82, 0xef, 0x58, 0xcd, 0x41,
};

static int is_cavium_root_key(X509 *x)
{
    unsigned char *der = NULL, md[32];
    int n = x != NULL ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : -1, same;

    if (n <= 0)
        return 0;
    same = attest_sha256(der, (size_t)n, md) && memcmp(md, cavium_root_spki_sha256, 32) == 0;
    OPENSSL_free(der);
    return same;
}

/* The card certificates are X.509 v1 yet issue the partition certificate (OpenSSL: invalid CA). */
static int relax_v1_card(void *arg, attest_vctx *v, int error, int depth, X509 *cert, X509 *issuer)
{
    (void)arg;
    if (error != X509_V_ERR_INVALID_CA || depth < 1 || X509_get_version(cert) != X509_VERSION_1
        || !is_cavium_root_key(issuer))
        return 0;
    return attest_vctx_quirk(v, QUIRK_V1_CARD);
}

/* The certificate's CN, when it names a partition ("HSM:<serial>:PARTN:<n>, for FIPS mode"). */
static int partition_cn(X509 *x, char *cn, size_t cap)
{
    X509_NAME *name = X509_get_subject_name(x);
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    const ASN1_STRING *s;

    if (i < 0 || (s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))) == NULL)
        return 0;
    attest_escape(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s), cn, cap, 0);
    return strstr(cn, ":PARTN:") != NULL;
}

/* The bag certificate that issued x (by name), when it is not self-signed: a card certificate. */
static X509 *card_of(STACK_OF(X509) *bag, X509 *x)
{
    int i;

    for (i = 0; i < sk_X509_num(bag); i++) {
        X509 *c = sk_X509_value(bag, i);

        if (c != x && X509_NAME_cmp(X509_get_subject_name(c), X509_get_issuer_name(x)) == 0
            && X509_self_signed(c, 0) != 1)
            return c;
    }
    return NULL;
}

/*
 * The two partition certificates: the manufacturer's is issued by a card
 * certificate (root -> card -> partition), the owner's directly by a root
 * (Cloud KMS googlePartitionCerts).
 */
static void find_partitions(STACK_OF(X509) *bag, X509 **mfr, X509 **own, char *cn, size_t cap)
{
    char buf[160];
    int i;

    *mfr = *own = NULL;
    for (i = 0; i < sk_X509_num(bag); i++) {
        X509 *x = sk_X509_value(bag, i);

        if (!partition_cn(x, buf, sizeof(buf)))
            continue;
        if (card_of(bag, x) != NULL && *mfr == NULL) {
            *mfr = x;
            snprintf(cn, cap, "%s", buf);
        } else if (card_of(bag, x) == NULL && *own == NULL) {
            *own = x;
        }
    }
}

/* marvell.signature: RSA PKCS#1 v1.5 SHA-256 over all but the last 256 bytes, by a bag certificate's key. */
static X509 *check_signature(attest_vctx *v, attest_submod *sub, const unsigned char *d, const attest_mv_blob *b)
{
    X509 *signer = NULL;
    int i, tried = 0;

    for (i = 0; i < sk_X509_num(v->bundle_certs) && signer == NULL; i++) {
        X509 *x = sk_X509_value(v->bundle_certs, i);
        EVP_PKEY *k = X509_get0_pubkey(x);
        EVP_MD_CTX *md;

        if (k == NULL || !EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_get_size(k) != ATTEST_MARVELL_SIG_LEN
            || !attest_vctx_key_usable(v, k, "marvell certificate"))
            continue;
        if (!attest_vctx_sig_op(v))
            break;
        tried++;
        if ((md = EVP_MD_CTX_new()) != NULL
            && EVP_DigestVerifyInit_ex(md, NULL, "SHA256", v->p->libctx, v->p->propq, k, NULL) == 1
            && EVP_DigestVerify(md, b->sig, ATTEST_MARVELL_SIG_LEN, d, b->signed_len) == 1)
            signer = x;
        EVP_MD_CTX_free(md);
    }
    if (signer == NULL) {
        attest_fail(&sub->checks, CHK_MARVELL_SIGNATURE,
                    "no certificate of the bag holds the key that signed the attestation (%d RSA-2048 key(s) tried)",
                    tried);
        return NULL;
    }
    attest_vctx_note_key(v, X509_get0_pubkey(signer), "marvell partition key");
    attest_pass(&sub->checks, CHK_MARVELL_SIGNATURE, "RSA PKCS#1 v1.5 SHA-256 over %zu bytes by the partition key",
                b->signed_len);
    return signer;
}

/* Both chains; 1 when both validated. */
static void check_chains(attest_vctx *v, attest_submod *sub, X509 *mfr, X509 *own)
{
    attest_vendor_chain m = { .scope = "marvell", .relax = relax_v1_card };
    attest_vendor_chain o = { .scope = "marvell" };
    STACK_OF(X509) *path_m = NULL;
    X509 *anchor_m = NULL;
    char name[160];

    if (mfr == NULL)
        attest_fail(&sub->checks, CHK_MARVELL_CHAIN_MANUFACTURER,
                    "no partition certificate issued by a card certificate in the bag");
    else
        attest_vendor_chain_check(v, sub, CHK_MARVELL_CHAIN_MANUFACTURER, mfr, &m, &path_m);
    if (path_m != NULL)
        anchor_m = sk_X509_value(path_m, sk_X509_num(path_m) - 1);
    if (own == NULL) {
        attest_fail(&sub->checks, CHK_MARVELL_CHAIN_OWNER,
                    "no partition certificate issued directly by an owner root in the bag");
    } else if (anchor_m != NULL && X509_NAME_cmp(X509_get_issuer_name(own), X509_get_subject_name(anchor_m)) == 0) {
        attest_cert_name(anchor_m, name, sizeof(name));
        attest_fail(&sub->checks, CHK_MARVELL_CHAIN_OWNER,
                    "the owner's partition certificate is issued by the manufacturer root %s", name);
    } else {
        attest_vendor_chain_check(v, sub, CHK_MARVELL_CHAIN_OWNER, own, &o, NULL);
    }
    sk_X509_pop_free(path_m, X509_free);
}

static void check_same_key(attest_submod *sub, X509 *signer, X509 *mfr, X509 *own)
{
    if (mfr == NULL || own == NULL) {
        attest_skip(&sub->checks, CHK_MARVELL_SAME_KEY, "needs both partition certificates");
        return;
    }
    if (EVP_PKEY_eq(X509_get0_pubkey(mfr), X509_get0_pubkey(signer)) != 1)
        attest_fail(&sub->checks, CHK_MARVELL_SAME_KEY,
                    "the manufacturer's partition certificate holds another key than the one that signed");
    else if (EVP_PKEY_eq(X509_get0_pubkey(own), X509_get0_pubkey(signer)) != 1)
        attest_fail(&sub->checks, CHK_MARVELL_SAME_KEY,
                    "the owner's partition certificate holds another key than the one that signed");
    else
        attest_pass(&sub->checks, CHK_MARVELL_SAME_KEY,
                    "both partition certificates hold the key that signed the attestation");
}

/* HSM serial and partition from the partition CN "HSM:<serial>:PARTN:<n>, ...". */
static void hsm_of(const char *cn, char *out, size_t cap)
{
    const char *s = strncmp(cn, "HSM:", 4) == 0 ? cn + 4 : cn, *p = strstr(s, ":PARTN:");
    int n = p != NULL ? (int)(p - s) : 0;

    if (p == NULL)
        snprintf(out, cap, "HSM ?");
    else
        snprintf(out, cap, "HSM %.*s partition %.*s", n, s, (int)strcspn(p + 7, ","), p + 7);
}

/* marvell.key-attributes: the private object says generated here (LOCAL) and never extractable. */
static void check_attributes(attest_vctx *v, attest_submod *sub, const attest_mv_blob *b, const char *what,
                             const char *cn)
{
    const attest_mv_object *priv = attest_mv_object_of(b, MV_CKO_PRIVATE_KEY);
    long ext = attest_mv_uint(priv, MV_CKA_EXTRACTABLE), never = attest_mv_uint(priv, MV_CKA_NEVER_EXTRACTABLE);
    long local = attest_mv_uint(priv, MV_CKA_LOCAL), sens = attest_mv_uint(priv, MV_CKA_SENSITIVE);
    unsigned allow = v->p->policy->allow;
    int exportable = ext != 0 || never != 1 || sens != 1, imported = local != 1;
    char label[96], hsm[96], facts[400], problem[160] = "";

    if (priv == NULL) {
        attest_fail(&sub->checks, CHK_MARVELL_KEY_ATTRIBUTES,
                    "no private key object: nothing says how the key was made");
        return;
    }
    attest_mv_text(priv, MV_CKA_LABEL, label, sizeof(label));
    hsm_of(cn, hsm, sizeof(hsm));
    snprintf(facts, sizeof(facts),
             "%s, label \"%s\", handle 0x%x, %s (LOCAL %ld, EXTRACTABLE %ld, NEVER_EXTRACTABLE %ld, SENSITIVE %ld)",
             what, label, (unsigned)priv->handle, hsm, local, ext, never, sens);
    if (imported)
        snprintf(problem, sizeof(problem), "imported key (not generated in the HSM)");
    if (exportable)
        snprintf(problem + strlen(problem), sizeof(problem) - strlen(problem), "%sextractable or not sensitive",
                 imported ? "; " : "");
    if (!imported && !exportable)
        attest_pass(&sub->checks, CHK_MARVELL_KEY_ATTRIBUTES, "generated in the HSM, never extractable: %s", facts);
    else if ((!imported || (allow & ATTEST_ALLOW_IMPORTED_KEY))
             && (!exportable || (allow & ATTEST_ALLOW_EXPORTABLE_KEY)))
        attest_warn(&sub->checks, CHK_MARVELL_KEY_ATTRIBUTES, "%s, accepted by --allow: %s", problem, facts);
    else
        attest_fail(&sub->checks, CHK_MARVELL_KEY_ATTRIBUTES, "%s: %s", problem, facts);
}

static int verify_marvell(attest_vctx *v, const attest_statement *st, attest_submod *sub)
{
    attest_mv_blob b;
    unsigned char *plain = NULL, *spki = NULL;
    size_t plain_len = 0, spki_len = 0;
    const attest_mv_object *pub;
    X509 *signer, *mfr, *own;
    char what[32] = "?", cn[160] = "";
    attest_err err;
    int gz, bound = 0;

    if (attest_mv_statement(st->stmt, st->stmt_len, &plain, &plain_len, &gz, &b, &err) != 0) {
        attest_fail(&sub->checks, CHK_MARVELL_PARSE, "%s", err.msg);
        goto done;
    }
    attest_pass(&sub->checks, CHK_MARVELL_PARSE, "LiquidSecurity V%d attestation, %zu bytes%s, %zu key object(s)",
                b.version, plain_len, gz ? " (gzip)" : "", b.n_obj);
    if ((signer = check_signature(v, sub, plain, &b)) == NULL)
        goto done; /* nothing below is the HSM's word */
    find_partitions(v->bundle_certs, &mfr, &own, cn, sizeof(cn));
    check_chains(v, sub, mfr, own);
    check_same_key(sub, signer, mfr, own);
    pub = attest_mv_object_of(&b, MV_CKO_PUBLIC_KEY);
    if (pub == NULL || attest_mv_object_spki(pub, &spki, &spki_len, what, sizeof(what), &err) != 0) {
        check_attributes(v, sub, &b, what, cn);
        attest_fail(&sub->checks, CHK_MARVELL_KEY_BINDING, "%s", pub == NULL ? "no public key object" : err.msg);
        goto done;
    }
    check_attributes(v, sub, &b, what, cn);
    bound = attest_vendor_key_binding(v, sub, CHK_MARVELL_KEY_BINDING, spki, spki_len);
done:
    OPENSSL_free(plain);
    OPENSSL_free(spki);
    return bound;
}

static int claims_blob(const unsigned char *data, size_t len)
{
    attest_mv_blob b;

    return attest_mv_parse(data, len, &b, NULL) == 0;
}

static json_object *bool_attr(const attest_mv_object *o, uint32_t type)
{
    long v = attest_mv_uint(o, type);

    return v < 0 ? NULL : json_object_new_boolean(v != 0);
}

static json_object *describe_object(const attest_mv_object *o)
{
    json_object *j = json_object_new_object();
    long cls = attest_mv_uint(o, MV_CKA_CLASS), type = attest_mv_uint(o, MV_CKA_KEY_TYPE);
    unsigned char *spki = NULL;
    size_t spki_len = 0;
    char text[160], what[32] = "";

    attest_json_add(j, "handle", json_object_new_int64(o->handle));
    attest_json_add(j, "class",
                    json_object_new_string(cls == MV_CKO_PUBLIC_KEY        ? "public"
                                               : cls == MV_CKO_PRIVATE_KEY ? "private"
                                               : cls == 4                  ? "secret"
                                                                           : "other"));
    attest_json_add(j, "key_type",
                    json_object_new_string(type == MV_CKK_RSA      ? "RSA"
                                               : type == MV_CKK_EC ? "EC"
                                                                   : "other"));
    if (cls == MV_CKO_PUBLIC_KEY && attest_mv_object_spki(o, &spki, &spki_len, what, sizeof(what), NULL) == 0) {
        attest_json_add(j, "key", json_object_new_string(what));
        attest_json_add(j, "spki", attest_json_hex(spki, spki_len));
    }
    attest_mv_text(o, MV_CKA_LABEL, text, sizeof(text));
    attest_json_add(j, "label", json_object_new_string(text));
    attest_mv_text(o, MV_CKA_ID, text, sizeof(text));
    attest_json_add(j, "id", json_object_new_string(text));
    attest_json_add(j, "local", bool_attr(o, MV_CKA_LOCAL));
    attest_json_add(j, "extractable", bool_attr(o, MV_CKA_EXTRACTABLE));
    attest_json_add(j, "never_extractable", bool_attr(o, MV_CKA_NEVER_EXTRACTABLE));
    attest_json_add(j, "sensitive", bool_attr(o, MV_CKA_SENSITIVE));
    attest_json_add(j, "always_sensitive", bool_attr(o, MV_CKA_ALWAYS_SENSITIVE));
    attest_json_add(j, "attributes", json_object_new_int64((int64_t)o->n_attrs));
    OPENSSL_free(spki);
    return j;
}

static json_object *describe_marvell(const unsigned char *der, size_t len, attest_err *err)
{
    attest_mv_blob b;
    unsigned char *plain = NULL;
    size_t plain_len = 0, i;
    json_object *o, *objs;
    int gz;

    if (attest_mv_statement(der, len, &plain, &plain_len, &gz, &b, err) != 0) {
        OPENSSL_free(plain);
        return NULL;
    }
    o = json_object_new_object();
    objs = json_object_new_array();
    attest_json_add(o, "format", json_object_new_string(b.version == 2 ? "CAVIUM_V2" : "CAVIUM_V1"));
    attest_json_add(o, "media_type", json_object_new_string(ATTEST_MARVELL_CMW_TYPE));
    attest_json_add(o, "gzip", json_object_new_boolean(gz));
    attest_json_add(o, "size", json_object_new_int64((int64_t)plain_len));
    for (i = 0; i < b.n_obj; i++)
        json_object_array_add(objs, describe_object(&b.obj[i]));
    attest_json_add(o, "objects", objs);
    attest_json_add(o, "signature", attest_json_hex(b.sig, ATTEST_MARVELL_SIG_LEN));
    OPENSSL_free(plain);
    return o;
}

static const attest_check_doc checks[] = {
    { CHK_MARVELL_PARSE,
      "the Marvell attestation (gzip or raw) parses as LiquidSecurity V2 (or V1) with sizes that "
      "agree exactly" },
    { CHK_MARVELL_SIGNATURE,
      "RSA PKCS#1 v1.5 SHA-256 over all but the last 256 bytes verifies with the key of a "
      "certificate in the bag (the partition key)" },
    { CHK_MARVELL_CHAIN_MANUFACTURER,
      "the partition certificate under a card certificate chains to a marvell anchor "
      "(Cavium LiquidSecurity root)" },
    { CHK_MARVELL_CHAIN_OWNER,
      "the partition certificate issued directly by a root chains to another marvell anchor "
      "(the owner's, e.g. Google Hawksbill Root v1 prod)" },
    { CHK_CHAIN_ANCHOR_EXPIRY, NULL },
    { CHK_MARVELL_SAME_KEY, "both partition certificates hold the key that signed the attestation" },
    { CHK_MARVELL_KEY_ATTRIBUTES,
      "the private key object has LOCAL=1, EXTRACTABLE=0, NEVER_EXTRACTABLE=1, SENSITIVE=1 "
      "(imported or extractable: --allow imported-key / exportable-key warns)" },
    { CHK_MARVELL_KEY_BINDING,
      "the public key object's key (RSA modulus and exponent, or EC point) is the subject key" },
};

static const attest_quirk_doc quirks[] = {
    { QUIRK_V1_CARD,
      "Marvell card certificates are X.509 v1 yet issue partition certificates: accepted only "
      "directly under the Cavium LiquidSecurity root key" },
};

static const char *const ar4si_malformed[] = { CHK_MARVELL_PARSE, CHK_MARVELL_SIGNATURE, NULL };
static const char *const ar4si_trust[] = { CHK_MARVELL_CHAIN_MANUFACTURER, CHK_MARVELL_CHAIN_OWNER,
                                           CHK_MARVELL_SAME_KEY, CHK_CHAIN_ANCHOR_EXPIRY, NULL };
static const char *const ar4si_binding[] = { CHK_MARVELL_KEY_BINDING, NULL };
static const char *const ar4si_storage[] = { CHK_MARVELL_KEY_ATTRIBUTES, NULL };
static const attest_ar4si_map ar4si = { ar4si_malformed, ar4si_trust, NULL, ar4si_binding, ar4si_storage };

const attest_engine attest_engine_marvell = {
    .name = "marvell",
    .kind = "marvell-hsm",
    .summary = "Marvell LiquidSecurity key attestation (Google Cloud HSM)",
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .describe = describe_marvell,
    .verify = verify_marvell,
    .cmw_type = ATTEST_MARVELL_CMW_TYPE,
    .claims_blob = claims_blob,
    .quirks = quirks,
    .n_quirks = sizeof(quirks) / sizeof(quirks[0]),
    .ar4si = &ar4si,
};
