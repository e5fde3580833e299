# The key attestation signature (ATTEST-AK) through public OpenSSL APIs only (libcrypto, not
# attestcore): the C example to copy.  attest.so is found through OPENSSL_MODULES (TEST_ENV).
add_executable(test_provider_sign ${CMAKE_CURRENT_LIST_DIR}/test_provider_sign.c ${PROJECT_SOURCE_DIR}/asn1/compat.c)
target_include_directories(test_provider_sign PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(test_provider_sign PRIVATE OpenSSL::Crypto PkgConfig::CMOCKA)
add_dependencies(test_provider_sign attest_provider)
add_test(NAME test_provider_sign COMMAND test_provider_sign)
set_tests_properties(test_provider_sign PROPERTIES ENVIRONMENT "${TEST_ENV}" TIMEOUT 300)
