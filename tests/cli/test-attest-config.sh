# SPDX-License-Identifier: Apache-2.0
# snpctl attest-verify --config: every expected value comes from a VM config (docs/config.md).
# A config matching a synthetic report signed by a test chain passes; changing one config field
# makes exactly the matching check fail. With the test data: the launch digest computed from the
# config (a vectors.json case) and a real report matched by a hand-written config.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attest-lib.sh"

SYN="$(dirname "$0")/attest-synth.py"
V() { "$SNPCTL" attest-verify "$@"; }

testcmd "--help exits 0" 0 V --help
expect_out "--help documents --config" '--config=FILE'
expect_out "--help documents --vm-definition" '--vm-definition'
testcmd "missing config exits 1" 1 V --config "$T/nosuch.json" --measurement "$(printf '22%.0s' $(seq 48))" x.bin
expect_err "missing config is named" "reading config '.*nosuch.json'"

command -v openssl >/dev/null && command -v python3 >/dev/null || {
        echo "skipped: needs openssl and python3"; exit 77; }

# --- a Milan test chain and a v3 report signed by it --------------------------------------------
C=$T/chain
mkdir -p "$C"
PSS="-sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 -sigopt rsa_mgf1_md:sha384"
q() { "$@" >/dev/null 2>"$T/openssl.err" || { cat "$T/openssl.err"; echo "openssl failed: $*"; exit 1; }; }
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$C/ark.key"
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$C/chip.key"
q openssl req -x509 -new -key "$C/ark.key" -subj /CN=ARK-Milan $PSS -days 30 -out "$C/ark.pem"
issue() {       # issue NAME KEY CN CA EXT
        printf '[v]\n%s\n' "$5" >"$C/$1.cnf"
        q openssl req -new -key "$C/$2.key" -subj "/CN=$3" -out "$C/$1.csr"
        q openssl x509 -req -in "$C/$1.csr" -CA "$C/$4.pem" -CAkey "$C/ark.key" -set_serial 0 \
                $PSS -extfile "$C/$1.cnf" -extensions v -days 30 -out "$C/$1.pem"
}
CHIP=$(for i in $(seq 0 63); do printf '%02x' $(((0xa0 + i) & 255)); done)
issue ask ark SEV-Milan ark basicConstraints=CA:TRUE
issue vcek chip SEV-VCEK ask "$(printf '%s\n' 1.3.6.1.4.1.3704.1.1=ASN1:INTEGER:0 \
        1.3.6.1.4.1.3704.1.2=ASN1:IA5STRING:Milan-B0 1.3.6.1.4.1.3704.1.3.1=ASN1:INTEGER:3 \
        1.3.6.1.4.1.3704.1.3.2=ASN1:INTEGER:0 1.3.6.1.4.1.3704.1.3.3=ASN1:INTEGER:20 \
        1.3.6.1.4.1.3704.1.3.8=ASN1:INTEGER:209 \
        "1.3.6.1.4.1.3704.1.4=DER:$(echo "$CHIP" | sed 's/../&:/g; s/:$//')")"
CHAIN=(--trust-ark "$C/ark.pem" --ark "$C/ark.pem" --ask "$C/ask.pem" --vcek "$C/vcek.pem")

R=$T/r
mkdir -p "$R"
python3 "$SYN" new "$R/m3.bin" milan 3          # policy 0x30000, platform_info 0x25, TCB 3/0/20/209
python3 "$SYN" new "$R/m2.bin" milan 2
cp "$R/m3.bin" "$R/debug.bin"; bset "$R/debug.bin" 0x8 00000b
for f in m3 m2 debug; do sign "$R/$f.bin" "$C/chip.key"; done
MEAS=$(printf '22%.0s' $(seq 48))

# --- config init --from-report: the report is verified with the same certificate options -------
CI() { "$SNPCTL" config init "$@"; }
testcmd "--from-report without certificates: written" 0 CI --from-report "$R/m3.bin"
expect_err "... with the NOT verified warning" "warning: report '.*m3.bin' was NOT verified: its policy, VMPL, TCB and platform info are unverified.*give its certificates \(--certs DIR"
cp "$OUT" "$T/unverified.json"
testcmd "--from-report with the test chain: verified" 0 CI --from-report "$R/m3.bin" "${CHAIN[@]}"
expect_err "... says so" "report '.*m3.bin' verified: signed by a Milan VCEK whose chain ends at the --trust-ark root"
if grep -q "NOT verified" "$ERR"; then fail "... no NOT verified warning" "$(cat "$ERR")"; else pass "... no NOT verified warning"; fi
cmp -s "$OUT" "$T/unverified.json" && pass "... the same values as unverified" || fail "... the same values as unverified"
grep -q '"guest_policy": "0x30000"' "$OUT" && pass "... policy copied" || fail "... policy copied"
mkdir -p "$T/certdir"; cp "$C/ark.pem" "$C/ask.pem" "$C/vcek.pem" "$T/certdir/"
testcmd "--from-report with --certs DIR" 0 CI --from-report "$R/m3.bin" --certs "$T/certdir" --trust-ark "$C/ark.pem"
expect_err "... verified" "report '.*m3.bin' verified"
testcmd "--from-report, test chain under the pinned AMD roots: rejected" 3 CI --from-report "$R/m3.bin" --certs "$T/certdir" -o "$T/out.json"
expect_err "... naming the check" "report '.*m3.bin' rejected, nothing written: ark-trusted: expected a pinned AMD ARK"
[ ! -e "$T/out.json" ] && pass "... nothing written" || fail "... nothing written"
cp "$R/m3.bin" "$R/m3-flip.bin"; bflip "$R/m3-flip.bin" 0x90 0
testcmd "--from-report, a bit flipped after signing: rejected" 3 CI --from-report "$R/m3-flip.bin" "${CHAIN[@]}" -o "$T/out.json"
expect_err "... by the signature check" "rejected, nothing written: signature: expected ECDSA P-384"
[ ! -e "$T/out.json" ] && pass "... nothing written" || fail "... nothing written"
expect_no_out "... nothing on stdout"
cp "$R/m3.bin" "$R/m3-vmpl.bin"; bset "$R/m3-vmpl.bin" 0x30 01
testcmd "--from-report, VMPL changed after signing: rejected" 3 CI --from-report "$R/m3-vmpl.bin" "${CHAIN[@]}"
expect_err "... by the signature check" "rejected, nothing written: signature:"
testcmd "--from-report, the same forgery unverified: written with the warning" 0 CI --from-report "$R/m3-vmpl.bin"
expect_err "... the warning" "was NOT verified"
testcmd "--from-report, missing certificate: exit 1" 1 CI --from-report "$R/m3.bin" --trust-ark "$C/ark.pem" --ark "$C/ark.pem" --ask "$C/ask.pem" --vcek "$T/nosuch.pem"
expect_err "... naming it" "reading certificate '.*nosuch.pem'"
testcmd "--from-report with a DEBUG report, verified: written with the debug warning" 0 CI --from-report "$R/debug.bin" "${CHAIN[@]}"
expect_err "... the debug warning" "policy allows debugging \(0xb0000\)"
testcmd "certificate options without --from-report: usage error" 2 CI --certs "$T/certdir"
expect_err "... named" "go with init --from-report"
testcmd "--vcek with --vlek: usage error" 2 CI --from-report "$R/m3.bin" --vcek a --vlek b

# cfg OUT [KEY=JSON ...]: a config matching the synthetic report, with these fields changed.
cfg() {
        python3 - "$@" <<'PY'
import json, sys
c = {"host_cpu_family": "Milan", "ovmf_file": "not-on-this-machine.fd", "vcpu_count": 2,
     "guest_policy": "0x30000", "platform_info": "0x25",
     "min_committed_tcb": {"bootloader": 3, "tee": 0, "snp": 20, "microcode": 209},
     "family_id": "01" * 16, "image_id": "02" * 16, "guest_svn": 7, "id_key_digest": "44" * 48,
     "author_key_digest": "00" * 48, "host_data": "33" * 32, "vmpl": 0, "signer": "vcek",
     "min_report_version": 3}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    v = json.loads(v)
    if k.startswith("min_committed_tcb."):
        c["min_committed_tcb"][k.split(".")[1]] = v
    elif v is None:
        c.pop(k, None)
    else:
        c[k] = v
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
}

cfg "$T/vm.json"
fails "config matching the report verifies" 0 "" "${CHAIN[@]}" --config "$T/vm.json" --measurement "$MEAS" "$R/m3.bin"
for c in measurement policy debug platform-info committed-tcb family-id image-id guest-svn \
         id-key-digest author-key-digest host-data vmpl min-version signer host-cpu-family; do
        expect_out "config drives the $c check" "^  PASS  $c "
done
expect_out "host-cpu-family from the report's CPUID" '^  PASS  host-cpu-family +Milan \(report CPUID\)'
fails "--vm-definition is --config" 0 "" "${CHAIN[@]}" --vm-definition "$T/vm.json" --measurement "$MEAS" "$R/m3.bin"

# The boot files are not on this machine: a clear error unless --measurement is given.
testcmd "config without its boot files exits 1" 1 V "${CHAIN[@]}" --config "$T/vm.json" "$R/m3.bin"
expect_err "missing boot file is named" "config '.*vm.json': computing the launch digest: .*not-on-this-machine.fd"
expect_err "the error suggests --measurement" "give --measurement"
# --url takes its expected measurement from --config too; without the boot files it still sends
# nothing (exit 1 before any connection: port 9 on loopback is never contacted).
printf 'k' >"$T/key"
"$SNPCTL" idblock keygen -o "$T/owner.pem" >/dev/null 2>&1
testcmd "--url with --config is not a usage error" 1 V --url http://127.0.0.1:9 --secret-file "$T/key" --owner-key "$T/owner.pem" --config "$T/vm.json"
expect_err "--url with a config lacking boot files names them" "not-on-this-machine.fd"
testcmd "--url without any measurement source is a usage error" 2 V --url http://127.0.0.1:9 --secret-file "$T/key" --owner-key "$T/owner.pem"
expect_err "--url names the accepted sources" "--measurement, --id-block or --config"
expect_no_out "no verdict without the measurement"

# A config without min_committed_tcb checks no TCB floor: a warning; with --url it is a usage
# error (exit 2, before any connection) unless --min-tcb gives a floor or says none.
cfg "$T/notcb.json" min_committed_tcb=null
fails "config without min_committed_tcb verifies" 0 "" "${CHAIN[@]}" --config "$T/notcb.json" --measurement "$MEAS" "$R/m3.bin"
expect_err "... with a warning" "warning: config '.*notcb.json' has no min_committed_tcb: no TCB floor is checked"
[ "$(grep -c 'committed-tcb' "$OUT")" = 0 ] && pass "... and no committed-tcb row" || fail "... and no committed-tcb row"
fails "config without min_committed_tcb, --min-tcb gives the floor" 3 committed-tcb "${CHAIN[@]}" --config "$T/notcb.json" --min-tcb bl=3,tee=0,snp=21,ucode=209 --measurement "$MEAS" "$R/m3.bin"
testcmd "--url, config without min_committed_tcb: usage error" 2 V --url http://127.0.0.1:9 --secret-file "$T/key" --owner-key "$T/owner.pem" --config "$T/notcb.json" --measurement "$MEAS"
expect_err "... naming the config and the fix" "without a TCB floor: config '.*notcb.json' has no min_committed_tcb; add it, or give --min-tcb"
expect_no_out "... no verdict"
testcmd "--url, config without min_committed_tcb, --min-tcb none: tries the agent" 1 V --url http://127.0.0.1:9 --secret-file "$T/key" --owner-key "$T/owner.pem" --config "$T/notcb.json" --measurement "$MEAS" --min-tcb none
expect_err "... after the notice" "--min-tcb none: no TCB floor"
expect_err "... and tries the agent" "requesting a report from 'http://127.0.0.1:9'"
testcmd "--url, config with min_committed_tcb: tries the agent" 1 V --url http://127.0.0.1:9 --secret-file "$T/key" --owner-key "$T/owner.pem" --config "$T/vm.json" --measurement "$MEAS"
expect_err "... (no usage error)" "requesting a report from 'http://127.0.0.1:9'"
fails "--min-tcb none overrides the config's floor" 0 "" "${CHAIN[@]}" --config "$T/vm.json" --min-tcb none --measurement "$MEAS" "$R/m3.bin"
[ "$(grep -c 'committed-tcb' "$OUT")" = 0 ] && pass "... no committed-tcb row" || fail "... no committed-tcb row"
# Written as null, and through config show --json, the absence stays an absence (no zero floor).
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["min_committed_tcb"]=None; json.dump(c, open(sys.argv[2],"w"))' "$T/vm.json" "$T/nulltcb.json"
testcmd "config show of min_committed_tcb null" 0 "$SNPCTL" config show --no-file-checks "$T/nulltcb.json"
expect_out "... says no TCB floor" '^min_committed_tcb +\(not set: no TCB floor is checked\)$'
testcmd "config show --json of min_committed_tcb null" 0 "$SNPCTL" config show --json --no-file-checks "$T/nulltcb.json"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); assert c["min_committed_tcb"] is None and c["decoded"]["min_committed_tcb"] is None; del c["decoded"]; del c["expected_launch_digest"]; json.dump(c, open(sys.argv[2],"w"))' "$OUT" "$T/shown.json" &&
        pass "... null, not zeros" || fail "... null, not zeros" "$(grep -A2 min_committed "$OUT")"
testcmd "--url with the shown config: still no floor, usage error" 2 V --url http://127.0.0.1:9 --secret-file "$T/key" --owner-key "$T/owner.pem" --config "$T/shown.json" --measurement "$MEAS"
expect_err "... naming the config" "config '.*shown.json' has no min_committed_tcb"
cfg "$T/x.json" platform_info=null
fails "config without platform_info verifies" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
expect_err "... with a warning" "warning: config '.*x.json' has no platform_info: PLATFORM_INFO .* is not checked"
fails "config with every field: no warning" 0 "" "${CHAIN[@]}" --config "$T/vm.json" --measurement "$MEAS" "$R/m3.bin"
[ ! -s "$ERR" ] && pass "... stderr empty" || fail "... stderr empty" "$(cat "$ERR")"

# Each config field, changed, fails exactly its check (exit 3).
while IFS='|' read -r change want; do
        cfg "$T/x.json" $change
        fails "config $change fails $want" 3 "$want" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
done <<'EOF2'
guest_policy="0x30001"|policy
platform_info="0x27"|platform-info
min_committed_tcb.bootloader=4|committed-tcb
min_committed_tcb.snp=21|committed-tcb
min_committed_tcb.microcode=210|committed-tcb
family_id="0101010101010101010101010101010f"|family-id
image_id="0202020202020202020202020202020f"|image-id
guest_svn=8|guest-svn
id_key_digest="454444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444"|id-key-digest
id_key_digest=null|id-key-digest
author_key_digest="010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"|author-key-digest
host_data=null|host-data
vmpl=1|vmpl
signer="vlek"|signer
min_report_version=5|min-version
host_cpu_family="Genoa"|host-cpu-family
host_cpu_family="Turin"|host-cpu-family,committed-tcb
require_crl=true|revocation
EOF2
cfg "$T/x.json" require_crl='"yes"'
testcmd "require_crl that is not a boolean: exit 1" 1 V "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
expect_err "... naming the field" "require_crl: must be true or false"
cfg "$T/x.json" platform_info='"0x27"' platform_info_mask='"0x1"'
fails "platform_info differing outside platform_info_mask passes" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
cfg "$T/x.json" min_committed_tcb.snp=19 min_committed_tcb.microcode=100
fails "lower min_committed_tcb passes" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
fails "other measurement fails" 3 measurement "${CHAIN[@]}" --config "$T/vm.json" --measurement "$(printf '23%.0s' $(seq 48))" "$R/m3.bin"

# DEBUG: refused unless --allow-debug; a config's policy with DEBUG is not enough (the config may
# come from an unverified report), and the config's DEBUG bit is pointed out.
fails "report allowing DEBUG, config without it" 3 policy,debug "${CHAIN[@]}" --config "$T/vm.json" --measurement "$MEAS" "$R/debug.bin"
cfg "$T/x.json" guest_policy='"0xb0000"'
fails "report allowing DEBUG, config allowing it, no --allow-debug" 3 debug "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/debug.bin"
expect_err "a config allowing DEBUG is pointed out" "warning: config '.*x.json': guest_policy allows debugging .*refused unless --allow-debug"
fails "report allowing DEBUG, config allowing it, --allow-debug" 0 "" "${CHAIN[@]}" --config "$T/x.json" --allow-debug --measurement "$MEAS" "$R/debug.bin"

# Flags override single fields.
cfg "$T/x.json" guest_svn=8
fails "--guest-svn overrides the config's" 0 "" "${CHAIN[@]}" --config "$T/x.json" --guest-svn 7 --measurement "$MEAS" "$R/m3.bin"
fails "--guest-svn overriding wrongly fails" 3 guest-svn "${CHAIN[@]}" --config "$T/vm.json" --guest-svn 9 --measurement "$MEAS" "$R/m3.bin"
cfg "$T/x.json" platform_info='"0x27"'
fails "--platform-info-mask alone overrides the config's mask" 0 "" "${CHAIN[@]}" --config "$T/x.json" --platform-info-mask 0x1 --measurement "$MEAS" "$R/m3.bin"

# --- roll-forward policies: lists of accepted values, each check naming the entry that matched ----
H() { printf "$1%.0s" $(seq "$2"); }     # H BYTE N: N bytes of BYTE in hex
OTHER=$(H 23 48)
cfg "$T/x.json" measurements="[{\"label\": \"v41\", \"digest\": \"$(H 24 48)\"}, {\"label\": \"v42\", \"digest\": \"$MEAS\"}]"
fails "measurements: the report's is listed (v42)" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$OTHER" "$R/m3.bin"
expect_out "... the table names the label" "^  PASS  measurement +$MEAS \(v42\)$"
fails "measurements: the single expected value still passes" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
expect_out "... and is named" "^  PASS  measurement +$MEAS \(the single expected value\)$"
cfg "$T/x.json" measurements="[{\"label\": \"v41\", \"digest\": \"$(H 24 48)\"}]"
fails "measurements: neither listed nor expected fails" 3 measurement "${CHAIN[@]}" --config "$T/x.json" --measurement "$OTHER" "$R/m3.bin"
expect_out "... expected names the list" "FAIL  measurement +expected $(H 23 24)\.\.\. or one of the 1 in measurements, got $MEAS$"
for bad in '[{"label": "v 41", "digest": "'"$MEAS"'"}]' '[{"label": "v41"}]' \
           '[{"label": "a", "digest": "'"$MEAS"'"}, {"label": "a", "digest": "'"$OTHER"'"}]' \
           '[{"label": "a", "digest": "'"$MEAS"'", "extra": 1}]' '{"label": "a"}'; do
        cfg "$T/x.json" measurements="$bad"
        testcmd "measurements $bad: config error" 1 V "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
        expect_err "... names the field" "x.json: measurements"
done
cfg "$T/x.json" id_key_digest="\"$(H 55 48)\"" id_key_digests="[\"$(H 66 48)\", \"$(H 44 48)\"]"
fails "id_key_digests: the report's key is listed" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
expect_out "... named by index" "^  PASS  id-key-digest +$(H 44 48) \(id_key_digests\[1\]\)$"
cfg "$T/x.json" id_key_digest="\"$(H 55 48)\"" id_key_digests="[\"$(H 66 48)\"]"
fails "id_key_digests: not listed fails" 3 id-key-digest "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
cfg "$T/x.json" author_key_digest="\"$(H 77 48)\"" author_key_digests="[\"$(H 00 48)\"]"
fails "author_key_digests: the report's (zero) is listed" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
cfg "$T/x.json" author_key_digest=null author_key_digests="[\"$(H 77 48)\"]"
fails "author_key_digests: a list replaces the zero default" 3 author-key-digest "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
cfg "$T/x.json" id_key_digests="[\"$(H 66 47)\"]"
testcmd "id_key_digests: a short digest is a config error" 1 V "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
expect_err "... names the entry" "x.json: id_key_digests\[0\]: must be 48 bytes"
for fw in 1.55.29 1.9.200 0.99.99; do
        cfg "$T/x.json" min_firmware_version="\"$fw\""
        fails "min_firmware_version $fw: committed 1.55.29 passes" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
done
expect_out "... the table shows the committed version" "^  PASS  min-firmware +1.55.29 \(committed\)$"
for fw in 1.55.30 1.56.0 2.0.0; do
        cfg "$T/x.json" min_firmware_version="\"$fw\""
        fails "min_firmware_version $fw: committed 1.55.29 fails" 3 min-firmware "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
done
for fw in 1.55 1.55.256 1.55.x " 1.55.2" 1.55.2.1; do
        cfg "$T/x.json" min_firmware_version="\"$fw\""
        testcmd "min_firmware_version '$fw': config error" 1 V "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
        expect_err "... names the field" "x.json: min_firmware_version: .* is not MAJOR.MINOR.BUILD"
done
cfg "$T/x.json" chip_ids="[\"$(H 01 64)\", \"$CHIP\"]"
fails "chip_ids: the report's chip is listed" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
expect_out "... named by index" "^  PASS  chip-allowed +$CHIP \(chip_ids\[1\]\)$"
cfg "$T/x.json" chip_ids="[\"$(H 01 64)\"]"
fails "chip_ids: another chip fails" 3 chip-allowed "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
cfg "$T/x.json" chip_ids="\"$CHIP\""
testcmd "chip_ids: not an array is a config error" 1 V "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
expect_err "... names the field" "x.json: chip_ids: must be an array"
cfg "$T/x.json"
fails "--min-tcb overrides min_committed_tcb" 3 committed-tcb "${CHAIN[@]}" --config "$T/vm.json" --min-tcb bl=3,tee=0,snp=21,ucode=209 --measurement "$MEAS" "$R/m3.bin"
fails "--tcb-fields with the config's minimum" 3 committed-tcb,launch-tcb "${CHAIN[@]}" --config "$T/x.json" --tcb-fields committed,launch --platform-info 0x25 --min-tcb bl=3,tee=0,snp=21,ucode=209 --measurement "$MEAS" "$R/m3.bin"
cfg "$T/x.json" host_data=null
fails "--host-data overrides the config's" 0 "" "${CHAIN[@]}" --config "$T/x.json" --host-data "$(printf '33%.0s' $(seq 32))" --measurement "$MEAS" "$R/m3.bin"

# A v2 report names no CPU: the config's family is compared with the certificate's.
cfg "$T/x.json" min_report_version=2
fails "v2 report, Milan config" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m2.bin"
expect_out "v2: host-cpu-family from the certificate" '^  PASS  host-cpu-family +Milan \(certificate\)'
cfg "$T/x.json" min_report_version=2 host_cpu_family='"Genoa"'
fails "v2 report, Genoa config" 3 host-cpu-family "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m2.bin"

# Bad configs: every problem listed, exit 1.
cfg "$T/x.json" guest_polcy='"0x30000"'
testcmd "config with an unknown key exits 1" 1 V "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
expect_err "unknown key is named" "guest_polcy: unknown key"
cfg "$T/x.json" host_cpu_family=null
testcmd "config without host_cpu_family exits 1" 1 V "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
expect_err "missing host_cpu_family is named" "host_cpu_family"

# ID block and auth files of the config (base64, as idblock writes them).
python3 - "$R" <<'PY'
import base64, hashlib, struct, sys
d = sys.argv[1]
blk = bytes([0x22] * 48) + bytes([1] * 16) + bytes([2] * 16) + struct.pack("<IIQ", 1, 7, 0x30000)
open(d + "/id-block.b64", "w").write(base64.b64encode(blk).decode() + "\n")
auth = bytearray(4096)
struct.pack_into("<II", auth, 0, 1, 1)
auth[0x240:0x244] = struct.pack("<I", 2)
auth[0x244:0x244 + 96] = bytes(range(96))
open(d + "/auth.b64", "w").write(base64.b64encode(bytes(auth)).decode())
open(d + "/idkd", "w").write(hashlib.sha384(bytes(auth[0x240:0x644])).hexdigest())
PY
cp "$R/m3.bin" "$R/id.bin"; bset "$R/id.bin" 0xE0 "$(cat "$R/idkd")"; sign "$R/id.bin" "$C/chip.key"
cfg "$T/x.json" id_key_digest=null id_block_file="\"$R/id-block.b64\"" id_auth_file="\"$R/auth.b64\""
fails "ID key digest from the config's id_auth_file" 0 "" "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/id.bin"
fails "report of another ID key" 3 id-key-digest "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/m3.bin"
cfg "$T/x.json" guest_svn=8 id_key_digest=null id_block_file="\"$R/id-block.b64\"" id_auth_file="\"$R/auth.b64\""
testcmd "ID block disagreeing with the config exits 1" 1 V "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/id.bin"
expect_err "the disagreement is named" "x.json: id_block_file: ID block guest_svn 7 differs from guest_svn 8"

# --- with the test data: the measurement computed from the config --------------------------------
need_testdata measure
M=$TESTDATA/measure
WANT=$(python3 -c '
import json, sys
for v in json.load(open(sys.argv[1])):
    if v["id"] == "ssm-snp_with_multiple_vcpus_feature_snp_only":
        print(v["expected"])' "$M/vectors.json")
[ ${#WANT} = 96 ] && pass "vectors.json case found" || fail "vectors.json case found" "$WANT"
cp "$R/m3.bin" "$R/meas.bin"; bset "$R/meas.bin" 0x90 "$WANT"; sign "$R/meas.bin" "$C/chip.key"
BOOT=(ovmf_file="\"$M/ovmf_AmdSev_suffix.bin\"" kernel_file='"/dev/null"' initrd_file='"/dev/null"'
      kernel_cmdline='""' vcpu_count=4 vcpu_type='"EPYC-v4"' guest_features='"0x1"')
cfg "$T/m.json" "${BOOT[@]}"
fails "measurement computed from the config (vectors.json case)" 0 "" "${CHAIN[@]}" --config "$T/m.json" "$R/meas.bin"
expect_out "the computed digest is the vector's" "^  PASS  measurement +$WANT"
for change in vcpu_count=3 guest_features='"0x21"' vcpu_type='"EPYC-Milan"' vmm_type='"EC2"' kernel_cmdline='"x"'; do
        cfg "$T/x.json" "${BOOT[@]}" "$change"
        fails "config $change changes the measurement" 3 measurement "${CHAIN[@]}" --config "$T/x.json" "$R/meas.bin"
done
# A measurement mismatch explained (issue 18): a hint to search, or --explain searching.
cfg "$T/x.json" "${BOOT[@]}" vcpu_count=3 vmm_type='"EC2"'
fails "wrong vCPU count and VMM: rejected" 3 measurement "${CHAIN[@]}" --config "$T/x.json" "$R/meas.bin"
expect_err "... with the hint to search" "hint: .snpctl measure --config .*x.json --match $WANT. searches"
fails "--explain: still rejected" 3 measurement "${CHAIN[@]}" --config "$T/x.json" --explain "$R/meas.bin"
expect_out "... and the parameters that give the report's measurement" \
        '^  flags:  --vcpus 4 --vcpu-type EPYC --vmm-type QEMU --guest-features 0x1$'
expect_out "... as config fields" '"vcpu_count": 4, "vcpu_type": "EPYC", "vmm_type": "QEMU", "guest_features": "0x1"'
expect_out "... and what changes from the config" '^  changes from the config: vcpu_count 3 -> 4, vmm_type EC2 -> QEMU$'
fails "--measurement given: no hint (the files were not used)" 3 measurement "${CHAIN[@]}" --config "$T/x.json" --measurement "$MEAS" "$R/meas.bin"
if grep -q "hint:" "$ERR"; then fail "... no hint" "$(cat "$ERR")"; else pass "... no hint"; fi
cfg "$T/x.json" "${BOOT[@]}" kernel_cmdline='"x"'
fails "--explain, another command line: nothing matches" 3 measurement "${CHAIN[@]}" --config "$T/x.json" --explain "$R/meas.bin"
expect_out "... says so and names the command line" '^  cmdline   "x" '
testcmd "--explain without --config: usage error" 2 V "${CHAIN[@]}" --explain "$R/meas.bin"
# config show round-trips the roll-forward fields (it needs the boot files for its digest).
cfg "$T/x.json" "${BOOT[@]}" kernel_file=null initrd_file=null kernel_cmdline=null measurements="[{\"label\": \"v42\", \"digest\": \"$MEAS\"}]" \
        id_key_digests="[\"$(H 44 48)\"]" min_firmware_version='"1.55.0"' chip_ids="[\"$CHIP\"]"
testcmd "config show keeps the roll-forward fields" 0 "$SNPCTL" config show --json "$T/x.json"
cp "$OUT" "$T/shown-rf.json"
expect_out "... measurements" '"label": "v42"'
expect_out "... min_firmware_version" '"min_firmware_version": "1.55.0"'
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); [c.pop(k) for k in ("decoded","expected_launch_digest") if k in c]; json.dump(c, open(sys.argv[1], "w"))' "$T/shown-rf.json"
fails "... and the shown config accepts the listed measurement" 0 "" "${CHAIN[@]}" --config "$T/shown-rf.json" --measurement "$OTHER" "$R/m3.bin"
fails "... and rejects one neither computed nor listed" 3 measurement "${CHAIN[@]}" --config "$T/shown-rf.json" "$R/meas.bin"
cfg "$T/x.json" "${BOOT[@]}" id_block_file="\"$R/id-block.b64\""
testcmd "ID block LD differing from the computed digest exits 1" 1 V "${CHAIN[@]}" --config "$T/x.json" "$R/meas.bin"
expect_err "the LD mismatch is named" "x.json: id_block_file: ID block launch digest [0-9a-f]{96} differs from the config's [0-9a-f]{96}"

# --- a real report matched by a hand-written config (values read off the report by hand) -------
need_testdata attest
A=$TESTDATA/attest
REAL=$A/virtee-milan-vcek-v2-120d77b2
RM=7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f
real_cfg() {
        python3 - "$@" <<'PY'
import json, sys
c = {"host_cpu_family": "Milan", "ovmf_file": "OVMF.fd", "guest_policy": "0x30000",
     "platform_info": "0x1", "min_committed_tcb": {"bootloader": 3, "tee": 0, "snp": 8, "microcode": 115}}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    if k.startswith("min_committed_tcb."):
        c["min_committed_tcb"][k.split(".")[1]] = json.loads(v)
    else:
        c[k] = json.loads(v)
json.dump(c, open(sys.argv[1], "w"))
PY
}
real_cfg "$T/real.json"
fails "real Milan v2 report matches its config" 0 "" --certs "$REAL" --config "$T/real.json" --measurement "$RM" "$REAL/report.bin"
expect_out "real report: host-cpu-family from the certificate" '^  PASS  host-cpu-family +Milan \(certificate\)'
expect_out "real report: committed TCB checked" '^  PASS  committed-tcb +bl=3 tee=0 snp=8 ucode=115'
while IFS='|' read -r change want; do
        real_cfg "$T/x.json" $change
        fails "real report, config $change" 3 "$want" --certs "$REAL" --config "$T/x.json" --measurement "$RM" "$REAL/report.bin"
done <<'EOF2'
min_committed_tcb.snp=9|committed-tcb
min_committed_tcb.microcode=116|committed-tcb
platform_info="0x3"|platform-info
guest_policy="0x30001"|policy
host_cpu_family="Genoa"|host-cpu-family
vmpl=1|vmpl
min_report_version=3|min-version
signer="vlek"|signer
guest_svn=1|guest-svn
EOF2
finish
