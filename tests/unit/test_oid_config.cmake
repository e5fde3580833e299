# ATTEST_PKIX_ARC moves the PKIX placeholder arc (own process: the table is fixed once used).
attest_unit_test(test_oid_config ${CMAKE_CURRENT_LIST_DIR}/test_oid_config.c)
