/* What libattest exports: the installed headers' functions carry ATTEST_EXPORT, everything else is hidden. */
#ifndef ATTEST_EXPORT_H
#define ATTEST_EXPORT_H

#if defined(__GNUC__)
#define ATTEST_EXPORT __attribute__((visibility("default")))
#else
#define ATTEST_EXPORT
#endif

#endif
