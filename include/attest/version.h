/* attest's version. */
#ifndef ATTEST_VERSION_H
#define ATTEST_VERSION_H

#include "attest/export.h"

/* The library's version, "MAJOR.MINOR.PATCH". */
ATTEST_EXPORT const char *attest_version(void);

#endif
