#!/usr/bin/env python3
"""tpm_cmds.py PCAP - the TPM commands in a capture of tss2's pcap TCTI (TCTI_PCAP_FILE, pcapng
of TCP frames to port 2321): the total on the first line, then "count name" lines, most first."""
import collections
import struct
import sys

NAMES = {0x131: "CreatePrimary", 0x13e: "SequenceComplete", 0x148: "Certify", 0x157: "Load",
         0x15c: "SequenceUpdate", 0x15d: "Sign", 0x161: "ContextLoad", 0x162: "ContextSave",
         0x165: "FlushContext", 0x173: "ReadPublic", 0x176: "StartAuthSession", 0x178: "ECC_Parameters",
         0x17a: "GetCapability", 0x17b: "GetRandom", 0x17d: "Hash", 0x186: "HashSequenceStart"}


def commands(data):
    off = 0
    while off + 8 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if blen < 12:
            raise ValueError("bad pcapng block at %d" % off)
        if btype == 6:                      # Enhanced Packet Block
            caplen = struct.unpack_from("<I", data, off + 20)[0]
            pkt = data[off + 28:off + 28 + caplen]
            ihl = (pkt[0] & 15) * 4
            dport = struct.unpack_from(">H", pkt, ihl + 2)[0]
            body = pkt[ihl + (pkt[ihl + 12] >> 4) * 4:]
            if dport == 2321 and len(body) >= 10:   # host -> TPM: a command header
                yield NAMES.get(struct.unpack_from(">I", body, 6)[0], "0x%x" % struct.unpack_from(">I", body, 6)[0])
        off += blen


def main():
    with open(sys.argv[1], "rb") as f:
        cmds = list(commands(f.read()))
    print(len(cmds))
    for name, n in collections.Counter(cmds).most_common():
        print(n, name)


if __name__ == "__main__":
    main()
