# SPDX-License-Identifier: Apache-2.0
# The AmdSev OVMF that scripts/build-ovmf-amdsev builds from Debian's edk2 source (meson
# -Dtest_ovmf_amdsev; default /var/cache/snpctl/ovmf/OVMF.amdsev.fd): snpctl measures it with
# and without kernel hashes, for several vCPU counts and models, in SNP, SEV-ES and SEV mode, and
# every digest must equal the independent model's (tests/cli/measure-model.py, itself checked
# against the reference vectors by cli-measure); the OVMF hash start gives the same digests;
# launch --check accepts the image for a measured kernel. Skips (77) when it is not built.
. "$(dirname "$0")/lib.sh"

ovmf=${SNPCTL_OVMF_AMDSEV:-/var/cache/snpctl/ovmf/OVMF.amdsev.fd}
if [ ! -s "$ovmf" ]; then
        echo "skipped: no AmdSev OVMF at $ovmf (scripts/build-ovmf-amdsev builds it there; meson -Dtest_ovmf_amdsev=PATH names another)"
        exit 77
fi
MODEL=$(cd "$(dirname "$0")" && pwd)/measure-model.py
cd "$T" || exit 1
echo "# OVMF: $ovmf ($(stat -L -c %s "$ovmf") bytes, SHA-384 $(sha384sum "$ovmf" | cut -c1-16)...)"

# A kernel: the boot tests' one when there, and always a synthetic one (only its bytes count).
head -c 70000 /dev/urandom >vmlinuz-synthetic
printf 'initrd bytes' >initrd.img
kernels=("$T/vmlinuz-synthetic")
k=${SNPCTL_TEST_KERNEL:-/var/cache/snpctl-test/vmlinuz}
[ -r "$k" ] && kernels+=("$k")

# The model's digests for every case, one line each: the expected digest, then snpctl measure's
# arguments, separated by 0x1f.
python3 - "$MODEL" "$ovmf" "${kernels[@]}" >cases.txt <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("model", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
ovmf, kernels = sys.argv[2], sys.argv[3:]
def out(c, args):
    print("\x1f".join([m.model(c)] + args))
for vcpus in (1, 2, 4, 16):
    for cpu in ("EPYC-v4", "EPYC-Milan", "EPYC-Genoa"):
        base = {"ovmf": ovmf, "vcpus": vcpus, "sig": m.SIGS[cpu], "features": 1}
        args = ["--ovmf", ovmf, "--vcpus", str(vcpus), "--vcpu-type", cpu]
        out(dict(base, mode="snp"), ["--mode", "snp"] + args)
        for k in kernels:
            for initrd, append in ((None, None), ("initrd.img", "console=ttyS0 root=/dev/sda")):
                c = dict(base, mode="snp", kernel=k, initrd=initrd, append=append)
                a = ["--mode", "snp"] + args + ["--kernel", k]
                if initrd:
                    a += ["--initrd", initrd, "--append", append]
                out(c, a)
        if cpu == "EPYC-v4" and vcpus <= 2:
            k = kernels[-1]
            for mode, arg in (("seves", "seves"), ("sev", "sev")):
                out(dict(base, mode=mode), ["--mode", arg] + args)
                out(dict(base, mode=mode, kernel=k, initrd="initrd.img", append="console=ttyS0"),
                    ["--mode", arg] + args + ["--kernel", k, "--initrd", "initrd.img",
                                              "--append", "console=ttyS0"])
print("\x1f".join([m.model({"mode": "snp:ovmf-hash", "ovmf": ovmf}), "ovmf-hash", "--ovmf", ovmf]))
PY
[ -s cases.txt ] || { fail "the model measures the image"; finish; }

n=0
while IFS=$'\x1f' read -r -a c; do
        want=${c[0]}
        run "$SNPCTL" measure "${c[@]:1}"
        got=$(cat "$OUT")
        n=$((n + 1))
        if [ "$STATUS" = 0 ] && [ "$got" = "$want" ]; then
                pass "measure ${c[*]:1}"
        else
                fail "measure ${c[*]:1}" "exit $STATUS, got $got, model $want" "$(head -c 300 "$ERR")"
        fi
done <cases.txt
echo "# $n digests of the built firmware agree with the model"

# The OVMF hash as the start of the chain gives the same digest (SNP).
h=$("$SNPCTL" measure ovmf-hash --ovmf "$ovmf")
full=$("$SNPCTL" measure --ovmf "$ovmf" --vcpus 2 --vcpu-type EPYC-v4 --kernel "${kernels[-1]}" --append console=ttyS0)
testcmd "measure --snp-ovmf-hash" 0 "$SNPCTL" measure --ovmf "$ovmf" --snp-ovmf-hash "$h" \
        --vcpus 2 --vcpu-type EPYC-v4 --kernel "${kernels[-1]}" --append console=ttyS0
expect_stdout "the OVMF hash start gives the full digest" "$full"

# The image has what a measured direct boot needs.
# (exit 1 here unless this is an SNP host; the OVMF line is what counts.)
run "$SNPCTL" launch --check --mode snp --ovmf "$ovmf" --kernel "${kernels[-1]}"
expect_out "OVMF finding ok" "^ok +ovmf +$(printf '%s' "$ovmf" | sed 's/[][\.*^$+?(){}|]/\\&/g') can measure a kernel"
finish
