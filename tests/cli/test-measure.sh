# SPDX-License-Identifier: Apache-2.0
# snpctl measure: the shared vectors (measure-vectors.py), synthetic images against an
# independent model (measure-model.py), then the CLI contract: sev-snp-measure compatibility,
# output formats, --json components, --dump-vmsa, usage errors (2) and bad input (1).
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

testcmd "measure --help exits 0" 0 "$SNPCTL" measure --help
expect_out "--help names the modes" 'snp:ovmf-hash'

# Synthetic images (no test data needed): each page type, VMM type, 1..6 vCPUs, SEV/SEV-ES, SVSM.
python3 "$here/measure-model.py" >"$T/model.log" 2>&1
st=$?
grep -v '^ok' "$T/model.log"
if [ $st -eq 0 ]; then pass "synthetic images agree with the model"; else fail "synthetic images"; fi

testcmd "usage: no --ovmf" 2 "$SNPCTL" measure --vcpus 1 --vcpu-type EPYC-v4
expect_err "names --ovmf" 'missing --ovmf'
expect_no_out "usage error prints nothing on stdout"
testcmd "usage: --vcpus 0" 2 "$SNPCTL" measure --vcpus 0 --vcpu-type EPYC-v4 --ovmf x
expect_err "names --vcpus" "bad --vcpus '0'"
testcmd "usage: --vcpus 4097" 2 "$SNPCTL" measure --vcpus 4097 --vcpu-type EPYC-v4 --ovmf x
testcmd "usage: unknown --vcpu-type" 2 "$SNPCTL" measure --vcpus 1 --vcpu-type EPYC-v9 --ovmf x
expect_err "names the vCPU type" "unknown --vcpu-type 'EPYC-v9'"
testcmd "usage: unknown --vmm-type" 2 "$SNPCTL" measure --vcpus 1 --vmm-type xen --ovmf x
expect_err "names the VMM type" "unknown VMM type 'xen'"
testcmd "usage: guest features without SNPActive" 2 "$SNPCTL" measure --vcpus 1 \
        --vcpu-type EPYC-v4 --guest-features 0x20 --ovmf x
expect_err "names bit 0" '^snpctl measure: --guest-features 0x20 lacks bit 0 \(SNPActive\), which every SNP vCPU has$'
testcmd "usage: --guest-features not a number" 2 "$SNPCTL" measure --vcpus 1 \
        --vcpu-type EPYC-v4 --guest-features 0x1z --ovmf x
expect_err "names the value" "bad --guest-features '0x1z'"
testcmd "usage: unknown --mode" 2 "$SNPCTL" measure --mode tdx --ovmf x
testcmd "usage: --initrd without --kernel" 2 "$SNPCTL" measure --mode sev --initrd x --ovmf x
expect_err "reference wording" '--kernel required when using --initrd'
testcmd "usage: --append without --kernel" 2 "$SNPCTL" measure --mode sev --append x --ovmf x
testcmd "usage: snp without --vcpus" 2 "$SNPCTL" measure --mode snp --vcpu-type EPYC-v4 --ovmf x
expect_err "reference wording" "missing --vcpus N in guest mode 'snp'"
testcmd "usage: bad --snp-ovmf-hash" 2 "$SNPCTL" measure --vcpus 1 --vcpu-type EPYC-v4 \
        --snp-ovmf-hash abcd --ovmf x
testcmd "usage: --snp-ovmf-hash outside snp" 2 "$SNPCTL" measure --mode seves --vcpus 1 \
        --vcpu-type EPYC-v4 --ovmf x --snp-ovmf-hash "$(printf '%096d' 0)"
testcmd "usage: svsm mode without vars" 2 "$SNPCTL" measure --mode snp:svsm --vcpus 1 \
        --vcpu-type EPYC-v4 --ovmf x --svsm y
testcmd "usage: --vars-size and --vars-file" 2 "$SNPCTL" measure --mode snp:svsm --vcpus 1 \
        --vcpu-type EPYC-v4 --ovmf x --svsm y --vars-size 4096 --vars-file z
testcmd "usage: --vcpu-family alone" 2 "$SNPCTL" measure --vcpus 1 --vcpu-family 25 --ovmf x
testcmd "usage: stray argument" 2 "$SNPCTL" measure --vcpus 1 --vcpu-type EPYC-v4 --ovmf x what
testcmd "usage: --dump-vmsa in sev mode" 2 "$SNPCTL" measure --mode sev --ovmf x --dump-vmsa

head -c 12345 /dev/zero >"$T/odd.fd"
testcmd "bad input: odd-sized OVMF" 1 "$SNPCTL" measure --mode sev --ovmf "$T/odd.fd"
expect_err "names file and size" "odd.fd.*size 12345 is not a multiple"
expect_no_out "no digest on failure"
: >"$T/empty.fd"
testcmd "bad input: empty OVMF" 1 "$SNPCTL" measure --mode sev --ovmf "$T/empty.fd"
expect_err "says empty" "empty.fd.*empty"
testcmd "bad input: missing OVMF" 1 "$SNPCTL" measure --mode sev --ovmf "$T/nosuch.fd"
expect_err "names the file" "nosuch.fd.*No such file"
testcmd "bad input: folder as OVMF" 1 "$SNPCTL" measure --mode sev --ovmf "$T"
head -c 8192 /dev/zero >"$T/blank.fd"
testcmd "bad input: no footer table (snp)" 1 "$SNPCTL" measure --vcpus 1 --vcpu-type EPYC-v4 \
        --ovmf "$T/blank.fd"
expect_err "says no footer table" "blank.fd.*no footer GUID table"
testcmd "no footer table is fine for plain SEV" 0 "$SNPCTL" measure --mode sev --ovmf "$T/blank.fd"
expect_stdout "SEV digest = SHA-256 of the image" "$(sha256sum "$T/blank.fd" | cut -d' ' -f1)"

[ "$checks_failed" -eq 0 ] || finish     # report failures above even without test data
need_testdata measure
D=$TESTDATA/measure
AMD=$D/ovmf_AmdSev_suffix.bin
snp=(--mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$AMD" --kernel /dev/null --initrd /dev/null
     --append "console=ttyS0 loglevel=7" --guest-features 0x21)
want=803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977
ovmf_hash=086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74

testcmd "snp digest" 0 "$SNPCTL" measure "${snp[@]}"
expect_stdout "snp digest is the known answer, alone on stdout" "$want"
if [ ! -s "$ERR" ]; then pass "nothing on stderr off a TTY"; else fail "stderr not empty" "$(cat "$ERR")"; fi
testcmd "base64 output" 0 "$SNPCTL" measure "${snp[@]}" --output-format base64
expect_stdout "base64 of the known answer" "$(python3 -c 'import base64,sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' "$want")"
testcmd "sev-snp-measure link" 0 "$(link sev-snp-measure)" "${snp[@]}"
expect_stdout "sev-snp-measure prints the digest" "$want"
testcmd "sev-snp-measure -v" 0 "$(link sev-snp-measure)" -v "${snp[@]}"
expect_stdout "sev-snp-measure -v sentence" "Calculated SEV_SNP guest measurement: $want"
testcmd "ovmf-hash subcommand" 0 "$SNPCTL" measure ovmf-hash --ovmf "$AMD"
expect_stdout "ovmf-hash is the known answer" "$ovmf_hash"
testcmd "--mode snp:ovmf-hash" 0 "$(link sev-snp-measure)" --mode snp:ovmf-hash --ovmf "$AMD"
expect_stdout "snp:ovmf-hash is the known answer" "$ovmf_hash"
run "$SNPCTL" measure --mode snp --vcpus 1 --vcpu-family 23 --vcpu-model 1 --vcpu-stepping 2 \
        --ovmf "$AMD" --kernel /dev/null --initrd /dev/null --append "console=ttyS0 loglevel=7" \
        --guest-features 0x21
expect_stdout "family 23 model 1 stepping 2 = EPYC-v4" "$want"
run "$SNPCTL" measure --mode snp --vcpus 1 --vcpu-sig 0x800f12 --ovmf "$AMD" --kernel /dev/null \
        --initrd /dev/null --append "console=ttyS0 loglevel=7" --guest-features 0x21
expect_stdout "--vcpu-sig 0x800f12 = EPYC-v4" "$want"
run "$SNPCTL" measure --mode snp --vcpus 1 --vcpu-type EPYC-Milan --vcpu-sig 0x800f12 --ovmf "$AMD" \
        --kernel /dev/null --initrd /dev/null --append "console=ttyS0 loglevel=7" --guest-features 0x21
expect_stdout "--vcpu-sig wins over --vcpu-type" "$want"

# Any 64-bit SEV_FEATURES is measured, as sev-snp-measure and QEMU take it; unknown bits warn.
testcmd "--guest-features with unknown bits" 0 "$SNPCTL" measure "${snp[@]/0x21/0x8000000000000821}"
if [ "$(cat "$ERR")" = "snpctl measure: warning: --guest-features 0x8000000000000821 sets bits this version does not know (0x8000000000000800); measured as given" ]; then
        pass "one warning names the unknown bits"; else fail "one warning names the unknown bits" "$(cat "$ERR")"; fi
if grep -Eqx '[0-9a-f]{96}' "$OUT" && [ "$(cat "$OUT")" != "$want" ]; then
        pass "a digest of its own"; else fail "a digest of its own" "$(cat "$OUT")"; fi

# Kernel and initrd are streamed: a pipe gives the same digest as the file. Any file will do as
# a kernel: 1.1 MB made here (svsm.bin once, but that image is only in ../shared).
KERNEL=$T/kernel.bin
yes "snpctl test kernel" | head -c 1138688 >"$KERNEL"
run "$SNPCTL" measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$AMD" \
        --kernel "$KERNEL" --initrd /dev/null --append "console=ttyS0 loglevel=7" \
        --guest-features 0x21
from_file=$(cat "$OUT")
run "$SNPCTL" measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$AMD" \
        --kernel <(cat "$KERNEL") --initrd /dev/null --append "console=ttyS0 loglevel=7" \
        --guest-features 0x21
expect_stdout "kernel from a pipe = kernel from the file" "$from_file"

# --json: the digest and every component, checked against values computed here.
testcmd "--json" 0 "$SNPCTL" measure --json --mode snp --vcpus 3 --vcpu-type EPYC-v4 --ovmf "$AMD" \
        --kernel "$KERNEL" --append "console=ttyS0"
python3 - "$OUT" "$KERNEL" <<'EOF' >"$T/json-check" 2>&1
import hashlib, json, sys
j = json.load(open(sys.argv[1]))
kernel = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert j["mode"] == "snp" and len(j["measurement"]) == 96, j
assert j["ovmf_hash"] == "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74"
k = j["kernel_hashes"]
assert k["kernel"] == kernel, k
assert k["initrd"] == hashlib.sha256(b"").hexdigest(), k
assert k["cmdline"] == hashlib.sha256(b"console=ttyS0\0").hexdigest(), k
assert j["vcpus"] == 3 and j["vcpu_sig"] == "0x800f12" and j["vmm_type"] == "QEMU", j
assert [v["vcpu"] for v in j["vmsas"]] == [0, 1, 2], j["vmsas"]
assert j["vmsas"][1]["sha384"] == j["vmsas"][2]["sha384"] != j["vmsas"][0]["sha384"]
EOF
if [ $? -eq 0 ]; then pass "--json components are right"; else fail "--json components" "$(cat "$T/json-check")"; fi

# --dump-vmsa writes vmsaN.bin, which hash to the --json VMSA digests; no overwrite without --force.
mkdir -p "$T/dump"
(cd "$T/dump" && "$SNPCTL" measure --dump-vmsa --json "${snp[@]}" --vcpus 2 \
        >"$T/dump.json" 2>"$T/dump.err")
st=$?
if [ $st -eq 0 ] && [ -f "$T/dump/vmsa0.bin" ] && [ -f "$T/dump/vmsa1.bin" ] && [ ! -e "$T/dump/vmsa2.bin" ] &&
   [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vmsas"][1]["sha384"])' "$T/dump.json")" = \
     "$(sha384sum "$T/dump/vmsa1.bin" | cut -d' ' -f1)" ]; then
        pass "--dump-vmsa writes the measured pages"
else
        fail "--dump-vmsa" "$(cat "$T/dump.err")"
fi
(cd "$T/dump" && "$SNPCTL" measure --dump-vmsa "${snp[@]}" >/dev/null 2>"$T/dump.err")
st=$?
if [ $st -eq 1 ] && grep -q "vmsa0.bin.*--force" "$T/dump.err"; then pass "--dump-vmsa keeps files"; else fail "--dump-vmsa overwrote" "$st $(cat "$T/dump.err")"; fi
(cd "$T/dump" && "$SNPCTL" measure --dump-vmsa --force "${snp[@]}" >/dev/null 2>"$T/dump.err")
if [ $? -eq 0 ]; then pass "--dump-vmsa --force replaces"; else fail "--dump-vmsa --force" "$(cat "$T/dump.err")"; fi

# Bounded work for every input (issue 17): what is not a regular file is read up to 1 GiB.
testcmd "--kernel /dev/zero ends" 1 timeout 60 "$SNPCTL" measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 \
        --ovmf "$AMD" --kernel /dev/zero
expect_err "... saying why" "reading kernel '/dev/zero': not a regular file, and more than 1 GiB"
testcmd "--initrd from an endless pipe ends" 1 timeout 60 "$SNPCTL" measure --mode snp --vcpus 1 \
        --vcpu-type EPYC-v4 --ovmf "$AMD" --kernel /dev/null --initrd <(cat /dev/zero)
expect_err "... saying why" "reading initrd '.*': not a regular file, and more than 1 GiB"

testcmd "kernel with a non-AmdSev OVMF" 1 "$SNPCTL" measure --vcpus 1 --vcpu-type EPYC-v4 \
        --ovmf "$D/ovmf_OvmfX64_suffix.bin" --kernel /dev/null
expect_err "reference wording" "doesn't include SNP_KERNEL_HASHES section"
expect_no_out "no digest"
if [ -f "$D/debian/OVMF_CODE_4M.fd" ]; then        # a firmware image: only in ../shared
        testcmd "kernel with Debian's OVMF (no metadata)" 1 "$SNPCTL" measure --vcpus 1 --vcpu-type EPYC-v4 \
                --ovmf "$D/debian/OVMF_CODE_4M.fd" --kernel /dev/null
fi
testcmd "unreadable kernel" 1 "$SNPCTL" measure "${snp[@]/\/dev\/null/$T/nokernel}"
expect_err "names the kernel" "kernel '$T/nokernel'"

# The shared vectors, every measurement case, byte for byte.
python3 "$here/measure-vectors.py" >"$T/vectors.log" 2>&1
st=$?
grep -v '^ok' "$T/vectors.log"
if [ $st -eq 0 ]; then pass "all shared measure vectors"; else fail "shared measure vectors"; fi
# --config: the guest from a VM config gives the same digest as the explicit flags, for
# vectors.json cases; flags override single fields; the config's relative paths resolve against
# its folder.
vec() {         # vec ID: that case's expected digest
        python3 -c 'import json, sys
print(next(v["expected"] for v in json.load(open(sys.argv[1])) if v["id"] == sys.argv[2]))' \
                "$D/vectors.json" "$1"
}
mkcfg() {       # mkcfg OUT KEY=JSON...: a config (host fields are not in the digest)
        python3 - "$@" <<'PY'
import json, sys
c = {"host_cpu_family": "Milan"}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    c[k] = json.loads(v)
json.dump(c, open(sys.argv[1], "w"))
PY
}
mkdir -p "$T/cfg"
ln -s "$AMD" "$T/cfg/OVMF.fd"
v4=$(vec ssm-snp_with_multiple_vcpus_feature_snp_only)
mkcfg "$T/cfg/vm.json" ovmf_file='"OVMF.fd"' kernel_file='"/dev/null"' initrd_file='"/dev/null"' \
        kernel_cmdline='""' vcpu_count=4 vcpu_type='"EPYC-v4"' guest_features='"0x1"'
testcmd "explicit flags (vector ssm-snp_with_multiple_vcpus_feature_snp_only)" 0 "$SNPCTL" measure \
        --vcpus 4 --vcpu-type EPYC-v4 --ovmf "$AMD" --kernel /dev/null --initrd /dev/null \
        --append "" --guest-features 0x1
expect_stdout "explicit flags give the vector" "$v4"
testcmd "--config" 0 "$SNPCTL" measure --config "$T/cfg/vm.json"
expect_stdout "--config gives the same digest as the flags" "$v4"
testcmd "--vm-definition" 0 "$SNPCTL" measure --vm-definition "$T/cfg/vm.json"
expect_stdout "--vm-definition gives the same digest" "$v4"
testcmd "--config with --guest-features 0x21" 0 "$SNPCTL" measure --config "$T/cfg/vm.json" \
        --guest-features 0x21
expect_stdout "--guest-features overrides (vector ssm-snp_with_multiple_vcpus_default)" \
        "$(vec ssm-snp_with_multiple_vcpus_default)"
testcmd "--config with --vcpus 1 --append" 0 "$SNPCTL" measure --config "$T/cfg/vm.json" --vcpus 1 \
        --append "console=ttyS0 loglevel=7"
expect_stdout "--vcpus and --append override (vector ssm-snp_guest_feature_snp_only)" \
        "$(vec ssm-snp_guest_feature_snp_only)"
mkcfg "$T/cfg/ec2.json" ovmf_file='"OVMF.fd"' kernel_file='"/dev/null"' initrd_file='"/dev/null"' \
        vmm_type='"EC2"' guest_features='"0x21"'
testcmd "--config with vmm_type EC2" 0 "$SNPCTL" measure --config "$T/cfg/ec2.json"
expect_stdout "EC2 config (vector ssm-snp_ec2_default)" "$(vec ssm-snp_ec2_default)"
testcmd "--config, --vmm-type QEMU overrides EC2" 0 "$SNPCTL" measure --config "$T/cfg/ec2.json" \
        --vmm-type QEMU --vcpus 4
expect_stdout "QEMU override (vector ssm-snp_with_multiple_vcpus_default)" \
        "$(vec ssm-snp_with_multiple_vcpus_default)"
mkcfg "$T/cfg/nok.json" ovmf_file='"OVMF.fd"' guest_features='"0x21"'
testcmd "--config without a kernel" 0 "$SNPCTL" measure --config "$T/cfg/nok.json"
expect_stdout "no kernel (vector ssm-snp_without_kernel_default)" "$(vec ssm-snp_without_kernel_default)"
testcmd "--config, ovmf-hash" 0 "$SNPCTL" measure ovmf-hash --config "$T/cfg/vm.json"
expect_stdout "ovmf-hash of the config's OVMF" "$ovmf_hash"
testcmd "--config --json" 0 "$SNPCTL" measure --config "$T/cfg/vm.json" --json
expect_out "--json carries the digest" "$v4"
mkcfg "$T/cfg/x64.json" ovmf_file="\"$D/ovmf_OvmfX64_suffix.bin\"" kernel_file='"/dev/null"'
testcmd "--config: kernel with a non-AmdSev OVMF exits 1" 1 "$SNPCTL" measure --config "$T/cfg/x64.json"
expect_no_out "no digest for a config that cannot be measured"
mkcfg "$T/cfg/gone.json" ovmf_file='"gone.fd"'
testcmd "--config: missing OVMF exits 1" 1 "$SNPCTL" measure --config "$T/cfg/gone.json"
expect_err "the missing OVMF is named, resolved against the config's folder" "$T/cfg/gone.fd"
mkcfg "$T/cfg/bad.json" ovmf_file='"OVMF.fd"' vcpu_count=0
testcmd "--config: bad config exits 1" 1 "$SNPCTL" measure --config "$T/cfg/bad.json"
expect_err "the config problem is named" "bad.json: vcpu_count"
testcmd "--config: missing config exits 1" 1 "$SNPCTL" measure --config "$T/cfg/nosuch.json"
expect_err "the missing config is named" "reading config '.*nosuch.json'"

MZ=$(printf '00%.0s' $(seq 48))
# --- measure --match ----------------------------------------------------------------------------
# 50 hidden parameter sets drawn by a seeded RNG (the seed is printed), digests from the model.
python3 "$here/measure-match.py" "$SNPCTL" >"$T/match.log" 2>&1
st=$?
head -1 "$T/match.log"
grep -v '^ok' "$T/match.log" | tail -n +2
if [ $st -eq 0 ]; then pass "--match finds 50 hidden parameter sets"; else fail "--match, hidden sets"; fi
# A known answer of sev-snp-measure (4 vCPUs, EPYC-v4, QEMU, 0x21) from the EC2 config's files:
# the config's own vcpu_count, vmm_type and guest_features are searched, not taken.
testcmd "--match a vector's digest with --config" 0 "$SNPCTL" measure --config "$T/cfg/ec2.json" \
        --match "$(vec ssm-snp_with_multiple_vcpus_default)" --max-vcpus 64
expect_out "finds 4 vCPUs of signature 0x800f12 under QEMU with 0x21" \
        '^  flags:  --vcpus 4 --vcpu-type EPYC --vmm-type QEMU --guest-features 0x21$'
expect_out "as config fields" '"vcpu_count": 4, "vcpu_type": "EPYC", "vmm_type": "QEMU", "guest_features": "0x21"'
expect_out "names the equivalent vCPU types" 'EPYC-v4'
expect_out "says what changes from the config" '^  changes from the config: vcpu_count 1 -> 4, vmm_type EC2 -> QEMU$'
testcmd "--match --json" 0 "$SNPCTL" measure --config "$T/cfg/ec2.json" --json \
        --match "$(vec ssm-snp_ec2_default)" --max-vcpus 8
expect_out "a list of config fields" '"vmm_type": "EC2"'
testcmd "--match with a fixed --vcpus that cannot match exits 3" 3 "$SNPCTL" measure \
        --config "$T/cfg/ec2.json" --match "$(vec ssm-snp_with_multiple_vcpus_default)" --vcpus 3
expect_out "says so" '^no parameter set reproduces'
expect_out "names what it did not vary" 'firmware .*OVMF.fd'
python3 "$here/attest-synth.py" new "$T/match-report.bin" milan 3
python3 "$here/attest-synth.py" set "$T/match-report.bin" 0x90 "$(vec ssm-snp_guest_feature_snp_only)"
testcmd "--match takes a report's MEASUREMENT" 0 "$SNPCTL" measure --config "$T/cfg/vm.json" \
        --append "console=ttyS0 loglevel=7" --match "$T/match-report.bin" --max-vcpus 4
expect_out "finds 1 vCPU with 0x1" '^  flags:  --vcpus 1 --vcpu-type EPYC --vmm-type QEMU --guest-features 0x1$'
x64="$D/ovmf_OvmfX64_suffix.bin"
nokh=$("$SNPCTL" measure --ovmf "$x64" --vcpus 2 --vcpu-type EPYC-Rome 2>/dev/null)
testcmd "--match: a firmware without kernel hashes searches kernel-hashes=off" 0 "$SNPCTL" measure \
        --match "$nokh" --ovmf "$x64" --kernel /dev/null --append "quiet" --max-vcpus 4
expect_out "finds the set with the kernel not measured" \
        '^  flags:  --vcpus 2 --vcpu-type EPYC-Rome --vmm-type QEMU --guest-features 0x1 \(kernel-hashes=off: no --kernel\)$'
expect_out "says why only off was searched" 'kernel hashes off \(the firmware cannot measure a kernel\)'
testcmd "usage: --match in sev mode" 2 "$SNPCTL" measure --mode sev --ovmf x --match "$MZ"
testcmd "usage: --max-vcpus without --match" 2 "$SNPCTL" measure --vcpus 1 --vcpu-type EPYC-v4 \
        --ovmf x --max-vcpus 4
testcmd "usage: --match with --vcpus and --max-vcpus" 2 "$SNPCTL" measure --ovmf x --match "$MZ" \
        --vcpus 2 --max-vcpus 4
testcmd "bad input: --match names no report" 1 "$SNPCTL" measure --ovmf x --match "$T/nosuch"
expect_err "says what it tried" "'.*nosuch' is not 96 hex digits; reading it as a report"
: >"$T/short.bin"
testcmd "bad input: --match report too short" 1 "$SNPCTL" measure --ovmf x --match "$T/short.bin"
finish
