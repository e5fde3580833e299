# Mutation suite: thousands of mutants of attested CSRs, forged TPM 2.0 and PKIX evidence (one and
# two SignatureBlocks) (bit flips in every signed region, truncations, lengths, tags, OIDs, duplicates,
# cert bag and AK certificate changes, AK-signed claim edits); none may be affirmed unless declared
# equivalent, the expected check must fail. One cmocka test per mutation class (test_class_*).
# ATTEST_MUTANTS=N scales it; the table goes to stdout.
attest_unit_test(test_mutation ${CMAKE_CURRENT_LIST_DIR}/test_mutation.c ${CMAKE_CURRENT_LIST_DIR}/mutation_harness.c
                 ${CMAKE_CURRENT_LIST_DIR}/mutation_bases.c ${CMAKE_CURRENT_LIST_DIR}/mutation_struct.c
                 ${CMAKE_CURRENT_LIST_DIR}/mutation_certs.c ${CMAKE_CURRENT_LIST_DIR}/mutation_pkix.c
                 ${CMAKE_CURRENT_LIST_DIR}/mutation_regress.c ${CMAKE_CURRENT_LIST_DIR}/mutate.c
                 ${CMAKE_CURRENT_LIST_DIR}/forge_tpm2.c)
# Under ASan on a loaded 2-core machine the whole run took 184 s: keep room.
set_tests_properties(test_mutation PROPERTIES TIMEOUT 900)
