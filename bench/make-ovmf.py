#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A 4 MiB OVMF-like image: random pages, SEV metadata (zero, secrets, CPUID and kernel-hashes
# sections) in the second-to-last page, the footer GUID table at the end.
import os, struct, sys, uuid
PAGE = 4096
g = lambda s: uuid.UUID(s).bytes_le
img = bytearray(os.urandom(4 << 20))
img[-2 * PAGE:] = bytes(2 * PAGE)
sections = [(0x800000, 0x9000, 1), (0x809000, 0x1000, 2), (0x80a000, 0x1000, 3),
            (0x80b000, 0x1000, 0x10), (0x80c000, 0x14000, 1)]
meta = struct.pack("<4sIII", b"ASEV", 16 + 12 * len(sections), 1, len(sections))
meta += b"".join(struct.pack("<III", *s) for s in sections)
img[-2 * PAGE:-2 * PAGE + len(meta)] = meta
entries = [("00f771de-1a7e-4fcb-890e-68c77e2fb44e", struct.pack("<I", 0xffff9000)),
           ("7255371f-3a3b-4b04-927b-1da6efa8d454", struct.pack("<II", 0x80bc00, 0x400)),
           ("dc886566-984a-4798-a75e-5585a7bf67cc", struct.pack("<I", 2 * PAGE))]
end = pos = len(img) - 32 - 18
for guid, data in entries:
    e = data + struct.pack("<H", len(data) + 18) + g(guid)
    img[pos - len(e):pos] = e
    pos -= len(e)
img[end:end + 18] = struct.pack("<H", end - pos + 18) + g("96b582de-1fb2-45f7-baea-a366c55a082d")
open(sys.argv[1], "wb").write(img)
