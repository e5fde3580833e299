/* Named policy relaxations. */
#include <string.h>

#include "attest/verdict.h"

static const struct {
    const char *name;
    unsigned flag;
} names[] = {
    { "sha1", ATTEST_ALLOW_SHA1 },
    { "small-rsa", ATTEST_ALLOW_SMALL_RSA },
    { "exportable-key", ATTEST_ALLOW_EXPORTABLE_KEY },
    { "imported-key", ATTEST_ALLOW_IMPORTED_KEY },
    { "restricted-key", ATTEST_ALLOW_RESTRICTED_KEY },
    { "ak-without-eku", ATTEST_ALLOW_AK_WITHOUT_EKU },
};

void attest_policy_default(attest_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->require_key_attestation = 1;
}

unsigned attest_policy_allow_flag(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].flag;
    return 0;
}

const char *attest_policy_allow_names(void)
{
    return "sha1, small-rsa, exportable-key, imported-key, restricted-key, ak-without-eku";
}
