# attest.so's dynamic symbol table: only OSSL_provider_init.
attest_shell_test(test_exports test_exports.sh)
