# verify's light request form sees what the X509_REQ form sees (SPKI, subject, key, self-signature).
attest_unit_test(test_csr_light ${CMAKE_CURRENT_LIST_DIR}/test_csr_light.c)
