# CRMF / CMP requests (asn1/crmf.c, attest_verify_crmf) built with OpenSSL's CRMF and CMP APIs:
# fields, ir/cr/p10cr/genm bodies, truncations, trailing bytes, BER, every byte flipped,
# duplicate extensions, raVerified; several requests with lab PKIX evidence (every one verified, an
# unattested rider, shared certReqIds, another key's evidence, the cap), BER in a template subject.
attest_unit_test(test_crmf ${CMAKE_CURRENT_LIST_DIR}/test_crmf.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c
                 ${CMAKE_CURRENT_LIST_DIR}/pkix_lab.c ${CMAKE_CURRENT_LIST_DIR}/der_edit.c)
