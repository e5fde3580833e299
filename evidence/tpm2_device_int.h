/*
 * What the ESAPI layer's files share (evidence/tpm2_device.c and
 * evidence/tpm2_sign.c); not part of the library's interface.
 */
#ifndef ATTEST_TPM2_DEVICE_INT_H
#define ATTEST_TPM2_DEVICE_INT_H

#include <stddef.h>
#include "tss2_lazy.h"

#include "attest/tpm2_device.h"

struct attest_tpm {
    TSS2_TCTI_CONTEXT *tcti;
    ESYS_CONTEXT *esys;
    size_t data_cap;            /* TPM's TPM2B_DATA: sizeof(TPMT_HA) */
    int lost;                   /* a TCTI error: ESYS is unusable */
    int hold;                   /* keep the key object open (hold_key) */
    attest_tpm_keyref held_ref; /* its reference; tss2_pem is our copy */
    struct tpm_obj *held;
};

/* An object resolved from a key reference. */
typedef struct tpm_obj {
    ESYS_TR tr;
    int flush;         /* 1: loaded here, flush; 0: TR_Close */
    TPM2B_PUBLIC *pub; /* from Esys_ReadPublic */
    int borrowed;      /* t->held's: closing it does nothing */
} tpm_obj;

#define TPM_OBJ_INIT             \
    {                            \
        ESYS_TR_NONE, 0, NULL, 0 \
    }

/* "<step>: <decoded reason> (0x<rc>)"; -2 after a TCTI error, else -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int attest_tpmdev_fail(attest_tpm *t, attest_err *err, TSS2_RC rc, const char *fmt, ...);
/* -2 once the connection was lost. */
int attest_tpmdev_alive(const attest_tpm *t, attest_err *err);
/* Resolve a key reference (persistent handle or TSS2 key blob, loaded). */
int attest_tpmdev_obj_open(attest_tpm *t, const attest_tpm_keyref *key, const char *what, tpm_obj *o, attest_err *err);
/* The same for the key of a certify or sign: reuses the held object (hold_key). */
int attest_tpmdev_key_open(attest_tpm *t, const attest_tpm_keyref *key, tpm_obj *o, attest_err *err);
/* Flush what was loaded, close what was only referenced. */
void attest_tpmdev_obj_close(attest_tpm *t, tpm_obj *o);

#endif
