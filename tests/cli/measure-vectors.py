#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs every measurement case of $SNPCTL_TESTDATA/measure/vectors.json through the built snpctl
and compares the printed digest with the expected one, byte for byte; cases with expect_error must
fail with exit status 1, print nothing on stdout and give the reference tool's message. Each case
runs as `snpctl measure`, through a `sev-snp-measure` link, and with --json (whose measurement
must match too). The id-block/id-auth cases belong to the idblock applet and are skipped here.

Exit status: 0 all passed, 1 a failure, 77 no test data."""
import json
import os
import subprocess
import sys
import tempfile

MODES = {"snp", "snp:ovmf-hash", "seves", "sev", "snp:svsm"}


def argv_for(case, folder):
    def path(p):
        return p if os.path.isabs(p) else os.path.join(folder, p)

    mode = case["mode"]
    args = ["--mode", mode, "--ovmf", path(case["ovmf"])]
    if mode == "snp:ovmf-hash":
        return args
    if case.get("vcpus") is not None:
        args += ["--vcpus", str(case["vcpus"])]
    if case.get("vcpu_type"):
        args += ["--vcpu-type", case["vcpu_type"]]
    if case.get("vcpu_sig") is not None:
        args += ["--vcpu-sig", str(case["vcpu_sig"])]
    if case.get("vmm_type"):
        args += ["--vmm-type", case["vmm_type"]]
    for key in ("kernel", "initrd"):
        if case.get(key) is not None:
            args += ["--" + key, path(case[key])]
    if case.get("append") is not None:
        args += ["--append", case["append"]]
    if case.get("guest_features") is not None:
        args += ["--guest-features", case["guest_features"]]
    if case.get("ovmf_hash"):
        args += ["--snp-ovmf-hash", case["ovmf_hash"]]
    if case.get("svsm"):
        args += ["--svsm", path(case["svsm"])]
    if case.get("vars_size") is not None:
        args += ["--vars-size", str(case["vars_size"])]
    return args


def check(case, cmd, json_out):
    """Returns None when the run matches the case, else a description of the difference."""
    p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if case.get("expect_error"):
        if p.returncode != 1:
            return f"exit status {p.returncode}, expected 1 (stderr: {p.stderr.strip()})"
        if p.stdout:
            return f"printed {p.stdout.strip()!r} on stdout although it failed"
        if case["expect_error"] not in p.stderr:
            return f"stderr {p.stderr.strip()!r} lacks {case['expect_error']!r}"
        return None
    if p.returncode != 0:
        return f"exit status {p.returncode}: {p.stderr.strip()}"
    if json_out:
        try:
            got = json.loads(p.stdout)["measurement"]
        except (ValueError, KeyError) as e:
            return f"bad JSON ({e}): {p.stdout[:200]!r}"
    else:
        if not p.stdout.endswith("\n") or p.stdout.count("\n") != 1:
            return f"stdout is not one line: {p.stdout!r}"
        got = p.stdout[:-1]
    if got != case["expected"]:
        return f"digest {got}, expected {case['expected']}"
    return None


def main():
    snpctl = os.environ["SNPCTL"]
    testdata = os.environ.get("SNPCTL_TESTDATA", "")
    folder = os.path.join(testdata, "measure")
    vectors = os.path.join(folder, "vectors.json")
    if not testdata or not os.path.isfile(vectors):
        print(f"skipped: no test data (looked for {vectors}; set -Dtestdata=PATH)")
        return 77
    with open(vectors) as f:
        cases = json.load(f)

    passed = failed = skipped = absent = 0
    with tempfile.TemporaryDirectory() as tmp:
        link = os.path.join(tmp, "sev-snp-measure")
        os.symlink(snpctl, link)
        for case in cases:
            if case["mode"] not in MODES:
                skipped += 1
                continue
            # The snp:svsm cases' images (svsm.bin, svsm_ovmf.fd) are only in ../shared.
            missing = [f for f in (case.get("ovmf"), case.get("svsm"))
                       if f and not os.path.exists(os.path.join(folder, f))]
            if missing:
                absent += 1
                print(f"# not run: {case['id']} ({', '.join(missing)} absent)")
                continue
            args = argv_for(case, folder)
            runs = [("snpctl measure", [snpctl, "measure"] + args, False),
                    ("sev-snp-measure", [link] + args, False),
                    ("snpctl measure --json", [snpctl, "measure", "--json"] + args, True)]
            problems = []
            for name, cmd, json_out in runs:
                why = check(case, cmd, json_out)
                if why:
                    problems.append(f"{name}: {why}")
            if problems:
                failed += 1
                print(f"not ok - {case['id']}")
                for why in problems:
                    print(f"    {why}")
            else:
                passed += 1
                print(f"ok - {case['id']}")
    print(f"# measure vectors: {passed} of {passed + failed} passed, {failed} failed, "
          f"{skipped} skipped (id-block/id-auth cases, not this applet's), "
          f"{absent} not run (firmware image absent)")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
