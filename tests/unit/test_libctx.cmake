# The caller's library context (params.libctx) is the one verification uses.
attest_unit_test(test_libctx ${CMAKE_CURRENT_LIST_DIR}/test_libctx.c)
