# The yubikey engine: real samples, a negative per check id, the U2F-root quirks only where they belong.
attest_unit_test(test_yubikey ${CMAKE_CURRENT_LIST_DIR}/test_yubikey.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
