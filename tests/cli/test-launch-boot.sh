# SPDX-License-Identifier: Apache-2.0
# snpctl launch really boots: an unencrypted guest under TCG (any x86-64 host, no KVM needed)
# with a Debian kernel and a busybox initramfs made here, whose init prints a marker and the
# token it got on the kernel command line, then powers off. Skips (77) without QEMU, a kernel
# or a static busybox. Kernel: $SNPCTL_TEST_KERNEL, else the one scripts/install-deps unpacks to
# /var/cache/snpctl-test/vmlinuz, else the newest readable /boot/vmlinuz-*.
. "$(dirname "$0")/lib.sh"

skip() {
        echo "skipped: $1"
        exit 77
}

use_test_qemu
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 (Debian: qemu-system-x86)"
kernel=${SNPCTL_TEST_KERNEL:-}
if [ -z "$kernel" ] && [ -r /var/cache/snpctl-test/vmlinuz ]; then
        kernel=/var/cache/snpctl-test/vmlinuz
fi
if [ -z "$kernel" ]; then
        for k in $(ls -1v /boot/vmlinuz-* 2>/dev/null | tac); do
                if [ -r "$k" ]; then kernel=$k; break; fi
        done
fi
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no kernel (set SNPCTL_TEST_KERNEL, or run scripts/install-deps)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || skip "no busybox (Debian: busybox-static)"
if LC_ALL=C ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable'; then :; else
        skip "$busybox is not static (Debian: busybox-static)"
fi

token=snpctl-$$-$RANDOM
mkdir -p "$T/initramfs/bin"
cp "$busybox" "$T/initramfs/bin/busybox"
cat >"$T/initramfs/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mkdir -p /proc
/bin/busybox mount -t proc proc /proc
for w in $(/bin/busybox cat /proc/cmdline); do
        case $w in snpctl_token=*) /bin/busybox echo "TOKEN ${w#snpctl_token=}" ;; esac
done
/bin/busybox echo SNPCTL-LAUNCH-BOOT-OK
/bin/busybox poweroff -f
EOF
chmod +x "$T/initramfs/init"
(cd "$T/initramfs" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1 >"$T/initrd.gz")
[ -s "$T/initrd.gz" ] || { fail "initramfs built"; finish; }

testcmd "plain TCG guest boots and powers off" 0 timeout 180 "$SNPCTL" launch --mode plain \
        --accel tcg --kernel "$kernel" --initrd "$T/initrd.gz" \
        --append "console=ttyS0 panic=-1 quiet snpctl_token=$token" --memory 256 --no-network
[ "$STATUS" = 124 ] && fail "boot finished within 180 s"
expect_out "the guest's init ran" '^SNPCTL-LAUNCH-BOOT-OK'
expect_out "the kernel command line reached the guest" "^TOKEN $token"
finish
