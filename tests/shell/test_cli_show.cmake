# attest-req show: formats, type detection, errors and exit codes, atomic output.
attest_shell_test(test_cli_show test_cli_show.sh)
