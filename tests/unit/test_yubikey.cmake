# The yubikey engine: real samples and a negative per check id (test_yubikey); made-up certificates and
# carriers, the U2F-root quirks only where they belong (test_yubikey_forms).
attest_unit_test(test_yubikey ${CMAKE_CURRENT_LIST_DIR}/test_yubikey.c ${CMAKE_CURRENT_LIST_DIR}/yubikey_util.c
                 ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
attest_unit_test(test_yubikey_forms ${CMAKE_CURRENT_LIST_DIR}/test_yubikey_forms.c
                 ${CMAKE_CURRENT_LIST_DIR}/yubikey_util.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
