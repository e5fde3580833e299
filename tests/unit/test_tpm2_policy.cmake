# Policy-driven verifier checks on forged TPM 2.0 evidence: attributes, weak
# algorithms, key-attested, bundle shape; each relaxation turns an error into a warning.
attest_unit_test(test_tpm2_policy unit/test_tpm2_policy.c unit/forge_tpm2.c)
