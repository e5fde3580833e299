# The whole PKCS#10 request is strict DER: BER edits inside the CertificationRequestInfo (which OpenSSL
# keeps and writes back as received), each signed with the request's key, fail csr.parse only.
attest_unit_test(test_csr_der ${CMAKE_CURRENT_LIST_DIR}/test_csr_der.c ${CMAKE_CURRENT_LIST_DIR}/der_edit.c)
