# A new user's rough edges (issue 15 §4): openssl-style options, -h, key files, usage errors, --trust-file,
# scripts' --help.
attest_shell_test(test_rough_edges test_rough_edges.sh)
