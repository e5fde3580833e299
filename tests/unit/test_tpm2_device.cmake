# ESAPI certify against a throw-away swtpm; and once with no TPM (only the
# unreachable-TPM test runs there).
attest_unit_test(test_tpm2_device unit/test_tpm2_device.c LAB)
add_test(NAME test_tpm2_device_no_tpm COMMAND test_tpm2_device)
set_tests_properties(test_tpm2_device_no_tpm PROPERTIES ENVIRONMENT "SWTPM_LAB_TCTI=" TIMEOUT 60)
# It builds test objects with ESAPI itself (the core loads ESAPI only when a TPM is opened).
target_link_libraries(test_tpm2_device PRIVATE PkgConfig::TSS2)
