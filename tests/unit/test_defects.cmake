# Error-path defects: bundle messages under OOM, NULL err, no cached OOM chain results, caller's ERR queue kept.
attest_unit_test(test_defects ${CMAKE_CURRENT_LIST_DIR}/test_defects.c ${CMAKE_CURRENT_LIST_DIR}/alloc_inject.c)
