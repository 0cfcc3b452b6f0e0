# SPDX-License-Identifier: Apache-2.0
# scripts/setup-host: usage, and the steps that need no package change, run for real below a
# fake root (--root): the kvm_amd option file written once and then left alone, --dry-run
# changing nothing, and the AmdSev OVMF installed from the build cache (when
# scripts/build-ovmf-amdsev has built it) with its SHA-384 and OVMF hash beside it.
. "$(dirname "$0")/lib.sh"

SH=${SNPCTL_SOURCE_ROOT:?}/scripts/setup-host
cd "$T" || exit 1

testcmd "--help" 0 "$SH" --help
expect_out "--help lists the steps" 'options kvm_amd sev=1 sev_es=1 sev_snp=1'
expect_out "--help names the OVMF path" '/usr/local/share/snpctl/OVMF.amdsev.fd'
testcmd "unknown option" 2 "$SH" --frobnicate
expect_err "names it" "unknown argument '--frobnicate'"
testcmd "bad --kernel-flavour" 2 "$SH" --kernel-flavour rt-amd64 --dry-run
testcmd "--ovmf-out without a value" 2 "$SH" --ovmf-out

mkdir -p root/etc/modprobe.d root/sys/module/kvm_amd/parameters
echo N >root/sys/module/kvm_amd/parameters/sev_snp
conf=root/etc/modprobe.d/snpctl-kvm-amd.conf
testcmd "--dry-run below a root" 0 "$SH" --root root --no-ovmf --dry-run
expect_out "says what it would write" "would: write $T/root/etc/modprobe.d/snpctl-kvm-amd.conf"
[ ! -e "$conf" ] && pass "--dry-run wrote nothing" || fail "--dry-run wrote $conf"
testcmd "first run" 0 "$SH" --root root --no-ovmf
expect_out "says what it changed" "changed: write $T/root/etc/modprobe.d/snpctl-kvm-amd.conf"
expect_out "and that the loaded module needs a reload" 'loaded with sev_snp=N: reboot'
if grep -qx 'options kvm_amd sev=1 sev_es=1 sev_snp=1' "$conf"; then pass "the option line"
else fail "the option line" "$(cat "$conf")"; fi
cp -p "$conf" conf.before
testcmd "second run" 0 "$SH" --root root --no-ovmf
expect_out "nothing to change" 'nothing to change'
expect_out "the file is recognised" 'already sets sev_snp=1'
cmp -s "$conf" conf.before && [ ! "$conf" -nt conf.before ] && pass "the file is left alone" ||
        fail "the file is left alone"
echo 'options kvm_amd sev_snp=0' >root/etc/modprobe.d/local.conf
testcmd "a conflicting option elsewhere" 0 "$SH" --root root --no-ovmf
expect_out "is pointed out" "turns sev_snp off elsewhere: options kvm_amd sev_snp=0"

BO=$SNPCTL_SOURCE_ROOT/scripts/build-ovmf-amdsev
testcmd "build-ovmf-amdsev --help" 0 "$BO" --help
expect_out "names the firmware" 'AmdSev OVMF'
testcmd "build-ovmf-amdsev unknown option" 2 "$BO" --frobnicate
testcmd "build-ovmf-amdsev --version with a slash" 2 "$BO" --version ../x --dry-run

# The OVMF step, from build-ovmf-amdsev's cache (no build here).
img=${SNPCTL_OVMF_AMDSEV:-/var/cache/snpctl/ovmf/OVMF.amdsev.fd}
if [ -s "$img" ] && [ "$(basename "$(dirname "$img")")" = ovmf ]; then
        cache=$(dirname "$(dirname "$img")")
        testcmd "OVMF from the cache" 0 "$SH" --root root --no-modprobe --cache-dir "$cache" \
                --ovmf-out out/OVMF.amdsev.fd
        expect_out "installed" "installed $T/out/OVMF.amdsev.fd"
        cmp -s "$img" out/OVMF.amdsev.fd && pass "the image is the cached build" ||
                fail "the image is the cached build"
        want=$(sha384sum out/OVMF.amdsev.fd | cut -d' ' -f1)
        [ "$(cut -d' ' -f1 out/OVMF.amdsev.fd.sha384)" = "$want" ] && pass "PATH.sha384" ||
                fail "PATH.sha384" "$(cat out/OVMF.amdsev.fd.sha384), want $want"
        want=$("$SNPCTL" measure ovmf-hash --ovmf out/OVMF.amdsev.fd)
        [ "$(cat out/OVMF.amdsev.fd.ovmf-hash)" = "$want" ] && pass "PATH.ovmf-hash" ||
                fail "PATH.ovmf-hash" "$(cat out/OVMF.amdsev.fd.ovmf-hash), want $want"
        expect_out "prints the digest inputs" "^ovmf-hash: $want"
        testcmd "build-ovmf-amdsev from its cache" 0 "$BO" --cache-dir "$cache"
        expect_out "says it is cached" '^build-ovmf-amdsev: cached: '
        expect_out "prints the SHA-384" "^sha384: +$(sha384sum "$img" | cut -d' ' -f1)\$"
        testcmd "OVMF again" 0 "$SH" --root root --no-modprobe --cache-dir "$cache" \
                --ovmf-out out/OVMF.amdsev.fd
        expect_out "is in place" 'OVMF.amdsev.fd is in place'
        expect_out "nothing to change" 'nothing to change'
else
        echo "# no AmdSev OVMF at $img (scripts/build-ovmf-amdsev): the OVMF step is not run"
fi
finish
