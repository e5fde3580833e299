# Mutation suite: thousands of mutants of attested CSRs, forged TPM 2.0 and PKIX evidence (one and
# two SignatureBlocks) (bit flips in every signed region, truncations, lengths, tags, OIDs, duplicates,
# cert bag and AK certificate changes, AK-signed claim edits); none may be affirmed unless declared
# equivalent, the expected check must fail. ATTEST_MUTANTS=N scales it; the table goes to stdout.
attest_unit_test(test_mutation ${CMAKE_CURRENT_LIST_DIR}/test_mutation.c ${CMAKE_CURRENT_LIST_DIR}/mutate.c
                 ${CMAKE_CURRENT_LIST_DIR}/forge_tpm2.c)
