/*
 * attest's installed API in one include: verify attested requests and read
 * verdicts (verify.h), the object types it knows (objects.h), the version,
 * and the names C programs use with the attest provider (provider.h).
 * Link with `pkg-config --libs attest` (libattest).
 */
#ifndef ATTEST_ATTEST_H
#define ATTEST_ATTEST_H

#include "attest/error.h"
#include "attest/objects.h"
#include "attest/provider.h"
#include "attest/verify.h"
#include "attest/version.h"

#endif
