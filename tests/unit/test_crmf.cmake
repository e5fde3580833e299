# CRMF / CMP requests (asn1/crmf.c, attest_verify_crmf) built with OpenSSL's CRMF and CMP APIs:
# fields, ir/cr/p10cr/genm bodies, truncations, trailing bytes, BER, every byte flipped,
# duplicate extensions, several requests, raVerified.
attest_unit_test(test_crmf ${CMAKE_CURRENT_LIST_DIR}/test_crmf.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
