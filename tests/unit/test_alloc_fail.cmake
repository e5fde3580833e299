attest_unit_test(test_alloc_fail unit/test_alloc_fail.c unit/alloc_inject.c)
