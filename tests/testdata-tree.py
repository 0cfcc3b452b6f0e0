#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""testdata-tree.py OUT LOCAL SHARED: makes OUT a tree of symlinks, the files of LOCAL (the
repository's tests/data) first, then those files of SHARED (-Dtestdata, ../shared/testdata by
default: the firmware images) that LOCAL lacks. Meson points SNPCTL_TESTDATA at OUT, so a test
finds every file under one name; without SHARED only the firmware images are missing."""
import os
import shutil
import sys


def link_tree(src, out):
    if not os.path.isdir(src):
        return 0
    n = 0
    for root, _, files in os.walk(src):
        rel = os.path.relpath(root, src)
        for f in files:
            dst = os.path.normpath(os.path.join(out, rel, f))
            if os.path.lexists(dst):
                continue
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.symlink(os.path.abspath(os.path.join(root, f)), dst)
            n += 1
    return n


def main():
    out, local, shared = sys.argv[1:4]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    n_local = link_tree(local, out)
    n_shared = link_tree(shared, out)
    with open(out + ".stamp", "w") as f:
        f.write(f"{n_local} files from {local}\n{n_shared} files from {shared}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
