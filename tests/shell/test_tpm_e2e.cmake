attest_shell_test(test_tpm_e2e test_tpm_e2e.sh)
# attest-req new/verify end to end on a throw-away swtpm (key x AK matrix, OpenSSL CLI cross-checks).
