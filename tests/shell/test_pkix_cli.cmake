# PKIX evidence through the CLI on a throw-away swtpm: file (software HSM) and TPM AKs, several AKs,
# claims files, `attest-req evidence`, --evidence-file, standalone verify, reference samples, errors.
attest_shell_test(test_pkix_cli test_pkix_cli.sh)
