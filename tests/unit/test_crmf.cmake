# CRMF / CMP requests (asn1/crmf.c, attest_verify_crmf) built with OpenSSL's CRMF and CMP APIs:
# fields, ir/cr/p10cr/genm bodies, truncations, trailing bytes, BER (also in a template subject),
# every byte flipped, duplicate extensions, raVerified.
attest_unit_test(test_crmf ${CMAKE_CURRENT_LIST_DIR}/test_crmf.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c
                 ${CMAKE_CURRENT_LIST_DIR}/der_edit.c)
# Several CertReqMsgs per message with lab PKIX evidence: every one verified (an unattested rider,
# shared certReqIds, another key's evidence, a later bad POPO, the cap of 8), one EAR object.
attest_unit_test(test_crmf_multi ${CMAKE_CURRENT_LIST_DIR}/test_crmf_multi.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c
                 ${CMAKE_CURRENT_LIST_DIR}/pkix_lab.c ${CMAKE_CURRENT_LIST_DIR}/der_edit.c)
# crmf.popo (RFC 4211 §4.1): over the certReq (template subject needed) or over a POPOSigningKeyInput
# naming exactly the template key (spliced in by hand), another key's input refused, certReqIds that
# are not positions.
attest_unit_test(test_crmf_popo ${CMAKE_CURRENT_LIST_DIR}/test_crmf_popo.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c
                 ${CMAKE_CURRENT_LIST_DIR}/der_edit.c)
