#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A second, independent model of the launch digest (Python hashlib, written from
docs snp-facts part A, sharing no code with src/measure.c), used as the oracle for synthetic
images. The model is first checked against every measurement case of the shared vectors.json
(when present), so that it is known to be right; then synthetic OVMF-like images (footer table
and metadata built here) cover each page type, each VMM type, 1..6 vCPUs, SEV, SEV-ES, the
ovmf-hash start and SVSM, and snpctl's digest must equal the model's for each.

Exit status: 0 all agree, 1 a difference."""
import hashlib
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import uuid

PAGE = 4096
FOOTER = "96b582de-1fb2-45f7-baea-a366c55a082d"
RESET = "00f771de-1a7e-4fcb-890e-68c77e2fb44e"
META = "dc886566-984a-4798-a75e-5585a7bf67cc"
HASHES = "7255371f-3a3b-4b04-927b-1da6efa8d454"
SVSM_INFO = "a789a612-0597-4c4b-a49f-cbb1fe9d1ddd"
SIGS = {"EPYC-v4": 0x800F12, "EPYC-Milan": 0xA00F11, "EPYC-Genoa": 0xA10F10}


def g(s):
    return uuid.UUID(s).bytes_le


# ---- model --------------------------------------------------------------------------------

def parse(data):
    """Returns {guid: entry data} and the metadata sections [(gpa, size, type)]."""
    table = {}
    foot = len(data) - 32 - 18
    size, guid = struct.unpack_from("<H16s", data, foot)
    if guid == g(FOOTER):
        end, start = foot, foot - (size - 18)
        while end - start >= 18:
            esize, eguid = struct.unpack_from("<H16s", data, end - 18)
            table[eguid] = data[end - esize:end - 18]
            end -= esize
    sections = []
    if g(META) in table:
        off = len(data) - struct.unpack_from("<I", table[g(META)])[0]
        sig, _, ver, n = struct.unpack_from("<4sIII", data, off)
        assert sig == b"ASEV" and ver == 1
        sections = [struct.unpack_from("<III", data, off + 16 + 12 * i) for i in range(n)]
    return table, sections


class Chain:
    def __init__(self, seed=bytes(48)):
        self.ld = seed

    def add(self, ptype, gpa, contents=bytes(48)):
        info = self.ld + contents + struct.pack("<HBBBBBBQ", 0x70, ptype, 0, 0, 0, 0, 0, gpa)
        self.ld = hashlib.sha384(info).digest()

    def pages(self, gpa, data):
        for i in range(0, len(data), PAGE):
            self.add(1, gpa + i, hashlib.sha384(data[i:i + PAGE]).digest())


def seg(sel, attr, limit, base):
    return struct.pack("<HHIQ", sel, attr, limit, base)


def vmsa(eip, sig, feats, vmm, svsm=False):
    v = bytearray(PAGE)
    if svsm:
        segs = [seg(16, 0xC93, 0xFFFFFFFF, 0), seg(8, 0xC9B, 0xFFFFFFFF, 0),
                seg(16, 0xC93, 0xFFFFFFFF, 0), seg(16, 0xC93, 0xFFFFFFFF, 0),
                seg(16, 0xC93, 0xFFFFFFFF, 0), seg(0, 0x93, 0xFFFF, 0)]
        cr0, rip, rdx, gpat, mxcsr, fcw, tr = 0x11, eip, sig, 0x0007040600070406, 0x1F80, 0, 0x8B
    else:
        ec2 = vmm == "ec2"
        cs = 0x9A if ec2 and eip == 0xFFFFFFF0 else 0x9B
        segs = [seg(0, 0x93, 0xFFFF, 0), seg(0xF000, cs, 0xFFFF, eip & 0xFFFF0000),
                seg(0, 0x92 if ec2 else 0x93, 0xFFFF, 0)] + [seg(0, 0x93, 0xFFFF, 0)] * 3
        cr0, rip, tr = 0x10, eip & 0xFFFF, 0x83 if ec2 else 0x8B
        rdx = sig if vmm == "QEMU" else 0x600
        gpat = 0x70106 if vmm == "gce" else 0x0007040600070406
        mxcsr, fcw = (0x1F80, 0x37F) if vmm == "QEMU" else (0, 0)
    segs += [seg(0, 0, 0xFFFF, 0), seg(0, 0x82, 0xFFFF, 0), seg(0, 0, 0xFFFF, 0),
             seg(0, tr, 0xFFFF, 0)]
    v[0:0xA0] = b"".join(segs)
    for off, val in ((0xD0, 0x1000), (0x148, 0x40), (0x158, cr0), (0x160, 0x400),
                     (0x168, 0xFFFF0FF0), (0x170, 2), (0x178, rip), (0x268, gpat),
                     (0x310, rdx), (0x3B0, feats), (0x3E8, 1)):
        struct.pack_into("<Q", v, off, val)
    struct.pack_into("<I", v, 0x408, mxcsr)
    struct.pack_into("<H", v, 0x410, fcw)
    return bytes(v)


def hash_table(kernel, initrd, append):
    def sha(path):
        return hashlib.sha256(open(path, "rb").read() if path else b"").digest()
    cmd = hashlib.sha256((append or "").encode() + b"\0").digest()
    t = g("9438d606-4f22-4cc9-b479-a793d411fd21") + struct.pack("<H", 168)
    for guid, h in (("97d02dd8-bd20-4c94-aa78-e7714d36ab2a", cmd),
                    ("44baf731-3a2f-4bd7-9af1-41e29169781d", sha(initrd)),
                    ("4de79437-abd2-427f-b835-d5b172d2045b", sha(kernel))):
        t += g(guid) + struct.pack("<H", 50) + h
    return t + bytes(176 - len(t))


def model(c):
    data = open(c["ovmf"], "rb").read()
    table, sections = parse(data)
    gpa = (1 << 32) - len(data)
    mode, vmm = c["mode"], c.get("vmm") or "QEMU"
    u32 = lambda guid: struct.unpack_from("<I", table[g(guid)])[0]
    if mode in ("sev", "seves"):
        h = hashlib.sha256(data)
        if c.get("kernel"):
            h.update(hash_table(c["kernel"], c.get("initrd"), c.get("append")))
        if mode == "seves":
            for i in range(c["vcpus"]):
                eip = 0xFFFFFFF0 if i == 0 else u32(RESET)
                h.update(vmsa(eip, c.get("sig", 0), 0, vmm))
        return h.hexdigest()
    ch = Chain()
    if c.get("ovmf_hash"):
        ch = Chain(bytes.fromhex(c["ovmf_hash"]))
    else:
        ch.pages(gpa, data)
    if mode == "snp:ovmf-hash":
        return ch.ld.hex()
    if mode == "snp:svsm":
        sv = open(c["svsm"], "rb").read()
        svtable, sections = parse(sv)
        svgpa = gpa - c["vars_size"] - len(sv)
        ch.pages(svgpa, sv)
        eip0 = eip1 = svgpa + struct.unpack_from("<I", svtable[g(SVSM_INFO)])[0]
    else:
        eip0, eip1 = 0xFFFFFFF0, u32(RESET)
    for sgpa, size, typ in sections:
        if typ == 1:
            for o in range(0, size, PAGE):
                ch.add(4 if vmm == "gce" else 3, sgpa + o)
        elif typ == 2:
            ch.add(5, sgpa)
        elif typ == 3 and vmm != "ec2":
            ch.add(6, sgpa)
        elif typ == 4 or (typ == 0x10 and not c.get("kernel")):
            for o in range(0, size, PAGE):
                ch.add(3, sgpa + o)
        elif typ == 0x10:
            off = u32(HASHES) & 0xFFF
            page = bytes(off) + hash_table(c["kernel"], c.get("initrd"), c.get("append"))
            ch.pages(sgpa, page + bytes(PAGE - len(page)))
    if vmm == "ec2":
        for sgpa, size, typ in sections:
            if typ == 3:
                ch.add(6, sgpa)
    svsm = mode == "snp:svsm"
    feats = 1 if svsm else c.get("features", 1)
    for i in range(c["vcpus"]):
        page = vmsa(eip0 if i == 0 else eip1, c.get("sig", 0), feats, vmm, svsm)
        ch.add(2, 0xFFFFFFFFF000, hashlib.sha384(page).digest())
    return ch.ld.hex()


def argv(c):
    a = ["--mode", c["mode"], "--ovmf", c["ovmf"]]
    if c["mode"] == "snp:ovmf-hash":
        return a
    if "vcpus" in c:
        a += ["--vcpus", str(c["vcpus"])]
    if "sig" in c:
        a += ["--vcpu-sig", hex(c["sig"])]
    a += ["--vmm-type", c.get("vmm") or "QEMU"]
    for k in ("kernel", "initrd", "append", "svsm"):
        if c.get(k) is not None:
            a += ["--" + k, c[k]]
    if "features" in c:
        a += ["--guest-features", hex(c["features"])]
    if c.get("ovmf_hash"):
        a += ["--snp-ovmf-hash", c["ovmf_hash"]]
    if "vars_size" in c:
        a += ["--vars-size", str(c["vars_size"])]
    return a


# ---- synthetic images ---------------------------------------------------------------------

def build_image(pages, entries, sections, rnd, meta_page=2):
    """pages of random bytes; entries [(guid, data)] in the footer table; sections in ASEV
    metadata placed meta_page pages from the end."""
    img = bytearray(rnd.randbytes(pages * PAGE))
    img[-PAGE:] = bytes(PAGE)
    if sections is not None:
        off = len(img) - meta_page * PAGE
        meta = struct.pack("<4sIII", b"ASEV", 16 + 12 * len(sections), 1, len(sections))
        meta += b"".join(struct.pack("<III", *s) for s in sections)
        img[off:off + len(meta)] = meta
        entries = entries + [(META, struct.pack("<I", meta_page * PAGE))]
    end = len(img) - 32 - 18
    pos = end
    for guid, data in entries:
        e = data + struct.pack("<H", len(data) + 18) + g(guid)
        img[pos - len(e):pos] = e
        pos -= len(e)
    img[end:end + 18] = struct.pack("<H", end - pos + 18) + g(FOOTER)
    return bytes(img)


def synthetic_cases(tmp):
    rnd = random.Random(20261129)
    files = {}

    def put(name, data):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        files[name] = path
        return path

    kernel = put("vmlinuz", rnd.randbytes(3 * 1024 * 1024 + 17))
    initrd = put("initrd", rnd.randbytes(1024 * 1024 + 5))
    # Every section type; the kernel-hashes table at 0x1a0 inside its page.
    full = put("full.fd", build_image(24, [(RESET, struct.pack("<I", 0xFFFFA000)),
                                           (HASHES, struct.pack("<II", 0x0080D1A0, 0x400))],
                                      [(0x00800000, 0x4000, 1), (0x00804000, 0x1000, 2),
                                       (0x00805000, 0x1000, 3), (0x00806000, 0x2000, 4),
                                       (0x00809000, 0x3000, 1), (0x0080D000, 0x1000, 0x10)],
                                      rnd))
    # No kernel-hashes support; two CPUID sections (ec2 moves both to the end).
    plain = put("plain.fd", build_image(9, [(RESET, struct.pack("<I", 0xFFFFB400))],
                                        [(0x00900000, 0x1000, 3), (0x00901000, 0x2000, 1),
                                         (0x00903000, 0x1000, 2), (0x00904000, 0x1000, 3)],
                                        rnd, meta_page=3))
    # Coconut-SVSM-like image (its own metadata) and the OVMF below which it sits.
    svsm = put("svsm.bin", build_image(12, [(SVSM_INFO, struct.pack("<I", 0x1234))],
                                       [(0x00A00000, 0x1000, 2), (0x00A01000, 0x1000, 3),
                                        (0x00A02000, 0x2000, 1)], rnd))
    cases = []
    for vmm in ("QEMU", "ec2", "gce"):
        for vcpus in range(1, 7):
            for feats in (0x1, 0x21):
                cases.append({"mode": "snp", "ovmf": full, "vcpus": vcpus, "vmm": vmm,
                              "sig": SIGS["EPYC-Milan"] + vcpus, "features": feats,
                              "kernel": kernel, "initrd": initrd,
                              "append": "root=/dev/vda ro" * vcpus})
            cases.append({"mode": "snp", "ovmf": full, "vcpus": vcpus, "vmm": vmm,
                          "sig": SIGS["EPYC-Genoa"]})
            cases.append({"mode": "snp", "ovmf": plain, "vcpus": vcpus, "vmm": vmm,
                          "sig": SIGS["EPYC-v4"], "features": 0x4021})
            # Bits snpctl does not know are measured as given (with a warning).
            cases.append({"mode": "snp", "ovmf": plain, "vcpus": vcpus, "vmm": vmm,
                          "sig": SIGS["EPYC-v4"], "features": 0x8000000000010801})
            cases.append({"mode": "seves", "ovmf": full, "vcpus": vcpus, "vmm": vmm,
                          "sig": SIGS["EPYC-v4"], "kernel": kernel})
        cases.append({"mode": "snp", "ovmf": full, "vcpus": 2, "vmm": vmm, "sig": 0x800F12,
                      "kernel": kernel})                    # no initrd, no cmdline
    for img in (full, plain):
        cases.append({"mode": "snp:ovmf-hash", "ovmf": img})
        cases.append({"mode": "sev", "ovmf": img})
        cases.append({"mode": "seves", "ovmf": img, "vcpus": 3, "sig": 0x800F12})
    cases.append({"mode": "sev", "ovmf": full, "kernel": kernel, "initrd": initrd,
                  "append": "quiet"})
    seed = model({"mode": "snp:ovmf-hash", "ovmf": full})
    cases.append({"mode": "snp", "ovmf": full, "vcpus": 3, "sig": 0xA00F11,
                  "ovmf_hash": seed, "kernel": kernel, "initrd": initrd, "append": "x"})
    for vcpus in (1, 2, 5):
        cases.append({"mode": "snp:svsm", "ovmf": plain, "svsm": svsm, "vcpus": vcpus,
                      "sig": 0xA10F10, "vars_size": 0x84000})
    return cases


def vector_cases(testdata):
    folder = os.path.join(testdata, "measure")
    path = os.path.join(folder, "vectors.json")
    if not testdata or not os.path.isfile(path):
        return []
    out = []
    for v in json.load(open(path)):
        if v["mode"] not in ("snp", "snp:ovmf-hash", "seves", "sev", "snp:svsm") or \
                v.get("expect_error"):
            continue
        if any(f and not os.path.exists(os.path.join(folder, f)) for f in (v["ovmf"], v.get("svsm"))):
            continue            # svsm.bin and svsm_ovmf.fd are only in ../shared
        fp = lambda p: p if p is None or os.path.isabs(p) else os.path.join(folder, p)
        c = {"mode": v["mode"], "ovmf": fp(v["ovmf"]), "vcpus": v.get("vcpus") or 0,
             "vmm": v.get("vmm_type"), "kernel": fp(v.get("kernel")),
             "initrd": fp(v.get("initrd")), "append": v.get("append"),
             "svsm": fp(v.get("svsm")), "vars_size": v.get("vars_size"),
             "ovmf_hash": v.get("ovmf_hash"), "expected": v["expected"], "id": v["id"]}
        if v.get("vcpu_type"):
            c["sig"] = SIGS[v["vcpu_type"]]
        if v.get("guest_features"):
            c["features"] = int(v["guest_features"], 16)
        out.append(c)
    return out


def main():
    snpctl = os.environ["SNPCTL"]
    failed = 0
    vectors = vector_cases(os.environ.get("SNPCTL_TESTDATA", ""))
    for c in vectors:
        if model(c) != c["expected"]:
            failed += 1
            print(f"not ok - model disagrees with vector {c['id']}")
    if vectors:
        print(f"# the model reproduces {len(vectors) - failed} of {len(vectors)} vectors")
    else:
        print("# no test data: the model is not checked against the vectors")
    with tempfile.TemporaryDirectory() as tmp:
        cases = synthetic_cases(tmp)
        agreed = 0
        for i, c in enumerate(cases):
            want = model(c)
            p = subprocess.run([snpctl, "measure"] + argv(c), capture_output=True, text=True)
            got = p.stdout.strip()
            if p.returncode != 0 or got != want:
                failed += 1
                print(f"not ok - synthetic case {i} {c['mode']} vmm={c.get('vmm')} "
                      f"vcpus={c.get('vcpus')}: got {got!r} (exit {p.returncode}, "
                      f"{p.stderr.strip()}), model {want}")
            else:
                agreed += 1
        print(f"# synthetic images: snpctl agrees with the model in {agreed} of {len(cases)} cases")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
