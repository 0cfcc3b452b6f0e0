# SPDX-License-Identifier: Apache-2.0
# snpctl config: init (and config-generator), validate, show; the round trip init -> fill in ->
# validate -> show; every kind of rejection with its message; --from-report on real reports,
# checked against the report bytes decoded here with python3 (not with snpctl's code).
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "skipped: python3 is needed"; exit 77; }

# A synthetic OVMF image (4 KiB): footer GUID table with an SEV metadata entry whose sections
# are the given types (16 = SNP_KERNEL_HASHES), as edk2's ResetVector lays it out.
make_ovmf() {
        python3 - "$1" "$2" <<'EOF'
import struct, sys, uuid
path, types = sys.argv[1], [int(t) for t in sys.argv[2].split(',') if t]
img = bytearray(4096)
meta_at = 0x100
sections = [(0x800000 + 0x1000 * i, 0x1000, t) for i, t in enumerate(types)]
items = b''.join(struct.pack('<III', *s) for s in sections)
img[meta_at:meta_at + 16 + len(items)] = b'ASEV' + struct.pack('<III', 16 + len(items), 1, len(types)) + items
def entry(guid, data):
    return data + struct.pack('<H', len(data) + 18) + uuid.UUID(guid).bytes_le
table = entry('dc886566-984a-4798-a75e-5585a7bf67cc', struct.pack('<I', 4096 - meta_at))
table = entry('00f771de-1a7e-4fcb-890e-68c77e2fb44e', struct.pack('<I', 0xfffff000)) + table
hashes = [s for s in sections if s[2] == 16]
if hashes:
    table = entry('7255371f-3a3b-4b04-927b-1da6efa8d454', struct.pack('<II', hashes[0][0] + 0xc00, 0x400)) + table
table += struct.pack('<H', len(table) + 18) + uuid.UUID('96b582de-1fb2-45f7-baea-a366c55a082d').bytes_le
end = 4096 - 32
img[end - len(table):end] = table
open(path, 'wb').write(img)
EOF
}

# jget FILE EXPR: prints a value of a JSON file (python expression on c).
jget() { python3 -c "import json,sys; c=json.load(open(sys.argv[1])); print($2)" "$1"; }

# --- usage -------------------------------------------------------------------------------
testcmd "no action is a usage error" 2 "$SNPCTL" config
expect_err "no action is named" "an action is required"
testcmd "unknown action is a usage error" 2 "$SNPCTL" config frobnicate
expect_err "unknown action is named" "unknown action 'frobnicate'"
testcmd "validate without FILE is a usage error" 2 "$SNPCTL" config validate
testcmd "--force without --output is a usage error" 2 "$SNPCTL" config init --force
testcmd "--output with show is a usage error" 2 "$SNPCTL" config show -o x vm.json
testcmd "two files is a usage error" 2 "$SNPCTL" config validate a.json b.json

# --- init ----------------------------------------------------------------------------------
cd "$T" || exit 1
testcmd "init prints a config" 0 "$SNPCTL" config init
cp "$OUT" template.json
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' template.json 2>/dev/null; then
        pass "init prints valid JSON"
else
        fail "init prints valid JSON" "$(head -c 300 template.json)"
fi
if [ -r /usr/local/share/snpctl/OVMF.amdsev.fd ]; then      # scripts/setup-host put it there
        expect_out "init fills in setup-host's OVMF" '"ovmf_file": "/usr/local/share/snpctl/OVMF.amdsev.fd"'
else
        expect_out "init marks ovmf_file as a placeholder" '"ovmf_file": "<OVMF.fd built from OvmfPkg/AmdSev/AmdSevX64.dsc>"'
fi
expect_out "init defaults the policy to 0x30000" '"guest_policy": "0x30000"'
expect_out "init defaults guest_features to 0x1" '"guest_features": "0x1"'

testcmd "init --ovmf" 0 "$SNPCTL" config init --ovmf /srv/fw/OVMF.amdsev.fd
expect_out "init --ovmf fills ovmf_file" '"ovmf_file": "/srv/fw/OVMF.amdsev.fd"'
testcmd "validate --ovmf is a usage error" 2 "$SNPCTL" config validate --ovmf x.fd vm.json

testcmd "config-generator runs config init" 0 "$(link config-generator)"
if cmp -s "$OUT" template.json; then pass "config-generator prints what config init prints"; else fail "config-generator output" "$(diff "$OUT" template.json | head)"; fi

testcmd "init -o writes the file" 0 "$SNPCTL" config init -o vm.json
expect_no_out "init -o prints nothing on stdout"
if cmp -s vm.json template.json; then pass "init -o writes the template"; else fail "init -o content"; fi
echo keep > keep.json
testcmd "init -o refuses an existing file" 1 "$SNPCTL" config init -o keep.json
expect_err "init -o names the existing file" "'keep.json' exists; use --force"
if [ "$(cat keep.json)" = keep ]; then pass "the existing file is untouched"; else fail "existing file changed"; fi
testcmd "init -o --force replaces it" 0 "$SNPCTL" config init -o keep.json --force
if cmp -s keep.json template.json; then pass "--force wrote the template"; else fail "--force content"; fi
testcmd "init -o into a missing folder fails" 1 "$SNPCTL" config init -o nosuch/vm.json
expect_err "the failure names the file" "writing 'nosuch/vm.json'"

# --- the template is not valid until filled in ---------------------------------------------
testcmd "validate rejects the unfilled template" 1 "$SNPCTL" config validate vm.json
for f in host_cpu_family ovmf_file kernel_file initrd_file min_committed_tcb 'disks\[0\]\.file'; do
        expect_err "validate names placeholder $f" "^snpctl config: vm.json: $f: placeholder not filled in: <"
done
expect_err "validate counts the errors" "'vm.json': 6 errors"
expect_no_out "an invalid config prints nothing on stdout"

# --- round trip: fill in the paths, validate, show -------------------------------------------
mkdir -p guest
make_ovmf guest/OVMF.fd 1,2,3,16
printf 'kernel' > guest/bzImage
printf 'initrd' > guest/initrd.img
: > guest/disk.qcow2
python3 - vm.json <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c.update(host_cpu_family='Genoa', ovmf_file='guest/OVMF.fd', kernel_file='guest/bzImage',
         initrd_file='guest/initrd.img',
         min_committed_tcb={'bootloader': 10, 'tee': 0, 'snp': 23, 'microcode': 84})
c['disks'][0]['file'] = 'guest/disk.qcow2'
json.dump(c, open(sys.argv[1], 'w'), indent=2)
EOF
testcmd "validate accepts the filled-in config" 0 "$SNPCTL" config validate vm.json
expect_stdout "validate says valid" "vm.json: valid"
# A key given twice is an error naming both lines (json-c alone would keep the last, silently
# turning a check off): issue 17.
python3 - vm.json dup.json <<'EOF'
import sys
t = open(sys.argv[1]).read().rstrip().rstrip('}').rstrip()
open(sys.argv[2], 'w').write(t + ',\n  "vmpl": 3\n}\n')
EOF
dupline=$(grep -n '"vmpl": 3' dup.json | cut -d: -f1)
firstline=$(grep -n '"vmpl": 0' dup.json | cut -d: -f1)
testcmd "validate refuses a key given twice" 1 "$SNPCTL" config validate dup.json
expect_err "... naming both lines" "dup.json: vmpl: given twice, on lines $firstline and $dupline"
mkdir -p elsewhere
testcmd "paths resolve against the config's folder, not the working one" 0 \
        sh -c 'cd elsewhere && "$0" config validate ../vm.json' "$SNPCTL"

testcmd "show prints the config" 0 "$SNPCTL" config show vm.json
expect_out "show resolves ovmf_file" "^ovmf_file +$T/guest/OVMF.fd\$"
expect_out "show names the CPU family" '^host_cpu_family +Genoa$'
expect_out "show decodes the vCPU signature" '^vcpu_type +EPYC-v4 \(CPUID signature 0x800f12\)$'
expect_out "show decodes guest features" '^guest_features +0x1 SNPActive$'
expect_out "show decodes the policy: SMT" '^  SMT +allowed$'
expect_out "show decodes the policy: debug" '^  debug +forbidden$'
# Milan/Genoa TCB_VERSION: byte 0 bootloader, 1 tee, 6 snp, 7 microcode -> 0x54 17 0000 0000 00 0a
expect_out "show gives the raw minimum TCB" '^min_committed_tcb +bootloader 10, tee 0, snp 23, microcode 84 \(0x541700000000000a\)$'
expect_out "show lists the disk" "^disks +$T/guest/disk.qcow2 \\(qcow2, virtio-scsi\\)\$"

testcmd "show --json prints the config" 0 "$SNPCTL" config show --json vm.json
cp "$OUT" shown.json
if [ "$(jget shown.json 'c["decoded"]["guest_policy"]["SMT"], c["decoded"]["guest_policy"]["DEBUG"], c["decoded"]["guest_features"], c["decoded"]["min_committed_tcb"]')" = \
     "True False ['SNPActive'] 0x541700000000000a" ]; then
        pass "show --json decodes policy, features and TCB"
else
        fail "show --json decoded" "$(jget shown.json 'c["decoded"]')"
fi
if [ "$(jget shown.json 'c["kernel_file"]')" = "$T/guest/bzImage" ]; then pass "show --json resolves paths"; else fail "show --json kernel_file"; fi
# The digest comes from the measure module; this checks that the config's fields reach it (the
# known answers are the vectors below): snpctl measure with the same inputs as flags agrees.
if has_applet measure; then
        testcmd "measure with the config's values as flags" 0 "$SNPCTL" measure --mode snp \
                --ovmf guest/OVMF.fd --kernel guest/bzImage --initrd guest/initrd.img \
                --append "console=ttyS0 earlyprintk=serial root=/dev/sda" --vcpus 1 --vcpu-type EPYC-v4 \
                --guest-features 0x1
        if [ "$(jget shown.json 'c["expected_launch_digest"]')" = "$(cat "$OUT")" ]; then
                pass "show --json gives measure's digest"
        else
                fail "show --json digest" "$(jget shown.json 'c["expected_launch_digest"]')" "$(cat "$OUT")"
        fi
fi
# The owner key and the disk binding reach the guest on the measured command line, after
# kernel_cmdline: the digest is measure's for that whole line, and launch passes exactly it.
OWNERD=$(printf 'ab%.0s' $(seq 48))
BIND=0b7e6c3a-0000-4000-8000-123456789abc:$(printf 'cd%.0s' $(seq 32))
python3 - vm.json enc.json "$OWNERD" "$BIND" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c.update(kernel_cmdline="console=ttyS0 boot=encrypted root=/dev/sda", owner_key_digest=sys.argv[3],
         luks_binding=sys.argv[4])
json.dump(c, open(sys.argv[2], 'w'), indent=2)
EOF
FULL="console=ttyS0 boot=encrypted root=/dev/sda snpctl.owner=$OWNERD snpctl.luks=$BIND"
testcmd "boot=encrypted with owner_key_digest and luks_binding validates" 0 "$SNPCTL" config validate enc.json
testcmd "show prints the measured command line" 0 "$SNPCTL" config show enc.json
expect_out "... in full, the two parameters after kernel_cmdline" "^measured cmdline +\"$FULL\"\$"
expect_out "... and the owner key digest" "^owner_key_digest +$OWNERD\$"
if has_applet measure; then
        testcmd "measure --config with the owner key and binding" 0 "$SNPCTL" measure --config enc.json
        cp "$OUT" enc.digest
        testcmd "measure with that command line as a flag" 0 "$SNPCTL" measure --mode snp \
                --ovmf guest/OVMF.fd --kernel guest/bzImage --initrd guest/initrd.img \
                --append "$FULL" --vcpus 1 --vcpu-type EPYC-v4 --guest-features 0x1
        cmp -s "$OUT" enc.digest && pass "the config's digest covers snpctl.owner= and snpctl.luks=" ||
                fail "the config's digest covers snpctl.owner= and snpctl.luks=" "$(cat enc.digest)" "$(cat "$OUT")"
        testcmd "measure --config without them" 0 "$SNPCTL" measure --config vm.json
        cmp -s "$OUT" enc.digest && fail "another owner key, another digest" || pass "another owner key, another digest"
fi
if has_applet launch; then
        testcmd "launch --dry-run passes the measured command line" 0 "$SNPCTL" launch --config enc.json \
                --dry-run --cbitpos 51
        expect_out "... as -append" "-append '$FULL'"
fi

# What show --json writes loads again elsewhere and shows the same.
mkdir -p copy
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); del c["decoded"]; del c["expected_launch_digest"]; json.dump(c, open(sys.argv[2], "w"))' shown.json copy/vm.json
testcmd "the shown config validates from another folder" 0 "$SNPCTL" config validate copy/vm.json
testcmd "show --json of the copy" 0 "$SNPCTL" config show --json copy/vm.json
if cmp -s "$OUT" shown.json; then pass "round trip: show --json is stable"; else fail "round trip differs" "$(diff "$OUT" shown.json | head)"; fi

testcmd "validate --json of a valid config" 0 "$SNPCTL" config validate --json vm.json
if [ "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["valid"], c["errors"], c["warnings"])' "$OUT")" = "True [] []" ]; then
        pass "validate --json says valid"
else
        fail "validate --json" "$(cat "$OUT")"
fi

# --- rejections: every problem is listed, each naming file, field and value ---------------------
# Each case: a python statement editing c (a copy of vm.json) and the messages expected on stderr.
# All copies are written by one python run (python starts slowly on a loaded machine).
cases=()
bad() { cases+=("$@" "--"); }
bad "policy without bit 17" 'c["guest_policy"] = "0x10000"' \
        '^snpctl config: bad.json: guest_policy: bit 17 must be set \(0x20000\)$'
bad "reserved policy bits" 'c["guest_policy"] = "0x4030000"' \
        '^snpctl config: bad.json: guest_policy: reserved bits must be zero: 0x4000000 \(bit 26\)$'
bad "a typo in a key" 'c["guest_polcy"] = c.pop("guest_policy")' \
        "^snpctl config: bad.json: guest_polcy: unknown key \\(did you mean 'guest_policy'\\?\\)$"
bad "an unknown key" 'c["colour"] = "blue"' '^snpctl config: bad.json: colour: unknown key$'
bad "a wrong type" 'c["vcpu_count"] = "four"' "^snpctl config: bad.json: vcpu_count: 'four' is not a number"
bad "a number out of range" 'c["vcpu_count"] = 0' '^snpctl config: bad.json: vcpu_count: 0 is out of range 1\.\.4096$'
bad "a negative number" 'c["vmpl"] = -1' '^snpctl config: bad.json: vmpl: must not be negative \(-1\)$'
bad "a bad hex length" 'c["host_data"] = "00" * 31' \
        '^snpctl config: bad.json: host_data: must be 32 bytes \(64 hex digits\), got 62 digits$'
bad "non-hex" 'c["family_id"] = "zz" * 16' "^snpctl config: bad.json: family_id: 'z+' is not hexadecimal$"
bad "an unknown CPU family" 'c["host_cpu_family"] = "Rome"' \
        "^snpctl config: bad.json: host_cpu_family: unknown value 'Rome' \\(expected one of: Milan, Genoa, Turin\\)$"
bad "guest features without SNPActive" 'c["guest_features"] = "0x20"' \
        '^snpctl config: bad.json: guest_features: bit 0 \(SNPActive\) must be set'
bad "an FMC SPL on Genoa" 'c["min_committed_tcb"]["fmc"] = 1' \
        '^snpctl config: bad.json: min_committed_tcb.fmc: must be 0: Genoa has no FMC SPL'
bad "a missing file" 'c["kernel_file"] = "guest/nosuch"' \
        "^snpctl config: bad.json: kernel_file: '$T/guest/nosuch': No such file or directory$"
bad "an unknown vCPU model" 'c["vcpu_type"] = "EPYC-Zen9"' \
        "^snpctl config: bad.json: vcpu_type: unknown vCPU model 'EPYC-Zen9'"
bad "a vcpu_sig that contradicts vcpu_type" 'c["vcpu_sig"] = "0xa00f11"' \
        '^snpctl config: bad.json: vcpu_sig: 0xa00f11 differs from the signature of vcpu_type EPYC-v4 \(0x800f12\)$'
bad "a bad forward" 'c["forwards"][0]["host_port"] = 70000' \
        '^snpctl config: bad.json: forwards\[0\]\.host_port: 70000 is out of range 1\.\.65535$'
bad "null for a required field" 'c["guest_policy"] = None' \
        '^snpctl config: bad.json: guest_policy: must not be null'
bad "several problems at once" 'c["vmpl"] = 4; c["signer"] = "ask"; c["memory_mb"] = 1' \
        '^snpctl config: bad.json: vmpl: 4 is out of range 0\.\.3$' \
        "^snpctl config: bad.json: signer: unknown value 'ask' \\(expected one of: vcek, vlek\\)$" \
        '^snpctl config: bad.json: memory_mb: 1 is out of range 64\.\.' \
        "'bad.json': 3 errors"
bad "boot=encrypted without the owner key and the disk binding" \
        'c["kernel_cmdline"] = "console=ttyS0 boot=encrypted root=/dev/sda"' \
        '^snpctl config: bad.json: owner_key_digest: required with boot=encrypted: the guest accepts its disk key only from this owner key' \
        '^snpctl config: bad.json: luks_binding: required with boot=encrypted: the guest opens only the LUKS2 volume bound here'
bad "the owner key put on the command line by hand" \
        'c["kernel_cmdline"] = "root=/dev/sda snpctl.owner=" + "ab" * 48' \
        '^snpctl config: bad.json: kernel_cmdline: must not set snpctl.owner=: use the owner_key_digest field, which adds it$'
bad "a LUKS binding that is not UUID:HEX" 'c["luks_binding"] = "1234:abcd"' \
        "^snpctl config: bad.json: luks_binding: '1234:abcd' is not UUID:HEX"
bad "an owner key digest of the wrong size" 'c["owner_key_digest"] = "ab" * 32' \
        '^snpctl config: bad.json: owner_key_digest: must be 48 bytes \(96 hex digits\), got 64 digits$'
bad "an owner key without a kernel" 'c["owner_key_digest"] = "ab" * 48; c["kernel_file"] = None; c["initrd_file"] = None' \
        '^snpctl config: bad.json: owner_key_digest: needs kernel_file: it reaches the guest on the measured kernel command line$'
# Bounded work (issue 17): a 1 MiB file of empty disks or bad forwards is one error, or 100
# listed ones and a count.
bad "more disks than accepted" 'c["disks"] = [{}] * 100000' \
        '^snpctl config: bad.json: disks: 100000 disks, more than the 64 snpctl accepts$'
bad "more problems than are listed" 'c["forwards"] = [{"host_port": 0, "guest_port": 0}] * 200' \
        '^snpctl config: bad.json: more than 100 problems; the rest are not listed$' \
        "'bad.json': 400 errors"
make_ovmf guest/OVMF-nohashes.fd 1,2,3
bad "a kernel with an OVMF that cannot measure it" 'c["ovmf_file"] = "guest/OVMF-nohashes.fd"' \
        "^snpctl config: bad.json: kernel_file: '$T/guest/OVMF-nohashes.fd' has no SNP kernel-hashes section"
edits=()
i=0
while [ $i -lt ${#cases[@]} ]; do
        edits+=("${cases[$((i + 1))]}")
        while [ "${cases[$i]}" != "--" ]; do i=$((i + 1)); done
        i=$((i + 1))
done
python3 - vm.json "${edits[@]}" <<'EOF2'
import copy, json, sys
base = json.load(open(sys.argv[1]))
for n, edit in enumerate(sys.argv[2:]):
    c = copy.deepcopy(base)
    exec(edit)
    json.dump(c, open('bad-%d.json' % n, 'w'), indent=2)
EOF2
i=0
n=0
while [ $i -lt ${#cases[@]} ]; do
        name=${cases[$i]}
        i=$((i + 2))
        cp "bad-$n.json" bad.json
        testcmd "rejects $name" 1 "$SNPCTL" config validate bad.json
        while [ "${cases[$i]}" != "--" ]; do
                expect_err "$name: ${cases[$i]}" "${cases[$i]}"
                i=$((i + 1))
        done
        i=$((i + 1))
        n=$((n + 1))
done
printf 'not json' > bad.json
testcmd "rejects a JSON syntax error" 1 "$SNPCTL" config validate bad.json
expect_err "syntax error names the line" '^snpctl config: bad.json: line 1: JSON syntax error'
testcmd "a missing config is an error" 1 "$SNPCTL" config validate nosuch.json
expect_err "the missing config is named" "reading config 'nosuch.json': No such file or directory"

# A verifier without the files: --no-file-checks validates, show cannot compute the digest.
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["ovmf_file"]="/nonexistent/OVMF.fd"; json.dump(c, open(sys.argv[2],"w"))' vm.json nofiles.json
testcmd "a config naming missing files is invalid" 1 "$SNPCTL" config validate nofiles.json
testcmd "... unless --no-file-checks" 0 "$SNPCTL" config validate --no-file-checks nofiles.json
testcmd "show without the OVMF fails" 1 "$SNPCTL" config show nofiles.json
testcmd "show --no-file-checks without the OVMF" 0 "$SNPCTL" config show --no-file-checks nofiles.json
expect_out "the digest is not computed" '^expected_launch_digest +\(not computed\)$'
expect_err "and the reason is given" 'launch digest not computed: .*/nonexistent/OVMF.fd'

# Warnings do not make the config invalid.
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["guest_policy"]="0xb0000"; json.dump(c, open(sys.argv[2],"w"))' vm.json debug.json
testcmd "a debug policy is valid, with a warning" 0 "$SNPCTL" config validate debug.json
expect_err "the warning names DEBUG" '^snpctl config: warning: debug.json: guest_policy: bit 19 \(DEBUG\)'
testcmd "-q: still valid" 0 "$SNPCTL" config validate -q debug.json
if [ -s "$ERR" ]; then fail "-q silences the config's warnings" "$(head -c 600 "$ERR")"; else pass "-q silences the config's warnings"; fi
testcmd "show of a debug policy" 0 "$SNPCTL" config show debug.json
expect_out "show says debug is allowed" '^  debug +ALLOWED$'
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["guest_features"]="0x801"; json.dump(c, open(sys.argv[2],"w"))' vm.json features.json
testcmd "unknown guest feature bits are valid, with a warning" 0 "$SNPCTL" config validate features.json
expect_err "the warning names the bits" \
        '^snpctl config: warning: features.json: guest_features: bits this version does not know: 0x800 \(bit 11\); measured as given$'

# --- --from-report on real reports -----------------------------------------------------------
if [ -n "$TESTDATA" ] && [ -d "$TESTDATA/attest" ]; then
        for case in ccf-genoa-vcek-v3-4ae0e73a ccf-milan-vcek-v3-e75e8d4e oak-turin-vcek-v5-3f44a09b \
                    trustee-milan-vlek-v2-affb92f9 gsg-milan-vcek-v2-377e6241; do
                rep=$TESTDATA/attest/$case/report.bin
                [ -f "$rep" ] || { fail "$case: report.bin present"; continue; }
                # The expected fields, decoded from the bytes (SNP ABI 56860 ATTESTATION_REPORT).
                want=$(python3 - "$rep" <<'EOF'
import struct, sys
r = open(sys.argv[1], 'rb').read()
assert len(r) == 1184
version, = struct.unpack_from('<I', r, 0)
policy, = struct.unpack_from('<Q', r, 8)
vmpl, = struct.unpack_from('<I', r, 0x30)
pinfo, = struct.unpack_from('<Q', r, 0x40)
key = (struct.unpack_from('<I', r, 0x48)[0] >> 2) & 7
fam, model = r[0x188], r[0x189]
family = None
if version >= 3:
    if fam == 0x19 and model <= 0x0f: family = 'Milan'
    elif fam == 0x19 and (0x10 <= model <= 0x1f or 0xa0 <= model <= 0xaf): family = 'Genoa'
    elif fam == 0x1a and model <= 0x11: family = 'Turin'
t = r[0x1e0:0x1e8]
if family == 'Turin':
    tcb = dict(bootloader=t[1], tee=t[2], snp=t[3], microcode=t[7], fmc=t[0])
else:
    tcb = dict(bootloader=t[0], tee=t[1], snp=t[6], microcode=t[7], fmc=0)
print(family or 'PLACEHOLDER', hex(policy), hex(pinfo), tcb, vmpl, ['vcek', 'vlek'][key])
EOF
)
                testcmd "$case: init --from-report" 0 "$SNPCTL" config init --from-report "$rep"
                got=$(python3 - "$OUT" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
f = c['host_cpu_family']
print('PLACEHOLDER' if f.startswith('<') else f, c['guest_policy'], c['platform_info'],
      c['min_committed_tcb'], c['vmpl'], c['signer'])
EOF
)
                if [ -n "$want" ] && [ "$got" = "$want" ]; then
                        pass "$case: fields equal the report's ($got)"
                else
                        fail "$case: fields equal the report's" "got:  $got" "want: $want"
                fi
        done
        # Known values (attest/README.md): the Genoa report's committed TCB and the Turin FMC layout.
        testcmd "Genoa report" 0 "$SNPCTL" config init --from-report "$TESTDATA/attest/ccf-genoa-vcek-v3-4ae0e73a/report.bin"
        expect_out "Genoa report: family" '"host_cpu_family": "Genoa"'
        expect_out "Genoa report: snp SPL 23" '"snp": 23,'
        expect_out "Genoa report: microcode SPL 84" '"microcode": 84,'
        testcmd "a v2 report warns about the CPU family" 0 "$SNPCTL" config init --from-report "$TESTDATA/attest/gsg-milan-vcek-v2-377e6241/report.bin"
        expect_err "the v2 warning" 'version 2\) does not name the CPU generation'
        testcmd "a v2 report with --host-cpu-family" 0 "$SNPCTL" config init --host-cpu-family Milan --from-report "$TESTDATA/attest/gsg-milan-vcek-v2-377e6241/report.bin"
        expect_out "--host-cpu-family is used" '"host_cpu_family": "Milan"'
        expect_err "a report allowing debug is pointed out" 'policy allows debugging \(0xb0000\)'
        expect_out "that policy is copied, not hidden" '"guest_policy": "0xb0000"'
        testcmd "a family contradicting the report" 1 "$SNPCTL" config init --host-cpu-family Milan --from-report "$TESTDATA/attest/oak-turin-vcek-v5-3f44a09b/report.bin"
        expect_err "the contradiction is named" 'comes from a Turin host, not Milan'
        head -c 1000 "$TESTDATA/attest/ccf-genoa-vcek-v3-4ae0e73a/report.bin" > short.bin
        # Verified with the test data's own certificates and AMD's pinned roots.
        G=$TESTDATA/attest/ccf-genoa-vcek-v3-4ae0e73a
        testcmd "unverified report: written" 0 "$SNPCTL" config init --from-report "$G/report.bin"
        expect_err "unverified report: the warning" "warning: report '.*report.bin' was NOT verified"
        testcmd "real report with --certs: verified" 0 "$SNPCTL" config init --from-report "$G/report.bin" --certs "$G"
        expect_err "real report: verified under a pinned root" "report '.*report.bin' verified: signed by a Genoa VCEK whose chain ends at a pinned AMD root"
        expect_out "real report: values copied" '"host_cpu_family": "Genoa"'
        # The VLEK expired on 2025-12-10: rejected now, verified as of --at.
        testcmd "real VLEK report, expired VLEK: rejected" 3 "$SNPCTL" config init --from-report "$TESTDATA/attest/trustee-milan-vlek-v3-decdab94/report.bin" --certs "$TESTDATA/attest/trustee-milan-vlek-v3-decdab94"
        expect_err "... by the validity check" "rejected, nothing written: validity: .*got VLEK expired 2025-12-10T22:14:21Z"
        testcmd "real VLEK report with --certs --at: verified" 0 "$SNPCTL" config init --from-report "$TESTDATA/attest/trustee-milan-vlek-v3-decdab94/report.bin" --certs "$TESTDATA/attest/trustee-milan-vlek-v3-decdab94" --at 2025-04-01
        expect_out "VLEK report: signer" '"signer": "vlek"'
        testcmd "real report with another host's certificates: rejected" 3 "$SNPCTL" config init --from-report "$G/report.bin" --certs "$TESTDATA/attest/trustee-genoa-vcek-v3-227a641d" -o rejected.json
        expect_err "... naming the failed check" "rejected, nothing written: (signature|chip-id|cert-tcb):"
        [ ! -e rejected.json ] && pass "... nothing written" || fail "... nothing written"
        testcmd "a truncated report" 1 "$SNPCTL" config init --from-report short.bin
        expect_err "the truncated report is named" "reading report 'short.bin': not a 1184-byte attestation report"
        expect_no_out "nothing printed for a bad report"
        # The filled-in template for this host validates once the paths are filled in.
        "$SNPCTL" config init --from-report "$TESTDATA/attest/ccf-genoa-vcek-v3-4ae0e73a/report.bin" -o fromreport.json
        python3 - fromreport.json <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c.update(ovmf_file='guest/OVMF.fd', kernel_file='guest/bzImage', initrd_file='guest/initrd.img')
c['disks'][0]['file'] = 'guest/disk.qcow2'
json.dump(c, open(sys.argv[1], 'w'), indent=2)
EOF
        testcmd "the config from a report validates" 0 "$SNPCTL" config validate fromreport.json
        testcmd "show of the config from a report" 0 "$SNPCTL" config show fromreport.json
        expect_out "show decodes platform_info bits" '^platform_info +0x27 SMT_EN TSME_EN ECC_EN ALIAS_CHECK_COMPLETE$'
        expect_out "show gives the policy ABI" '^  ABI minimum +0\.31$'
else
        echo "# --from-report checks skipped: no test data (looked for $TESTDATA/attest)"
fi

# show's launch digest against the reference tools' known answers (measure/vectors.json): every
# SNP case with a QEMU or EC2 VMM, as a config. /dev/null kernels become empty files.
if [ -n "$TESTDATA" ] && [ -f "$TESTDATA/measure/vectors.json" ]; then
        mkdir -p vec
        : > vec/empty
        python3 - "$TESTDATA/measure" vec <<'EOF'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
n = 0
for v in json.load(open(os.path.join(src, 'vectors.json'))):
    if v['mode'] != 'snp' or v['expect_error'] or v['vmm_type'] not in ('QEMU', 'ec2') or not v['vcpu_type']:
        continue
    c = {'host_cpu_family': 'Milan', 'vcpu_count': v['vcpus'], 'vcpu_type': v['vcpu_type'],
         'vmm_type': v['vmm_type'], 'guest_features': v['guest_features'],
         'ovmf_file': os.path.join(src, v['ovmf'])}
    for key, field in (('kernel', 'kernel_file'), ('initrd', 'initrd_file')):
        if v[key]:
            c[field] = 'empty' if v[key] == '/dev/null' else os.path.join(src, v[key])
    if v['append'] is not None:
        c['kernel_cmdline'] = v['append']
    json.dump(c, open(os.path.join(out, v['id'] + '.json'), 'w'))
    open(os.path.join(out, v['id'] + '.want'), 'w').write(v['expected'] + '\n')
    n += 1
print('# %d vector configs written' % n)
EOF
        nvec=0
        for f in vec/*.json; do
                id=$(basename "$f" .json)
                run "$SNPCTL" config show --json "$f"
                got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expected_launch_digest"])' "$OUT" 2>/dev/null)
                if [ "$STATUS" = 0 ] && [ "$got" = "$(cat "vec/$id.want")" ]; then
                        nvec=$((nvec + 1))
                        pass "vector $id: show gives the expected launch digest"
                else
                        fail "vector $id" "status $STATUS, got $got" "want $(cat "vec/$id.want")" "$(head -c 300 "$ERR")"
                fi
        done
        echo "# config show matched $nvec launch-digest vectors"
        [ "$nvec" -ge 20 ] && pass "at least 20 vectors checked" || fail "only $nvec vectors checked"
        run "$SNPCTL" config show "vec/ssm-snp_guest_feature_snp_only.json"
        expect_out "show (text) prints the digest" '^expected_launch_digest +6d287813eb5222d7'
fi

# ID block and ID auth from virtee/sev's test vectors (same test keys): the key digests the
# reference computed must match the keys in the auth block; the block's launch digest is an
# arbitrary one, so validate must refuse it, naming both digests.
if [ -n "$TESTDATA" ] && [ -f "$TESTDATA/measure/vectors.json" ]; then
        python3 - "$TESTDATA/measure" <<'EOF'
import base64, json, os, sys
src = sys.argv[1]
v = {x['id']: x for x in json.load(open(os.path.join(src, 'vectors.json')))}
blk, auth = v['sev-id_block_and_key_digests'], v['sev-auth_block_generation']
open('idblock.b64', 'w').write(blk['expected_id_block'] + '\n')
open('idauth.b64', 'w').write(auth['expected_id_auth'] + '\n')
c = {'host_cpu_family': 'Milan', 'ovmf_file': os.path.join(src, 'ovmf_AmdSev_suffix.bin'),
     'id_block_file': 'idblock.b64', 'id_auth_file': 'idauth.b64',
     'id_key_digest': base64.b64decode(blk['expected_id_key_digest']).hex(),
     'author_key_digest': base64.b64decode(blk['expected_author_key_digest']).hex()}
json.dump(c, open('idvm.json', 'w'))
open('idld.hex', 'w').write(base64.b64decode(blk['expected_id_block'])[:48].hex())
c['id_key_digest'] = '00' * 48
json.dump(c, open('idvm-badkey.json', 'w'))
EOF
        testcmd "an ID block for another digest is refused" 1 "$SNPCTL" config validate idvm.json
        expect_err "the digests are named" "^snpctl config: idvm.json: id_block_file: ID block launch digest $(cat idld.hex) differs from the config's [0-9a-f]{96}: the launch would fail\$"
        expect_err "exactly one error: the key digests match the auth block" "'idvm.json': 1 error\$"
        testcmd "a wrong id_key_digest is refused" 1 "$SNPCTL" config validate idvm-badkey.json
        expect_err "the ID key mismatch is named" "^snpctl config: idvm-badkey.json: id_key_digest: differs from the ID key in '$T/idauth.b64'\$"
        expect_err "and only it, besides the digest" "'idvm-badkey.json': 2 errors\$"
fi

# Real OVMF builds: only the AmdSev build can measure a kernel (measure/README.md).
if [ -n "$TESTDATA" ] && [ -d "$TESTDATA/measure" ]; then
        for o in ovmf_AmdSev_suffix.bin:0 ovmf_OvmfX64_suffix.bin:1 debian/OVMF_CODE.fd:1 debian/OVMF_CODE_4M.fd:1; do
                f=${o%:*}
                [ -f "$TESTDATA/measure/$f" ] || { echo "# $f absent (only in ../shared): not checked"; continue; }
                python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["ovmf_file"]=sys.argv[3]; json.dump(c, open(sys.argv[2],"w"))' vm.json real.json "$TESTDATA/measure/$f"
                testcmd "OVMF $f with a kernel: exit ${o#*:}" "${o#*:}" "$SNPCTL" config validate real.json
        done
        if [ -f "$TESTDATA/measure/debian/OVMF_CODE_4M.fd" ]; then
                expect_err "an OVMF without SEV metadata is named" 'OVMF_CODE_4M.fd.* has no SEV metadata'
        fi
fi

finish
