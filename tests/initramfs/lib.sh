# SPDX-License-Identifier: Apache-2.0
# Helpers for the initramfs tests: the CLI test helpers (tests/cli/lib.sh), the builder's path, and
# a Debian kernel package to build from and boot. The kernel comes from SNPCTL_KERNEL_DEB, else
# from the cache folder (SNPCTL_KERNEL_CACHE, build/kernel-cache), where `apt-get download` puts
# bookworm's linux-image-6.12-cloud-amd64 (it has sev-guest.ko and tsm.ko) on first use.
# Sourced by tests/initramfs/test-*.sh; meson sets the variables.
# shellcheck source=../cli/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

BUILDER=${SNPCTL_SOURCE_ROOT:?}/initramfs/build-initramfs
# The guest build the initramfs packs (meson's snpctl-guest); the full snpctl when not set.
GUEST=${SNPCTL_GUEST:-$SNPCTL}
CACHE=${SNPCTL_KERNEL_CACHE:-$SNPCTL_SOURCE_ROOT/build/kernel-cache}

# skip MESSAGE: the whole test is skipped (meson's status 77).
skip() {
        echo "skipped: $*"
        exit 77
}

# fetch_deb META: prints the path of the linux-image .deb META (a meta package such as
# linux-image-6.12-cloud-amd64) depends on, downloading it into the cache when it is missing.
# Prints nothing when it cannot be had. Serialised with flock: tests run in parallel.
fetch_deb() {
        local meta=$1 pkg deb
        mkdir -p "$CACHE" || return 0
        pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
        [ -n "$pkg" ] || return 0
        (
                flock 9
                set -- "$CACHE/${pkg}_"*.deb
                if [ ! -f "$1" ]; then
                        (cd "$CACHE" && apt-get download -q "$pkg" >/dev/null 2>&1) || true
                fi
        ) 9>"$CACHE/.lock"
        for deb in "$CACHE/${pkg}_"*.deb; do
                [ -f "$deb" ] && echo "$deb"
        done | tail -n1
}

# fetch_pkg NAME: prints the .deb of package NAME, downloaded into the cache (apt-get download) when
# missing; nothing when it cannot be had.
fetch_pkg() {
        local name=$1 deb
        mkdir -p "$CACHE" || return 0
        (
                flock 9
                set -- "$CACHE/${name}_"*.deb
                if [ ! -f "$1" ]; then
                        (cd "$CACHE" && apt-get download -q "$name" >/dev/null 2>&1) || true
                fi
        ) 9>"$CACHE/.lock"
        for deb in "$CACHE/${name}_"*.deb; do
                [ -f "$deb" ] && echo "$deb"
        done | tail -n1
}

# kernel_deb: prints the kernel package the tests use, or skips the test.
kernel_deb() {
        local deb=${SNPCTL_KERNEL_DEB:-}
        if [ -n "$deb" ]; then
                [ -f "$deb" ] || skip "SNPCTL_KERNEL_DEB='$deb' does not exist"
                echo "$deb"
                return 0
        fi
        deb=$(fetch_deb linux-image-6.12-cloud-amd64)
        [ -n "$deb" ] || deb=$(fetch_deb linux-image-cloud-amd64)
        [ -n "$deb" ] || skip "no Debian kernel package: set SNPCTL_KERNEL_DEB=linux-image-*.deb," \
                "or let apt-get download linux-image-6.12-cloud-amd64 into $CACHE"
        echo "$deb"
}

# unpack_deb DEB: prints a folder holding DEB unpacked (boot/vmlinuz-*, lib/modules/*), made
# once per package in the cache.
unpack_deb() {
        local deb=$1 dir
        dir=$CACHE/unpacked/$(basename "$deb" .deb)
        (
                flock 9
                if [ ! -f "$dir/.done" ]; then
                        rm -rf "$dir" && mkdir -p "$dir" && dpkg -x "$deb" "$dir" && touch "$dir/.done"
                fi
        ) 9>"$CACHE/.lock"
        [ -f "$dir/.done" ] || { echo "cannot unpack $deb" >&2; return 1; }
        echo "$dir"
}

# cpio_list ARCHIVE: the archive's entries, one a line, without the leading "./".
cpio_list() { gzip -dc "$1" | cpio --quiet -t | sed 's|^\./||' | LC_ALL=C sort; }

# cpio_extract ARCHIVE DIR: unpacks ARCHIVE into DIR.
cpio_extract() { mkdir -p "$2" && gzip -dc "$1" | (cd "$2" && cpio --quiet -id --no-absolute-filenames); }

# skip_sanitized: skips a test that runs no snpctl code when snpctl is a sanitizer build (it would
# only repeat the plain build's run, minutes of kernel unpacking and TCG boots).
skip_sanitized() {
        if ldd "$SNPCTL" 2>/dev/null | grep -q 'libasan\|libubsan'; then
                skip "snpctl is a sanitizer build and this test runs no snpctl code; the plain build runs it"
        fi
}
