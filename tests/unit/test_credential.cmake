# Software MakeCredential against worked values; and against swtpm's ActivateCredential.
attest_unit_test(test_credential unit/test_credential.c)
attest_unit_test(test_credential_tpm unit/test_credential_tpm.c LAB)
# The authority's checks on real manufacturer EK certificates (tests/vectors/tpm-ek).
attest_unit_test(test_ek_chain unit/test_ek_chain.c)
