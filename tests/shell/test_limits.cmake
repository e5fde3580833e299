# attest-req verify with a hostile trust directory (one notice per bad entry, nothing blocks), --untrusted and
# bundle certificates never anchors, and input over the 1 MiB cap (files, stdin, endless streams).
# (ctest name test_limits_cli: the unit test test_limits.c takes test_limits.)
attest_shell_test(test_limits_cli test_limits.sh)
