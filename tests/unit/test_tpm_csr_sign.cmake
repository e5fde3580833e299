# The TPM2_Sign request signature without a TPM: TPMT_SIGNATURE -> X.509 conversion, a flipped byte
# refused by the builder and caught by csr.signature, and which keys TPM2_Sign may sign with.
attest_unit_test(test_tpm_csr_sign ${CMAKE_CURRENT_LIST_DIR}/test_tpm_csr_sign.c)
