/*
 * Holding a key object open between commands (attest_tpm_hold_key): `new`
 * certifies the key and then signs the request with it over one
 * connection, so the key is read (or, for a TSS2 blob, loaded under a
 * rebuilt parent) once instead of twice.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "attest/tpm2_device.h"
#include "tpm2_device_int.h"

static int same_ref(const attest_tpm_keyref *a, const attest_tpm_keyref *b)
{
    if (a->tss2_pem == NULL || b->tss2_pem == NULL)
        return a->tss2_pem == b->tss2_pem && a->handle == b->handle;
    return a->tss2_pem_len == b->tss2_pem_len && memcmp(a->tss2_pem, b->tss2_pem, a->tss2_pem_len) == 0;
}

static void release(attest_tpm *t)
{
    if (t->held == NULL)
        return;
    attest_tpmdev_obj_close(t, t->held);
    OPENSSL_free(t->held);
    OPENSSL_free((unsigned char *)t->held_ref.tss2_pem);
    t->held = NULL;
    memset(&t->held_ref, 0, sizeof(t->held_ref));
}

void attest_tpm_hold_key(attest_tpm *t, int on)
{
    if (t == NULL)
        return;
    t->hold = on;
    if (!on)
        release(t);
}

/* The caller's view is borrowed: its obj_close leaves the held object. */
static void lend(const attest_tpm *t, tpm_obj *o)
{
    *o = *t->held;
    o->borrowed = 1;
}

int attest_tpmdev_key_open(attest_tpm *t, const attest_tpm_keyref *key, tpm_obj *o, attest_err *err)
{
    attest_tpm_keyref ref;
    tpm_obj *h;
    int ok;

    if (t->held != NULL && same_ref(&t->held_ref, key)) {
        lend(t, o);
        return 0;
    }
    if ((ok = attest_tpmdev_obj_open(t, key, "key", o, err)) < 0)
        return ok;
    if (!t->hold || t->held != NULL)
        return 0;
    /* Without memory to hold it, the object is just used once. */
    ref = *key;
    if (key->tss2_pem != NULL && (ref.tss2_pem = OPENSSL_memdup(key->tss2_pem, key->tss2_pem_len)) == NULL)
        return 0;
    if ((h = OPENSSL_malloc(sizeof(*h))) == NULL) {
        OPENSSL_free((unsigned char *)ref.tss2_pem);
        return 0;
    }
    *h = *o;
    t->held = h;
    t->held_ref = ref;
    lend(t, o);

    return 0;
}
