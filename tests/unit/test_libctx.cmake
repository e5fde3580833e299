# The caller's library context (params.libctx) is the one verification uses; a caller's error queue survives a verification.
attest_unit_test(test_libctx ${CMAKE_CURRENT_LIST_DIR}/test_libctx.c)
