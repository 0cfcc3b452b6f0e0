#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# build-initramfs without a kernel: usage and input errors, no overwrite without --force, the same
# bytes from the same inputs, an init and programs whose libraries are all in the archive (run
# chrooted into the unpacked archive when the test may chroot).
. "$(dirname "$0")/lib.sh"

for tool in cpio gzip; do
        command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps)"
done
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
        skip "no static /bin/busybox (Debian: busybox-static; scripts/install-deps)"
PATH=$PATH:/usr/sbin:/sbin command -v cryptsetup >/dev/null ||
        skip "cryptsetup is not installed (Debian: cryptsetup-bin; scripts/install-deps)"

B=("$BUILDER" --snpctl "$GUEST" --fast --boot normal)

# The guest build: the guest's applets only, and nothing of the owner's side linked.
if [ "$GUEST" != "$SNPCTL" ]; then
        testcmd "snpctl-guest --help" 0 "$GUEST" --help
        [ "$(sed -n '/^Applets:/,/^$/p' "$OUT" | awk 'NF { print $1 }' | tr '\n' ' ')" = "Applets: attest-server disk report " ] &&
                pass "snpctl-guest has the guest applets only" || fail "snpctl-guest applets" "$(cat "$OUT")"
        testcmd "snpctl-guest has no attest-verify" 2 "$GUEST" attest-verify --help
        expect_err "unknown applet named" "unknown applet 'attest-verify'"
        testcmd "snpctl-guest --version" 0 "$GUEST" --version
        expect_out "guest build named" '^snpctl [0-9.]+ \(guest build\)$'
        libs=$(ldd "$GUEST")
        echo "$libs" | grep -Eq 'libcurl|libgssapi|libldap|libssh2|librtmp' &&
                fail "snpctl-guest links none of the owner's libraries" "$libs" ||
                pass "snpctl-guest links none of the owner's libraries (libcurl, Kerberos, LDAP, ...)"
        ldd "$SNPCTL" | grep -q libcurl && pass "snpctl links libcurl (the owner side)" ||
                fail "snpctl links libcurl"
fi

testcmd "--help" 0 "$BUILDER" --help
expect_out "--help names ROOTFS_EXTRA_FILES" 'ROOTFS_EXTRA_FILES'
testcmd "unknown option is a usage error" 2 "$BUILDER" --bogus
expect_err "unknown option named" "unknown option or argument '--bogus'"
testcmd "--modules without a module tree" 2 "${B[@]}" --modules dm-crypt -o "$T/x.gz"
testcmd "--kernel-deb and --modules-dir together" 2 "${B[@]}" --kernel-deb a.deb --modules-dir b -o "$T/x.gz"
testcmd "missing snpctl binary" 1 "$BUILDER" --boot normal --snpctl "$T/nope/snpctl" -o "$T/x.gz"
expect_err "missing snpctl named" "'$T/nope/snpctl': no such file"
testcmd "a --busybox that is not busybox refused" 1 "${B[@]}" --busybox "$GUEST" -o "$T/x.gz"
expect_err "not a busybox named" "'$GUEST --list' failed: not a busybox"
testcmd "missing output folder" 1 "${B[@]}" -o "$T/nope/x.gz"
testcmd "missing kernel package" 1 "${B[@]}" --kernel-deb "$T/nope.deb" -o "$T/x.gz"
expect_err "missing kernel package named" "'$T/nope.deb': no such file"
ROOTFS_EXTRA_FILES="$T/nope/dm-crypt.ko" testcmd "ROOTFS_EXTRA_FILES: missing file" 1 "${B[@]}" -o "$T/x.gz"
expect_err "missing module file named" "ROOTFS_EXTRA_FILES: '$T/nope/dm-crypt.ko': no such file"
echo hello >"$T/notes.txt"
ROOTFS_EXTRA_FILES="$T/notes.txt" testcmd "ROOTFS_EXTRA_FILES: not a module" 1 "${B[@]}" -o "$T/x.gz"
expect_err "non-module named" "'$T/notes.txt' is not a kernel module"
testcmd "--add-file without a destination" 2 "${B[@]}" --add-file "$T/notes.txt" -o "$T/x.gz"
testcmd "--add-file escaping the archive" 2 "${B[@]}" --add-file "$T/notes.txt:etc/../../x" -o "$T/x.gz"
testcmd "--add-file of a missing file" 1 "${B[@]}" --add-file "$T/nope:etc/x" -o "$T/x.gz"
testcmd "bad --boot mode" 2 "${B[@]}" --boot encrypted,secure -o "$T/x.gz"
expect_err "bad mode named" "bad --boot mode 'secure'"
testcmd "bad --compress" 2 "${B[@]}" --compress lz4 -o "$T/x.gz"
# Without kernel modules the guest could not attest (sev-guest, tsm) nor open its disk: an error
# at build time, not at boot.
testcmd "no modules for boot=encrypted,verity" 1 "$BUILDER" --snpctl "$GUEST" --fast -o "$T/x.gz"
expect_err "missing modules named" "no kernel modules given .*: sev-guest tsm dm-crypt virtio_net dm-verity, needed by boot=encrypted,verity"
testcmd "no modules for boot=encrypted" 1 "$BUILDER" --snpctl "$GUEST" --fast --boot encrypted -o "$T/x.gz"
expect_err "missing modules of one mode named" ": sev-guest tsm dm-crypt virtio_net, needed by boot=encrypted "
# Relative paths: from the current folder, or --base-dir.
(cd "$T" && ROOTFS_EXTRA_FILES="nope.ko" "${B[@]}" -o x.gz) >"$OUT" 2>"$ERR"
[ $? = 1 ] && grep -q "ROOTFS_EXTRA_FILES: 'nope.ko': no such file (relative paths are taken from $T;" "$ERR" &&
        pass "a relative ROOTFS_EXTRA_FILES path is taken from the current folder, and the error says so" ||
        fail "relative ROOTFS_EXTRA_FILES" "$(cat "$ERR")"
[ ! -e "$T/x.gz" ] && pass "no output after failures" || fail "a failed build left $T/x.gz"
testcmd "no modules, --allow-missing-modules" 0 "$BUILDER" --snpctl "$GUEST" --fast --allow-missing-modules -q -o "$T/allow.gz"
expect_err "the missing modules are still named" "warning: no kernel modules given .*: sev-guest tsm .*building anyway \(--allow-missing-modules\)"
gzip -dc "$T/allow.gz" | cpio --quiet -i --to-stdout '*etc/snpctl/initramfs.conf' 2>/dev/null | grep -q '^modules_missing=sev-guest tsm dm-crypt virtio_net dm-verity$' &&
        pass "initramfs.conf records the missing modules" || fail "initramfs.conf records the missing modules"

# A build without kernel modules (the kernel has them built in, or none are wanted).
SOURCE_DATE_EPOCH=1700000000 testcmd "build without modules" 0 "${B[@]}" -o "$T/a.cpio.gz" \
        --add-file "$T/notes.txt:/etc/snpctl/notes.txt"
expect_out "size reported" "^$T/a.cpio.gz: [0-9]+ bytes"
expect_out "no modules reported" "modules \(load order\): none"
sum_a=$(sha256sum <"$T/a.cpio.gz")
SOURCE_DATE_EPOCH=1700000000 testcmd "existing output kept without --force" 1 "${B[@]}" -o "$T/a.cpio.gz"
expect_err "existing output named" "'$T/a.cpio.gz' exists; use --force"
[ "$(sha256sum <"$T/a.cpio.gz")" = "$sum_a" ] && pass "existing output unchanged" ||
        fail "existing output was changed without --force"
sleep 1
(umask 077 && SOURCE_DATE_EPOCH=1700000000 "${B[@]}" -q -o "$T/b.cpio.gz" \
        --add-file "$T/notes.txt:/etc/snpctl/notes.txt")
cmp -s "$T/a.cpio.gz" "$T/b.cpio.gz" && pass "same inputs, same bytes (other time, other umask)" ||
        fail "two builds of the same inputs differ"
SOURCE_DATE_EPOCH=1 "${B[@]}" -q -o "$T/c.cpio.gz"
cmp -s "$T/a.cpio.gz" "$T/c.cpio.gz" && fail "SOURCE_DATE_EPOCH did not change the archive" ||
        pass "SOURCE_DATE_EPOCH sets the mtimes"
testcmd "--force overwrites" 0 "${B[@]}" -q --force -o "$T/c.cpio.gz"
expect_no_out "--quiet prints nothing"

# Content: the init, the programs, every library ldd names for them, the dynamic loader.
cpio_list "$T/a.cpio.gz" >"$T/list"
for f in init bin/busybox bin/sh bin/switch_root bin/insmod bin/udhcpc sbin/cryptsetup \
         sbin/veritysetup bin/snpctl etc/snpctl/udhcpc.script etc/snpctl/initramfs.conf \
         etc/snpctl/notes.txt; do
        grep -qx "$f" "$T/list" && pass "archive has $f" || fail "archive lacks $f"
done
gzip -dc "$T/a.cpio.gz" | cpio --quiet -tv >"$T/listv"
grep -Eq '^-rwxr-xr-x +[0-9]+ +root +root .* init$' "$T/listv" && pass "init is executable, owned by root" ||
        fail "init mode/owner" "$(grep ' init$' "$T/listv")"
grep -Ev ' root +root ' "$T/listv" | grep -q . && fail "entries not owned by root" || pass "all entries owned by root"
missing=
for bin in "$GUEST" "$(PATH=$PATH:/usr/sbin:/sbin command -v cryptsetup)"; do
        for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
                grep -qx "${lib#/}" "$T/list" || missing+=" $lib"
        done
done
[ -z "$missing" ] && pass "every library ldd names is in the archive" || fail "libraries missing:$missing"

cpio_extract "$T/a.cpio.gz" "$T/x"
# Other compressors: the same content.
for c in xz zstd; do
        command -v "$c" >/dev/null || { echo "# $c not installed: --compress $c not run"; continue; }
        SOURCE_DATE_EPOCH=1700000000 testcmd "--compress $c" 0 "${B[@]}" --compress "$c" -o "$T/a.cpio.$c" \
                --add-file "$T/notes.txt:/etc/snpctl/notes.txt"
        expect_out "--compress $c: size reported" "^$T/a.cpio.$c: [0-9]+ bytes \([0-9]+ KiB $c;"
        [ "$("$c" -dc "$T/a.cpio.$c" | sha256sum)" = "$(gzip -dc "$T/a.cpio.gz" | sha256sum)" ] &&
                pass "--compress $c: the same cpio archive inside" || fail "--compress $c: archive differs"
done
[ "$(xz -l "$T/a.cpio.xz" 2>/dev/null | awk '/^ *1 /{print $NF}')" = "CRC32" ] || xz -lvv "$T/a.cpio.xz" 2>/dev/null | grep -q 'CRC32' &&
        pass "xz archive uses CRC32 checks (the kernel's decoder)" || fail "xz check type" "$(xz -lvv "$T/a.cpio.xz" 2>&1 | head)"

# Installed (meson install): the builder reached through a link finds the init, the DHCP hook and
# snpctl-guest beside its real file.
if [ "$GUEST" != "$SNPCTL" ]; then
        mkdir -p "$T/inst/libexec/snpctl" "$T/inst/bin"
        cp "$BUILDER" "$SNPCTL_SOURCE_ROOT/initramfs/init" "$SNPCTL_SOURCE_ROOT/initramfs/udhcpc.script" \
                "$GUEST" "$T/inst/libexec/snpctl/"
        ln -s ../libexec/snpctl/build-initramfs "$T/inst/bin/snpctl-build-initramfs"
        testcmd "installed builder through its link" 0 env PATH=/usr/bin:/bin "$T/inst/bin/snpctl-build-initramfs" \
                --fast --boot normal -o "$T/inst.gz"
        gzip -dc "$T/inst.gz" | cpio --quiet -i --to-stdout '*etc/snpctl/initramfs.conf' 2>/dev/null | grep -q 'guest build' &&
                pass "installed builder packs snpctl-guest by default" || fail "installed builder packs snpctl-guest by default"
fi

if [ "$(id -u)" -eq 0 ] && chroot "$T/x" /bin/busybox true 2>/dev/null; then
        testcmd "init parses (busybox sh -n)" 0 chroot "$T/x" /bin/sh -n /init
        if ldd "$GUEST" | grep -q libasan; then
                echo "# sanitizer build: snpctl not run chrooted (ASan needs /proc)"
        else
                testcmd "snpctl runs inside the archive" 0 chroot "$T/x" /bin/snpctl --version
        fi
        testcmd "cryptsetup runs inside the archive" 0 chroot "$T/x" /sbin/cryptsetup --version
        expect_out "cryptsetup version" '^cryptsetup [0-9]'
        testcmd "veritysetup runs inside the archive" 0 chroot "$T/x" /sbin/veritysetup --version
        testcmd "udhcpc script parses" 0 chroot "$T/x" /bin/sh -n /etc/snpctl/udhcpc.script
else
        testcmd "init parses (busybox sh -n)" 0 /bin/busybox sh -n "$T/x/init"
        echo "# not root: programs not run chrooted in the archive"
fi
if cmp -s "$T/notes.txt" "$T/x/etc/snpctl/notes.txt"; then pass "--add-file content packed"
else fail "--add-file content differs"
fi
finish
