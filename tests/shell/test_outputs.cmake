# --out to regular files, FIFOs, devices and directories.
attest_shell_test(test_outputs test_outputs.sh)
