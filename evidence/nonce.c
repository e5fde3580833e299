/*
 * The engines' nonce checks (tpm2.nonce, pkix.nonce), one rule for both: the
 * nonce found is recorded in the submodule, so that nonce.state can judge it
 * after the whole input is verified.
 */
#include <stdio.h>
#include <string.h>

#include "attest/engine.h"
#include "attest/escape.h"
#include "attest/limits.h"

/* Hex of at most ATTEST_MAX_NONCE bytes ("..." after), "(empty)" or "absent". */
static void nonce_text(const unsigned char *n, size_t len, int present, char *buf)
{
    size_t shown = len < ATTEST_MAX_NONCE ? len : ATTEST_MAX_NONCE;

    strcpy(buf, !present ? "absent" : len == 0 ? "(empty)" : "");
    if (present && shown > 0)
        attest_hex(n, shown, buf, 2 * shown + 1);
    if (shown < len)
        strcpy(buf + 2 * shown, "...");
}

void attest_engine_nonce(attest_vctx *v, attest_submod *sub, const char *id, const char *what,
                         const unsigned char *nonce, size_t len, int present)
{
    attest_checks *c = &sub->checks;
    char buf[2 * ATTEST_MAX_NONCE + 4];

    nonce_text(nonce, len, present, buf);
    if (present) {
        attest_submod_record_nonce(sub, nonce, len);
        sub->nonce_found_long = len > sizeof(sub->nonce_found);
    }

    if (v->p->nonce_by_state) {
        if (attest_submod_has_nonce(sub))
            attest_pass(c, id, "%s %s, judged by nonce.state", what, buf);
        else if (sub->nonce_found_long)
            attest_fail(c, id, "%s of %zu bytes is longer than any issued nonce (at most %d)", what, len,
                        ATTEST_MAX_NONCE);
        else
            attest_fail(c, id, "a single-use nonce is required (--nonce-state) but the %s is %s", what, buf);
    } else if (v->p->nonce == NULL) {
        attest_skip_warn(c, id, "no --nonce given: freshness not checked (%s %s)", what, buf);
    } else if (!present) {
        attest_fail(c, id, "a nonce is required but the evidence has no %s", what);
    } else if (len == v->p->nonce_len && memcmp(nonce, v->p->nonce, len) == 0) {
        attest_pass(c, id, "%s equals the nonce", what);
    } else {
        attest_fail(c, id, "%s %s is not the expected nonce", what, buf);
    }
}
