# verify and show output that input cannot forge (key id with a forged verdict, ESC, 0xff), and
# --at-time: 0 honoured, the 1950/9999 range, refusals, the time in the verdict, the relaxation
# warning, `new` warning on an expired AK certificate.
attest_shell_test(test_output_cli test_output_cli.sh)
