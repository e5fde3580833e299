# Single-use nonces on a throw-away swtpm: attest-req nonce, verify --nonce-state (use, replay, unknown,
# expired, a failed verdict keeps its nonce), 8 verifier processes racing for one nonce, usage errors.
attest_shell_test(test_nonce test_nonce.sh)
