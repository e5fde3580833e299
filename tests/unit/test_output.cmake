# Output that input cannot forge (escaped text, valid JSON, no forged lines through every field
# that reaches output) and the verification time (set, shown, honoured at 0 and the X.509 ends).
attest_unit_test(test_output unit/test_output.c unit/pkix_lab.c)
