#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# build-initramfs with a real Debian kernel package: the modules the original README lists, their
# dependencies and dm-crypt's ciphers are packed decompressed and listed so that each comes after
# every module it needs. The order is checked against the packed modules' own "depends" field
# (modinfo), not against the builder's reading of modules.dep. Also the original interface
# (ROOTFS_EXTRA_FILES), a module tree folder, and modules a kernel lacks.
. "$(dirname "$0")/lib.sh"
skip_sanitized

for tool in cpio gzip dpkg modinfo depmod xz; do
        command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps)"
done
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || skip "no static /bin/busybox (busybox-static)"
deb=$(kernel_deb)
tree=$(unpack_deb "$deb") || skip "cannot unpack $deb"
rel=$(basename "$(ls -d "$tree"/lib/modules/*)")
rel_re=$(printf '%s' "$rel" | sed 's/[.+]/\\&/g')
echo "# kernel package: $deb ($rel)"
B=("$BUILDER" --snpctl "$SNPCTL" --fast)

# check_order ARCHIVE LABEL: the load list is complete, in dependency order, and only names .ko
# files that are in the archive, uncompressed, built for $rel.
check_order() {
        local archive=$1 label=$2
        local x=$T/x-$label m d bad= seen=" "
        cpio_extract "$archive" "$x"
        local dir=$x/lib/modules/$rel
        [ -f "$dir/modules.load" ] && pass "$label: load list for $rel" || { fail "$label: no $dir/modules.load"; return; }
        while read -r m; do
                if [ ! -f "$dir/$m" ]; then
                        bad+=" $m(missing)"
                        continue
                fi
                [ "$(head -c 4 "$dir/$m" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || bad+=" $m(not ELF)"
                [ "$(modinfo -F vermagic "$dir/$m" | cut -d' ' -f1)" = "$rel" ] || bad+=" $m(vermagic)"
                for d in $(modinfo -F depends "$dir/$m" | tr ',' ' '); do
                        d=${d//-/_}
                        case $seen in *" $d "*) ;; *) bad+=" $m(before $d)" ;; esac
                done
                seen+="${m%.ko} "
        done <"$dir/modules.load"
        [ -z "$bad" ] && pass "$label: every module after the modules it needs, ELF, vermagic $rel" ||
                fail "$label: load list wrong:$bad"
        ls "$dir" | grep -Eq '\.ko\.(xz|zst|gz)$' && fail "$label: compressed modules packed" ||
                pass "$label: modules decompressed"
        [ "$(ls "$dir" | grep -c '\.ko$')" = "$(wc -l <"$dir/modules.load")" ] &&
                pass "$label: every packed module is in the load list" || fail "$label: unlisted modules packed"
        LOADED=$seen
}

# has_modules LABEL NAME...: each NAME (or its '-'/'_' spelling) is in the last load list.
has_modules() {
        local label=$1 n missing=
        shift
        for n in "$@"; do
                case $LOADED in *" ${n//-/_} "*) ;; *) missing+=" $n" ;; esac
        done
        [ -z "$missing" ] && pass "$label: packs $*" || fail "$label: lacks$missing" "load list:$LOADED"
}

original=(virtio_scsi tsm sev-guest dm-crypt virtio_net net_failover failover)
have_tsm=0
[ -n "$(find "$tree/lib/modules/$rel" -name 'tsm.ko*' | head -n1)" ] && have_tsm=1

testcmd "build from the kernel package" 0 "$BUILDER" --snpctl "$SNPCTL" --kernel-deb "$deb" -o "$T/deb.cpio.gz"
expect_out "kernel release reported" "^kernel: $rel_re\$"
expect_out "size reported" "^$T/deb.cpio.gz: [0-9]+ bytes"
grep '^[^ ]*: [0-9]* bytes' "$OUT" | sed 's/^/# /'
check_order "$T/deb.cpio.gz" deb
if [ "$have_tsm" = 1 ]; then
        has_modules deb "${original[@]}" configfs dm-mod xts algif_skcipher virtio_blk dm-verity
else
        has_modules deb virtio_scsi dm-crypt virtio_net net_failover failover dm-mod xts algif_skcipher
        expect_out "kernel without tsm/sev-guest: reported" "modules skipped \(not in this kernel\):.*tsm"
fi

# The same from the unpacked module tree: the same load list.
testcmd "build from --modules-dir" 0 "${B[@]}" --modules-dir "$tree/lib/modules/$rel" -o "$T/dir.cpio.gz"
cpio_extract "$T/dir.cpio.gz" "$T/x-dir"
cmp -s "$T/x-deb/lib/modules/$rel/modules.load" "$T/x-dir/lib/modules/$rel/modules.load" &&
        pass "--modules-dir gives the same load list" || fail "--modules-dir load list differs"
testcmd "--modules-dir of a root holding lib/modules" 0 "${B[@]}" -q --modules-dir "$tree" --modules xts -o "$T/root.cpio.gz"

# A module this kernel lacks is reported and skipped, not fatal.
testcmd "unknown module skipped" 0 "${B[@]}" --modules-dir "$tree" --modules dm-crypt,no_such_module -o "$T/m.cpio.gz"
expect_err "unknown module reported" "kernel $rel_re has no module 'no_such_module'; skipped"
expect_out "unknown module listed as skipped" "modules skipped \(not in this kernel\): no_such_module"
check_order "$T/m.cpio.gz" modules-list
[ "$(echo $LOADED)" = "dm_mod dm_crypt" ] && pass "--modules packs exactly dm-crypt and dm-mod" ||
        fail "--modules dm-crypt packed:$LOADED"

# The original interface: ROOTFS_EXTRA_FILES names .ko files, in any order; dependencies not
# named are taken from the tree they sit in.
files=
for m in "${original[@]}"; do
        f=$(find "$tree/lib/modules/$rel/kernel" -name "$m.ko*" | head -n1)
        [ -n "$f" ] && files="$f $files"
done
ROOTFS_EXTRA_FILES=$files testcmd "ROOTFS_EXTRA_FILES (original list)" 0 "${B[@]}" -o "$T/extra.cpio.gz"
check_order "$T/extra.cpio.gz" extra
if [ "$have_tsm" = 1 ]; then
        has_modules extra "${original[@]}" configfs scsi_mod
fi
[ "$(echo $LOADED | wc -w)" -lt 15 ] && pass "ROOTFS_EXTRA_FILES packs only those and their dependencies" ||
        fail "ROOTFS_EXTRA_FILES packed more:$LOADED"

# .ko files outside a module tree: dependencies only from the files named.
mkdir -p "$T/loose"
for m in virtio_net net_failover failover virtio_scsi; do
        f=$(find "$tree/lib/modules/$rel/kernel" -name "$m.ko*" | head -n1)
        cp "$f" "$T/loose/"
done
loose=$T/loose
ROOTFS_EXTRA_FILES="$(ls "$loose"/virtio_net.ko* "$loose"/net_failover.ko* "$loose"/failover.ko*)" \
        testcmd "ROOTFS_EXTRA_FILES outside a tree" 0 "${B[@]}" -o "$T/loose.cpio.gz"
check_order "$T/loose.cpio.gz" loose
[ "$(echo $LOADED)" = "failover net_failover virtio_net" ] && pass "loose modules in dependency order" ||
        fail "loose modules order:$LOADED"
ROOTFS_EXTRA_FILES="$(ls "$loose"/virtio_scsi.ko*)" \
        testcmd "ROOTFS_EXTRA_FILES: unmet dependency" 1 "${B[@]}" -o "$T/unmet.cpio.gz"
expect_err "unmet dependency named" "module 'virtio_scsi' needs 'scsi_mod'"

# A kernel before 6.7 has no tsm.ko (and bookworm's 6.1 cloud kernel no sev-guest): reported,
# skipped, the build goes on. Uses bookworm's 6.1 cloud kernel when it can be had.
old=$(fetch_deb linux-image-cloud-amd64)
if [ -n "$old" ] && [ "$old" != "$deb" ]; then
        testcmd "kernel without tsm.ko builds" 0 "${B[@]}" --kernel-deb "$old" -o "$T/old.cpio.gz"
        expect_err "missing tsm reported" "has no module 'tsm'; skipped"
        expect_out "missing tsm listed" "modules skipped \(not in this kernel\):.*tsm"
else
        echo "# no second (pre-6.7) kernel package: tsm-less case not run"
fi
finish
