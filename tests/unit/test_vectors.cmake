# Published vectors through the core library (decode, values, round trips, OIDs).
attest_unit_test(test_vectors ${CMAKE_CURRENT_LIST_DIR}/test_vectors.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
