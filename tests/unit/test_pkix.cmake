# PKIX evidence engine: samples, produce/verify round trips, claims file;
# and one negative test per check id that trips exactly that id.
attest_unit_test(test_pkix unit/test_pkix.c unit/pkix_lab.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
attest_unit_test(test_pkix_neg unit/test_pkix_neg.c unit/pkix_lab.c)
attest_unit_test(test_pkix_pq unit/test_pkix_pq.c unit/pkix_lab.c unit/der_edit.c)
