# scripts/enroll.sh as a CI pipeline runs it, on a throw-away swtpm: issued by openssl ca (and over CMP)
# only when the verdict is affirming; refused (1), warning (3), usage/I-O (2).
attest_shell_test(test_enroll test_enroll.sh)
