# SPDX-License-Identifier: Apache-2.0
# snpctl launch and launch-qemu.sh: golden command lines (--dry-run, --json), the blobs passed
# exactly as the files hold them, refusals naming file and value, --check, and exec of QEMU
# (a stand-in script that records its arguments).
. "$(dirname "$0")/lib.sh"

SRCDIR=$(cd "$(dirname "$0")" && pwd)
cd "$T" || exit 1
# A synthetic AmdSev-like OVMF (footer table, reset block, kernel-hashes entry, SEV metadata)
# made with the independent digest model of tests/cli/measure-model.py, which also gives the
# launch digests the ID blocks must carry.
MODEL=$SRCDIR/measure-model.py
printf 'kernel image bytes' >vmlinuz
printf 'initrd bytes' >initrd.img
# model_ld VCPUS SIG KERNEL INITRD APPEND: the SNP launch digest (hex) of OVMF.fd with these.
model_ld() {
        python3 - "$MODEL" "$@" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("model", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
vcpus, sig, kernel, initrd, append = sys.argv[2:7]
c = {"mode": "snp", "ovmf": "OVMF.fd", "vcpus": int(vcpus), "sig": int(sig, 16), "features": 1}
if kernel:
    c.update(kernel=kernel, initrd=initrd or None, append=append)
print(m.model(c))
PY
}
python3 - "$MODEL" <<'PY' || { echo "test setup: cannot build the synthetic OVMF"; exit 1; }
import importlib.util, random, struct, sys
spec = importlib.util.spec_from_file_location("model", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
img = m.build_image(16, [(m.RESET, struct.pack("<I", 0xFFFFA000)),
                         (m.HASHES, struct.pack("<II", 0x0080D1A0, 0x400))],
                    [(0x00800000, 0x4000, 1), (0x00804000, 0x1000, 2), (0x00805000, 0x1000, 3),
                     (0x0080D000, 0x1000, 0x10)], random.Random(7))
open("OVMF.fd", "wb").write(img)
PY
: >root.qcow2
: >data.img
: >seed.iso

# le32/le64 VALUE: little-endian bytes as printf escapes.
le() {
        local v=$1 n=$2 s=""
        for ((i = 0; i < n; i++)); do
                s+=$(printf '\\%03o' $((v & 0xff)))
                v=$((v >> 8))
        done
        printf '%s' "$s"
}
# zeros N / bytes N VALUE
bytes() { head -c "$1" /dev/zero | tr '\0' "\\$(printf '%03o' "$2")"; }

# An ID block (snp-facts B.3.6): LD = $2 (hex), family 16 x 0x01, image 16 x 0x02, version 1,
# svn 0, policy $1.
idblock() {
        { printf "$(printf '%s' "$2" | sed 's/../\\x&/g')"; bytes 16 1; bytes 16 2
          printf "$(le 1 4)"; printf "$(le 0 4)"; printf "$(le "$1" 8)"; } | base64 -w0
}
# ID auth info (4096 bytes), with (1) or without (0) an author key at 0x880.
idauth() {
        { printf "$(le 1 4)$(le "$1" 4)"; bytes $((0x880 - 8)) 0
          if [ "$1" = 1 ]; then printf "$(le 2 4)"; bytes $((0x48)) 51; bytes $((0x404 - 0x4c)) 0
          else bytes $((0x404)) 0; fi
          bytes $((4096 - 0x880 - 0x404)) 0; } | base64 -w0
}

LD_MIN=$(model_ld 1 0x800f12 "" "" "")                   # EPYC-v4, no kernel
LD_FULL=$(model_ld 4 0xa00f11 vmlinuz initrd.img "console=ttyS0 root=/dev/sda")   # EPYC-Milan
LD_COMPAT=$(model_ld 2 0x800f12 vmlinuz initrd.img "console=ttyS0 root=/dev/sda")
[ ${#LD_MIN} = 96 ] && [ ${#LD_FULL} = 96 ] || { echo "test setup: no model digest"; exit 1; }
idblock 0x30000 "$LD_MIN" >id-block-min.b64
idblock 0x30000 "$LD_FULL" >id-block.b64
echo >>id-block.b64             # a trailing newline, as editors leave it, is dropped
idblock 0x30000 "$LD_COMPAT" >id-block-compat.b64
idblock 0xb0000 "$LD_MIN" >id-block-debug.b64
idauth 1 >id-auth.b64
idauth 0 >id-auth-noauthor.b64
bytes 32 90 | base64 -w0 >host-data.b64
bytes 95 1 | base64 -w0 >bad-95.b64
bytes 4097 1 | base64 -w0 >bad-4097.b64
bytes 31 1 | base64 -w0 >bad-31.b64
printf 'AAAA AAAA' >bad-space.b64

[ "$(base64 -d id-block.b64 | wc -c)" = 96 ] || { echo "test setup: ID block is not 96 bytes"; exit 1; }
[ "$(base64 -d id-auth.b64 | wc -c)" = 4096 ] || { echo "test setup: ID auth is not 4096 bytes"; exit 1; }
IDB=$(head -n1 id-block.b64)
IDB_MIN=$(cat id-block-min.b64)
IDB_COMPAT=$(cat id-block-compat.b64)
IDA=$(cat id-auth.b64)
IDA0=$(cat id-auth-noauthor.b64)
HD=$(cat host-data.b64)

testcmd "--help exits 0" 0 "$SNPCTL" launch --help
expect_out "--help names --dry-run" '--dry-run'
expect_out "--help names --check" '--check'

# --- Golden lines -------------------------------------------------------------------------------
testcmd "SNP minimal" 0 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51
expect_stdout "SNP minimal line" "qemu-system-x86_64 -machine q35,confidential-guest-support=sev0 -accel kvm -cpu EPYC-v4 -smp 1 -m 2048M -no-reboot -nodefaults -display none -object sev-snp-guest,id=sev0,policy=0x30000,cbitpos=51,reduced-phys-bits=1 -bios OVMF.fd -netdev user,id=net0 -device virtio-net-pci,netdev=net0,disable-legacy=on,iommu_platform=true,romfile= -serial mon:stdio"

testcmd "SNP with ID block, host data, direct boot, disks" 0 "$SNPCTL" launch --dry-run \
        --ovmf OVMF.fd --kernel vmlinuz --initrd initrd.img --append "console=ttyS0 root=/dev/sda" \
        --vcpus 4 --cpu EPYC-Milan --memory 4G --disk root.qcow2 --disk data.img --cdrom seed.iso \
        --forward 2222:22 --forward 0.0.0.0:8443:443 --policy 0x30000 --cbitpos 51 \
        --id-block id-block.b64 --id-auth id-auth.b64 --host-data host-data.b64 \
        --expected-digest "$LD_FULL" --monitor mon.sock -- -d guest_errors
expect_err "the expected digest is shown" "expected launch digest: $LD_FULL"
expect_stdout "SNP full line" "qemu-system-x86_64 -machine q35,confidential-guest-support=sev0 -accel kvm -cpu EPYC-Milan -smp 4 -m 4096M -no-reboot -nodefaults -display none -object sev-snp-guest,id=sev0,policy=0x30000,cbitpos=51,reduced-phys-bits=1,kernel-hashes=on,id-block=$IDB,id-auth=$IDA,author-key-enabled=on,host-data=$HD -bios OVMF.fd -kernel vmlinuz -initrd initrd.img -append 'console=ttyS0 root=/dev/sda' -device virtio-scsi-pci,id=scsi0,disable-legacy=on,iommu_platform=true -drive file=root.qcow2,if=none,id=disk0,format=qcow2 -device scsi-hd,drive=disk0,bus=scsi0.0,bootindex=1 -drive file=data.img,if=none,id=disk1,format=raw -device scsi-hd,drive=disk1,bus=scsi0.0,bootindex=2 -drive file=seed.iso,if=none,id=cd0,format=raw,media=cdrom,readonly=on -device scsi-cd,drive=cd0,bus=scsi0.0,bootindex=3 -netdev user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:0.0.0.0:8443-:443 -device virtio-net-pci,netdev=net0,disable-legacy=on,iommu_platform=true,romfile= -serial mon:stdio -monitor unix:mon.sock,server=on,wait=off -d guest_errors"
# The blobs on the command line are the files' contents, byte for byte.
got=$(grep -o 'id-block=[^,]*' "$OUT")
[ "$got" = "id-block=$(head -n1 id-block.b64)" ] && pass "id-block= is the file's content" || fail "id-block= is the file's content" "$got"
got=$(grep -o 'id-auth=[^,]*' "$OUT")
[ "$got" = "id-auth=$(cat id-auth.b64)" ] && pass "id-auth= is the file's content" || fail "id-auth= is the file's content"
got=$(grep -o 'host-data=[^ ,]*' "$OUT")
[ "$got" = "host-data=$(cat host-data.b64)" ] && pass "host-data= is the file's content" || fail "host-data= is the file's content"

testcmd "virtio-blk disks" 0 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 \
        --disk root.qcow2 --disk-bus blk --no-network --console none
expect_stdout "virtio-blk line" "qemu-system-x86_64 -machine q35,confidential-guest-support=sev0 -accel kvm -cpu EPYC-v4 -smp 1 -m 2048M -no-reboot -nodefaults -display none -object sev-snp-guest,id=sev0,policy=0x30000,cbitpos=51,reduced-phys-bits=1 -bios OVMF.fd -drive file=root.qcow2,if=none,id=disk0,format=qcow2 -device virtio-blk-pci,drive=disk0,disable-legacy=on,iommu_platform=true,bootindex=1"

testcmd "no author key: author-key-enabled absent" 0 "$SNPCTL" launch --dry-run --ovmf OVMF.fd \
        --cbitpos 51 --id-block id-block-min.b64 --id-auth id-auth-noauthor.b64
expect_out "id-auth without author key passed" "id-auth=$IDA0 "
if grep -q 'author-key-enabled' "$OUT"; then fail "no author-key-enabled without an author key"; else pass "no author-key-enabled without an author key"; fi

testcmd "SEV-ES" 0 "$SNPCTL" launch --dry-run --mode sev-es --ovmf OVMF.fd --kernel vmlinuz \
        --cbitpos 47 --no-network --console pty
expect_stdout "SEV-ES line" "qemu-system-x86_64 -machine q35,confidential-guest-support=sev0 -accel kvm -cpu EPYC-v4 -smp 1 -m 2048M -no-reboot -nodefaults -display none -object sev-guest,id=sev0,policy=0x5,cbitpos=47,reduced-phys-bits=1,kernel-hashes=on -bios OVMF.fd -kernel vmlinuz -serial pty"

testcmd "SEV, no kernel hashes" 0 "$SNPCTL" launch --dry-run --mode sev --ovmf OVMF.fd \
        --kernel vmlinuz --no-kernel-hashes --cbitpos 47 --no-network --console file:guest.log
expect_stdout "SEV line" "qemu-system-x86_64 -machine q35,confidential-guest-support=sev0 -accel kvm -cpu EPYC-v4 -smp 1 -m 2048M -no-reboot -nodefaults -display none -object sev-guest,id=sev0,policy=0x1,cbitpos=47,reduced-phys-bits=1 -bios OVMF.fd -kernel vmlinuz -serial file:guest.log"

testcmd "plain TCG" 0 "$SNPCTL" launch --dry-run --mode plain --accel tcg --kernel vmlinuz \
        --initrd initrd.img --append "console=ttyS0 panic=-1" --memory 256 --no-network
expect_stdout "plain TCG line" "qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 1 -m 256M -no-reboot -nodefaults -display none -kernel vmlinuz -initrd initrd.img -append 'console=ttyS0 panic=-1' -serial mon:stdio"

testcmd "dry run without --cbitpos runs on any host" 0 "$SNPCTL" launch --dry-run --ovmf OVMF.fd
expect_out "a cbitpos is filled in" 'cbitpos=[1-9][0-9]*,reduced-phys-bits=1 '

# --- JSON ---------------------------------------------------------------------------------------
testcmd "--dry-run --json" 0 "$SNPCTL" launch --dry-run --json --ovmf OVMF.fd --cbitpos 51 \
        --id-block id-block-min.b64 --id-auth id-auth.b64 -- -S
if python3 - "$OUT" "$IDB_MIN" "$LD_MIN" <<'PY'
import json, shlex, sys
j = json.load(open(sys.argv[1]))
assert j["mode"] == "snp" and j["accel"] == "kvm" and j["cbitpos"] == 51, j
assert j["cbitpos_source"] == "option"
assert j["expected_launch_digest"] == sys.argv[3]
assert shlex.split(j["command_line"]) == j["argv"], "command_line does not read back as argv"
obj = j["argv"][j["argv"].index("-object") + 1]
props = dict(kv.split("=", 1) for kv in obj.split(",")[1:])
assert props["id-block"] == sys.argv[2] and props["author-key-enabled"] == "on", props
assert j["argv"][-1] == "-S"
PY
then pass "JSON: argv, command line and ID block agree"; else fail "JSON: argv, command line and ID block agree"; fi

# --- Refusals -----------------------------------------------------------------------------------
testcmd "ID block of 95 bytes" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 \
        --id-block bad-95.b64 --id-auth id-auth.b64
expect_err "names file and size" "id-block 'bad-95.b64': decodes to 95 bytes, must be 96"
expect_no_out "nothing on stdout"
testcmd "ID auth of 4097 bytes" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 \
        --id-block id-block.b64 --id-auth bad-4097.b64
expect_err "names file and size" "id-auth 'bad-4097.b64': decodes to 4097 bytes, must be 1 to 4096"
testcmd "host data of 31 bytes" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 \
        --host-data bad-31.b64
expect_err "names file and size" "host-data 'bad-31.b64': decodes to 31 bytes, must be 32"
testcmd "host data not base64" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 \
        --host-data bad-space.b64
expect_err "names file" "host-data 'bad-space.b64': not canonical"
testcmd "ID block policy differs from the launch's" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd \
        --cbitpos 51 --id-block id-block-debug.b64 --id-auth id-auth.b64
expect_err "names both policies" "policy 0xb0000 differs from the launch policy 0x30000"
testcmd "ID block digest differs from these inputs'" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd \
        --cbitpos 51 --vcpus 2 --id-block id-block-min.b64 --id-auth id-auth.b64
expect_err "says the digest differs" "id-block 'id-block-min.b64': launch digest differs from the expected"
testcmd "inputs differ from --expected-digest" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd \
        --cbitpos 51 --expected-digest "$LD_FULL"
expect_err "says what the inputs give" "these inputs give launch digest $LD_MIN, not --expected-digest"
testcmd "an ID block needs a digest: OVMF without metadata" 1 "$SNPCTL" launch --dry-run \
        --ovmf vmlinuz --cbitpos 51 --id-block id-block-min.b64 --id-auth id-auth.b64
expect_err "says why" "computing the launch digest: "
testcmd "without an ID block the digest is optional" 0 "$SNPCTL" launch --dry-run --ovmf vmlinuz \
        --cbitpos 51
expect_err "warns" "no expected launch digest: "
testcmd "ID block without ID auth" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 \
        --id-block id-block.b64
expect_err "says what is missing" "without its ID auth info"
testcmd "missing ID block file" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 \
        --id-block nosuch.b64 --id-auth id-auth.b64
expect_err "names the file" "reading id-block file 'nosuch.b64': No such file"
testcmd "missing OVMF" 1 "$SNPCTL" launch --dry-run --ovmf nosuch.fd --cbitpos 51
expect_err "names the file" "ovmf 'nosuch.fd': No such file"
testcmd "missing disk" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 --disk no.qcow2
expect_err "names the disk" "disk 'no.qcow2': No such file"
testcmd "SNP without OVMF" 1 "$SNPCTL" launch --dry-run --cbitpos 51
expect_err "says OVMF is required" "an OVMF image is required for snp guests"
testcmd "SNP under TCG" 1 "$SNPCTL" launch --dry-run --accel tcg --ovmf OVMF.fd --cbitpos 51
expect_err "says kvm is needed" "need kvm"
testcmd "policy without bit 17" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 \
        --policy 0x10000
expect_err "names the bit" "lacks bit 17"
testcmd "initrd without kernel" 1 "$SNPCTL" launch --dry-run --ovmf OVMF.fd --cbitpos 51 \
        --initrd initrd.img
expect_err "says so" "initrd: needs a kernel"

testcmd "bad --mode" 2 "$SNPCTL" launch --dry-run --mode tdx
expect_err "names the value" "bad --mode 'tdx'"
testcmd "bad --cbitpos" 2 "$SNPCTL" launch --dry-run --cbitpos 64
testcmd "bad --forward" 2 "$SNPCTL" launch --dry-run --forward 22
testcmd "bad --expected-digest" 2 "$SNPCTL" launch --dry-run --expected-digest abcd
testcmd "--json alone" 2 "$SNPCTL" launch --json
testcmd "--check with --dry-run" 2 "$SNPCTL" launch --check --dry-run
testcmd "stray argument" 2 "$SNPCTL" launch --dry-run foo
expect_err "points to --" "QEMU arguments go after --"

# --- --config vm.json ---------------------------------------------------------------------------
LD_CFG=$(model_ld 2 0xa00f11 vmlinuz initrd.img "console=ttyS0")
idblock 0x30000 "$LD_CFG" >id-block-cfg.b64
HDHEX=$(printf '5a%.0s' $(seq 32))
cat >vm.json <<JSON
{
  "host_cpu_family": "Milan",
  "vcpu_count": 2,
  "vcpu_type": "EPYC-Milan",
  "ovmf_file": "OVMF.fd",
  "kernel_file": "vmlinuz",
  "initrd_file": "initrd.img",
  "kernel_cmdline": "console=ttyS0",
  "guest_policy": "0x30000",
  "host_data": "$HDHEX",
  "family_id": "$(printf '01%.0s' $(seq 16))",
  "image_id": "$(printf '02%.0s' $(seq 16))",
  "id_block_file": "id-block-cfg.b64",
  "id_auth_file": "id-auth.b64",
  "memory_mb": 1024,
  "cbitpos": 51,
  "disks": [ { "file": "root.qcow2" }, { "file": "data.img", "bus": "blk", "readonly": true } ],
  "forwards": [ { "host_port": 2222, "guest_port": 22 },
                { "proto": "udp", "host_addr": "0.0.0.0", "host_port": 5353, "guest_port": 53 } ]
}
JSON
testcmd "--config: dry run" 0 "$SNPCTL" launch --config vm.json --dry-run
expect_stdout "--config line" "qemu-system-x86_64 -machine q35,confidential-guest-support=sev0 -accel kvm -cpu EPYC-Milan -smp 2 -m 1024M -no-reboot -nodefaults -display none -object sev-snp-guest,id=sev0,policy=0x30000,cbitpos=51,reduced-phys-bits=1,kernel-hashes=on,id-block=$(cat id-block-cfg.b64),id-auth=$IDA,author-key-enabled=on,host-data=$HD -bios $T/OVMF.fd -kernel $T/vmlinuz -initrd $T/initrd.img -append console=ttyS0 -device virtio-scsi-pci,id=scsi0,disable-legacy=on,iommu_platform=true -drive file=$T/root.qcow2,if=none,id=disk0,format=qcow2 -device scsi-hd,drive=disk0,bus=scsi0.0,bootindex=1 -drive file=$T/data.img,if=none,id=disk1,format=raw,readonly=on -device virtio-blk-pci,drive=disk1,disable-legacy=on,iommu_platform=true,bootindex=2 -netdev user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp:0.0.0.0:5353-:53 -device virtio-net-pci,netdev=net0,disable-legacy=on,iommu_platform=true,romfile= -serial mon:stdio"
expect_err "--config: the expected digest is shown" "expected launch digest: $LD_CFG"
testcmd "--config: options win" 0 "$SNPCTL" launch --config vm.json --dry-run --vcpus 1 \
        --cpu EPYC-v4 --memory 512 --no-network --id-block id-block-min.b64 --id-auth id-auth.b64 \
        --kernel vmlinuz --no-kernel-hashes
expect_out "vCPUs, CPU, memory from the options" ' -cpu EPYC-v4 -smp 1 -m 512M '
if grep -qF "id-block=$IDB_MIN," "$OUT"; then pass "ID block from the option"; else fail "ID block from the option"; fi
if grep -q -- '-netdev' "$OUT"; then fail "--no-network wins over the config"; else pass "--no-network wins over the config"; fi
testcmd "--config --json" 0 "$SNPCTL" launch --config vm.json --dry-run --json
expect_out "JSON digest" "\"expected_launch_digest\": \"$LD_CFG\""
expect_out "cbitpos from the config" '"cbitpos_source": "config"'
testcmd "--config --mode plain ignores the SNP fields" 0 "$SNPCTL" launch --config vm.json \
        --dry-run --mode plain --accel tcg
expect_out "no encryption object" '^qemu-system-x86_64 -machine q35 -accel tcg -cpu EPYC-Milan -smp 2 -m 1024M -no-reboot -nodefaults -display none -bios '
# variant NAME PYTHON-STATEMENT: vm.json changed by a statement on the dict c.
variant() {
        python3 -c 'import json,sys; c=json.load(open("vm.json")); exec(sys.argv[2]); json.dump(c, open(sys.argv[1], "w"))' "$1" "$2"
}
variant vm-3.json 'c["vcpu_count"] = 3'
testcmd "--config: ID block made for 2 vCPUs, config says 3" 1 "$SNPCTL" launch --config vm-3.json --dry-run
expect_err "refused: digest" "vm-3.json: id_block_file: ID block launch digest $LD_CFG differs"
expect_no_out "no command line"
variant vm-debug.json 'c["guest_policy"] = "0xb0000"'
testcmd "--config: ID block policy differs from the config's" 1 "$SNPCTL" launch --config vm-debug.json --dry-run
expect_err "refused: policy" "ID block policy 0x30000 differs from guest_policy 0xb0000"
expect_err "the config's warning is shown once" "^snpctl launch: warning: vm-debug.json: guest_policy: bit 19"
variant vm-bad.json 'c["vcpu_count"] = 0'
testcmd "--config: a bad config" 1 "$SNPCTL" launch --config vm-bad.json --dry-run
expect_err "names file and field" 'vm-bad.json: vcpu_count'
expect_no_out "no command line"
variant vm-ec2.json 'c["vmm_type"] = "EC2"; del c["id_block_file"]; del c["id_auth_file"]; del c["family_id"]; del c["image_id"]'
testcmd "--config: vmm_type EC2 refused" 1 "$SNPCTL" launch --config vm-ec2.json --dry-run
expect_err "says why" "vmm_type .*launch starts QEMU"
testcmd "--config: missing file" 1 "$SNPCTL" launch --config nosuch.json --dry-run
expect_err "names the file" "nosuch.json"

# --- --guest-features: any 64-bit value is measured; unknown bits warn, SNPActive is required ----
testcmd "--guest-features with unknown bits" 0 "$SNPCTL" launch --ovmf OVMF.fd \
        --guest-features 0x10801 --dry-run
expect_err "warns about the unknown bits" \
        '^snpctl launch: warning: --guest-features 0x10801 sets bits this version does not know \(0x10800\); measured as given$'
expect_out "and still prints the command line" '^qemu-system-x86_64 '
testcmd "--guest-features without SNPActive" 2 "$SNPCTL" launch --ovmf OVMF.fd \
        --guest-features 0x20 --dry-run
expect_err "names bit 0" 'guest-features 0x20 lacks bit 0 \(SNPActive\)'

# --- launch-qemu.sh -----------------------------------------------------------------------------
LQ=$(link launch-qemu.sh)
cat >vm.toml <<'EOF'
# SNPGuard VM config
ovmf_file = "OVMF.fd"
vcpu_count = 2
EOF
variant vm-noid.json 'del c["id_block_file"]; del c["id_auth_file"]'
testcmd "launch-qemu.sh -sev-snp with every flag" 0 "$LQ" -sev-snp -bios OVMF.fd \
        -kernel vmlinuz -initrd initrd.img -append "console=ttyS0 root=/dev/sda" -hda root.qcow2 \
        -hdb data.img -cdrom seed.iso -mem 4096 -smp 2 -cpu EPYC-v4 -policy 0x30000 \
        -id-block id-block-compat.b64 -id-auth id-auth.b64 -host-data host-data.b64 \
        -default-network -console serial -monitor monitor -dry-run
expect_stdout "launch-qemu.sh line (upstream spelling)" "qemu-system-x86_64 -machine q35,confidential-guest-support=sev0 -accel kvm -cpu EPYC-v4 -smp 2 -m 4096M -no-reboot -nodefaults -display none -object sev-snp-guest,id=sev0,policy=0x30000,cbitpos=$(grep -o 'cbitpos=[0-9]*' "$OUT" | cut -d= -f2),reduced-phys-bits=1,kernel-hashes=on,id-block=$IDB_COMPAT,id-auth=$IDA,author-key-enabled=on,host-data=$HD -bios OVMF.fd -kernel vmlinuz -initrd initrd.img -append 'console=ttyS0 root=/dev/sda' -device virtio-scsi-pci,id=scsi0,disable-legacy=on,iommu_platform=true -drive file=root.qcow2,if=none,id=disk0,format=qcow2 -device scsi-hd,drive=disk0,bus=scsi0.0,bootindex=1 -drive file=data.img,if=none,id=disk1,format=raw -device scsi-hd,drive=disk1,bus=scsi0.0,bootindex=2 -drive file=seed.iso,if=none,id=cd0,format=raw,media=cdrom,readonly=on -device scsi-cd,drive=cd0,bus=scsi0.0,bootindex=3 -netdev user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:8080-:80 -device virtio-net-pci,netdev=net0,disable-legacy=on,iommu_platform=true,romfile= -serial mon:stdio -monitor unix:monitor,server=on,wait=off"
if grep -q 'auth-key-enabled=true' "$OUT"; then fail "no fork spelling auth-key-enabled"; else pass "no fork spelling auth-key-enabled"; fi
if grep -q 'pflash' "$OUT"; then fail "SNP never uses pflash"; else pass "SNP never uses pflash"; fi

testcmd "launch-qemu.sh without -sev*: unencrypted" 0 "$LQ" -kernel vmlinuz -dry-run
expect_stdout "launch-qemu.sh plain line" "qemu-system-x86_64 -machine q35 -accel kvm -cpu EPYC-v4 -smp 1 -m 2048M -no-reboot -nodefaults -display none -kernel vmlinuz -netdev user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:8080-:80 -device virtio-net-pci,netdev=net0,disable-legacy=on,iommu_platform=true,romfile= -serial mon:stdio"
testcmd "launch-qemu.sh -sev-es" 0 "$LQ" -sev-es -bios OVMF.fd -dry-run -- -cbitpos-test
expect_out "sev-guest with the SEV-ES policy" '-object sev-guest,id=sev0,policy=0x5,cbitpos=[0-9]+,reduced-phys-bits=1 -bios OVMF.fd '
expect_out "extra args at the end" ' -cbitpos-test$'
testcmd "launch-qemu.sh -sev" 0 "$LQ" -sev -bios OVMF.fd -policy 0x3 -dry-run
expect_out "sev-guest with the given policy" '-object sev-guest,id=sev0,policy=0x3,'
# -load-config is --config: the JSON VM config that config-generator writes, read the same way.
run "$SNPCTL" launch --config vm-noid.json --dry-run
cp "$OUT" launch-config.line
testcmd "launch-qemu.sh -sev-snp -load-config vm.json" 0 "$LQ" -sev-snp -load-config vm-noid.json -dry-run
if [ -s launch-config.line ] && cmp -s "$OUT" launch-config.line; then
        pass "-load-config gives launch --config's line (config CPU, disks, forwards)"
else
        fail "-load-config gives launch --config's line" "$(cat "$OUT")" "want: $(cat launch-config.line)"
fi
expect_out "the config's files, vCPUs, memory" "^qemu-system-x86_64 .* -cpu EPYC-Milan -smp 2 -m 1024M .* -bios $T/OVMF.fd -kernel $T/vmlinuz -initrd $T/initrd.img -append console=ttyS0 "
testcmd "launch-qemu.sh -load-config: flags win" 0 "$LQ" -sev-snp -load-config vm-noid.json -smp 3 \
        -mem 512 -append quiet -dry-run
expect_out "-smp, -mem and -append win over the config" " -smp 3 -m 512M .* -append quiet "
testcmd "launch-qemu.sh -load-config with the ID block" 0 "$LQ" -sev-snp -load-config vm.json -dry-run
expect_out "the config's ID block and auth" "id-block=$(cat id-block-cfg.b64),id-auth=$IDA,author-key-enabled=on,"
testcmd "launch-qemu.sh -load-config of a TOML file" 1 "$LQ" -sev-snp -load-config vm.toml -dry-run
expect_err "not JSON, named" '^launch-qemu.sh: vm.toml: line 1: JSON syntax error'
expect_no_out "no command line from a TOML file"
testcmd "launch-qemu.sh -load-config without -sev*: unencrypted" 0 "$LQ" -load-config vm-noid.json -dry-run
expect_out "no encryption object, the config's CPU" '^qemu-system-x86_64 -machine q35 -accel kvm -cpu EPYC-Milan -smp 2 -m 1024M '

# One option table: the script's spellings are aliases, and snpctl launch takes them too.
run "$SNPCTL" launch --dry-run --ovmf OVMF.fd --vcpus 2 --memory 4096 --cbitpos 51 --kernel vmlinuz
cp "$OUT" canonical.line
testcmd "launch --bios --smp --mem" 0 "$SNPCTL" launch --dry-run --bios OVMF.fd --smp 2 --mem 4096 \
        --cbitpos 51 --kernel vmlinuz
if [ -s canonical.line ] && cmp -s "$OUT" canonical.line; then pass "--bios, --smp, --mem are --ovmf, --vcpus, --memory"; else fail "--bios, --smp, --mem are --ovmf, --vcpus, --memory" "$(cat "$OUT")"; fi
testcmd "launch --sev-snp" 0 "$SNPCTL" launch --dry-run --sev-snp --bios OVMF.fd --smp 2 --mem 4096 \
        --cbitpos 51 --kernel vmlinuz
if cmp -s "$OUT" canonical.line; then pass "--sev-snp is --mode snp"; else fail "--sev-snp is --mode snp"; fi
testcmd "launch-qemu.sh takes the long spellings too" 0 "$LQ" -sev-snp -ovmf OVMF.fd -vcpus 2 \
        -memory 4096 -cbitpos 51 -kernel vmlinuz -n
if [ "$(cat "$OUT")" = "$(sed 's/ -netdev user,id=net0 / -netdev user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:8080-:80 /' canonical.line)" ]; then
        pass "same guest, with the script's forwards"; else fail "same guest, with the script's forwards" "$(cat "$OUT")"; fi
testcmd "--mode with --sev-snp" 2 "$SNPCTL" launch --mode sev --sev-snp --dry-run
expect_err "says they exclude each other" '^snpctl launch: --mode and --sev-snp, --sev-es, --sev exclude each other$'
testcmd "launch-qemu.sh -sev -sev-snp: SNP wins, as in the script" 0 "$LQ" -sev -sev-snp -bios OVMF.fd -dry-run
expect_out "sev-snp-guest" '-object sev-snp-guest,id=sev0,policy=0x30000,'
testcmd "launch-qemu.sh -forward replaces the script's forwards" 0 "$LQ" -forward 5555:22 -dry-run
expect_out "only the given forward" ' -netdev user,id=net0,hostfwd=tcp:127.0.0.1:5555-:22 '
testcmd "launch-qemu.sh -no-network" 0 "$LQ" -no-network -dry-run
if grep -q -- '-netdev' "$OUT"; then fail "-no-network: no network device"; else pass "-no-network: no network device"; fi
testcmd "-default-network with -no-network" 2 "$LQ" -default-network -no-network -dry-run
testcmd "launch-qemu.sh -id-block without -id-auth" 1 "$LQ" -sev-snp -bios OVMF.fd \
        -id-block id-block-min.b64 -dry-run
expect_err "says so" "without its ID auth info"
testcmd "launch-qemu.sh -hdb before -hda" 0 "$LQ" -hdb data.img -hda root.qcow2 -dry-run
expect_out "-hda is disk0, -hdb disk1" 'file=root.qcow2,if=none,id=disk0,.* file=data.img,if=none,id=disk1,'
testcmd "launch-qemu.sh -json without -dry-run" 2 "$LQ" -json
testcmd "launch-qemu.sh -dry-run -json" 0 "$LQ" -dry-run -json -kernel vmlinuz
if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["mode"]=="plain" and j["argv"][j["argv"].index("-kernel")+1]=="vmlinuz"' "$OUT"; then
        pass "launch-qemu.sh JSON"; else fail "launch-qemu.sh JSON"; fi
testcmd "launch-qemu.sh unknown flag" 2 "$LQ" -certs foo -dry-run
testcmd "launch-qemu.sh --help" 0 "$LQ" --help
expect_out "shows the script's flags" 'sev-snp'

# --- Running QEMU (a stand-in records its arguments) -------------------------------------------
cat >fake-qemu <<EOF
#!/bin/sh
if [ "\$1" = "-version" ]; then echo "QEMU emulator version 9.2.0"; exit 0; fi
for a in "\$@"; do printf '%s\n' "\$a"; done >"$T/fake-qemu.args"
exit 0
EOF
chmod +x fake-qemu
testcmd "launch execs QEMU" 0 "$SNPCTL" launch --qemu ./fake-qemu --mode plain --accel tcg \
        --kernel vmlinuz --append "a 'b' c" --no-network --console none -- -S
printf '%s\n' -machine q35 -accel tcg -cpu max -smp 1 -m 2048M -no-reboot \
        -nodefaults -display none -kernel vmlinuz -append "a 'b' c" -S >want.args
if cmp -s want.args fake-qemu.args; then pass "QEMU got exactly the argv"; else fail "QEMU got exactly the argv" "$(cat fake-qemu.args 2>/dev/null | tr '\n' ' ')"; fi
testcmd "launch: QEMU not found" 1 "$SNPCTL" launch --qemu ./nosuch-qemu --mode plain --accel tcg \
        --no-network
expect_err "names the binary" "running './nosuch-qemu'"

if ! grep -qw sev_snp /proc/cpuinfo; then
        testcmd "SNP launch on a host without SNP stops" 1 "$SNPCTL" launch --qemu ./fake-qemu \
                --ovmf OVMF.fd
        expect_err "says why" "cannot run snp guests"
fi

# --- --check ------------------------------------------------------------------------------------
testcmd "--check plain tcg with a QEMU" 0 "$SNPCTL" launch --check --mode plain --accel tcg \
        --qemu ./fake-qemu
expect_out "QEMU found" '^ok +qemu +./fake-qemu is 9.2'
expect_out "ready" '^ready: 0 problems'
testcmd "--check without QEMU" 1 "$SNPCTL" launch --check --mode plain --accel tcg \
        --qemu ./nosuch-qemu
expect_out "QEMU missing, with a fix" 'fix: install QEMU'
expect_out "the fix names setup-host" 'fix: install QEMU .*scripts/setup-host'
testcmd "--check --json" 1 "$SNPCTL" launch --check --json --mode plain --accel tcg \
        --qemu ./nosuch-qemu
if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["ready"] is False; f=[x for x in j["findings"] if x["check"]=="qemu"][0]; assert f["status"]=="fail" and f["fix"]' "$OUT"; then
        pass "--check --json lists the finding"; else fail "--check --json lists the finding"; fi
mkdir -p root/sys/module/kvm_amd/parameters root/dev root/proc root/sys/class/iommu/ivhd0
: >root/dev/kvm
: >root/dev/sev
echo Y >root/sys/module/kvm_amd/parameters/sev
echo Y >root/sys/module/kvm_amd/parameters/sev_es
echo N >root/sys/module/kvm_amd/parameters/sev_snp
echo "root=/dev/sda1 iommu=pt" >root/proc/cmdline
SNPCTL_HOST_ROOT=$T/root testcmd "--check SNP on a prepared host tree" 1 "$SNPCTL" launch --check \
        --qemu ./fake-qemu --ovmf OVMF.fd
expect_out "kvm_amd sev_snp off, with the fix" 'FAIL +kvm_amd.sev_snp +sev_snp = N'
expect_out "modprobe fix" 'fix: reload kvm_amd with sev=1 sev_es=1 sev_snp=1'
expect_out "IOMMU passthrough found" 'FAIL +iommu +IOMMU in passthrough mode'
expect_out "QEMU 9.2 is new enough" '^ok +qemu '
expect_out "synthetic OVMF can measure a kernel" '^ok +ovmf +OVMF.fd has SEV metadata'
SNPCTL_HOST_ROOT=$T/root testcmd "--check with a kernel and an OVMF without hashes table" 1 \
        "$SNPCTL" launch --check --qemu ./fake-qemu --ovmf data.img --kernel vmlinuz
expect_out "OVMF finding with the fix" 'FAIL +ovmf +firmware image .data.img.'
expect_out "fix names the AmdSev build" 'fix: use an OVMF built from OvmfPkg/AmdSev/AmdSevX64.dsc'
expect_out "and setup-host, which builds it" 'fix: use an OVMF .*setup-host .* into /usr/local/share/snpctl/OVMF.amdsev.fd'

finish
