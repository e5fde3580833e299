# attest-req(1)'s check table equals the one the registry generates (man/checks.cmake).
add_test(NAME test_man_checks COMMAND ${CMAKE_COMMAND} -DMODE=check -DMAN=${PROJECT_SOURCE_DIR}/man/attest-req.1
         -DROFF=${PROJECT_BINARY_DIR}/man/checks.roff -P ${PROJECT_SOURCE_DIR}/man/checks.cmake)
