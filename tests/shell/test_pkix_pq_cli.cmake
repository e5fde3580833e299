# Post-quantum PKIX evidence through the CLI: the tests/vectors/pq vectors on every OpenSSL,
# live ML-DSA / SLH-DSA signing where OpenSSL has it, the clean refusal where it does not.
attest_shell_test(test_pkix_pq_cli test_pkix_pq_cli.sh)
