# The same evidence in CRMF: new --cmp-reqexts, a real `openssl cmp` client (ir, cr, kur, p10cr) against
# OpenSSL's CMP mock server, verify of the requests it sent; another key's evidence, a tampered POPO.
attest_shell_test(test_cmp test_cmp.sh)
