# The core library's layers (asn1 < core < evidence < verifier), from the object files' symbols.
add_test(NAME test_layers COMMAND bash ${PROJECT_SOURCE_DIR}/tests/shell/test_layers.sh
         ${PROJECT_BINARY_DIR}/CMakeFiles/attestcore_objs.dir ${PROJECT_BINARY_DIR}/CMakeFiles/attestcore.dir ${PROJECT_SOURCE_DIR})
