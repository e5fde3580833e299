attest_shell_test(test_ak_enroll test_ak_enroll.sh)
# AK enrollment from an empty swtpm with EK certificates (swtpm_setup + swtpm_localca) to an affirming verify;
# two TPMs, replay, expiry, unknown EK root, bad AKs, tampered requests.
