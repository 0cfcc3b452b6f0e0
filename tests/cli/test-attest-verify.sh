# SPDX-License-Identifier: Apache-2.0
# snpctl attest-verify. Part 1: test chains made here with openssl (ARK/ASK/VCEK/VLEK of Milan,
# Genoa, Turin) and synthetic reports signed with them show that each check fails exactly when it
# should: the set of failed checks is compared, not just the exit status. Part 2: every real
# report of the test data verifies with AMD's roots (pinned) and its own certificate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attest-lib.sh"

SYN="$(dirname "$0")/attest-synth.py"
V() { "$SNPCTL" attest-verify "$@"; }

# --- usage -------------------------------------------------------------------------------------
testcmd "--help exits 0" 0 V --help
expect_out "--help documents --trust-ark" '--trust-ark'
testcmd "no report is a usage error" 2 V
testcmd "short --measurement is a usage error" 2 V --measurement 00 x.bin
expect_err "bad --measurement is named" "bad --measurement '00'"
testcmd "bad --min-tcb is a usage error" 2 V --min-tcb bl=3 x.bin
testcmd "bad --vmpl is a usage error" 2 V --vmpl 4 x.bin
testcmd "--vcek with --vlek is a usage error" 2 V --vcek a --vlek b x.bin
testcmd "--tcb-fields without --min-tcb is a usage error" 2 V --tcb-fields launch x.bin
testcmd "--min-tcb none with a floor is a usage error" 2 V --min-tcb none --min-tcb bl=3,tee=0,snp=20,ucode=209 x.bin
expect_err "... naming both" "--min-tcb none and a --min-tcb floor exclude each other"
testcmd "--tcb-fields with --min-tcb none is a usage error" 2 V --min-tcb none --tcb-fields launch x.bin
# --url delivers a key: a TCB floor is required (exit 2 before any connection; port 9 on
# loopback is never contacted).
printf 'k' >"$T/key"
"$SNPCTL" idblock keygen -o "$T/owner.pem" >"$T/owner.out" 2>&1 || { cat "$T/owner.out"; exit 1; }
OWNER_DIGEST=$(sed -n 's/^key digest: //p' "$T/owner.out")
MZ=$(printf '22%.0s' $(seq 48))
testcmd "--url without a TCB floor is a usage error" 2 V --url http://127.0.0.1:9 --secret-file "$T/key" --owner-key "$T/owner.pem" --measurement "$MZ"
expect_err "... saying how to fix it" "without a TCB floor: give --min-tcb .*--config with min_committed_tcb, or --min-tcb none"
expect_no_out "... and printing no verdict"
testcmd "--url with --min-tcb is not a usage error" 1 V --url http://127.0.0.1:9 --secret-file "$T/key" --owner-key "$T/owner.pem" --measurement "$MZ" --min-tcb bl=0,tee=0,snp=0,ucode=0
expect_err "... it tries the agent" "requesting a report from 'http://127.0.0.1:9'"
testcmd "--url with --min-tcb none is not a usage error" 1 V --url http://127.0.0.1:9 --secret-file "$T/key" --owner-key "$T/owner.pem" --measurement "$MZ" --min-tcb none
expect_err "--min-tcb none is said in a notice" "^snpctl attest-verify: --min-tcb none: no TCB floor; a guest on any firmware"
testcmd "missing report exits 1" 1 V "$T/nosuch.bin"
expect_err "missing report is named" "reading report '.*nosuch.bin'"

command -v openssl >/dev/null && command -v python3 >/dev/null || {
        echo "skipped: needs openssl and python3"; exit 77; }

# --- test chains -------------------------------------------------------------------------------
C=$T/chains
mkdir -p "$C"
CHIP_B=$(for i in $(seq 0 63); do printf '%02x' $(((0x10 + i) & 255)); done)
CHIP_T=c1c2c3c4c5c6c7c8

echo "# making test chains (RSA 2048 roots, P-384 leaves)"
rsa arkm; rsa arkg; rsa arkt; rsa ask
ec chipa; ec chipb; ec chipt; ec vlek; ec p256 P-256
root ark-m arkm ARK-Milan
root ark-g arkg ARK-Genoa
root ark-t arkt ARK-Turin
issue ask-m ask SEV-Milan ark-m arkm
issue asvk-m ask SEV-VLEK-Milan ark-m arkm
issue ask-g ask SEV-Genoa ark-g arkg
issue ask-t ask SEV-Turin ark-t arkt
issue ask-gm ask SEV-Genoa ark-m arkm                   # Genoa-named ASK below the Milan ARK
issue ask-m-by-g ask SEV-Milan ark-g arkg               # Milan ASK signed by the Genoa ARK
issue vcek-m chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209; hwid $CHIP_M)"
issue vcek-otherchip chipb SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209; hwid $CHIP_B)"
issue vcek-wronghwid chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209; hwid $CHIP_B)"
issue vcek-bl-low chipa SEV-VCEK ask-m ask "$(spl Milan-B0 2 0 20 209; hwid $CHIP_M)"
issue vcek-tee-high chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 1 20 209; hwid $CHIP_M)"
issue vcek-snp-low chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 19 209; hwid $CHIP_M)"
issue vcek-ucode-low chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 208; hwid $CHIP_M)"
issue vcek-no-snpspl chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 '' 209; hwid $CHIP_M)"
issue vcek-no-hwid chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209)"
issue vcek-p256 p256 SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209; hwid $CHIP_M)"
issue vcek-by-ark chipa SEV-VCEK ark-m arkm "$(spl Milan-B0 3 0 20 209; hwid $CHIP_M)"
issue vcek-gm chipa SEV-VCEK ask-gm ask "$(spl Milan-B0 3 0 20 209; hwid $CHIP_M)"
issue vlek-under-ask chipa SEV-VLEK ask-m ask "$(spl Milan 3 0 20 209)"
issue vlek-m vlek SEV-VLEK asvk-m ask "$(spl Milan 3 0 20 209; echo 1.3.6.1.4.1.3704.1.5=ASN1:IA5STRING:CN=test)"
issue vcek-g chipa SEV-VCEK ask-g ask "$(spl Genoa 3 0 20 209; hwid $CHIP_M)"
issue vcek-t chipt SEV-VCEK ask-t ask "$(spl Turin 2 0 3 71 1; hwid $CHIP_T)"
issue vcek-t-fmc-low chipt SEV-VCEK ask-t ask "$(spl Turin 2 0 3 71 0; hwid $CHIP_T)"
issue vcek-t-hwid64 chipt SEV-VCEK ask-t ask "$(spl Turin 2 0 3 71 1; hwid ${CHIP_T}$(printf '%0112d' 0))"
SIGOPTS="-sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha384" \
        issue vcek-salt32 chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209; hwid $CHIP_M)"
SIGOPTS="-sha384" issue vcek-pkcs1 chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209; hwid $CHIP_M)"
SIGOPTS="-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 -sigopt rsa_mgf1_md:sha256" \
        issue vcek-sha256 chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209; hwid $CHIP_M)"

# --- synthetic reports -------------------------------------------------------------------------
R=$T/r
mkdir -p "$R"
python3 "$SYN" new "$R/m3.bin" milan 3
python3 "$SYN" new "$R/t5.bin" turin 5
python3 "$SYN" fields >"$R/fields"
cp "$R/m3.bin" "$R/vl3.bin"
bset "$R/vl3.bin" 0x48 04000000                                # SIGNING_KEY = VLEK
bset "$R/vl3.bin" 0x1A0 "$(printf '%0128d' 0)"                 # VLEK reports carry no CHIP_ID
sign "$R/m3.bin" "$C/chipa.key"
sign "$R/t5.bin" "$C/chipt.key"
sign "$R/vl3.bin" "$C/vlek.key"

MILAN=(--trust-ark "$C/ark-m.pem" --ark "$C/ark-m.pem" --ask "$C/ask-m.pem")

fails "good Milan v3 report verifies" 0 "" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/m3.bin"
expect_out "says no VM checks were made" 'no VM checks were made'
fails "good Turin v5 report verifies" 0 "" --trust-ark "$C/ark-t.pem" --ark "$C/ark-t.pem" \
        --ask "$C/ask-t.pem" --vcek "$C/vcek-t.pem" "$R/t5.bin"
fails "good VLEK report verifies" 0 "" "${MILAN[@]}" --ask "$C/asvk-m.pem" --vlek "$C/vlek-m.pem" "$R/vl3.bin"

# Trust anchors.
fails "ARK not pinned" 3 "ark-trusted" --ark "$C/ark-m.pem" --ask "$C/ask-m.pem" --vcek "$C/vcek-m.pem" "$R/m3.bin"
fails "--trust-ark of another root" 3 "ark-trusted" --trust-ark "$C/ark-g.pem" --ark "$C/ark-m.pem" \
        --ask "$C/ask-m.pem" --vcek "$C/vcek-m.pem" "$R/m3.bin"

# Chain signatures and names.
fails "ASK signed by another ARK" 3 "ask-signed" "${MILAN[@]}" --ask "$C/ask-m-by-g.pem" --vcek "$C/vcek-m.pem" "$R/m3.bin"
fails "VCEK signed by the ARK, not the ASK" 3 "leaf-signed" "${MILAN[@]}" --vcek "$C/vcek-by-ark.pem" "$R/m3.bin"
fails "VCEK signed with salt 32" 3 "leaf-signed" "${MILAN[@]}" --vcek "$C/vcek-salt32.pem" "$R/m3.bin"
fails "VCEK signed with PKCS#1 v1.5" 3 "leaf-signed" "${MILAN[@]}" --vcek "$C/vcek-pkcs1.pem" "$R/m3.bin"
fails "VCEK signed with PSS SHA-256" 3 "leaf-signed" "${MILAN[@]}" --vcek "$C/vcek-sha256.pem" "$R/m3.bin"
fails "ARK given as ASK (self-signed root)" 3 \
        "leaf-signed,cert-kinds,cert-generation,generation,tcb-layout,signing-key,cert-tcb" \
        "${MILAN[@]}" --ask "$C/ark-m.pem" --vcek "$C/vcek-m.pem" "$R/m3.bin"
fails "VLEK-named leaf below an ASK" 3 "cert-kinds,signing-key" "${MILAN[@]}" --vcek "$C/vlek-under-ask.pem" "$R/m3.bin"
fails "VCEK below an ASVK" 3 "leaf-signed,cert-kinds,signing-key" "${MILAN[@]}" --ask "$C/asvk-m.pem" \
        --vcek "$C/vcek-m.pem" "$R/m3.bin"
fails "P-256 VCEK" 3 "leaf-key,signature" "${MILAN[@]}" --vcek "$C/vcek-p256.pem" "$R/m3.bin"

# Generations.
fails "wrong-generation chain (Genoa chain, Milan report)" 3 "generation" --trust-ark "$C/ark-g.pem" \
        --ark "$C/ark-g.pem" --ask "$C/ask-g.pem" --vcek "$C/vcek-g.pem" "$R/m3.bin"
fails "Genoa-named ASK below the Milan ARK" 3 "cert-generation,generation,tcb-layout,cert-tcb" \
        "${MILAN[@]}" --ask "$C/ask-gm.pem" --vcek "$C/vcek-gm.pem" "$R/m3.bin"

# The VCEK binding.
fails "VCEK from another chip" 3 "signature,chip-id" "${MILAN[@]}" --vcek "$C/vcek-otherchip.pem" "$R/m3.bin"
fails "VCEK whose hwID names another chip" 3 "chip-id" "${MILAN[@]}" --vcek "$C/vcek-wronghwid.pem" "$R/m3.bin"
fails "VCEK without hwID" 3 "chip-id" "${MILAN[@]}" --vcek "$C/vcek-no-hwid.pem" "$R/m3.bin"
fails "blSPL one below REPORTED_TCB" 3 "cert-tcb" "${MILAN[@]}" --vcek "$C/vcek-bl-low.pem" "$R/m3.bin"
fails "teeSPL one above REPORTED_TCB" 3 "cert-tcb" "${MILAN[@]}" --vcek "$C/vcek-tee-high.pem" "$R/m3.bin"
fails "snpSPL one below REPORTED_TCB" 3 "cert-tcb" "${MILAN[@]}" --vcek "$C/vcek-snp-low.pem" "$R/m3.bin"
fails "ucodeSPL one below REPORTED_TCB" 3 "cert-tcb" "${MILAN[@]}" --vcek "$C/vcek-ucode-low.pem" "$R/m3.bin"
fails "snpSPL missing" 3 "cert-tcb" "${MILAN[@]}" --vcek "$C/vcek-no-snpspl.pem" "$R/m3.bin"
TURIN=(--trust-ark "$C/ark-t.pem" --ark "$C/ark-t.pem" --ask "$C/ask-t.pem")
fails "Turin fmcSPL one below REPORTED_TCB" 3 "cert-tcb" "${TURIN[@]}" --vcek "$C/vcek-t-fmc-low.pem" "$R/t5.bin"
fails "Turin VCEK with a 64-byte hwID" 3 "chip-id" "${TURIN[@]}" --vcek "$C/vcek-t-hwid64.pem" "$R/t5.bin"
cp "$R/t5.bin" "$R/x.bin"; bset "$R/x.bin" 0x1A8 01; sign "$R/x.bin" "$C/chipt.key"
fails "Turin CHIP_ID byte 8 not zero" 3 "chip-id" "${TURIN[@]}" --vcek "$C/vcek-t.pem" "$R/x.bin"
cp "$R/t5.bin" "$R/x.bin"; bset "$R/x.bin" 0x1E4 01; sign "$R/x.bin" "$C/chipt.key"
fails "Turin committed TCB reserved byte 4 set" 3 "tcb-layout" "${TURIN[@]}" --vcek "$C/vcek-t.pem" "$R/x.bin"
fails "Turin report with the Milan chain" 3 "generation,tcb-layout,signature,chip-id,cert-tcb" "${MILAN[@]}" \
        --vcek "$C/vcek-m.pem" "$R/t5.bin"

# Signing key field.
cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" 0x48 04000000; sign "$R/x.bin" "$C/chipa.key"
fails "SIGNING_KEY says VLEK, VCEK signed" 3 "signing-key" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/x.bin"
cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" 0x48 1c000000; sign "$R/x.bin" "$C/chipa.key"
fails "SIGNING_KEY says none" 3 "signing-key" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/x.bin"
cp "$R/vl3.bin" "$R/x.bin"; bset "$R/x.bin" 0x48 00000000; sign "$R/x.bin" "$C/vlek.key"
fails "SIGNING_KEY says VCEK, VLEK signed" 3 "signing-key" "${MILAN[@]}" --ask "$C/asvk-m.pem" \
        --vlek "$C/vlek-m.pem" "$R/x.bin"

# Structure: unknown versions and algorithms, truncation, reserved fields (re-signed, so only
# the structure check can catch them).
for v in 00000000 01000000 04000000 06000000 ffffffff; do
        cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" 0 "$v"; sign "$R/x.bin" "$C/chipa.key"
        fails "unknown version $v" 3 "report-format" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/x.bin"
done
for a in 00000000 02000000 ffffffff; do
        cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" 0x34 "$a"; sign "$R/x.bin" "$C/chipa.key"
        fails "unknown signature algorithm $a" 3 "report-format" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/x.bin"
done
for n in 0 1 672 1183 1185 4096; do
        cp "$R/m3.bin" "$R/x.bin"; bsize "$R/x.bin" $n
        fails "report of $n bytes" 3 "report-format" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/x.bin"
done
for off in 0x4C 0x18B 0x19F 0x1EB 0x1EF 0x1F8 0x207 0x208 0x29F; do
        cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" $off 01; sign "$R/x.bin" "$C/chipa.key"
        fails "reserved byte $off set (re-signed)" 3 "report-format" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/x.bin"
done
cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" 0x1E2 01; sign "$R/x.bin" "$C/chipa.key"
fails "Milan TCB reserved byte 2 set (re-signed)" 3 "tcb-layout" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/x.bin"
for off in 0x2D0 0x318 0x330 0x49F; do
        cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" $off 01
        fails "signature area byte $off set" 3 "report-format" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/x.bin"
done

# One flipped bit in every signed field (not re-signed): the signature check fails, plus the
# checks that read that field. One batch run; its JSON gives each report's failed checks.
mkdir -p "$R/flip"
: >"$R/flip.want"
while read -r field off size; do
        case $field in
        version|signature_algo|launch_mit_vector|current_mit_vector) want=report-format ;;
        reported_tcb) want=signature,cert-tcb ;;
        chip_id) want=signature,chip-id ;;
        cpuid_fam_id) want=signature,generation ;;
        *) want=signature ;;
        esac
        cp "$R/m3.bin" "$R/flip/$field.lo.bin"; bflip "$R/flip/$field.lo.bin" "$off" 0
        echo "$field.lo.bin $want" >>"$R/flip.want"
        cp "$R/m3.bin" "$R/flip/$field.hi.bin"; bflip "$R/flip/$field.hi.bin" $((off + size - 1)) 7
        case $field in
        policy|signer_info|version|signature_algo) want=report-format ;;
        cpuid_mod_id) want=signature,generation ;;     # model 0x81: no known generation
        esac
        echo "$field.hi.bin $want" >>"$R/flip.want"
done <"$R/fields"
testcmd "flipped bits: batch exits 3" 3 V --json "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/flip"
while read -r verdict name detail; do
        if [ "$verdict" = PASS ]; then pass "$name"; else fail "$name" "$detail"; fi
done < <(python3 - "$OUT" "$R/flip.want" <<'PY'
import json, os, sys
got = {os.path.basename(r["report"]): r for r in json.load(open(sys.argv[1]))}
for line in open(sys.argv[2]):
    f, want = line.split()
    r = got.get(f)
    failed = sorted(c["name"] for c in r["checks"] if not c["passed"]) if r else None
    name = "one bit flipped in " + f.replace(".lo.bin", " (lowest bit)").replace(".hi.bin", " (top bit)")
    ok = r is not None and r["verdict"] == "rejected" and failed == sorted(want.split(","))
    print("PASS" if ok else "FAIL", name.replace(" ", "_"), f"failed {failed}, want {want}")
PY
)
for off in 0x2A0 0x2C0 0x2E8 0x310; do
        cp "$R/m3.bin" "$R/x.bin"; bflip "$R/x.bin" $off 3
        fails "signature bit at $off flipped" 3 "signature" "${MILAN[@]}" --vcek "$C/vcek-m.pem" "$R/x.bin"
done

# --- VM checks: each expected value, and a report re-signed with one field changed ----------
EXP=(--measurement "$(printf '22%.0s' $(seq 48))" --policy 0x30000 --platform-info 0x25
     --min-tcb bl=3,tee=0,snp=20,ucode=209 --tcb-fields committed,reported,launch,current
     --family-id "$(printf '01%.0s' $(seq 16))" --image-id "$(printf '02%.0s' $(seq 16))"
     --guest-svn 7 --id-key-digest "$(printf '44%.0s' $(seq 48))"
     --author-key-digest "$(printf '00%.0s' $(seq 48))" --host-data "$(printf '33%.0s' $(seq 32))"
     --vmpl 0 --report-data "$(printf '11%.0s' $(seq 64))" --min-version 3)
M=("${MILAN[@]}" --vcek "$C/vcek-m.pem")
fails "every expected value matches" 0 "" "${M[@]}" "${EXP[@]}" "$R/m3.bin"
expect_out "lists the VM checks" '^  PASS  measurement'
run V "${M[@]}" "${EXP[@]}" "$R/m3.bin"
[ "$(grep -cE '^  PASS' "$OUT")" = 33 ] && pass "33 checks with every expected value" ||
        fail "33 checks with every expected value" "$(grep -cE '^  PASS' "$OUT")"
mut() {         # mut NAME "checks" OFFSET HEX [EXTRA ARGS...]: change a field, re-sign, verify
        local name=$1 want=$2 off=$3 hex=$4
        shift 4
        cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" "$off" "$hex"; sign "$R/x.bin" "$C/chipa.key"
        fails "$name" 3 "$want" "${M[@]}" "${EXP[@]}" "$@" "$R/x.bin"
}
mut "other measurement" measurement 0x90 23
mut "policy with DEBUG" policy,debug 0x8 00000b
mut "policy with DEBUG, --allow-debug" policy 0x8 00000b --allow-debug
mut "policy with SINGLE_SOCKET" policy 0x8 000013
mut "other platform info" platform-info 0x40 27
mut "guest SVN 8" guest-svn 0x4 08
mut "other family ID" family-id 0x1F 00
mut "other image ID" image-id 0x20 03
mut "other ID key digest" id-key-digest 0x10F 45
mut "author key digest set" author-key-digest 0x110 01
mut "other host data" host-data 0xDF 34
mut "VMPL 1" vmpl 0x30 01
mut "other report data" report-data 0x8F 12
mut "committed TCB snp one below" committed-tcb 0x1E6 13
mut "committed TCB ucode one below" committed-tcb 0x1E7 d0
mut "committed TCB bl one below" committed-tcb 0x1E0 02
mut "launch TCB snp one below" launch-tcb 0x1F6 13
mut "current TCB snp one below" current-tcb 0x3E 13
mut "reported TCB snp one below" reported-tcb,cert-tcb 0x186 13
cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" 0x8 00000b; sign "$R/x.bin" "$C/chipa.key"
fails "DEBUG refused when any VM check is asked" 3 debug "${M[@]}" --vmpl 0 "$R/x.bin"
fails "DEBUG refused with chain checks only" 3 debug "${M[@]}" "$R/x.bin"
expect_out "the debug row says why" '^  FAIL  debug +expected policy DEBUG bit clear, got DEBUG set$'
fails "DEBUG with chain checks only, --allow-debug" 0 "" "${M[@]}" --allow-debug "$R/x.bin"
expect_out "--allow-debug is named in the row" '^  PASS  debug +DEBUG set$'
fails "DEBUG clear: the debug row passes without expected values" 0 "" "${M[@]}" "$R/m3.bin"
expect_out "debug row present without expected values" '^  PASS  debug +DEBUG clear$'
testcmd "DEBUG refused in a batch line too" 3 V "${M[@]}" "$R/x.bin" "$R/m3.bin"
expect_out "batch line names the debug check" "^REJECTED  .*/x\.bin  debug: expected policy DEBUG bit clear, got DEBUG set$"
cp "$R/m3.bin" "$R/x.bin"; bset "$R/x.bin" 0x40 27; sign "$R/x.bin" "$C/chipa.key"
fails "platform info outside the mask" 0 "" "${M[@]}" --platform-info 0x25 --platform-info-mask 0x1 "$R/x.bin"
fails "platform info inside the mask" 3 platform-info "${M[@]}" --platform-info 0x25 --platform-info-mask 0x2 "$R/x.bin"
fails "higher TCB passes --min-tcb" 0 "" "${M[@]}" --min-tcb bl=2,tee=0,snp=19,ucode=100 "$R/m3.bin"
fails "Turin --min-tcb on a Milan report" 3 committed-tcb "${M[@]}" --min-tcb fmc=0,bl=2,tee=0,snp=19,ucode=100 "$R/m3.bin"
fails "--min-version 5 on a v3 report" 3 min-version "${M[@]}" --min-version 5 "$R/m3.bin"
fails "Turin --min-tcb on Turin" 3 committed-tcb "${TURIN[@]}" --vcek "$C/vcek-t.pem" --min-tcb fmc=2,bl=2,tee=0,snp=3,ucode=71 "$R/t5.bin"
fails "Turin --min-tcb met" 0 "" "${TURIN[@]}" --vcek "$C/vcek-t.pem" --min-tcb fmc=1,bl=2,tee=0,snp=3,ucode=71 "$R/t5.bin"

# ID block and ID auth block files.
python3 - "$R" <<'PY'
import struct, sys
d = sys.argv[1]
blk = bytes([0x22] * 48) + bytes([1] * 16) + bytes([2] * 16) + struct.pack("<IIQ", 1, 7, 0x30000)
open(d + "/id-block.bin", "wb").write(blk)
open(d + "/id-block-svn8.bin", "wb").write(blk[:0x54] + struct.pack("<I", 8) + blk[0x58:])
auth = bytearray(4096)
struct.pack_into("<II", auth, 0, 1, 1)
auth[0x240:0x244] = struct.pack("<I", 2)
auth[0x244:0x244 + 96] = bytes(range(96))
open(d + "/auth.bin", "wb").write(auth)
PY
head -c $((0x644)) "$R/auth.bin" | tail -c $((0x404)) >"$R/idkey.bin"
IDKD=$(openssl dgst -sha384 -r "$R/idkey.bin" | cut -c1-96)
cp "$R/m3.bin" "$R/id.bin"; bset "$R/id.bin" 0xE0 "$IDKD"; sign "$R/id.bin" "$C/chipa.key"
fails "ID block and auth block match" 0 "" "${M[@]}" --id-block "$R/id-block.bin" --auth-block "$R/auth.bin" "$R/id.bin"
fails "ID block with guest SVN 8" 3 guest-svn "${M[@]}" --id-block "$R/id-block-svn8.bin" "$R/id.bin"
fails "auth block of another ID key" 3 id-key-digest "${M[@]}" --auth-block "$R/auth.bin" "$R/m3.bin"
testcmd "ID block contradicting --measurement exits 1" 1 V "${M[@]}" --id-block "$R/id-block.bin" \
        --measurement "$(printf '23%.0s' $(seq 48))" "$R/id.bin"
testcmd "truncated ID block exits 1" 1 V "${M[@]}" --id-block "$R/auth.bin" "$R/id.bin"
expect_err "says what it got" "^snpctl attest-verify: ID block '$R/auth.bin': must be 96 bytes with VERSION 1, raw or base64 \\(got neither\\)$"
# The files idblock writes: id-block.base64 and auth-block.base64 (no line end), or with one.
base64 -w0 "$R/id-block.bin" >"$R/id-block.base64"
base64 -w0 "$R/id-block-svn8.bin" >"$R/id-block-svn8.base64"
{ base64 -w0 "$R/auth.bin"; echo; } >"$R/auth-block.base64"
fails "base64 ID block and auth block (idblock's files)" 0 "" "${M[@]}" --id-block "$R/id-block.base64" \
        --auth-block "$R/auth-block.base64" "$R/id.bin"
fails "base64 ID block is read, not just accepted (SVN 8)" 3 guest-svn "${M[@]}" \
        --id-block "$R/id-block-svn8.base64" "$R/id.bin"
fails "base64 auth block is read (another ID key)" 3 id-key-digest "${M[@]}" \
        --auth-block "$R/auth-block.base64" "$R/m3.bin"
printf 'not base64!' >"$R/junk.base64"
testcmd "ID block neither raw nor base64 exits 1" 1 V "${M[@]}" --id-block "$R/junk.base64" "$R/id.bin"
expect_err "says neither" "^snpctl attest-verify: ID block '$R/junk.base64': must be 96 bytes with VERSION 1, raw or base64 \\(got neither\\)$"
testcmd "auth block neither raw nor base64 exits 1" 1 V "${M[@]}" --auth-block "$R/junk.base64" "$R/id.bin"
expect_err "says neither" "^snpctl attest-verify: ID auth block '$R/junk.base64': neither 4096 raw bytes nor base64$"
head -c 95 "$R/id-block.bin" | base64 -w0 >"$R/id-block-95.base64"
testcmd "base64 of 95 bytes exits 1" 1 V "${M[@]}" --id-block "$R/id-block-95.base64" "$R/id.bin"
expect_err "says another size" "ID block '$R/id-block-95.base64': must be 96 bytes with VERSION 1, raw or base64 \\(got another size\\)$"
head -c 4095 "$R/auth.bin" | base64 -w0 >"$R/auth-4095.base64"
testcmd "base64 auth block of 4095 bytes exits 1" 1 V "${M[@]}" --auth-block "$R/auth-4095.base64" "$R/id.bin"
expect_err "names the size" "ID auth block '$R/auth-4095.base64': must be 4096 bytes with ID_KEY_ALGO 1 \\(got 4095 bytes\\)$"

# --- revocation: CRLs of the test ARK ------------------------------------------------------------
# A chain with distinct serial numbers (ASK 0x1001, VCEK 0x2002) below the Milan test ARK, and
# CRLs made with openssl ca: the right one, listing the ASK or the VCEK, expired, not yet valid,
# issued by another ARK, by a certificate named ARK-Milan with another key, and with PKCS#1.
SERIAL=0x1001 issue ask-c ask SEV-Milan ark-m arkm
SERIAL=0x2002 issue vcek-c chipa SEV-VCEK ask-c ask "$(spl Milan-B0 3 0 20 209; hwid $CHIP_M)"
rsa arkm2
root ark-m2 arkm2 ARK-Milan
crl crl-ok ark-m arkm 3003
crl crl-ask ark-m arkm 1001
crl crl-vcek ark-m arkm 2002
CRL_LAST=$(date -u -d '-3 days' +%Y%m%d%H%M%SZ) CRL_NEXT=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ) \
        crl crl-expired ark-m arkm
CRL_LAST=$(date -u -d '+1 day' +%Y%m%d%H%M%SZ) CRL_NEXT=$(date -u -d '+9 days' +%Y%m%d%H%M%SZ) \
        crl crl-future ark-m arkm
crl crl-by-g ark-g arkg
crl crl-by-m2 ark-m2 arkm2
CRLSIG="-md sha384" crl crl-pkcs1 ark-m arkm
CR=(--trust-ark "$C/ark-m.pem" --ark "$C/ark-m.pem" --ask "$C/ask-c.pem" --vcek "$C/vcek-c.pem")
fails "CRL chain without a CRL verifies" 0 "" "${CR[@]}" "$R/m3.bin"
expect_out "... revocation not checked" '^  PASS  revocation +not checked \(no CRL\)$'
fails "valid CRL (DER) listing another serial" 0 "" "${CR[@]}" --crl "$C/crl-ok.crl" "$R/m3.bin"
expect_out "... not revoked" '^  PASS  revocation +not revoked \(ASK, VCEK: CRL signed by the ARK\)$'
fails "valid CRL (PEM)" 0 "" "${CR[@]}" --crl "$C/crl-ok.crl.pem" "$R/m3.bin"
fails "CRL revoking the ASK" 3 revocation "${CR[@]}" --crl "$C/crl-ask.crl" "$R/m3.bin"
expect_out "... names the ASK's serial" '^  FAIL  revocation +expected .*, got revoked: ASK serial 0x1001 on 2025-03-01T00:00:00Z$'
fails "CRL revoking the VCEK serial" 3 revocation "${CR[@]}" --crl "$C/crl-vcek.crl" "$R/m3.bin"
expect_out "... names the VCEK's serial" 'got revoked: VCEK serial 0x2002 on 2025-03-01T00:00:00Z$'
fails "expired CRL is not used" 3 revocation "${CR[@]}" --crl "$C/crl-expired.crl" "$R/m3.bin"
expect_out "... saying expired" 'got CRL not used: expired \(nextUpdate [0-9-]+T[0-9:]+Z\)$'
fails "CRL not yet valid is not used" 3 revocation "${CR[@]}" --crl "$C/crl-future.crl" "$R/m3.bin"
expect_out "... saying not yet valid" 'got CRL not used: not yet valid \(thisUpdate '
fails "CRL of another ARK" 3 revocation "${CR[@]}" --crl "$C/crl-by-g.crl" "$R/m3.bin"
expect_out "... its issuer" 'got CRL not used: its issuer is not the ARK$'
fails "CRL named ARK-Milan, signed by another key" 3 revocation "${CR[@]}" --crl "$C/crl-by-m2.crl" "$R/m3.bin"
expect_out "... not signed by the ARK" 'got CRL not used: not signed by the ARK \(RSASSA-PSS SHA-384\)$'
fails "CRL signed with PKCS#1 v1.5 by the ARK" 3 revocation "${CR[@]}" --crl "$C/crl-pkcs1.crl" "$R/m3.bin"
fails "CRL judged --at a time it is current (2 days on)" 0 "" "${CR[@]}" --crl "$C/crl-future.crl" \
        --at "$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)" "$R/m3.bin"
fails "... and --at after its nextUpdate" 3 revocation "${CR[@]}" --crl "$C/crl-future.crl" \
        --at "$(date -u -d '+10 days' +%Y-%m-%dT%H:%M:%SZ)" "$R/m3.bin"
fails "--require-crl without a CRL" 3 revocation "${CR[@]}" --require-crl "$R/m3.bin"
expect_out "... says it is required" '^  FAIL  revocation +expected a CRL signed by the ARK, current, listing none of the chain \(--require-crl\), got not checked \(no CRL\)$'
fails "--require-crl with a valid CRL" 0 "" "${CR[@]}" --require-crl --crl "$C/crl-ok.crl" "$R/m3.bin"
testcmd "--json: the revocation row of a revoked VCEK" 3 V --json "${CR[@]}" --crl "$C/crl-vcek.crl" "$R/m3.bin"
python3 - "$OUT" <<'PY' && pass "--json: revocation failed, the rest passed" || fail "--json: revocation failed, the rest passed"
import json, sys
r = json.load(open(sys.argv[1]))[0]
bad = [c["name"] for c in r["checks"] if not c["passed"]]
assert r["verdict"] == "rejected" and bad == ["revocation"], bad
c = {c["name"]: c for c in r["checks"]}
assert c["revocation"]["actual"].startswith("revoked: VCEK serial 0x2002"), c["revocation"]
PY
testcmd "revoked in a batch line" 3 V "${CR[@]}" --crl "$C/crl-ask.crl" "$R/m3.bin" "$R/m3.bin"
expect_out "... the line names revocation" '^REJECTED  .*m3\.bin  revocation: expected .*, got revoked: ASK serial 0x1001'
echo garbage >"$T/garbage.crl"
testcmd "a file that is no CRL: exit 1" 1 V "${CR[@]}" --crl "$T/garbage.crl" "$R/m3.bin"
expect_err "... naming it" "reading CRL '$T/garbage.crl' \(not one DER or PEM certificate revocation list\)"
cat "$C/crl-ok.crl.pem" "$C/crl-ask.crl.pem" >"$T/two.crl"
testcmd "two CRLs in one PEM file: exit 1" 1 V "${CR[@]}" --crl "$T/two.crl" "$R/m3.bin"
testcmd "a missing CRL file: exit 1" 1 V "${CR[@]}" --crl "$T/nosuch.crl" "$R/m3.bin"
expect_err "... naming it" "reading CRL '$T/nosuch.crl'"
testcmd "--url with a file that is no CRL: exit 1" 1 V --url http://127.0.0.1:9 --secret-file "$T/key" \
        --owner-key "$T/owner.pem" --measurement "$MZ" --min-tcb none --crl "$T/garbage.crl"
expect_err "... naming it" "reading CRL '$T/garbage.crl'"
grep -q "requesting a report" "$ERR" && fail "... before contacting the agent" "$(cat "$ERR")" ||
        pass "... before contacting the agent"

# --- certificates from a folder, batches, JSON, exit statuses -----------------------------------
mkdir -p "$T/certs" "$T/batch"
cp "$C/ark-m.pem" "$T/certs/ark.pem"; cp "$C/ask-m.pem" "$T/certs/ask.pem"
openssl x509 -in "$C/vcek-m.pem" -outform DER -out "$T/certs/vcek.der"
fails "--certs folder with a DER VCEK" 0 "" --trust-ark "$C/ark-m.pem" --certs "$T/certs" "$R/m3.bin"
cp "$R/m3.bin" "$T/batch/a.bin"; cp "$R/id.bin" "$T/batch/b.bin"
cp "$R/m3.bin" "$T/batch/c.bin"; bflip "$T/batch/c.bin" 0x90 0
testcmd "batch with one bad report exits 3" 3 V --trust-ark "$C/ark-m.pem" --certs "$T/certs" "$T/batch"
expect_out "batch: a verified" "^VERIFIED  .*/a\.bin  Milan VCEK v3"
expect_out "batch: c rejected with the failed check" "^REJECTED  .*/c\.bin  signature: "
[ "$(wc -l <"$OUT")" = 3 ] && pass "batch: one line per report" || fail "batch: one line per report"
testcmd "batch with a missing report exits 1" 1 V --trust-ark "$C/ark-m.pem" --certs "$T/certs" \
        "$T/batch/a.bin" "$T/batch/nosuch.bin"
expect_out "batch: the missing one is an ERROR line" "^ERROR     .*nosuch\.bin"
testcmd "--json batch" 3 V --json --trust-ark "$C/ark-m.pem" --certs "$T/certs" "$T/batch"
python3 - "$OUT" <<'PY' && pass "--json: verdicts and checks" || fail "--json: verdicts and checks"
import json, sys
a = json.load(open(sys.argv[1]))
assert [r["verdict"] for r in a] == ["verified", "verified", "rejected"], a
assert a[0]["generation"] == "Milan" and a[0]["signer"] == "VCEK" and a[0]["version"] == 3
assert a[0]["vm_checks"] is False and all(c["passed"] for c in a[0]["checks"])
bad = [c["name"] for c in a[2]["checks"] if not c["passed"]]
assert bad == ["signature"], bad
PY
echo "garbage" >"$T/certs/vcek.der"
testcmd "unreadable certificate exits 1" 1 V --trust-ark "$C/ark-m.pem" --certs "$T/certs" "$R/m3.bin"
expect_err "unreadable certificate is named" "reading certificate '.*vcek\.der'"
cat "$C/ask-m.pem" "$C/ark-m.pem" >"$T/certs/ask.pem"; rm "$T/certs/vcek.der"
testcmd "no VCEK in the folder exits 1" 1 V --trust-ark "$C/ark-m.pem" --certs "$T/certs" "$R/m3.bin"
expect_err "missing VCEK is named" "no VCEK or VLEK certificate \\(looked for vcek or vlek .pem/.der in '$T/certs'\\)"
testcmd "two certificates in ask.pem exits 1" 1 V --trust-ark "$C/ark-m.pem" --certs "$T/certs" \
        --vcek "$C/vcek-m.pem" "$R/m3.bin"

# --- certificate tables (--cert-table), as report get --certs-out saves them --------------------
TB="python3 $(dirname "$0")/cert-table.py"
mkdir -p "$T/tables"
TBL=$T/tables
$TB "$TBL/full.bin" ark="$C/ark-m.pem" ask="$C/ask-m.pem" vcek="$C/vcek-m.pem"
$TB "$TBL/other-guid.bin" other="$C/ark-g.pem" ark="$C/ark-m.pem" ask="$C/ask-m.pem" vcek="$C/vcek-m.pem"
$TB "$TBL/vcek-only.bin" vcek="$C/vcek-m.pem"
$TB "$TBL/vlek-only.bin" vlek="$C/vlek-m.pem"
fails "table VCEK+ASK+ARK" 0 "" --trust-ark "$C/ark-m.pem" --cert-table "$TBL/full.bin" "$R/m3.bin"
expect_out "... the table's ASK, not a built-in one" '^  PASS  ask-signed +SEV-Milan: verified$'
fails "table with an unknown GUID too" 0 "" --trust-ark "$C/ark-m.pem" --cert-table "$TBL/other-guid.bin" "$R/m3.bin"
fails "table with the VCEK alone, --ark and --ask named" 0 "" --trust-ark "$C/ark-m.pem" --ark "$C/ark-m.pem" \
        --ask "$C/ask-m.pem" --cert-table "$TBL/vcek-only.bin" "$R/m3.bin"
fails "table with the VLEK alone, --ask names the ASVK" 0 "" --trust-ark "$C/ark-m.pem" --ask "$C/asvk-m.pem" \
        --cert-table "$TBL/vlek-only.bin" "$R/vl3.bin"
fails "table with the VLEK alone: the built-in ASVK did not sign a test VLEK" 3 "ask-signed,leaf-signed" \
        --trust-ark "$C/ark-m.pem" --cert-table "$TBL/vlek-only.bin" "$R/vl3.bin"
expect_out "... the built-in ASVK is named" '^  FAIL  ask-signed +expected .*, got SEV-VLEK-Milan \(built-in\): '
fails "--ask in place of the table's ASK" 3 "ask-signed" --trust-ark "$C/ark-m.pem" --ask "$C/ask-m-by-g.pem" \
        --cert-table "$TBL/full.bin" "$R/m3.bin"
testcmd "--cert-table with --vcek: usage error" 2 V --cert-table "$TBL/full.bin" --vcek "$C/vcek-m.pem" "$R/m3.bin"
testcmd "--cert-table with --certs: usage error" 2 V --cert-table "$TBL/full.bin" --certs "$C" "$R/m3.bin"
# Malformed tables: not examined (exit 1), the problem named.
badtable() {    # badtable MODE MESSAGE KIND=FILE...
        local mode=$1 msg=$2
        shift 2
        $TB "$TBL/$mode.bin" --mode "$mode" "$@"
        run V --trust-ark "$C/ark-m.pem" --cert-table "$TBL/$mode.bin" "$R/m3.bin"
        if [ "$STATUS" = 1 ] && grep -q "certificate table '$TBL/$mode.bin': $msg" "$ERR"; then
                pass "malformed table ($mode): exit 1, '$msg'"
        else
                fail "malformed table ($mode): exit 1, '$msg'" "exit $STATUS" "$(cat "$ERR")"
        fi
}
FULL=(ark="$C/ark-m.pem" ask="$C/ask-m.pem" vcek="$C/vcek-m.pem")
badtable bad-guid "certificate table holds no VCEK or VLEK" "${FULL[@]}"
badtable overlap "certificate table entries overlap" "${FULL[@]}"
badtable out-of-range "certificate table entry out of bounds" "${FULL[@]}"
badtable over-table "certificate table entry out of bounds (or over the table)" "${FULL[@]}"
badtable no-terminator "certificate table has no terminating entry" "${FULL[@]}"
badtable twice "certificate table names a certificate twice" "${FULL[@]}"
$TB "$TBL/both.bin" ark="$C/ark-m.pem" vcek="$C/vcek-m.pem" vlek="$C/vlek-m.pem"
run V --trust-ark "$C/ark-m.pem" --cert-table "$TBL/both.bin" "$R/m3.bin"
[ "$STATUS" = 1 ] && grep -q "holds both a VCEK and a VLEK" "$ERR" && pass "table with a VCEK and a VLEK: exit 1" ||
        fail "table with a VCEK and a VLEK: exit 1" "exit $STATUS" "$(cat "$ERR")"
printf 'x' >"$TBL/tiny.bin"
testcmd "a 1-byte table: exit 1" 1 V --trust-ark "$C/ark-m.pem" --cert-table "$TBL/tiny.bin" "$R/m3.bin"
cp "$TBL/full.bin" "$TBL/cut.bin"; bsize "$TBL/cut.bin" 500
testcmd "a table cut inside a certificate: exit 1" 1 V --trust-ark "$C/ark-m.pem" --cert-table "$TBL/cut.bin" "$R/m3.bin"
expect_err "... out of bounds" "certificate table entry out of bounds"
testcmd "a missing table: exit 1" 1 V --cert-table "$TBL/nosuch.bin" "$R/m3.bin"
expect_err "... naming it" "reading certificate table '$TBL/nosuch.bin'"

# --- --jobs: a batch verified on several threads prints what one thread prints ------------------
mkdir -p "$T/jobs"
for i in $(seq 0 39); do
        f=$(printf '%s/jobs/r%02d.bin' "$T" "$i")
        cp "$R/m3.bin" "$f"
        case $((i % 4)) in
        1) bflip "$f" 0x90 0 ;;                 # signature
        2) bset "$f" 0x8 00000b; sign "$f" "$C/chipa.key" ;;     # debug
        esac
done
printf 'x' >"$T/jobs/r99.bin"                   # report-format
testcmd "--jobs 1 batch" 3 V --jobs 1 "${M[@]}" "$T/jobs"
cp "$OUT" "$T/jobs1.out"
testcmd "--jobs 4 batch" 3 V --jobs 4 "${M[@]}" "$T/jobs"
cmp -s "$OUT" "$T/jobs1.out" && [ "$(wc -l <"$OUT")" = 41 ] && pass "--jobs 4 prints the lines of --jobs 1, in order" ||
        fail "--jobs 4 prints the lines of --jobs 1, in order" "$(diff "$T/jobs1.out" "$OUT" | head -5)"
[ "$(grep -c '^VERIFIED' "$OUT")" = 20 ] && [ "$(grep -c '^REJECTED .*signature:' "$OUT")" = 10 ] &&
        [ "$(grep -c '^REJECTED .*debug:' "$OUT")" = 10 ] && pass "--jobs 4: 20 verified, 10 bad signatures, 10 DEBUG" ||
        fail "--jobs 4: 20 verified, 10 bad signatures, 10 DEBUG" "$(cut -c1-60 "$OUT" | sort | uniq -c)"
# One --at for both: the validity row names the time.
AT=(--at "$(date -u +%Y-%m-%dT%H:%M:%SZ)")
testcmd "--jobs 4 --json" 3 V --json --jobs 4 "${AT[@]}" "${M[@]}" "$T/jobs"
cp "$OUT" "$T/jobs4.json"
run V --json --jobs 1 "${AT[@]}" "${M[@]}" "$T/jobs"
cmp -s "$OUT" "$T/jobs4.json" && pass "--jobs 4 --json equals --jobs 1 --json" || fail "--jobs 4 --json equals --jobs 1 --json"
testcmd "--jobs 0 is a usage error" 2 V --jobs 0 "${M[@]}" "$T/jobs"
testcmd "--jobs 257 is a usage error" 2 V --jobs 257 "${M[@]}" "$T/jobs"

# --- host-supplied text is inert: certificate names and productName ----------------------------
# A VCEK whose CN and productName hold a newline forging a "PASS  measurement" line and an ANSI
# escape: every output shows them escaped, none holds the raw bytes.
evil_vcek vcek-evil
raw_absent() {  # raw_absent NAME FILE: FILE holds no ESC byte and no forged line
        if grep -q "$(printf '\033')" "$2" || grep -q '^PASS  measurement' "$2"; then
                fail "$1" "$(grep -n "$(printf '\033')\|^PASS  measurement" "$2" | cat -v | head -3)"
        else
                pass "$1"
        fi
}
has_text() {    # has_text NAME FILE TEXT: FILE holds TEXT literally
        if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "lacks '$3':" "$(cat -v "$2" | head -c 600)"; fi
}
fails "evil CN and productName: rejected by name checks only" 3 cert-kinds,cert-generation,generation,tcb-layout,signing-key,cert-tcb \
        "${MILAN[@]}" --vcek "$C/vcek-evil.pem" "$R/m3.bin"
has_text "table: the CN escaped" "$OUT" "  PASS  leaf-signed        $EVIL_CN_ESCAPED: verified"
has_text "table: the productName escaped" "$OUT" "productName $EVIL_PRODUCT_ESCAPED"
raw_absent "table: no raw newline or escape from the certificate" "$OUT"
[ "$(grep -c '^  PASS  measurement' "$OUT")" = 0 ] && pass "table: no forged measurement row" ||
        fail "table: no forged measurement row"
testcmd "evil CN, --json" 3 V --json "${MILAN[@]}" --vcek "$C/vcek-evil.pem" "$R/m3.bin"
raw_absent "--json: no raw escape from the certificate" "$OUT"
python3 - "$OUT" "$EVIL_CN_ESCAPED" "$EVIL_PRODUCT_ESCAPED" <<'PY' && pass "--json: the strings decode to the escaped form" || fail "--json: the strings decode to the escaped form"
import json, sys
a = json.load(open(sys.argv[1]))
actual = {c["name"]: c["actual"] for c in a[0]["checks"]}
assert actual["leaf-signed"] == sys.argv[2] + ": verified", actual["leaf-signed"]
assert actual["cert-kinds"] == sys.argv[2] + " under SEV-Milan", actual["cert-kinds"]
assert actual["cert-generation"].endswith("productName " + sys.argv[3]), actual["cert-generation"]
for c in a[0]["checks"]:
    for v in c.values():
        assert not isinstance(v, str) or all(0x20 <= ord(ch) <= 0x7e for ch in v), v
PY
testcmd "evil CN in a batch line" 3 V "${MILAN[@]}" --vcek "$C/vcek-evil.pem" "$R/m3.bin" "$R/m3.bin"
has_text "batch line: the CN escaped" "$OUT" "cert-kinds: expected SEV-VCEK under SEV-<product>, or SEV-VLEK under SEV-VLEK-<product>, got $EVIL_CN_ESCAPED under SEV-Milan"
raw_absent "batch line: no raw newline or escape" "$OUT"
# An evil report file name is escaped in the human output too.
EVIL_NAME=$(printf 'x\nPASS  measurement\033[32m.bin')
cp "$R/m3.bin" "$R/$EVIL_NAME"
testcmd "evil report file name" 0 V "${M[@]}" "$R/$EVIL_NAME"
has_text "table: the file name escaped" "$OUT" 'x\x0aPASS  measurement\x1b[32m.bin'
raw_absent "table: no raw bytes from the file name" "$OUT"
rm -f "$R/$EVIL_NAME"

# --- --url: the strict defaults when a key is at stake, and the agent's text -------------------
# An agent (attest-server with the sim provider) signs a template with the test chain's key.
agent() {       # agent NAME TEMPLATE [ARGS...]: sets PORT and APID
        local name=$1 tpl=$2 i
        shift 2
        "$SNPCTL" attest-server --listen 127.0.0.1:0 --provider sim --sim-template "$tpl" \
                --sim-key "$C/chipa.key" --owner-key-digest "$OWNER_DIGEST" \
                --exec "cat >'$T/got.$name'" "$@" \
                >"$T/agent.$name.out" 2>"$T/agent.$name.err" &
        APID=$!
        PORT=
        for i in $(seq 100); do
                PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$T/agent.$name.err")
                [ -n "$PORT" ] && break
                sleep 0.1
        done
        [ -n "$PORT" ] || { echo "agent $name did not start:"; cat "$T/agent.$name.err"; exit 1; }
}
stop_agent() { kill "$APID" 2>/dev/null; wait "$APID" 2>/dev/null; }
printf 'the-disk-key' >"$T/secret"
URLV() {        # URLV [ARGS...]: the owner against $PORT with the Milan test chain
        run V --url "http://127.0.0.1:$PORT" --secret-file "$T/secret" --owner-key "$T/owner.pem" "${M[@]}" --measurement "$MZ" "$@"
}
refused() {     # refused NAME CHECK: the last URLV exited 3 naming CHECK, sent nothing
        if [ "$STATUS" = 3 ] && grep -q "secret not sent: $2:" "$ERR" && grep -q "^  FAIL  $2 " "$OUT" &&
           ! grep -q DELIVERED "$OUT"; then
                pass "$1: exit 3, '$2' named, nothing sent"
        else
                fail "$1: exit 3, '$2' named, nothing sent" "exit $STATUS" "$(head -c 400 "$ERR")" "$(grep FAIL "$OUT")"
        fi
}
delivered() {   # delivered NAME: the last URLV exited 0 and delivered
        if [ "$STATUS" = 0 ] && grep -q '^DELIVERED secret to' "$OUT"; then pass "$1: delivered"; else
                fail "$1: delivered" "exit $STATUS" "$(head -c 400 "$ERR")" "$(grep FAIL "$OUT")"; fi
}
FLOOR=(--min-tcb bl=3,tee=0,snp=20,ucode=209)
python3 "$SYN" new "$R/tpl.bin" milan 3
cp "$R/tpl.bin" "$R/tpl-vmpl1.bin"; bset "$R/tpl-vmpl1.bin" 0x30 01
cp "$R/tpl.bin" "$R/tpl-ma.bin"; bset "$R/tpl-ma.bin" 0x8 000007          # policy 0x70000
cp "$R/tpl.bin" "$R/tpl-debug.bin"; bset "$R/tpl-debug.bin" 0x8 00000b    # policy 0xb0000

agent vmpl1 "$R/tpl-vmpl1.bin"
URLV "${FLOOR[@]}"
refused "VMPL 1 report, no --vmpl" vmpl
expect_out "vmpl row: 0 is required by default" '^  FAIL  vmpl +expected 0, got 1$'
URLV "${FLOOR[@]}" --vmpl 1
delivered "VMPL 1 report, --vmpl 1"
stop_agent

agent ma "$R/tpl-ma.bin"
URLV "${FLOOR[@]}"
refused "MIGRATE_MA report" migrate-ma
expect_out "migrate-ma row says why" '^  FAIL  migrate-ma +expected policy MIGRATE_MA bit clear, got MIGRATE_MA set$'
URLV "${FLOOR[@]}" --policy 0x70000
delivered "MIGRATE_MA report, expected policy 0x70000 sets it"
expect_out "migrate-ma row: allowed by the expected policy" '^  PASS  migrate-ma +MIGRATE_MA set$'
stop_agent

agent debug "$R/tpl-debug.bin"
URLV "${FLOOR[@]}"
refused "DEBUG report" debug
URLV "${FLOOR[@]}" --policy 0xb0000
refused "DEBUG report, expected policy with DEBUG but no --allow-debug" debug
URLV "${FLOOR[@]}" --allow-debug
delivered "DEBUG report, --allow-debug"
expect_err "--url --allow-debug: a notice" "--allow-debug: a guest the host can debug may receive the secret"
stop_agent

agent good "$R/tpl.bin"
URLV --min-tcb bl=3,tee=0,snp=21,ucode=209
refused "committed TCB below the floor" committed-tcb
URLV "${FLOOR[@]}" --tcb-fields committed,launch --min-version 3
expect_out "good report: vmpl row" '^  PASS  vmpl +0$'
expect_out "good report: migrate-ma row" '^  PASS  migrate-ma +MIGRATE_MA clear$'
expect_out "good report: debug row" '^  PASS  debug +DEBUG clear$'
expect_out "good report: the floor is checked" '^  PASS  committed-tcb +bl=3 tee=0 snp=20 ucode=209$'
delivered "good report with a floor"
cmp -s "$T/got.good" "$T/secret" && pass "... the exact secret" || fail "... the exact secret"
stop_agent
agent nocerts "$R/tpl.bin"
run V --url "http://127.0.0.1:$PORT" --secret-file "$T/secret" --owner-key "$T/owner.pem" --measurement "$MZ" "${FLOOR[@]}"
[ "$STATUS" = 1 ] && grep -q "report of agent 'http://127.0.0.1:$PORT': no VCEK or VLEK certificate: give --vcek or --vlek FILE" "$ERR" &&
        ! grep -q 'report\.bin' "$ERR" && ! grep -q DELIVERED "$OUT" &&
        pass "--url, no table from the agent and no certificates: exit 1 naming the agent, not ./report.bin" ||
        fail "--url, no table from the agent and no certificates: exit 1 naming the agent, not ./report.bin" "exit $STATUS" "$(cat "$ERR")"
stop_agent
agent none "$R/tpl.bin"
URLV --min-tcb none
delivered "good report, --min-tcb none"
expect_err "--min-tcb none: the notice" "--min-tcb none: no TCB floor"
[ "$(grep -cE -- '^  (PASS|FAIL)  (committed|reported|launch|current)-tcb ' "$OUT")" = 0 ] &&
        pass "--min-tcb none: no TCB floor row" || fail "--min-tcb none: no TCB floor row" "$(grep -- -tcb "$OUT")"
stop_agent

# The host's certificate table, passed on by the agent, with the evil VCEK: stdout, stderr and
# --json show its names escaped.
certtable "$T/table-evil.bin" "$C/ark-m.pem" "$C/ask-m.pem" "$C/vcek-evil.pem"
agent evil "$R/tpl.bin" --sim-certs "$T/table-evil.bin"
run V --url "http://127.0.0.1:$PORT" --secret-file "$T/secret" --owner-key "$T/owner.pem" --trust-ark "$C/ark-m.pem" --measurement "$MZ" "${FLOOR[@]}"
[ "$STATUS" = 3 ] && pass "agent's table with an evil VCEK: exit 3" || fail "agent's table with an evil VCEK: exit 3" "exit $STATUS" "$(cat -v "$ERR")"
has_text "stderr: the refusal shows the CN escaped" "$ERR" "secret not sent: cert-kinds: expected SEV-VCEK under SEV-<product>, or SEV-VLEK under SEV-VLEK-<product>, got $EVIL_CN_ESCAPED under SEV-Milan"
raw_absent "stderr: no raw newline or escape from the table" "$ERR"
[ "$(wc -l <"$ERR")" = 1 ] && pass "stderr: one line" || fail "stderr: one line" "$(cat -v "$ERR")"
has_text "stdout: the productName escaped" "$OUT" "productName $EVIL_PRODUCT_ESCAPED"
raw_absent "stdout: no raw newline or escape from the table" "$OUT"
run V --json --url "http://127.0.0.1:$PORT" --secret-file "$T/secret" --owner-key "$T/owner.pem" --trust-ark "$C/ark-m.pem" --measurement "$MZ" "${FLOOR[@]}"
raw_absent "--url --json: no raw escape" "$OUT"
python3 - "$OUT" "$EVIL_CN_ESCAPED" <<'PY' && pass "--url --json: the CN decodes to the escaped form" || fail "--url --json: the CN decodes to the escaped form"
import json, sys
o = json.load(open(sys.argv[1]))
actual = {c["name"]: c["actual"] for c in o["checks"]}
assert actual["cert-kinds"] == sys.argv[2] + " under SEV-Milan", actual
assert o["delivered"] is False
PY
stop_agent

# An agent answering an error with the host's text: shown escaped, on one line.
python3 - >"$T/evil-agent.port" <<'PY' &
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        b = b"oops\nPASS  measurement\x1b[31m\\"
        self.send_response(500)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.handle_request()
PY
EPID=$!
for i in $(seq 100); do PORT=$(cat "$T/evil-agent.port"); [ -n "$PORT" ] && break; sleep 0.1; done
URLV "${FLOOR[@]}"
wait "$EPID"
[ "$STATUS" = 1 ] && pass "agent answering HTTP 500: exit 1" || fail "agent answering HTTP 500: exit 1" "exit $STATUS"
has_text "the agent's text is escaped" "$ERR" 'answered HTTP 500: oops\x0aPASS  measurement\x1b[31m\x5c'
raw_absent "the agent's text: no raw newline or escape" "$ERR"
[ "$(wc -l <"$ERR")" = 1 ] && pass "the agent's text: one line" || fail "the agent's text: one line" "$(cat -v "$ERR")"

# --- real reports ------------------------------------------------------------------------------
need_testdata attest
A=$TESTDATA/attest
declare -A count=()
for d in "$A"/*/; do
        d=${d%/}
        name=${d##*/}
        [ -f "$d/report.bin" ] || continue
        gen=${name#*-}; gen=${gen%%-*}
        kind=$(ls "$d" | grep -oE '^(vcek|vlek)' | head -1)
        ask=ask; [ "$kind" = vlek ] && ask=asvk
        # Policy bit 19 (DEBUG): such a report is refused unless --allow-debug (tested below).
        dbg=(); [ $(( $(od -An -tu1 -j 10 -N1 "$d/report.bin") & 8 )) != 0 ] && dbg=(--allow-debug)
        # The two real VLEKs expired in 2025: judged as of 2025-04-01.
        at=(); [ "$kind" = vlek ] && at=(--at 2025-04-01)
        run V "${dbg[@]}" "${at[@]}" --ark "$A/amd-roots/$gen/$kind/ark.pem" --ask "$A/amd-roots/$gen/$kind/$ask.pem" \
                --$kind "$(ls "$d"/$kind.* | head -1)" "$d/report.bin"
        if [ "$STATUS" = 0 ] && grep -q '^VERIFIED' "$OUT"; then
                line=$(grep '^VERIFIED' "$OUT")
                key=$(echo "$line" | awk '{print $2, $3}')
                count[$key]=$(( ${count[$key]:-0} + 1 ))
                pass "$name verifies with amd-roots/$gen/$kind"
        else
                fail "$name verifies with amd-roots/$gen/$kind" "$(grep FAIL "$OUT")" "$(cat "$ERR")"
        fi
done
total=0
for k in "${!count[@]}"; do echo "# real reports verified: $k ${count[$k]}"; total=$((total + count[$k])); done
[ "$total" = 45 ] && pass "all 45 real reports verify" || fail "all 45 real reports verify" "$total"

# The built-in roots: the VCEK or VLEK alone verifies every real report.
declare -A bcount=()
for d in "$A"/*/; do
        d=${d%/}
        [ -f "$d/report.bin" ] || continue
        kind=$(ls "$d" | grep -oE '^(vcek|vlek)' | head -1)
        at=(); [ "$kind" = vlek ] && at=(--at 2025-04-01)
        run V --allow-debug "${at[@]}" --$kind "$(ls "$d"/$kind.* | head -1)" "$d/report.bin"
        if [ "$STATUS" = 0 ] && [ "$(grep -cE '^  PASS  (ark-self|ask)-signed +.*\(built-in\): verified$' "$OUT")" = 2 ]; then
                bcount[$kind]=$(( ${bcount[$kind]:-0} + 1 ))
        else
                fail "${d##*/} verifies with --$kind and the built-in roots" "$(grep FAIL "$OUT")" "$(cat "$ERR")"
        fi
done
[ "${bcount[vcek]:-0}" = 43 ] && [ "${bcount[vlek]:-0}" = 2 ] &&
        pass "built-in roots: 43 VCEK and 2 VLEK reports verify from their leaf alone" ||
        fail "built-in roots: 43 VCEK and 2 VLEK reports verify from their leaf alone" "${bcount[*]}"
VL=$A/trustee-milan-vlek-v3-decdab94
fails "real VLEK now: expired" 3 validity --vlek "$VL/vlek.der" "$VL/report.bin"
expect_out "the validity row names the VLEK and the date" '^  FAIL  validity +expected every certificate valid at .*, got VLEK expired 2025-12-10T22:14:21Z$'
fails "real VLEK before it was issued" 3 validity --at 2024-12-01 --vlek "$VL/vlek.der" "$VL/report.bin"
expect_out "... not valid before" 'got VLEK not valid before 2024-12-10T22:14:21Z$'
fails "real VLEK on its last second" 0 "" --at 2025-12-10T22:14:21Z --vlek "$VL/vlek.der" "$VL/report.bin"
fails "real VLEK one second later" 3 validity --at 2025-12-10T22:14:22Z --vlek "$VL/vlek.der" "$VL/report.bin"
testcmd "--at 2025-02-30 is a usage error" 2 V --at 2025-02-30 --vlek "$VL/vlek.der" "$VL/report.bin"
expect_err "... naming the value and the forms" "bad --at '2025-02-30' \\(a UTC date 2025-04-01 or time 2025-04-01T12:00:00Z\\)"
testcmd "--at with a time zone offset is a usage error" 2 V --at 2025-04-01T12:00:00+02:00 --vlek "$VL/vlek.der" "$VL/report.bin"
run V --json --at 2025-04-01 --vlek "$VL/vlek.der" "$VL/report.bin"
python3 - "$OUT" <<'PY' && pass "--json: validity and revocation rows" || fail "--json: validity and revocation rows"
import json, sys
c = {c["name"]: c for c in json.load(open(sys.argv[1]))[0]["checks"]}
assert c["validity"]["passed"] and c["validity"]["actual"].startswith("valid at 2025-04-01T00:00:00Z"), c["validity"]
assert c["revocation"]["passed"] and c["revocation"]["actual"] == "not checked (no CRL)", c["revocation"]
PY

# No certificate is looked up implicitly: not next to the report, not in the current folder.
G=$A/ccf-genoa-vcek-v3-4ae0e73a
testcmd "a report alone, certificates beside it: not examined" 1 V "$G/report.bin"
expect_err "... saying how to name them" "report.bin: no VCEK or VLEK certificate: give --vcek or --vlek FILE, --certs DIR or --cert-table FILE \\(certificates are never looked up implicitly\\)"
mkdir -p "$T/cwd"
cp "$G/report.bin" "$G/vcek.pem" "$T/cwd/"
cp "$C/ark-m.pem" "$T/cwd/ark.pem"; cp "$C/ask-m.pem" "$T/cwd/ask.pem"     # stray test roots
cd "$T/cwd"; run V report.bin; cd - >/dev/null
[ "$STATUS" = 1 ] && grep -q "^snpctl attest-verify: report.bin: no VCEK or VLEK certificate" "$ERR" &&
        pass "cwd with vcek.pem: not picked up" || fail "cwd with vcek.pem: not picked up" "exit $STATUS" "$(cat "$ERR")"
cd "$T/cwd"; run V --vcek vcek.pem report.bin; cd - >/dev/null
[ "$STATUS" = 0 ] && grep -q '^  PASS  ark-trusted        ARK-Genoa (built-in)' "$OUT" &&
        pass "cwd with stray ark.pem/ask.pem: the built-in roots are used" ||
        fail "cwd with stray ark.pem/ask.pem: the built-in roots are used" "exit $STATUS" "$(grep -E 'FAIL|ark-' "$OUT")"
# Each case folder named with --certs (its ark.pem/ask.pem where it has them).
n=0 nok=0
for d in "$A"/*/; do
        [ -f "$d/report.bin" ] || continue
        n=$((n + 1))
        at=(); ls "$d" | grep -q '^vlek' && at=(--at 2025-04-01)
        run V --allow-debug "${at[@]}" --certs "$d" "$d/report.bin"
        [ "$STATUS" = 0 ] && nok=$((nok + 1))
done
[ "$nok" = 45 ] && [ "$n" = 45 ] && pass "--certs with each of the 45 case folders verifies (VLEKs at 2025-04-01)" ||
        fail "--certs with each of the 45 case folders verifies" "$nok of $n"
fails "only the real report allowing DEBUG (gsg, policy 0xb0000) is rejected, by the debug check" 3 debug \
        --certs "$A/gsg-milan-vcek-v2-377e6241" "$A/gsg-milan-vcek-v2-377e6241/report.bin"

# Real negatives: another chip's VCEK; a real report under a test root; a flipped real report.
run V "$A/oak-milan-vcek-v2-2050186d/report.bin" --certs "$A/gsg-milan-vcek-v2-377e6241"
got=$(grep -E '^  FAIL ' "$OUT" | awk '{print $2}' | paste -sd, -)
[ "$STATUS" = 3 ] && [ "$got" = "signature,chip-id,cert-tcb" ] && pass "real report with another chip's VCEK" ||
        fail "real report with another chip's VCEK" "exit $STATUS, failed $got"
VI=$A/virtee-milan-vcek-v2-120d77b2
fails "real report, test root trusted" 3 ark-trusted --trust-ark "$C/ark-m.pem" --certs "$VI" "$VI"
fails "real report, real root as --trust-ark" 0 "" --trust-ark "$A/amd-roots/milan/vcek/ark.pem" --certs "$VI" "$VI"
fails "real report, real root as --trust-ark, VCEK alone" 0 "" --trust-ark "$A/amd-roots/milan/vcek/ark.pem" --vcek "$VI/vcek.der" "$VI"
# Real certificate tables: the VCEK with AMD's ASK and ARK; the VCEK alone; the VLEK alone (as
# AWS hands it), completed from the built-in roots.
G=$A/ccf-genoa-vcek-v3-4ae0e73a
$TB "$TBL/real-full.bin" ark="$G/ark.pem" ask="$G/ask.pem" vcek="$G/vcek.pem"
$TB "$TBL/real-vcek.bin" vcek="$G/vcek.pem"
$TB "$TBL/real-vlek.bin" vlek="$VL/vlek.der"
fails "real table VCEK+ASK+ARK" 0 "" --cert-table "$TBL/real-full.bin" "$G/report.bin"
fails "real table with the VCEK alone" 0 "" --cert-table "$TBL/real-vcek.bin" "$G/report.bin"
expect_out "... ARK built in" '^  PASS  ark-trusted +ARK-Genoa \(built-in\) key sha256:'
fails "real VLEK-only table (as of 2025-04-01)" 0 "" --at 2025-04-01 --cert-table "$TBL/real-vlek.bin" "$VL/report.bin"
expect_out "... the built-in ASVK" '^  PASS  ask-signed +SEV-VLEK-Milan \(built-in\): verified$'
fails "real VLEK-only table, now: expired" 3 validity --cert-table "$TBL/real-vlek.bin" "$VL/report.bin"
fails "real table of another report's VCEK (same TCB)" 3 "signature,chip-id" --cert-table "$TBL/real-vcek.bin" \
        "$A/trustee-genoa-vcek-v3-227a641d/report.bin"
cp "$A/oak-turin-vcek-v5-3f44a09b/report.bin" "$R/real.bin"; bflip "$R/real.bin" 0x90 0
fails "real Turin report with a flipped measurement bit" 3 signature --certs "$A/oak-turin-vcek-v5-3f44a09b" "$R/real.bin"
fails "real Turin report, Genoa roots" 3 leaf-signed,cert-generation,generation,tcb-layout,chip-id,cert-tcb --ark "$A/amd-roots/genoa/vcek/ark.pem" \
        --ask "$A/amd-roots/genoa/vcek/ask.pem" --vcek "$A/oak-turin-vcek-v5-3f44a09b/vcek.der" \
        "$A/oak-turin-vcek-v5-3f44a09b/report.bin"
finish
