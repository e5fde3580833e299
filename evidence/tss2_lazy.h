/*
 * The ESAPI and TCTI-loader entry points attest calls, resolved from their
 * libraries when a TPM is first opened (evidence/tss2_lazy.c).  Calls go
 * through attest_tss2.<name>(...); the pointer types come from the tss2
 * headers, so a call that does not match the installed headers does not
 * compile.  Only attest_tpm_open loads the table: every other ESAPI call
 * needs the ESYS_CONTEXT it makes.
 */
#ifndef ATTEST_TSS2_LAZY_H
#define ATTEST_TSS2_LAZY_H

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "attest/error.h"

#define ATTEST_ESYS_FUNCTIONS(X) \
    X(Esys_ActivateCredential)   \
    X(Esys_Certify)              \
    X(Esys_CreatePrimary)        \
    X(Esys_EvictControl)         \
    X(Esys_Finalize)             \
    X(Esys_FlushContext)         \
    X(Esys_Free)                 \
    X(Esys_GetCapability)        \
    X(Esys_Initialize)           \
    X(Esys_Load)                 \
    X(Esys_NV_Read)              \
    X(Esys_NV_ReadPublic)        \
    X(Esys_PolicySecret)         \
    X(Esys_ReadPublic)           \
    X(Esys_Sign)                 \
    X(Esys_StartAuthSession)     \
    X(Esys_TR_Close)             \
    X(Esys_TR_FromTPMPublic)

#define ATTEST_TCTILDR_FUNCTIONS(X) \
    X(Tss2_TctiLdr_Initialize)      \
    X(Tss2_TctiLdr_Finalize)

#define ATTEST_TSS2_FIELD(name) __typeof__(&name) name;
typedef struct {
    ATTEST_ESYS_FUNCTIONS(ATTEST_TSS2_FIELD)
    ATTEST_TCTILDR_FUNCTIONS(ATTEST_TSS2_FIELD)
} attest_tss2_table;
#undef ATTEST_TSS2_FIELD

/* Filled by attest_tss2_load; read only after it returned 0. */
extern attest_tss2_table attest_tss2;

/*
 * Loads libtss2-esys and libtss2-tctildr once per process: 0, or -1 with
 * "cannot load <library>: <reason>" in err (every later call fails alike).
 */
int attest_tss2_load(attest_err *err);

/* Esys_Free for what ESAPI returned; NULL (cleanup before any TPM was opened) does nothing. */
void attest_esys_free(void *p);

/* Tss2_RC_Decode from libtss2-rc, loaded on first use; a fixed text when it cannot be. */
const char *attest_tss2_rc_decode(TSS2_RC rc);

#endif
