/*
 * The Thales Luna engine: a Public Key Confirmation (cmu getpkc, a certs-only
 * PKCS#7) as a statement of type 12383.1.13 whose value is the PKC leaf; the
 * Hardware Origin, device and manufacturer certificates ride in the cert bag.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/x509v3.h>

#include "attest/certcache.h"
#include "attest/certname.h"
#include "attest/describe.h"
#include "attest/engine.h"
#include "attest/escape.h"
#include "luna_pkc.h"

#define CHK_LUNA_PARSE           "luna.parse"
#define CHK_LUNA_CHAIN           "luna.chain"
#define CHK_LUNA_HARDWARE_ORIGIN "luna.hardware-origin"
#define CHK_LUNA_KEY_BINDING     "luna.key-binding"
#define CHK_LUNA_NONCE           "luna.nonce"

#define Q_NEGATIVE_S "luna-negative-ecdsa-s"
#define Q_ROOT_NO_BC "luna-root-without-basic-constraints"
#define MAX_PATH     6 /* leaf, DAC, HOC, manufacturer, root: the RSA chain is the longest */

static const attest_quirk_doc quirks[] = {
    { Q_NEGATIVE_S,
      "the PKC leaf's ECDSA signature encodes s (or r) as a negative INTEGER (no 0x00 pad); "
      "it is read as unsigned, and accepted only when it then verifies with the issuer's key" },
    { Q_ROOT_NO_BC,
      "the anchor named like the Chrysalis-ITS Root (RSA chains) is a v3 certificate without "
      "basicConstraints; accepted as a CA only at the top of the path, self-signed" },
};

/* The Chrysalis-ITS Root's name, as the Luna validator compares it. */
static int chrysalis_root_name(X509 *x)
{
    static const char *const rdn[][2] = {
        { "C", "CA" },
        { "ST", "Ontario" },
        { "L", "Ottawa" },
        { "O", "Chrysalis-ITS Inc." },
        { "CN", "Chrysalis-ITS Root" },
    };
    X509_NAME *n = X509_NAME_new();
    size_t i;
    int ok = n != NULL;

    for (i = 0; ok && i < sizeof(rdn) / sizeof(rdn[0]); i++)
        ok = X509_NAME_add_entry_by_txt(n, rdn[i][0], MBSTRING_ASC, (const unsigned char *)rdn[i][1], -1, -1, 0);
    ok = ok && X509_NAME_cmp(n, X509_get_subject_name(x)) == 0;
    X509_NAME_free(n);
    return ok;
}

/* Only the situations the quirks name: the leaf's signature defect, the Chrysalis root's missing basicConstraints. */
static int relax(void *arg, attest_vctx *v, int error, int depth, X509 *cert, X509 *issuer)
{
    (void)arg;
    if (error == X509_V_ERR_INVALID_CA && cert == issuer && X509_get_version(cert) == X509_VERSION_3
        && X509_get_ext_by_NID(cert, NID_basic_constraints, -1) < 0 && X509_self_signed(cert, 0) == 1
        && chrysalis_root_name(cert))
        return attest_vctx_quirk(v, Q_ROOT_NO_BC);
    if (error != X509_V_ERR_CERT_SIGNATURE_FAILURE || depth != 0 || cert == issuer)
        return 0;
    if (!attest_vctx_sig_op(v) || !attest_luna_negative_s_verifies(cert, X509_get0_pubkey(issuer)))
        return 0;
    return attest_vctx_quirk(v, Q_NEGATIVE_S);
}

/* A PKC is made once, when the key is: it carries no nonce, so a demanded one cannot be met. */
static void no_nonce(attest_vctx *v, attest_submod *sub)
{
    if (v->p->nonce != NULL || v->p->nonce_by_state)
        attest_fail(&sub->checks, CHK_LUNA_NONCE, "a nonce is required but a Luna PKC carries none");
    else
        attest_skip(&sub->checks, CHK_LUNA_NONCE, "a Luna PKC carries no nonce (none demanded)");
}

/* x's common name, escaped, into buf. */
static void common_name(X509 *x, char *buf, size_t len)
{
    const X509_NAME *nm = X509_get_subject_name(x);
    int at = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);
    const ASN1_STRING *cn = at >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, at)) : NULL;

    buf[0] = '\0';
    if (cn != NULL)
        attest_escape(ASN1_STRING_get0_data(cn), (size_t)ASN1_STRING_length(cn), buf, len, 0);
}

/*
 * The Hardware Origin certificate on the validated path is Thales's word
 * that the HSM which generated the key is the one it names.  ECC: leaf <- HOC
 * (CN = serial); RSA: leaf <- DAC ("Luna K7-<serial>") <- HOC <- manufacturer.
 */
static void hardware_origin(attest_submod *sub, STACK_OF(X509) *chain, unsigned long serial)
{
    X509 *path[MAX_PATH];
    int i, n = sk_X509_num(chain) < MAX_PATH ? sk_X509_num(chain) : MAX_PATH, named;
    char cn[96], want[24], who[160];
    size_t cl, wl;

    for (i = 0; i < n; i++)
        path[i] = sk_X509_value(chain, i);
    if (n < 2) {
        attest_fail(&sub->checks, CHK_LUNA_HARDWARE_ORIGIN,
                    "the leaf is its own anchor: no Hardware Origin certificate");
        return;
    }
    snprintf(want, sizeof(want), "%lu", serial);
    if (n >= 3 && attest_luna_has_eku(path[1], LUNA_EKU_HOC_ECC)) {
        common_name(path[1], cn, sizeof(cn));
        named = strcmp(cn, want) == 0;
    } else if (n >= 5 && attest_luna_has_eku(path[1], LUNA_EKU_DAC) && attest_luna_has_eku(path[2], LUNA_EKU_HOC_RSA)
               && attest_luna_has_eku(path[3], LUNA_EKU_MFG)) {
        common_name(path[1], cn, sizeof(cn));
        cl = strlen(cn);
        wl = strlen(want);
        named = cl > wl && cn[cl - wl - 1] == '-' && strcmp(cn + cl - wl, want) == 0;
    } else {
        attest_cert_name(path[1], who, sizeof(who));
        attest_fail(&sub->checks, CHK_LUNA_HARDWARE_ORIGIN,
                    "no Hardware Origin certificate on the path: the leaf is issued by %s", who);
        return;
    }
    if (!named) {
        attest_fail(&sub->checks, CHK_LUNA_HARDWARE_ORIGIN,
                    "the leaf's HSM serial %s is not the one its device certificate names (CN %s)", want, cn);
        return;
    }
    attest_pass(&sub->checks, CHK_LUNA_HARDWARE_ORIGIN, "generated in HSM %s (Hardware Origin certificate, %s chain)",
                want, n >= 5 ? "RSA" : "ECC");
}

static int luna_verify(attest_vctx *v, const attest_statement *st, attest_submod *sub)
{
    attest_vendor_chain opts = { .scope = "luna", .relax = relax };
    X509 *leaf = attest_cert_from_der_ex(st->stmt, st->stmt_len, v->p->libctx, v->p->propq);
    STACK_OF(X509) *chain = NULL;
    luna_leaf info;
    unsigned char *spki = NULL;
    char why[160], fw[40] = "";
    int n, bound = 0;
    size_t i;

    if (leaf == NULL) {
        attest_fail(&sub->checks, CHK_LUNA_PARSE, "the statement is not a certificate");
        return 0;
    }
    if (attest_luna_leaf_parse(leaf, &info, why, sizeof(why)) != 0) {
        attest_fail(&sub->checks, CHK_LUNA_PARSE, "%s", why);
        goto done;
    }
    for (i = 0; i < info.fw_len && 2 * i + 3 < sizeof(fw); i++)
        snprintf(fw + 2 * i, sizeof(fw) - 2 * i, "%02x", info.fw[i]);
    attest_pass(&sub->checks, CHK_LUNA_PARSE, "PKC leaf of HSM serial %lu%s%s", info.serial,
                info.fw_len ? ", firmware bytes " : "", fw);
    /* Which key it is about, judged whatever the chain says (new --evidence-file asks it without anchors). */
    if ((n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &spki)) <= 0) {
        attest_fail(&sub->checks, CHK_LUNA_KEY_BINDING, "cannot encode the leaf's key");
        goto done;
    }
    bound = attest_vendor_key_binding(v, sub, CHK_LUNA_KEY_BINDING, spki, (size_t)n);
    if (attest_vendor_chain_check(v, sub, CHK_LUNA_CHAIN, leaf, &opts, &chain) != 0)
        goto done;
    hardware_origin(sub, chain, info.serial);
    no_nonce(v, sub);
done:
    OPENSSL_free(spki);
    sk_X509_pop_free(chain, X509_free);
    X509_free(leaf);
    return bound;
}

static int luna_claims_cert(X509 *leaf)
{
    return attest_luna_has_eku(leaf, LUNA_EKU_PKC);
}

static json_object *luna_describe(const unsigned char *der, size_t len, attest_err *err)
{
    X509 *leaf = attest_cert_from_der(der, len);
    json_object *o;
    luna_leaf info;
    char why[160], cn[96];

    if (leaf == NULL) {
        attest_err_set(err, "a Luna PKC statement is a certificate");
        return NULL;
    }
    o = json_object_new_object();
    common_name(leaf, cn, sizeof(cn));
    attest_json_add(o, "ouid", json_object_new_string(cn));
    if (attest_luna_leaf_parse(leaf, &info, why, sizeof(why)) == 0) {
        attest_json_add(o, "hsm_serial", json_object_new_int64((int64_t)info.serial));
        if (info.fw_len > 0)
            attest_json_add(o, "firmware", attest_json_hex(info.fw, info.fw_len));
    } else {
        attest_json_add(o, "profile_error", json_object_new_string(why));
    }
    attest_json_add(o, "subject", attest_json_name(X509_get_subject_name(leaf)));
    attest_json_add(o, "issuer", attest_json_name(X509_get_issuer_name(leaf)));
    attest_json_add(o, "not_before", attest_json_time(X509_get0_notBefore(leaf)));
    attest_json_add(o, "not_after", attest_json_time(X509_get0_notAfter(leaf)));
    attest_json_add(o, "public_key", attest_json_spki(X509_get_X509_PUBKEY(leaf)));
    X509_free(leaf);
    return o;
}

static const attest_check_doc checks[] = {
    { CHK_LUNA_PARSE, "the statement is a Luna PKC leaf: EKU 12383.1.13 and one 4-byte HSM serial (12383.2.1)" },
    { CHK_LUNA_CHAIN,
      "the leaf chains to a Luna root of the trust directory's luna/ anchors (quirks: "
      "luna-negative-ecdsa-s, luna-root-without-basic-constraints)" },
    { CHK_CHAIN_ANCHOR_EXPIRY, NULL },
    { CHK_LUNA_HARDWARE_ORIGIN,
      "a Hardware Origin certificate is on the validated path and its device "
      "certificate names the leaf's HSM serial: the key was generated in that HSM" },
    { CHK_LUNA_KEY_BINDING, "the PKC leaf's key is the request's subject key" },
    { CHK_LUNA_NONCE, "no nonce is demanded (--nonce, --nonce-state): a PKC carries none, so it fails when one is" },
};

static const char *const ar4si_malformed[] = { CHK_LUNA_PARSE, NULL };
static const char *const ar4si_trust[] = { CHK_LUNA_CHAIN, CHK_CHAIN_ANCHOR_EXPIRY, NULL };
static const char *const ar4si_binding[] = { CHK_LUNA_KEY_BINDING, NULL };
static const char *const ar4si_storage[] = { CHK_LUNA_HARDWARE_ORIGIN, NULL };
static const attest_ar4si_map ar4si = { ar4si_malformed, ar4si_trust, NULL, ar4si_binding, ar4si_storage };

const attest_engine attest_engine_luna = {
    .name = "luna",
    .kind = "luna-pkc",
    .summary = "Thales Luna public key confirmation",
    .oid_text = LUNA_EKU_PKC,
    .checks = checks,
    .n_checks = sizeof(checks) / sizeof(checks[0]),
    .describe = luna_describe,
    .verify = luna_verify,
    .claims_cert = luna_claims_cert,
    .quirks = quirks,
    .n_quirks = sizeof(quirks) / sizeof(quirks[0]),
    .ar4si = &ar4si,
};
