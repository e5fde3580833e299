# The caps of limits.h on crafted input (raw DER where the builders refuse): statements and certificates
# per bundle, PKIX elements/claims/signatures/intermediates, chain depth, input size; at and over each cap.
attest_unit_test(test_limits ${CMAKE_CURRENT_LIST_DIR}/test_limits.c ${CMAKE_CURRENT_LIST_DIR}/forge_tpm2.c)
