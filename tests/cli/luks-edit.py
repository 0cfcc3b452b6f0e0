#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# luks-edit.py IMAGE EDIT...: rewrites the JSON metadata of a LUKS2 header in place, as a hostile
# VM host can (the class of CVE-2025-59054 / CVE-2025-58356: LUKS2 metadata is not authenticated;
# its checksum is a plain SHA-256 anyone recomputes). Used by the tests to make headers that
# cryptsetup itself will not format here: a cipher_null segment or keyslot needs device-mapper or
# the kernel's cipher_null to be formatted, and test machines and containers often lack both.
#
# EDIT is PATH=JSON (set; PATH is dot-separated, e.g. segments.0.encryption="cipher_null-ecb") or
# -PATH (delete). Both binary headers get the edited JSON and a fresh checksum. Layout: LUKS2
# on-disk format (cryptsetup docs/on-disk-format-luks2.pdf), binary header of 4096 bytes: magic,
# version (u16 BE), hdr_size (u64 BE, offset 8), ..., checksum (64 bytes at offset 448, SHA-256 over
# the hdr_size bytes with the checksum field zeroed); the JSON area follows, NUL-padded.
import hashlib
import json
import struct
import sys


def edit(meta, spec):
    if spec.startswith("-"):
        path, value, delete = spec[1:], None, True
    else:
        path, _, raw = spec.partition("=")
        value, delete = json.loads(raw), False
    keys = path.split(".")
    node = meta
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    if delete:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: luks-edit.py IMAGE PATH=JSON|-PATH...")
    path = sys.argv[1]
    with open(path, "r+b") as f:
        primary = f.read(4096)
        if primary[:6] != b"LUKS\xba\xbe":
            sys.exit("luks-edit.py: %s: no LUKS2 primary header" % path)
        hdr_size = struct.unpack(">Q", primary[8:16])[0]
        f.seek(0)
        area = f.read(hdr_size)
        meta = json.loads(area[4096:].rstrip(b"\0").decode())
        for spec in sys.argv[2:]:
            edit(meta, spec)
        text = json.dumps(meta, separators=(",", ":")).encode()
        if len(text) >= hdr_size - 4096:
            sys.exit("luks-edit.py: the edited JSON does not fit")
        for off in (0, hdr_size):
            f.seek(off)
            hdr = bytearray(f.read(hdr_size))
            hdr[4096:] = text + b"\0" * (hdr_size - 4096 - len(text))
            hdr[448:448 + 64] = b"\0" * 64
            hdr[448:448 + 32] = hashlib.sha256(hdr).digest()
            f.seek(off)
            f.write(hdr)


main()
