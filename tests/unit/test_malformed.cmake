# Hostile input: truncations, trailing bytes, flipped tags, inflated lengths, wrong shapes.
attest_unit_test(test_malformed ${CMAKE_CURRENT_LIST_DIR}/test_malformed.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
