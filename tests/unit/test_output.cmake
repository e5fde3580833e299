# Output that input cannot forge (escaped text, valid JSON, no forged lines through every field
# that reaches output); the verification time (set, shown, honoured at 0 and the X.509 ends, a
# warning when given).
attest_unit_test(test_output unit/test_output.c unit/output_util.c unit/pkix_lab.c)
attest_unit_test(test_verify_time unit/test_verify_time.c unit/output_util.c unit/pkix_lab.c)
