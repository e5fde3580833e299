# YubiKey PIV requests through verify --in with the shipped anchors; policy options; no TPM.
attest_shell_test(test_yubikey_cli test_yubikey_cli.sh)
