/*
 * ESAPI, TCTI loader and RC decoder, loaded when first needed.  Linking
 * them made every process map libtss2-esys, -sys, -tctildr and -rc and
 * resolve their relocations: about a millisecond of a one-request verify,
 * which never talks to a TPM (tests/bench/run.sh (b)).  tss2-mu, which the
 * verifier uses to read TPM structures, stays linked.
 *
 * The sonames are the libraries' ABI (unchanged from tpm2-tss 2 to 4).
 * RTLD_LOCAL: their symbols stay out of the global scope; our table is
 * the only way in.  They stay loaded for the life of the process.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <tss2/tss2_rc.h>

#include "tss2_lazy.h"

attest_tss2_table attest_tss2;

static CRYPTO_ONCE tss2_once = CRYPTO_ONCE_STATIC_INIT, rc_once = CRYPTO_ONCE_STATIC_INIT;
static char tss2_error[256];
static __typeof__(&Tss2_RC_Decode) rc_decode;

/* Opens soname, or notes why not in tss2_error. */
static void *open_library(const char *soname)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    const char *why;

    if (h == NULL && tss2_error[0] == '\0') {
        why = dlerror();
        snprintf(tss2_error, sizeof(tss2_error), "cannot load %s: %s", soname, why != NULL ? why : "unknown reason");
    }
    return h;
}

/* name from lib (NULL: not opened), or NULL with the reason noted. */
static void *resolve(void *lib, const char *soname, const char *name)
{
    void *f;

    if (lib == NULL)
        return NULL;
    if ((f = dlsym(lib, name)) == NULL)
        snprintf(tss2_error, sizeof(tss2_error), "cannot load %s: it has no %s", soname, name);
    return f;
}

static void load_tss2(void)
{
    static const char esys_name[] = "libtss2-esys.so.0", tctildr_name[] = "libtss2-tctildr.so.0";
    attest_tss2_table t;
    void *esys = open_library(esys_name);
    void *tctildr = open_library(tctildr_name);
    int ok = 1;

#define FROM_ESYS(name) ok = ok && (t.name = (__typeof__(t.name))resolve(esys, esys_name, #name)) != NULL;
#define FROM_TCTILDR(name) ok = ok && (t.name = (__typeof__(t.name))resolve(tctildr, tctildr_name, #name)) != NULL;
    ATTEST_ESYS_FUNCTIONS(FROM_ESYS)
    ATTEST_TCTILDR_FUNCTIONS(FROM_TCTILDR)
#undef FROM_TCTILDR
#undef FROM_ESYS
    if (ok)
        attest_tss2 = t;
    else if (tss2_error[0] == '\0')
        snprintf(tss2_error, sizeof(tss2_error), "cannot load the TPM software stack");
}

int attest_tss2_load(attest_err *err)
{
    if (!CRYPTO_THREAD_run_once(&tss2_once, load_tss2) || attest_tss2.Esys_Initialize == NULL) {
        attest_err_set(err, "%s", tss2_error[0] != '\0' ? tss2_error : "cannot load the TPM software stack");
        return -1;
    }
    return 0;
}

void attest_esys_free(void *p)
{
    if (p != NULL)
        attest_tss2.Esys_Free(p);
}

static void load_rc(void)
{
    void *lib = dlopen("libtss2-rc.so.0", RTLD_NOW | RTLD_LOCAL);

    if (lib != NULL)
        rc_decode = (__typeof__(rc_decode))dlsym(lib, "Tss2_RC_Decode");
}

const char *attest_tss2_rc_decode(TSS2_RC rc)
{
    if (CRYPTO_THREAD_run_once(&rc_once, load_rc) && rc_decode != NULL)
        return rc_decode(rc);
    return "TPM software stack error (libtss2-rc.so.0 not loadable to name it)";
}
