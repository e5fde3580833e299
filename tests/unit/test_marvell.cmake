# Marvell LiquidSecurity (Google Cloud HSM) engine: the smallstep samples with their quirks (test_marvell), and
# synthetic blobs under test roots that trip each marvell.* check alone (test_marvell_neg).
attest_unit_test(test_marvell ${CMAKE_CURRENT_LIST_DIR}/test_marvell.c ${CMAKE_CURRENT_LIST_DIR}/marvell_lab.c
                 ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
attest_unit_test(test_marvell_neg ${CMAKE_CURRENT_LIST_DIR}/test_marvell_neg.c ${CMAKE_CURRENT_LIST_DIR}/marvell_lab.c
                 ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
