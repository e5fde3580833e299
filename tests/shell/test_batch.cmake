# Batch accounting of verify: one verdict or error line per input (--in, --in-list, each block of a
# PEM stream), in order, through malformed blocks; streaming output; SIGINT/SIGTERM mid-batch. No TPM.
attest_shell_test(test_batch test_batch.sh)
