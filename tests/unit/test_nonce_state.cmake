# The single-use nonce store (verifier/nonce_state.c) and nonce.state over lab PKIX verdicts: use,
# replay, unknown, expired, permissions, sweep, a 16-process race for one nonce, two statements.
attest_unit_test(test_nonce_state ${CMAKE_CURRENT_LIST_DIR}/test_nonce_state.c ${CMAKE_CURRENT_LIST_DIR}/pkix_lab.c)
