# The plain PEM reader (asn1/pem_fast.c) against PEM_read_bio: every block it takes, OpenSSL reads the
# same; OpenSSL's blocks of 1..399 and 4,000 bytes (LF and CRLF), every prefix and byte change, and the
# forms it must leave to OpenSSL.
attest_unit_test(test_pem_fast ${CMAKE_CURRENT_LIST_DIR}/test_pem_fast.c)
