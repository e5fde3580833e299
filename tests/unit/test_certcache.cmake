# The certificate cache's on/off switch (used by the fuzz targets).
attest_unit_test(test_certcache ${CMAKE_CURRENT_LIST_DIR}/test_certcache.c)
