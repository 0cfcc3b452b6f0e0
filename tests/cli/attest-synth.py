#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Synthetic SEV-SNP attestation reports for the attest-verify tests (standard library only).

The layout is written from the SNP ABI table (snp-facts B.3.1), independently of src/report.c, so
the tests cross-check the parser. Signing is done by `openssl dgst -sha384 -sign`; this tool only
cuts out the signed bytes and turns the DER ECDSA signature into the 72-byte little-endian r/s.

  new OUT GEN VERSION        a valid, unsigned report (GEN milan, genoa or turin)
  set FILE OFFSET HEX        overwrite bytes at OFFSET (decimal or 0x)
  flip FILE OFFSET BIT       flip one bit
  truncate FILE SIZE         cut or extend (with zeros) to SIZE bytes
  body FILE OUT              write the signed bytes 0x000-0x29F
  attach FILE SIG.der        store the signature
  fields                     print "name offset size" of every signed field
"""
import struct
import sys

FIELDS = [  # name, offset, size (SNP ABI ATTESTATION_REPORT)
    ("version", 0x000, 4), ("guest_svn", 0x004, 4), ("policy", 0x008, 8),
    ("family_id", 0x010, 16), ("image_id", 0x020, 16), ("vmpl", 0x030, 4),
    ("signature_algo", 0x034, 4), ("current_tcb", 0x038, 8), ("platform_info", 0x040, 8),
    ("signer_info", 0x048, 4), ("report_data", 0x050, 64), ("measurement", 0x090, 48),
    ("host_data", 0x0C0, 32), ("id_key_digest", 0x0E0, 48), ("author_key_digest", 0x110, 48),
    ("report_id", 0x140, 32), ("report_id_ma", 0x160, 32), ("reported_tcb", 0x180, 8),
    ("cpuid_fam_id", 0x188, 1), ("cpuid_mod_id", 0x189, 1), ("cpuid_step", 0x18A, 1),
    ("chip_id", 0x1A0, 64), ("committed_tcb", 0x1E0, 8), ("current_build", 0x1E8, 1),
    ("current_minor", 0x1E9, 1), ("current_major", 0x1EA, 1), ("committed_build", 0x1EC, 1),
    ("committed_minor", 0x1ED, 1), ("committed_major", 0x1EE, 1), ("launch_tcb", 0x1F0, 8),
    ("launch_mit_vector", 0x1F8, 8), ("current_mit_vector", 0x200, 8),
]

# TCB bytes: Milan/Genoa bl, tee, 4 reserved, snp, ucode; Turin fmc, bl, tee, snp, 3 reserved, ucode.
TCB = {"milan": bytes([3, 0, 0, 0, 0, 0, 20, 209]), "genoa": bytes([10, 0, 0, 0, 0, 0, 23, 84]),
       "turin": bytes([1, 2, 0, 3, 0, 0, 0, 71])}
CPUID = {"milan": bytes([0x19, 0x01, 0x01]), "genoa": bytes([0x19, 0x11, 0x01]),
         "turin": bytes([0x1A, 0x02, 0x01])}


def chip_id(gen):
    if gen == "turin":
        return bytes(range(0xC1, 0xC9)) + bytes(56)
    return bytes((0xA0 + i) & 0xFF for i in range(64))


def new(out, gen, version):
    b = bytearray(0x4A0)
    struct.pack_into("<IIQ", b, 0, version, 7, 0x30000)
    b[0x10:0x20] = bytes([0x01] * 16)
    b[0x20:0x30] = bytes([0x02] * 16)
    struct.pack_into("<IIQQI", b, 0x30, 0, 1, 0, 0x25, 0)
    b[0x38:0x40] = TCB[gen]
    b[0x50:0x90] = bytes([0x11] * 64)
    b[0x90:0xC0] = bytes([0x22] * 48)
    b[0xC0:0xE0] = bytes([0x33] * 32)
    b[0xE0:0x110] = bytes([0x44] * 48)
    b[0x140:0x160] = bytes([0x55] * 32)
    b[0x160:0x180] = bytes([0xFF] * 32)
    b[0x180:0x188] = TCB[gen]
    if version >= 3:
        b[0x188:0x18B] = CPUID[gen]
    b[0x1A0:0x1E0] = chip_id(gen)
    b[0x1E0:0x1E8] = TCB[gen]
    b[0x1E8:0x1EB] = bytes([29, 55, 1])
    b[0x1EC:0x1EF] = bytes([29, 55, 1])
    b[0x1F0:0x1F8] = TCB[gen]
    if version >= 5:
        struct.pack_into("<QQ", b, 0x1F8, 1, 1)
    open(out, "wb").write(b)


def der_ints(sig):
    """The two INTEGERs of a DER ECDSA-Sig-Value."""
    def length(buf, i):
        n = buf[i]
        if n < 0x80:
            return n, i + 1
        k = n & 0x7F
        return int.from_bytes(buf[i + 1:i + 1 + k], "big"), i + 1 + k
    assert sig[0] == 0x30
    _, i = length(sig, 1)
    out = []
    for _ in range(2):
        assert sig[i] == 0x02
        n, i = length(sig, i + 1)
        out.append(int.from_bytes(sig[i:i + n], "big"))
        i += n
    return out


def main(argv):
    cmd = argv[1]
    if cmd == "new":
        new(argv[2], argv[3], int(argv[4]))
    elif cmd == "fields":
        for name, off, size in FIELDS:
            print(name, off, size)
    elif cmd in ("set", "flip", "truncate", "body", "attach"):
        b = bytearray(open(argv[2], "rb").read())
        if cmd == "set":
            off, data = int(argv[3], 0), bytes.fromhex(argv[4])
            b[off:off + len(data)] = data
        elif cmd == "flip":
            b[int(argv[3], 0)] ^= 1 << int(argv[4])
        elif cmd == "truncate":
            n = int(argv[3], 0)
            b = b[:n] + bytes(max(0, n - len(b)))
        elif cmd == "body":
            open(argv[3], "wb").write(b[:0x2A0])
            return 0
        elif cmd == "attach":
            r, s = der_ints(open(argv[3], "rb").read())
            b[0x2A0:0x4A0] = bytes(0x200)
            b[0x2A0:0x2A0 + 72] = r.to_bytes(72, "little")
            b[0x2E8:0x2E8 + 72] = s.to_bytes(72, "little")
        open(argv[2], "wb").write(b)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
