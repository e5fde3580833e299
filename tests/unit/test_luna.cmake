# The Thales Luna PKC engine: the real sample, chains made with OpenSSL, one negative test per check id and
# the negative-s quirk (refused by --strict, not applied outside its defect).
attest_unit_test(test_luna unit/test_luna.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
