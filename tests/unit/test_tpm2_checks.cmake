# The verifier's TPM 2.0 checks on forged evidence (software AK, in-memory CA):
# affirming baselines and one negative per check id.
attest_unit_test(test_tpm2_checks unit/test_tpm2_checks.c unit/forge_tpm2.c)
