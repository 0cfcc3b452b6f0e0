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
B=("$BUILDER" --snpctl "$GUEST" --fast)

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

testcmd "build from the kernel package" 0 "$BUILDER" --snpctl "$GUEST" --kernel-deb "$deb" -o "$T/deb.cpio.gz"
expect_out "kernel release reported" "^kernel: $rel_re\$"
expect_out "size reported" "^$T/deb.cpio.gz: [0-9]+ bytes"
grep '^[^ ]*: [0-9]* bytes' "$OUT" | sed 's/^/# /'
# The sizes the closing note quotes: xz with the x86 filter, and with Debian's dynamic busybox
# (the busybox package, unpacked) when it can be had, with and without the modules.
if command -v xz >/dev/null; then
        small=(--compress xz)
        bbdeb=$(fetch_pkg busybox)
        if [ -n "$bbdeb" ] && bbdir=$(unpack_deb "$bbdeb") && [ -x "$bbdir/bin/busybox" ]; then
                small+=(--busybox "$bbdir/bin/busybox")
                echo "# dynamic busybox: $bbdeb"
        fi
        "$BUILDER" --snpctl "$GUEST" "${small[@]}" --kernel-deb "$deb" -o "$T/deb.cpio.xz" | grep ' bytes ' | sed 's/^/# with modules: /'
        "$BUILDER" --snpctl "$GUEST" "${small[@]}" --allow-missing-modules -o "$T/nomod.cpio.xz" 2>/dev/null | grep ' bytes ' | sed 's/^/# without modules: /'
fi
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
testcmd "unknown module skipped" 0 "${B[@]}" --boot normal --modules-dir "$tree" --modules dm-crypt,no_such_module -o "$T/m.cpio.gz"
expect_err "unknown module reported" "kernel $rel_re has no module 'no_such_module'; skipped"
expect_out "unknown module listed as skipped" "modules skipped \(not in this kernel\): no_such_module"
check_order "$T/m.cpio.gz" modules-list
[ "$(echo $LOADED)" = "dm_mod dm_crypt" ] && pass "--modules packs exactly dm-crypt and dm-mod" ||
        fail "--modules dm-crypt packed:$LOADED"
# The modules the boot= flows need are added to any list from the tree.
testcmd "--modules with --boot verity" 0 "${B[@]}" --boot verity --modules-dir "$tree" --modules xts -o "$T/v.cpio.gz"
check_order "$T/v.cpio.gz" boot-verity
if [ "$have_tsm" = 1 ]; then
        has_modules boot-verity xts sev-guest tsm dm-verity virtio_net
        case $LOADED in *" dm_crypt "*) fail "boot=verity alone packs no dm-crypt" ;; *) pass "boot=verity alone packs no dm-crypt" ;; esac
fi

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
        testcmd "ROOTFS_EXTRA_FILES outside a tree" 0 "${B[@]}" --boot normal -o "$T/loose.cpio.gz"
check_order "$T/loose.cpio.gz" loose
[ "$(echo $LOADED)" = "failover net_failover virtio_net" ] && pass "loose modules in dependency order" ||
        fail "loose modules order:$LOADED"
ROOTFS_EXTRA_FILES="$(ls "$loose"/virtio_scsi.ko*)" \
        testcmd "ROOTFS_EXTRA_FILES: unmet dependency" 1 "${B[@]}" --boot normal -o "$T/unmet.cpio.gz"
expect_err "unmet dependency named" "module 'virtio_scsi' needs 'scsi_mod'"
# Outside a tree, the modules boot=encrypted needs (sev-guest, tsm, dm-crypt) are missing: an
# error naming them, not an initramfs that cannot attest.
ROOTFS_EXTRA_FILES="$(ls "$loose"/virtio_net.ko* "$loose"/net_failover.ko* "$loose"/failover.ko*)" \
        testcmd "ROOTFS_EXTRA_FILES without sev-guest and tsm" 1 "${B[@]}" --boot encrypted -o "$T/nosev.cpio.gz"
expect_err "missing sev-guest and tsm named" "kernel $rel_re has no module: sev-guest tsm dm-crypt, needed by boot=encrypted"
# Relative paths are taken from the folder the builder runs in (or --base-dir), not the output's.
mkdir -p "$T/out"
(cd "$T" && ROOTFS_EXTRA_FILES="loose/$(basename "$loose"/virtio_net.ko*) loose/$(basename "$loose"/net_failover.ko*) loose/$(basename "$loose"/failover.ko*)" \
        "${B[@]}" --boot normal -q -o out/rel.cpio.gz) >"$OUT" 2>"$ERR"
[ $? = 0 ] && pass "relative ROOTFS_EXTRA_FILES from the current folder" || fail "relative ROOTFS_EXTRA_FILES from the current folder" "$(cat "$ERR")"
check_order "$T/out/rel.cpio.gz" relative
[ "$(echo $LOADED)" = "failover net_failover virtio_net" ] && pass "relative paths: the named modules packed" ||
        fail "relative paths packed:$LOADED"
(cd / && ROOTFS_EXTRA_FILES="loose/$(basename "$loose"/failover.ko*)" "${B[@]}" --boot normal -q --base-dir "$T" -o "$T/out/base.cpio.gz") >"$OUT" 2>"$ERR" &&
        pass "relative ROOTFS_EXTRA_FILES from --base-dir" || fail "relative ROOTFS_EXTRA_FILES from --base-dir" "$(cat "$ERR")"

# A kernel before 6.7 has no tsm.ko (and bookworm's 6.1 cloud kernel no sev-guest): reported,
# skipped, the build goes on. Uses bookworm's 6.1 cloud kernel when it can be had.
old=$(fetch_deb linux-image-cloud-amd64)
if [ -n "$old" ] && [ "$old" != "$deb" ]; then
        testcmd "kernel without sev-guest: an error" 1 "${B[@]}" --kernel-deb "$old" -o "$T/old.cpio.gz"
        expect_err "missing sev-guest named, tsm not required before 6.7" "has no module: sev-guest, needed by boot="
        testcmd "kernel without sev-guest, --allow-missing-modules" 0 "${B[@]}" --allow-missing-modules --kernel-deb "$old" -o "$T/old.cpio.gz"
        expect_err "missing tsm reported" "has no module 'tsm'; skipped"
        expect_out "missing tsm listed" "modules skipped \(not in this kernel\):.*tsm"
        expect_out "missing sev-guest listed" "required modules missing: sev-guest"
else
        echo "# no second (pre-6.7) kernel package: tsm-less case not run"
fi
finish
