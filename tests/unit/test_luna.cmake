# The Thales Luna PKC engine: the real sample (test_luna) and chains made with OpenSSL (test_luna_chains):
# one negative test per check id; each quirk refused by --strict and not applied outside its situation.
attest_unit_test(test_luna unit/test_luna.c unit/luna_lab.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
attest_unit_test(test_luna_chains unit/test_luna_chains.c unit/luna_lab.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
