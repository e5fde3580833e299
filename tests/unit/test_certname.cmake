# Certificate names in verdicts: subject, else TCG TPM attributes (escaped), else issuer + serial.
attest_unit_test(test_certname ${CMAKE_CURRENT_LIST_DIR}/test_certname.c)
