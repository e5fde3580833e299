# The provider through public OpenSSL APIs only (libcrypto + json-c, not attestcore):
# the example to copy.  attest.so is found through OPENSSL_MODULES (TEST_ENV).
add_executable(test_provider_api ${CMAKE_CURRENT_LIST_DIR}/test_provider_api.c ${CMAKE_CURRENT_LIST_DIR}/testutil.c)
target_include_directories(test_provider_api PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(test_provider_api PRIVATE OpenSSL::Crypto PkgConfig::JSONC PkgConfig::CMOCKA)
add_dependencies(test_provider_api attest_provider)
add_test(NAME test_provider_api COMMAND test_provider_api)
set_tests_properties(test_provider_api PROPERTIES ENVIRONMENT "${TEST_ENV}" TIMEOUT 300)
