attest_shell_test(test_vendor_cli test_vendor_cli.sh)
# Vendor evidence through --evidence-file and new --evidence-file, every vendor, the shipped anchors.
