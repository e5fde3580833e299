/*
 * libFuzzer: one vendor engine (FUZZ_ENGINE, set per target by the build).
 * Each input is judged twice: as the engine's statement value in a bundle
 * (its certificate, or its blob in a CMW record), and as an --evidence-file
 * the importer reads (PEM, DER, PKCS#7, gzip).  The shipped vendor anchors
 * are the trust store, so real chains reach every check.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <openssl/crypto.h>

#include "attest/cmw.h"
#include "attest/engine.h"
#include "attest/import.h"
#include "attest/oids.h"
#include "attest/registry.h"

#include "fuzz_common.h"

static attest_trust *trust;
static attest_policy policy;
static const attest_engine *engine;
static ASN1_OBJECT *type; /* the engine's statement OID, or NULL (a CMW media type) */

static void judge(attest_bundle *b)
{
    attest_verify_params p;

    memset(&p, 0, sizeof(p));
    p.trust = trust;
    p.policy = &policy;
    attest_verdict_free(attest_verify_evidence_files(&p, b));
}

/* The input as the engine's statement value. */
static void as_statement(const uint8_t *data, size_t size)
{
    attest_bundle *b = attest_bundle_new();
    unsigned char *der = NULL;
    size_t len = 0;
    attest_err err;

    if (b == NULL)
        return;
    if (type != NULL) {
        if (attest_bundle_add_statement(b, type, data, size, &err) == 0)
            judge(b);
        if (engine->describe != NULL)
            json_object_put(engine->describe(data, size, &err));
    } else if (engine->cmw_type != NULL && attest_cmw_record_encode(engine->cmw_type, data, size, &der, &len, &err) == 0
               && attest_bundle_add_statement(b, attest_oid_obj(ATTEST_OID_PE_CMW), der, len, &err) == 0) {
        judge(b);
        if (engine->describe != NULL)
            json_object_put(engine->describe(der, len, &err));
    }
    OPENSSL_free(der);
    attest_bundle_free(b);
}

/* The input as an evidence file. */
static void as_file(const uint8_t *data, size_t size)
{
    attest_evidence_file f = { "fuzz", data, size };
    attest_bundle *b = NULL;
    attest_err err;

    if (attest_evidence_import(&f, 1, NULL, NULL, &b, &err) == 0)
        judge(b);
    attest_bundle_free(b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    attest_err err;
    size_t i;

    if (!attest_oids_init())
        return 1;
    for (i = 0; i < attest_engine_count(); i++)
        if (strcmp(attest_engine_at(i)->name, FUZZ_ENGINE) == 0)
            engine = attest_engine_at(i);
    if (engine == NULL || (engine->oid_text != NULL && (type = OBJ_txt2obj(engine->oid_text, 1)) == NULL)
        || (trust = attest_trust_new()) == NULL || attest_trust_add_dir(trust, FUZZ_ANCHORS, NULL, NULL, &err) != 0)
        return 1;
    attest_policy_default(&policy);
    return fuzz_init(argc, argv, trust);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_statement(data, size);
    as_file(data, size);
    return fuzz_done();
}
