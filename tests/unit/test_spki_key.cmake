# The SPKI key reader (asn1/spki_key.c) against d2i_PUBKEY_ex: a key exactly when OpenSSL's decoder makes
# one, and the same key; EC points changed in every byte and form on four curves, points under other
# curves, RSA keys that are not DER, an unknown algorithm.
attest_unit_test(test_spki_key ${CMAKE_CURRENT_LIST_DIR}/test_spki_key.c)
