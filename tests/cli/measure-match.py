#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""snpctl measure --match against hidden parameters. A seeded RNG (printed; MATCH_SEED=N replays
it) draws 50 parameter sets (vCPUs 1-64, every vCPU type, every VMM type, common guest-feature
sets and some others passed with --guest-features, kernel hashes on or off, an SVSM sometimes);
the digest of each comes from the independent model (measure-model.py) or from snpctl measure;
then `measure --match DIGEST` given only the files must list the hidden set (or one with the same
vCPU signature), and every set it lists must give the digest again when the model recomputes it.
The vCPU types and signatures below are docs/config.md's table, not snpctl's.

Usage: measure-match.py SNPCTL      Exit status: 0 all agree, 1 a difference."""
import importlib.util
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("model", os.path.join(HERE, "measure-model.py"))
M = importlib.util.module_from_spec(spec)
spec.loader.exec_module(M)

TYPES = {}
for names, sig in ((("EPYC", "EPYC-v1", "EPYC-v2", "EPYC-v3", "EPYC-v4", "EPYC-IBPB"), 0x800F12),
                   (("EPYC-Rome", "EPYC-Rome-v1", "EPYC-Rome-v2", "EPYC-Rome-v3"), 0x830F10),
                   (("EPYC-Milan", "EPYC-Milan-v1", "EPYC-Milan-v2"), 0xA00F11),
                   (("EPYC-Genoa", "EPYC-Genoa-v1"), 0xA10F10),
                   (("EPYC-Turin", "EPYC-Turin-v1"), 0xB00F00)):
    for n in names:
        TYPES[n] = sig
KNOWN_BITS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15)
COMMON = [0x1] + [0x1 | 1 << b for b in KNOWN_BITS] + \
         [0x21 | 1 << b for b in KNOWN_BITS if b != 5]
VMMS = ("QEMU", "ec2", "gce")


def main():
    snpctl = sys.argv[1]
    seed = int(os.environ.get("MATCH_SEED") or random.SystemRandom().randrange(1 << 32))
    print(f"seed {seed} (MATCH_SEED={seed} replays it)")
    rnd = random.Random(seed)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        def put(name, data):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            return path
        ovmf = put("ovmf.fd", M.build_image(40, [(M.RESET, struct.pack("<I", 0xFFFFA000)),
                                                 (M.HASHES, struct.pack("<II", 0x0080D1A0,
                                                                        0x400))],
                                            [(0x00800000, 0x4000, 1), (0x00804000, 0x1000, 2),
                                             (0x00805000, 0x1000, 3), (0x00806000, 0x2000, 4),
                                             (0x00809000, 0x3000, 1), (0x0080D000, 0x1000, 0x10)],
                                            rnd))
        svsm = put("svsm.bin", M.build_image(12, [(M.SVSM_INFO, struct.pack("<I", 0x1234))],
                                             [(0x00A00000, 0x1000, 2), (0x00A01000, 0x1000, 3),
                                              (0x00A02000, 0x2000, 1)], rnd))
        kernel = put("vmlinuz", rnd.randbytes(1024 * 1024 + rnd.randrange(4096)))
        initrd = put("initrd", rnd.randbytes(512 * 1024 + rnd.randrange(4096)))
        append = "console=ttyS0 root=/dev/vda seed=%d" % seed
        vars_size = 0x84000
        files = ["--ovmf", ovmf, "--kernel", kernel, "--initrd", initrd, "--append", append]

        for i in range(50):
            with_svsm = i % 10 == 9             # 5 cases: an SVSM given to the search
            vtype = rnd.choice(sorted(TYPES))
            h = {"vcpus": rnd.randint(1, 64), "sig": TYPES[vtype],
                 "vmm": "QEMU" if with_svsm else rnd.choice(VMMS),
                 "kernel_hashes": rnd.random() < 0.8, "svsm": with_svsm and i % 20 == 9}
            extra = []
            if rnd.random() < 0.25:             # a set outside the common ones
                h["features"] = 0x1 | sum(1 << b for b in KNOWN_BITS if rnd.random() < 0.4)
                extra = ["--guest-features", hex(h["features"])]
            else:
                h["features"] = rnd.choice(COMMON)
            case = case_of(h, ovmf, kernel, initrd, append, svsm, vars_size)
            if i % 2 == 0:
                digest = M.model(case)
                source = "model"
            else:
                digest = subprocess.run([snpctl, "measure"] + M.argv(case), check=True,
                                        capture_output=True, text=True).stdout.strip()
                source = "snpctl measure"
            args = [snpctl, "measure", "--match", digest] + files + extra + ["--json"]
            if with_svsm:
                args += ["--svsm", svsm, "--vars-size", str(vars_size)]
            if i not in (0, 1):                 # two searches with the default 1..4096 vCPUs
                args += ["--max-vcpus", "64"]
            p = subprocess.run(args, capture_output=True, text=True)
            what = f"case {i} ({source}, {vtype}, {h})"
            if p.returncode != 0:
                print(f"FAIL {what}: exit {p.returncode}: {p.stderr.strip()}")
                bad += 1
                continue
            matches = json.loads(p.stdout)
            found = False
            for m in matches:
                got = model_of(m, ovmf, kernel, initrd, append, svsm, vars_size)
                if got != digest:
                    print(f"FAIL {what}: listed {m} gives {got}")
                    bad += 1
                if is_hidden(m, h):
                    found = True
            if not found:
                print(f"FAIL {what}: not among {matches}")
                bad += 1
            else:
                print(f"ok {what}: {len(matches)} match(es)")

        # One byte of the command line: nothing matches, and the output says where to look.
        h = {"vcpus": 3, "sig": 0xA00F11, "vmm": "QEMU", "kernel_hashes": True,
             "features": 0x1, "svsm": False}
        digest = M.model(case_of(h, ovmf, kernel, initrd, append, svsm, vars_size))
        other = files[:-1] + [append + "x"]
        p = subprocess.run([snpctl, "measure", "--match", digest, "--max-vcpus", "8"] + other,
                           capture_output=True, text=True)
        if p.returncode != 3 or "no parameter set" not in p.stdout or "cmdline" not in p.stdout:
            print(f"FAIL changed cmdline: exit {p.returncode}\n{p.stdout}{p.stderr}")
            bad += 1
        else:
            print("ok a changed command line matches nothing (exit 3) and is named")
    return 1 if bad else 0


def case_of(h, ovmf, kernel, initrd, append, svsm, vars_size):
    c = {"mode": "snp:svsm" if h["svsm"] else "snp", "ovmf": ovmf, "vcpus": h["vcpus"],
         "vmm": h["vmm"], "sig": h["sig"], "features": h["features"]}
    if h["svsm"]:
        c.update(svsm=svsm, vars_size=vars_size)
        c.pop("features")
    elif h["kernel_hashes"]:
        c.update(kernel=kernel, initrd=initrd, append=append)
    return c


def model_of(m, ovmf, kernel, initrd, append, svsm, vars_size):
    h = {"vcpus": m["vcpu_count"], "sig": int(m.get("vcpu_sig", "0x0"), 16),
         "vmm": vmm_of(m), "features": int(m.get("guest_features", "0x1"), 16),
         "kernel_hashes": m["kernel_hashes"], "svsm": m["svsm"]}
    return M.model(case_of(h, ovmf, kernel, initrd, append, svsm, vars_size))


def vmm_of(m):
    """The config's VMM name (QEMU, EC2, GCE) as the model spells it."""
    return "QEMU" if m["vmm_type"] == "QEMU" else m["vmm_type"].lower()


def is_hidden(m, h):
    if m["vcpu_count"] != h["vcpus"] or vmm_of(m) != h["vmm"] or m["svsm"] != h["svsm"]:
        return False
    if "vcpu_sig" in m and int(m["vcpu_sig"], 16) != h["sig"]:
        return False
    if "vcpu_sig" not in m and h["vmm"] == "QEMU":
        return False
    if not h["svsm"]:
        if int(m["guest_features"], 16) != h["features"] or \
                m["kernel_hashes"] != h["kernel_hashes"]:
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
