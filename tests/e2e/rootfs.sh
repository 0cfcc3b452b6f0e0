# SPDX-License-Identifier: Apache-2.0
# A real Debian root file system for the e2e suite, built with mmdebstrap from Debian's packages
# (bookworm, minbase, openssh-server, no merged /usr: the layout the init must also handle) and
# cached as a tarball under SNPCTL_ROOTFS_CACHE (default /var/cache/snpctl/rootfs), keyed by the
# SHA-256 of everything that goes into it, so the archive is asked only when the list changes.
# Sourced by tests/e2e/test-e2e.sh.

ROOTFS_SUITE=bookworm
ROOTFS_MIRROR=${SNPCTL_ROOTFS_MIRROR:-http://deb.debian.org/debian}
ROOTFS_PACKAGES=openssh-server
ROOTFS_OPTS=(--variant=minbase --include="$ROOTFS_PACKAGES"
        --hook-dir=/usr/share/mmdebstrap/hooks/no-merged-usr
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
        --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*')
ROOTFS_CACHE=${SNPCTL_ROOTFS_CACHE:-/var/cache/snpctl/rootfs}

# debian_rootfs_tar: prints the cached tarball, building it first when missing (a few minutes
# and about 60 MB of downloads once); prints nothing when it cannot be built (the log says why).
debian_rootfs_tar() {
        local key tar
        command -v mmdebstrap >/dev/null || { echo "no mmdebstrap (scripts/install-deps)" >&2; return 0; }
        key=$(printf '%s\n' "$ROOTFS_SUITE" "$ROOTFS_MIRROR" "${ROOTFS_OPTS[@]}" | sha256sum | cut -c1-16)
        tar=$ROOTFS_CACHE/debian-$ROOTFS_SUITE-$key.tar
        mkdir -p "$ROOTFS_CACHE" || return 0
        (
                flock 9
                if [ ! -s "$tar" ]; then
                        timeout 900 mmdebstrap --quiet "${ROOTFS_OPTS[@]}" --format=tar "$ROOTFS_SUITE" \
                                "$tar.tmp" "$ROOTFS_MIRROR" >"$ROOTFS_CACHE/build.log" 2>&1 &&
                                mv "$tar.tmp" "$tar" || { rm -f "$tar.tmp"; tail -n 5 "$ROOTFS_CACHE/build.log" >&2; }
                fi
        ) 9>"$ROOTFS_CACHE/.lock"
        [ -s "$tar" ] && echo "$tar"
}

# rootfs_unpack TAR DIR: DIR holds the root file system of TAR (owners and modes kept).
rootfs_unpack() {
        rm -rf "$2" && mkdir -p "$2" && tar -xpf "$1" -C "$2"
}

# rootfs_mkfs DIR IMAGE: IMAGE is an ext4 file system of DIR (4 KiB blocks, as dm-verity needs),
# sized to fit with a quarter to spare.
rootfs_mkfs() {
        local kib
        kib=$(du -sk "$1" | cut -f1)
        kib=$(( (kib * 5 / 4 + 16384) / 4 * 4 ))
        rm -f "$2"
        mke2fs -q -F -t ext4 -b 4096 -d "$1" -L e2eroot "$2" "${kib}K"
}
