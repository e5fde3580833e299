attest_shell_test(test_install test_install.sh)
