#!/usr/bin/env python3
"""ear_claims.py FILE...: each file holds EAR claims-sets (one JSON object, or JSON Lines); exit 1 and
one line per fault when one does not conform to the EAR claim set.

Written from the CDDL of draft-ietf-rats-ear (EAR, EAR-appraisal, the AR4SI trustworthiness vector
and verifier-id) in the JSON spelling of the Veraison profile the verifier emits:
  EAR = { eat_profile: "tag:github.com,2023:veraison/ear", iat: int, ear.verifier-id: {developer:
          text, build: text}, ? ear.raw-evidence: base64url, submods: { + text => EAR-appraisal },
          ? eat_nonce: base64url of 8..64 bytes, ? ear.status: tier (later drafts), * ext: map }
  EAR-appraisal = { ear.status: tier, ? ear.trustworthiness-vector: non-empty { ? label: -128..127 },
          ? ear.appraisal-policy-id: text, * ext: map }
plus the draft's rule that an appraisal's ear.status is no more trusting than the worst claim of its
vector (tiers: none 0, affirming 2, warning 32, contraindicated 96 by claim value ranges)."""
import base64, json, re, sys

PROFILE = "tag:github.com,2023:veraison/ear"
TIERS = {"none": 0, "affirming": 2, "warning": 32, "contraindicated": 96}
VECTOR = {"instance-identity", "configuration", "executables", "file-system", "hardware",
          "runtime-opaque", "storage-opaque", "sourced-data"}
B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def claim_tier(v):
    # AR4SI: 2..31 affirming, 32..95 warning, 96..127 contraindicated, the rest makes no claim
    return 96 if v >= 96 else 32 if v >= 32 else 2 if v >= 2 else 0


def b64url_len(s):
    if not isinstance(s, str) or not B64URL.match(s) or len(s) % 4 == 1:
        return None
    return len(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))


def appraisal(name, a, faults):
    where = "submods[" + name + "]"
    if not isinstance(a, dict):
        return faults.append(where + " is not a map")
    st = a.get("ear.status")
    if st not in TIERS:
        faults.append(where + ": ear.status missing or not a tier")
    tv = a.get("ear.trustworthiness-vector")
    if tv is not None:
        if not isinstance(tv, dict) or not tv:
            faults.append(where + ": ear.trustworthiness-vector is not a non-empty map")
        else:
            for k, v in tv.items():
                if k not in VECTOR:
                    faults.append(where + ": unknown trustworthiness claim " + k)
                elif not is_int(v) or not -128 <= v <= 127:
                    faults.append(where + ": claim " + k + " is not an int in -128..127")
            vals = [v for v in tv.values() if is_int(v)]
            if st in TIERS and vals and TIERS[st] < max(claim_tier(v) for v in vals):
                faults.append(where + ": ear.status " + st + " is more trusting than its vector " + json.dumps(tv))
    if "ear.appraisal-policy-id" in a and not isinstance(a["ear.appraisal-policy-id"], str):
        faults.append(where + ": ear.appraisal-policy-id is not text")
    for k, v in a.items():
        if k not in ("ear.status", "ear.trustworthiness-vector", "ear.appraisal-policy-id") and not isinstance(v, dict):
            faults.append(where + ": extension " + k + " is not a map")


def ear(j):
    faults = []
    if not isinstance(j, dict):
        return ["not a map"]
    if j.get("eat_profile") != PROFILE:
        faults.append("eat_profile is not " + PROFILE)
    if not is_int(j.get("iat")):
        faults.append("iat missing or not an integer")
    vid = j.get("ear.verifier-id")
    if not (isinstance(vid, dict) and isinstance(vid.get("developer"), str) and isinstance(vid.get("build"), str)):
        faults.append("ear.verifier-id is not {developer: text, build: text}")
    subs = j.get("submods")
    if not isinstance(subs, dict) or not subs:
        faults.append("submods missing or empty")
    else:
        for name, a in subs.items():
            appraisal(name, a, faults)
    if "ear.raw-evidence" in j and b64url_len(j["ear.raw-evidence"]) is None:
        faults.append("ear.raw-evidence is not base64url")
    if "eat_nonce" in j and not 8 <= (b64url_len(j["eat_nonce"]) or 0) <= 64:
        faults.append("eat_nonce is not base64url of 8..64 bytes")
    if "ear.status" in j:
        st = j["ear.status"]
        if st not in TIERS:
            faults.append("ear.status is not a tier")
        elif st != "none" and isinstance(subs, dict):
            worst = max((TIERS.get(a.get("ear.status"), 0) for a in subs.values() if isinstance(a, dict)), default=0)
            if TIERS[st] < worst:
                faults.append("ear.status " + st + " is more trusting than a submod")
    core = {"eat_profile", "iat", "ear.verifier-id", "submods", "ear.raw-evidence", "eat_nonce", "ear.status"}
    for k, v in j.items():
        if k not in core and not isinstance(v, dict):
            faults.append("extension " + k + " is not a map")
    return faults


def main():
    bad = 0
    for f in sys.argv[1:]:
        text = open(f).read()
        try:
            docs = [json.loads(text)]
        except ValueError:
            docs = [json.loads(l) for l in text.splitlines() if l.strip()]
        for i, d in enumerate(docs):
            for fault in ear(d):
                print(f"{f}[{i}]: {fault}")
                bad = 1
    sys.exit(bad)


if __name__ == "__main__":
    main()
