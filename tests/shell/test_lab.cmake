attest_shell_test(test_lab test_lab.sh)
