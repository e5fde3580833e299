# attest-req new signs TPM keys' requests with TPM2_Sign over its one ESAPI connection: RSA, P-256,
# P-384, PSS and TSS2-file requests verify, TPM command counts (pcap TCTI), restricted-key fallback.
attest_shell_test(test_new_tpm_sign test_new_tpm_sign.sh)
