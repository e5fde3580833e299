# Vendor evidence through every arrival path (evidence files, bare bundle, request) and mutants of each real sample.
attest_unit_test(test_mutation_vendor ${CMAKE_CURRENT_LIST_DIR}/test_vendor_paths.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
