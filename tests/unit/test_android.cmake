# Android key attestation engine: the real samples (test_android) and generated KeyDescriptions under a
# test CA (test_android_gen); one negative test per android.* check id, the issuer-name quirk, the
# expired 2016 and the re-issued Google root.
attest_unit_test(test_android unit/test_android.c unit/android_lab.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
attest_unit_test(test_android_gen unit/test_android_gen.c unit/android_lab.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
