# Trust directory indexed at start-up, anchors decoded when a chain names them.
attest_unit_test(test_trust_lazy unit/test_trust_lazy.c unit/pkix_lab.c)
