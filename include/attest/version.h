/* attest's version. */
#ifndef ATTEST_VERSION_H
#define ATTEST_VERSION_H

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *attest_version(void);

#endif
