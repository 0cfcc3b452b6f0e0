#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a GHCB certificate table (snp-facts B.2.3) as a host hands it to the guest and
`snpctl report get --certs-out` saves it: 24-byte entries {GUID, offset, length} ended by an
all-zero entry, then the DER certificates; offsets from the table's start.

    cert-table.py OUT [--mode MODE] KIND=FILE...

KIND is ark, ask (also the ASVK), vcek, vlek or other (a GUID snpctl does not know); FILE is PEM
or DER. MODE makes a malformed table: bad-guid (the VCEK/VLEK GUID with one byte changed),
overlap (the second certificate at the first one's offset), out-of-range (the last length runs
past the end), over-table (the first offset points into the entries), no-terminator (no
all-zero entry), twice (the last entry repeated)."""
import base64
import re
import sys

GUIDS = {
    "ark": "c0b406a4-a803-4952-9743-3fb6014cd0ae",
    "ask": "4ab7b379-bbac-4fe4-a02f-05aef327c782",
    "vcek": "63da758d-e664-4564-adc5-f4b93be8accd",
    "vlek": "a8074bc2-a25a-483e-aae6-39c045a0b8a1",
    "other": "ecae0c0f-9502-43b1-afa2-0ae2e0d565b6",
}


def der(path):
    data = open(path, "rb").read()
    m = re.search(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", data, re.S)
    return base64.b64decode(b"".join(m.group(1).split())) if m else data


def main():
    args = sys.argv[1:]
    out, mode = args.pop(0), "good"
    if args and args[0] == "--mode":
        mode = args[1]
        args = args[2:]
    items = []
    for a in args:
        kind, path = a.split("=", 1)
        guid = bytearray(bytes.fromhex(GUIDS[kind].replace("-", "")))
        if mode == "bad-guid" and kind in ("vcek", "vlek"):
            guid[15] ^= 0x01
        items.append((bytes(guid), der(path)))
    if mode == "twice":
        items.append(items[-1])
    n_entries = len(items) + (0 if mode == "no-terminator" else 1)
    off, table, blobs = 24 * n_entries, b"", b""
    offsets = []
    for guid, cert in items:
        offsets.append([off + len(blobs), len(cert)])
        blobs += cert
    if mode == "overlap":
        offsets[1][0] = offsets[0][0]
    if mode == "out-of-range":
        offsets[-1][1] += 1000
    if mode == "over-table":
        offsets[0][0] = 0
    for (guid, _), (o, n) in zip(items, offsets):
        table += guid + o.to_bytes(4, "little") + n.to_bytes(4, "little")
    if mode != "no-terminator":
        table += bytes(24)
    open(out, "wb").write(table + blobs)


if __name__ == "__main__":
    main()
