# The helpers that replaced written-twice code (re-encoding, hex, default digest, certificate
# files, key-spki) and that they leave the caller's OpenSSL error queue as it was.
attest_unit_test(test_dups unit/test_dups.c)
