# attest-req new with the swtpm SIGKILLed mid-run (exit 2, one line, no output), restarted from its state
# (no leaked transients); failures with the TPM alive and a TSS2 key with a nonexistent parent.
attest_shell_test(test_faults test_faults.sh)
