# The TPM layer's errors reach the caller through attest_err (attest/error.h).
attest_unit_test(test_tpm_err unit/test_tpm_err.c LAB)
