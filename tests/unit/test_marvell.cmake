# Marvell LiquidSecurity (Google Cloud HSM) engine: the smallstep samples with their quirks, and synthetic
# blobs under test roots that trip each marvell.* check alone.
attest_unit_test(test_marvell ${CMAKE_CURRENT_LIST_DIR}/test_marvell.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
