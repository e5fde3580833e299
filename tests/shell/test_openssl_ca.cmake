attest_shell_test(test_openssl_ca test_openssl_ca.sh)
# End to end: an attested TPM-key CSR judged by attest-req verify, then issued by a real `openssl ca`.
