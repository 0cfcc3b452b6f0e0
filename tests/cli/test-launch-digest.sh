# SPDX-License-Identifier: Apache-2.0
# The launch digest snpctl launch prints before starting QEMU, against the reference tools'
# known answers (tests/data/measure/vectors.json: every SNP, SEV-ES and SEV case a QEMU
# launch can produce), and --check's OVMF finding on real firmware images.
. "$(dirname "$0")/lib.sh"

need_testdata measure
M=$TESTDATA/measure
cd "$T" || exit 1

# One line per usable vector: id, expected digest, then launch's arguments, separated by 0x1f
# (not whitespace, so an empty --append survives the split).
python3 - "$M" >cases.tsv <<'PY'
import json, os, sys
folder = sys.argv[1]
modes = {"snp": "snp", "seves": "sev-es", "sev": "sev"}
for v in json.load(open(os.path.join(folder, "vectors.json"))):
    if v["mode"] not in modes or v.get("expect_error") or v.get("ovmf_hash") or v.get("svsm"):
        continue
    if (v.get("vmm_type") or "QEMU") != "QEMU" or v.get("vcpu_sig"):
        continue
    a = ["--mode", modes[v["mode"]], "--ovmf", os.path.join(folder, v["ovmf"]),
         "--vcpus", str(v.get("vcpus") or 1), "--cpu", v.get("vcpu_type") or "EPYC-v4"]
    for k in ("kernel", "initrd", "append"):
        if v.get(k) is not None:
            a += ["--" + k, v[k]]
    if v.get("guest_features"):
        a += ["--guest-features", v["guest_features"]]
    print("\x1f".join([v["id"], v["expected"]] + a))
PY
n=$(wc -l <cases.tsv)
[ "$n" -ge 20 ] && pass "$n vectors usable by launch" || fail "vectors usable by launch" "only $n"

while IFS=$'\x1f' read -r -a c; do
        id=${c[0]} want=${c[1]}
        run "$SNPCTL" launch --dry-run --json --cbitpos 51 "${c[@]:2}"
        got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("expected_launch_digest",""))' "$OUT" 2>/dev/null)
        if [ "$STATUS" = 0 ] && [ "$got" = "$want" ]; then
                pass "$id: launch digest"
        else
                fail "$id: launch digest" "status $STATUS, got '$got', want '$want'" "$(head -c 300 "$ERR")"
        fi
done <cases.tsv

# An ID block carrying the right digest passes; one digit off is refused before QEMU runs.
want=$(python3 -c 'import json,sys; print([v for v in json.load(open(sys.argv[1])) if v["id"] == "ssm-snp_guest_feature_snp_only"][0]["expected"])' "$M/vectors.json")
mkblock() {
        python3 - "$1" >"$2" <<'PY'
import base64, struct, sys
ld = bytes.fromhex(sys.argv[1])
print(base64.b64encode(ld + bytes(32) + struct.pack("<IIQ", 1, 0, 0x30000)).decode())
PY
}
mkblock "$want" good.b64
mkblock "${want%?}0" bad.b64
[ "${want: -1}" = 0 ] && mkblock "${want%?}1" bad.b64
python3 -c 'import base64; print(base64.b64encode(bytes(4096)).decode())' >auth.b64
args=(--cbitpos 51 --ovmf "$M/ovmf_AmdSev_suffix.bin" --kernel /dev/null --initrd /dev/null
      --append "console=ttyS0 loglevel=7" --id-auth auth.b64)
testcmd "ID block with the vector's digest" 0 "$SNPCTL" launch --dry-run "${args[@]}" --id-block good.b64
if grep -qF "id-block=$(cat good.b64)," "$OUT"; then pass "passed to QEMU"; else fail "passed to QEMU"; fi
testcmd "ID block one digit off" 1 "$SNPCTL" launch --dry-run "${args[@]}" --id-block bad.b64
expect_err "refused with the reason" "launch digest differs from the expected launch digest"
expect_no_out "no command line"

# A kernel cannot be measured with the OvmfX64 build: warned, or refused when an ID block needs it.
testcmd "kernel with OvmfX64: warning only" 0 "$SNPCTL" launch --dry-run --cbitpos 51 \
        --ovmf "$M/ovmf_OvmfX64_suffix.bin" --kernel /dev/null
expect_err "warns" "no expected launch digest: "
testcmd "kernel with OvmfX64 and an ID block: refused" 1 "$SNPCTL" launch --dry-run --cbitpos 51 \
        --ovmf "$M/ovmf_OvmfX64_suffix.bin" --kernel /dev/null --id-block good.b64 --id-auth auth.b64
expect_err "says why" "computing the launch digest: "

# --check on real firmware.
cat >fake-qemu <<'EOF'
#!/bin/sh
echo "QEMU emulator version 9.2.0"
EOF
chmod +x fake-qemu
check() { run "$SNPCTL" launch --check --mode "$1" --qemu ./fake-qemu --ovmf "$2" ${3:+--kernel "$3"}; }
check snp "$M/ovmf_AmdSev_suffix.bin" /dev/null
expect_out "AmdSev build measures a kernel" 'ok +ovmf +.*ovmf_AmdSev_suffix.bin can measure a kernel'
check snp "$M/ovmf_OvmfX64_suffix.bin" /dev/null
expect_out "OvmfX64 build cannot" 'FAIL +ovmf +.*ovmf_OvmfX64_suffix.bin: no kernel-hashes table'
check snp "$M/ovmf_OvmfX64_suffix.bin"
expect_out "OvmfX64 build is fine without a kernel" 'ok +ovmf +.*has SEV metadata'
if [ -f "$M/debian/OVMF_CODE_4M.fd" ]; then
        check snp "$M/debian/OVMF_CODE_4M.fd"
        expect_out "Debian OVMF_CODE_4M has no SEV metadata" 'FAIL +ovmf +.*OVMF_CODE_4M.fd: no SEV metadata'
        check sev-es "$M/debian/OVMF_CODE.fd" /dev/null
        expect_out "Debian OVMF_CODE has no hashes table" 'FAIL +ovmf +.*OVMF_CODE.fd: no kernel-hashes table'
fi
finish
