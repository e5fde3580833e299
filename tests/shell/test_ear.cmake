# verify's EAR: conformance to the draft's claim set (ear_claims.py), the trustworthiness vector,
# the records (input, subject, keys, nonces, AK and anchor digests), error lines in EAR shape;
# signed verdicts (--format jwt) checked by `openssl dgst` / `pkeyutl` and by show --verify-with.
attest_shell_test(test_ear test_ear.sh)
