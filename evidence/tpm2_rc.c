/*
 * TPM response codes in words a TPM owner can act on.  The raw code and
 * tss2-rc's decoding stay available behind attest_tpm_set_verbose (the
 * CLI's --verbose): guidance first, the number for the bug report.
 */
#include <stdio.h>
#include <tss2/tss2_tpm2_types.h>

#include "attest/tpm2_device.h"
#include "tss2_lazy.h"

static int verbose;

void attest_tpm_set_verbose(int on)
{
    verbose = on;
}

/* Guidance for the codes users meet; NULL for the rest. */
static const char *guidance(TSS2_RC rc)
{
    TSS2_RC base;

    if ((rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER)
        return NULL;
    /* Format one: parameter, handle or session number in bits 8-11. */
    base = (rc & TPM2_RC_FMT1) ? (rc & (TPM2_RC_FMT1 | 0x3f)) : rc;
    switch (base) {
    case TPM2_RC_HANDLE:
        return "no object at this handle: create it or make it persistent first "
               "(tpm2_getcap handles-persistent lists what there is)";
    case TPM2_RC_AUTH_FAIL:
    case TPM2_RC_BAD_AUTH: return "wrong authorization value for this object";
    case TPM2_RC_ATTRIBUTES:
        return "the object's attributes forbid this use (an AK must be a restricted "
               "signing key, a certified key a signing key)";
    case TPM2_RC_SCHEME:
    case TPM2_RC_HASH: return "the key does not sign with this scheme or digest (see --ak-md, --md)";
    case TPM2_RC_KEY: return "the key is not usable for this operation";
    case TPM2_RC_SIZE: return "a value is larger than this TPM takes (a nonce over its largest digest size?)";
    case TPM2_RC_LOCKOUT:
        return "the TPM is in dictionary-attack lockout: wait, or clear it with the lockout authorization";
    case TPM2_RC_INITIALIZE: return "the TPM was not started (TPM2_Startup)";
    case TPM2_RC_OBJECT_MEMORY:
    case TPM2_RC_SESSION_MEMORY:
        return "the TPM is out of object or session slots: flush transient objects "
               "(tpm2_flushcontext -t) or use the resource manager (/dev/tpmrm0)";
    case TPM2_RC_COMMAND_CODE: return "this TPM does not implement the command";
    default: return NULL;
    }
}

void attest_tpm_rc_text(TSS2_RC rc, char *buf, size_t len)
{
    const char *g = guidance(rc);

    if (g == NULL)
        snprintf(buf, len, "%s (0x%x)", attest_tss2_rc_decode(rc), rc);
    else if (verbose)
        snprintf(buf, len, "%s [%s, 0x%x]", g, attest_tss2_rc_decode(rc), rc);
    else
        snprintf(buf, len, "%s", g);
}
