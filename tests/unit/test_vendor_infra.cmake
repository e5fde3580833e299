# Vendor evidence groundwork: CMW records, bounded gzip, the evidence-file importer, vendor anchor scopes.
attest_unit_test(test_vendor_infra ${CMAKE_CURRENT_LIST_DIR}/test_vendor_infra.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
