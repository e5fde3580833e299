# attest-req show for a CA operator: subject as openssl prints it, requested extensions, --certs-out/--evidence-out.
attest_shell_test(test_show_ops test_show_ops.sh)
