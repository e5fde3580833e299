/* PKIX evidence, verify side: placeholder until the PKIX engine lands. */
#include "attest/checks.h"
#include "attest/engine.h"

void attest_pkix_verify(attest_vctx *v, const attest_statement *st, attest_submod *sub)
{
    (void)v;
    (void)st;
    attest_fail(&sub->checks, CHK_PKIX_STRUCTURE, "PKIX evidence verification is not available in this build");
}
