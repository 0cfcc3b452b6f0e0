# SPDX-License-Identifier: Apache-2.0
# The command lines of `snpctl launch --dry-run` (and launch-qemu.sh) against a real QEMU >= 9.1:
# bookworm-backports' QEMU 10, which scripts/install-deps unpacks under
# /var/cache/snpctl/qemu-backports (meson -Dtest_qemu names another). Without KVM, each SEV-SNP,
# SEV-ES and SEV line, run with -accel tcg, must stop at QEMU's KVM check ("KVM required",
# "accelerator does not support confidential guest"): every object property and value before it
# was accepted. Devices are realized only after that check, so each line is also run with the
# encryption object taken out (paused with -S, then quit over QMP): QEMU must accept every
# device, drive, netdev and firmware argument. Last, each sev-snp-guest/sev-guest property snpctl
# writes must be one QEMU lists (qom-list-properties; `-object TYPE,help` lists only the class
# properties). Firmware: the AmdSev OVMF of scripts/build-ovmf-amdsev (-Dtest_ovmf_amdsev) when
# built, else Debian's OVMF (then SEV and SEV-ES lines with a kernel are left out: QEMU needs the
# kernel-hashes table to get that far). Skips (77) without QEMU >= 9.1.
. "$(dirname "$0")/lib.sh"

skip() {
        echo "skipped: $1"
        exit 77
}

Q=${SNPCTL_TEST_QEMU:-/var/cache/snpctl/qemu-backports/bin/qemu-system-x86_64}
[ -x "$Q" ] || skip "no QEMU >= 9.1 at $Q (scripts/install-deps unpacks bookworm-backports' QEMU 10 there; meson -Dtest_qemu=PATH names another)"
qver=$("$Q" -version 2>/dev/null | head -n 1)
read -r qmaj qmin < <(printf '%s\n' "$qver" | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
[ -n "${qmaj:-}" ] || skip "$Q -version printed no version"
[ $((qmaj * 100 + qmin)) -ge 901 ] || skip "$Q is $qmaj.$qmin; sev-snp-guest needs QEMU 9.1 (scripts/install-deps)"
echo "# QEMU: $Q: $qver"

cd "$T" || exit 1
ovmf=${SNPCTL_OVMF_AMDSEV:-/var/cache/snpctl/ovmf/OVMF.amdsev.fd}
amdsev=1
if [ ! -s "$ovmf" ]; then
        echo "# no AmdSev OVMF at $ovmf (scripts/build-ovmf-amdsev builds it): using Debian's OVMF;"
        echo "# SEV and SEV-ES lines with a kernel are not run"
        amdsev=0
        ovmf=
        for f in /usr/share/ovmf/OVMF.fd /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd; do
                [ -s "$f" ] && { ovmf=$f; break; }
        done
        [ -n "$ovmf" ] || skip "no OVMF image (Debian: ovmf)"
fi
echo "# OVMF: $ovmf"
kernel=${SNPCTL_TEST_KERNEL:-/var/cache/snpctl-test/vmlinuz}
[ -r "$kernel" ] || kernel=$(ls -1v /boot/vmlinuz-* 2>/dev/null | tail -n 1)
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no kernel (set SNPCTL_TEST_KERNEL, or run scripts/install-deps)"
echo "# kernel: $kernel"
printf 'initrd bytes' >initrd.img
truncate -s 1M data.img seed.iso
# A real qcow2 image for the .qcow2 name (QEMU opens drives when it realizes devices): version 2,
# 64 KiB clusters, 1 MiB virtual size, nothing allocated; clusters 0-3 are the header, the
# refcount table, the refcount block and the L1 table.
python3 - <<'PY'
import struct
img = bytearray(0x40000)
struct.pack_into(">4sIQIIQIIQQIIQ", img, 0, b"QFI\xfb", 2, 0, 0, 16, 1 << 20, 0, 1, 0x30000,
                 0x10000, 1, 0, 0)
struct.pack_into(">Q", img, 0x10000, 0x20000)
for i in range(4):
    struct.pack_into(">H", img, 0x20000 + 2 * i, 1)
open("root.qcow2", "wb").write(bytes(img))
PY

# ID key, blobs for the SNP lines: an ID block signed over the digest of that launch, host data.
"$SNPCTL" idblock keygen -o id.pem >/dev/null 2>&1 && "$SNPCTL" idblock keygen -o author.pem \
        >/dev/null 2>&1 || { fail "idblock keygen"; finish; }
head -c 32 /dev/urandom | base64 -w0 >host-data.b64
# sign DIR MEASURE-ARGS...: id-block.base64 and auth-block.base64 in DIR for that launch digest.
sign() {
        local dir=$1 ld
        shift
        mkdir -p "$dir"
        ld=$("$SNPCTL" measure "$@" 2>/dev/null) && [ ${#ld} = 96 ] &&
                "$SNPCTL" idblock --id-key-path id.pem --auth-key-path author.pem \
                        --measurement "$ld" --out-dir "$dir" >/dev/null 2>&1
}
sign id1 --ovmf "$ovmf" --vcpus 1 --vcpu-type EPYC-v4 || { fail "ID block for the launch digest"; finish; }
# Debian's OVMF cannot measure a kernel: there the full line boots it unmeasured.
hashes=()
[ $amdsev = 1 ] || hashes=(--no-kernel-hashes)
if [ $amdsev = 1 ]; then
        sign id4 --ovmf "$ovmf" --vcpus 4 --vcpu-type EPYC-Milan --kernel "$kernel" \
                --initrd initrd.img --append "console=ttyS0 root=/dev/sda"
else
        sign id4 --ovmf "$ovmf" --vcpus 4 --vcpu-type EPYC-Milan
fi || { fail "ID block for the full line"; finish; }

# One configuration per line: a name, then snpctl launch arguments, separated by 0x1f.
cases=cases.txt
: >"$cases"
add() { local IFS=$'\x1f'; printf '%s\n' "$*" >>"$cases"; }
add "snp minimal" --mode snp --ovmf "$ovmf"
add "snp kernel hashes" --mode snp --ovmf "$ovmf" --kernel "$kernel" --initrd initrd.img \
        --append "console=ttyS0 root=/dev/sda"
add "snp kernel without hashes" --mode snp --ovmf "$ovmf" --kernel "$kernel" --no-kernel-hashes
add "snp ID block, author key, host data" --mode snp --ovmf "$ovmf" --id-block id1/id-block.base64 \
        --id-auth id1/auth-block.base64 --host-data host-data.b64
add "snp full" --mode snp --ovmf "$ovmf" --vcpus 4 --cpu EPYC-Milan --memory 4G --kernel "$kernel" \
        --initrd initrd.img --append "console=ttyS0 root=/dev/sda" "${hashes[@]}" \
        --id-block id4/id-block.base64 \
        --id-auth id4/auth-block.base64 --host-data host-data.b64 --disk root.qcow2 --disk data.img \
        --cdrom seed.iso --forward 2222:22 --forward 0.0.0.0:8443:443 --forward 5353:53/udp \
        --monitor mon.sock --console pty
add "snp debug policy, virtio-blk, file console" --mode snp --ovmf "$ovmf" --policy 0xb0000 \
        --disk root.qcow2 --disk-bus blk --console file:guest.log --no-network
add "snp guest features, cbitpos 47" --mode snp --ovmf "$ovmf" --guest-features 0x1 --cbitpos 47 \
        --reduced-phys-bits 1 --console none
add "snp policy single socket off, SMT" --mode snp --ovmf "$ovmf" --policy 0x30000 --vcpus 2 \
        --cpu EPYC-Genoa
mkdir -p "odd, dir"
truncate -s 1M "odd, dir/disk, 1.img"
add "snp paths with commas and spaces" --mode snp --ovmf "$ovmf" --disk "odd, dir/disk, 1.img" \
        --monitor "odd, dir/mon, 1.sock" --console "file:odd, dir/guest, 1.log"
add "sev-es minimal" --mode sev-es --ovmf "$ovmf"
add "sev-es policy 0x7" --mode sev-es --ovmf "$ovmf" --policy 0x7 --vcpus 2 --disk data.img
add "sev minimal" --mode sev --ovmf "$ovmf"
add "sev policy 0x3" --mode sev --ovmf "$ovmf" --policy 0x3 --console pty
if [ $amdsev = 1 ]; then
        add "sev-es kernel hashes" --mode sev-es --ovmf "$ovmf" --kernel "$kernel" \
                --initrd initrd.img --append console=ttyS0
        add "sev kernel hashes" --mode sev --ovmf "$ovmf" --kernel "$kernel" --append console=ttyS0
        add "sev-es kernel without hashes" --mode sev-es --ovmf "$ovmf" --kernel "$kernel" \
                --no-kernel-hashes
fi

# A vm.json config, through --config.
kfields=
[ $amdsev = 1 ] && kfields=", \"kernel_file\": \"$kernel\", \"initrd_file\": \"$T/initrd.img\", \"kernel_cmdline\": \"console=ttyS0\""
cat >vm.json <<EOF
{ "host_cpu_family": "Milan", "ovmf_file": "$ovmf", "vcpu_count": 2, "vcpu_type": "EPYC-Milan",
  "guest_policy": "0x30000", "memory_mb": 1024, "cbitpos": 51,
  "disks": [ { "file": "$T/root.qcow2" },
             { "file": "$T/data.img", "format": "raw", "bus": "blk", "readonly": true } ],
  "forwards": [ { "host_port": 7700, "guest_port": 7700 },
                { "proto": "udp", "host_addr": "0.0.0.0", "host_port": 5353, "guest_port": 53 } ]$kfields }
EOF
add "snp --config vm.json" --config vm.json

# The QEMU stand-in for the lines: -accel kvm becomes -accel tcg, QEMU runs from the line's
# argv (minus argv[0]). Prints the first error line of QEMU ("warning:" lines skipped).
first_error() {
        grep -v -e ': warning: ' -e '^Only modules from the same build' "$1" | head -n 1
}
kvm_pattern='KVM required|accelerator does not support confidential guest'

# run_line NAME LINE: the KVM check, then the devices without the encryption object.
run_line() {
        local name=$1 line=$2 a=() x prev=
        eval "set -- $line"
        shift
        for x in "$@"; do
                [ "$prev" = -accel ] && [ "$x" = kvm ] && x=tcg
                a+=("$x")
                prev=$x
        done
        timeout 60 "$Q" "${a[@]}" </dev/null >qemu.out 2>qemu.err
        local st=$? err
        err=$(first_error qemu.err)
        if [ $st -ne 0 ] && printf '%s\n' "$err" | grep -Eq "$kvm_pattern"; then
                pass "$name: QEMU stops at its KVM check"
        else
                fail "$name: QEMU stops at its KVM check" "status $st, first error: $err" "line: $line"
        fi
        # The same line without confidential guest support, paused: devices are realized.
        local b=() skip_next=0
        for x in "${a[@]}"; do
                if [ $skip_next = 1 ]; then skip_next=0; continue; fi
                case $x in
                -object) skip_next=1; continue ;;
                q35,confidential-guest-support=*) x=q35 ;;
                esac
                b+=("$x")
        done
        python3 - "$Q" "${b[@]}" <<'PY' >qmp.out 2>&1
import json, os, socket, subprocess, sys, time
path = os.path.abspath("qmp.sock")
if os.path.exists(path):
    os.unlink(path)
p = subprocess.Popen(sys.argv[1:] + ["-S", "-qmp", f"unix:{path},server=on,wait=off"],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=open("qemu2.err", "w"))
deadline = time.time() + 60
while True:
    if p.poll() is not None or time.time() > deadline:
        p.kill()
        print("QEMU exited (or hung) before its QMP socket listened")
        sys.exit(1)
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        break
    except OSError:
        s.close()
        time.sleep(0.05)
f = s.makefile("rw")
def cmd(c):
    f.write(json.dumps({"execute": c}) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r
f.readline()                                    # greeting
cmd("qmp_capabilities")
st = cmd("query-status")                        # answered once the machine is set up
cmd("quit")
rc = p.wait(timeout=60)
print(json.dumps(st))
sys.exit(0 if rc == 0 and st.get("return", {}).get("status") == "prelaunch" else 1)
PY
        local st2=$?
        err=$(first_error qemu2.err)
        if [ $st2 = 0 ] && [ -z "$err" ]; then
                pass "$name: QEMU accepts the devices and firmware"
        else
                fail "$name: QEMU accepts the devices and firmware" "$(cat qmp.out)" "first error: $err" \
                        "line: ${b[*]}"
        fi
}

# The check can fail: the AMD fork's spelling of a property stops QEMU before its KVM check.
timeout 60 "$Q" -machine q35,confidential-guest-support=sev0 -accel tcg -nodefaults -display none \
        -object sev-snp-guest,id=sev0,cbitpos=51,reduced-phys-bits=1,auth-key-enabled=on \
        -bios "$ovmf" </dev/null >/dev/null 2>qemu.err
err=$(first_error qemu.err)
if printf '%s\n' "$err" | grep -q "Invalid parameter 'auth-key-enabled'" &&
   ! printf '%s\n' "$err" | grep -Eq "$kvm_pattern"; then
        pass "a misspelt property stops QEMU first"
else
        fail "a misspelt property stops QEMU first" "first error: $err"
fi

lines=0
while IFS=$'\x1f' read -r -a c; do
        name=${c[0]}
        run "$SNPCTL" launch --dry-run "${c[@]:1}"
        if [ "$STATUS" != 0 ]; then
                fail "$name: launch --dry-run" "exit $STATUS: $(head -c 400 "$ERR")"
                continue
        fi
        line=$(cat "$OUT")
        printf '%s\n' "$line" >>all-lines.txt
        lines=$((lines + 1))
        run_line "$name" "$line"
done <"$cases"

[ -e "odd, dir/guest, 1.log" ] && pass "QEMU wrote the console file named with a comma" ||
        fail "QEMU wrote the console file named with a comma" "$(ls "odd, dir")"

# launch-qemu.sh (the SNPGuard-compatible front end) writes the same upstream spelling.
LQ=$T/launch-qemu.sh
ln -s "$SNPCTL" "$LQ"
while IFS=$'\x1f' read -r -a c; do
        run "$LQ" "${c[@]:1}" -dry-run
        if [ "$STATUS" != 0 ]; then
                fail "${c[0]}: launch-qemu.sh -dry-run" "exit $STATUS: $(head -c 400 "$ERR")"
                continue
        fi
        printf '%s\n' "$(cat "$OUT")" >>all-lines.txt
        lines=$((lines + 1))
        run_line "${c[0]}" "$(cat "$OUT")"
done < <(add() { local IFS=$'\x1f'; printf '%s\n' "$*"; }
         add "launch-qemu.sh -sev-snp" -sev-snp -bios "$ovmf" -smp 1 -mem 4096 \
                -id-block id1/id-block.base64 -id-auth id1/auth-block.base64 \
                -host-data host-data.b64 -hda root.qcow2 -hdb data.img -policy 0x30000
         add "launch-qemu.sh -sev-es" -sev-es -bios "$ovmf"
         add "launch-qemu.sh -sev" -sev -bios "$ovmf" -policy 0x3)
echo "# $lines command lines run through $Q"

# Every property of the encryption objects, against the ones QEMU has.
qom_props() {
        python3 - "$Q" "$1" <<'PY'
import json, subprocess, sys
q = subprocess.run([sys.argv[1], "-machine", "none", "-nodefaults", "-display", "none",
                    "-qmp", "stdio"], input='{"execute":"qmp_capabilities"}\n'
                   '{"execute":"qom-list-properties","arguments":{"typename":"%s"}}\n'
                   '{"execute":"quit"}\n' % sys.argv[2], capture_output=True, text=True, timeout=60)
for line in q.stdout.splitlines():
    r = json.loads(line)
    if isinstance(r.get("return"), list):
        for p in r["return"]:
            print(p["name"])
PY
}
for type in sev-snp-guest sev-guest; do
        qom_props "$type" | sort -u >"$type.qom"
        "$Q" -machine none -object "$type,help" 2>/dev/null | sed -n 's/^  \([a-z0-9-]*\)=.*/\1/p' |
                sort -u >"$type.help"
        if [ -s "$type.qom" ] && [ -s "$type.help" ]; then
                pass "$type: QEMU lists its properties"
        else
                fail "$type: QEMU lists its properties" "qom: $(wc -l <"$type.qom"), help: $(wc -l <"$type.help")"
                continue
        fi
        grep -o -- "-object $type,[^ ]*" all-lines.txt | sed 's/^-object [^,]*,//' | tr ',' '\n' |
                sed 's/=.*//' | grep -vx id | sort -u >"$type.used"
        [ -s "$type.used" ] || { fail "$type: some line uses it"; continue; }
        while read -r p; do
                if grep -qx -- "$p" "$type.help"; then
                        pass "$type property $p: in -object $type,help"
                elif grep -qx -- "$p" "$type.qom"; then
                        pass "$type property $p: an instance property (qom-list-properties; not in ,help)"
                else
                        fail "$type property $p: QEMU $qmaj.$qmin has no such property"
                fi
        done <"$type.used"
done
finish
