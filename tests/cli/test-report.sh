# SPDX-License-Identifier: Apache-2.0
# snpctl report show: decodes every real report of the test data, and its version, signer,
# firmware, CPUID and REPORTED_TCB equal the summary table of that data's README (made with an
# independent checker); malformed reports are refused with the field named.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/attest-lib.sh"
SYN="$(dirname "$0")/attest-synth.py"

testcmd "--help exits 0" 0 "$SNPCTL" report --help
expect_out "--help names the action" 'show REPORT'
testcmd "no action is a usage error" 2 "$SNPCTL" report
testcmd "unknown action is a usage error" 2 "$SNPCTL" report list x
testcmd "two reports are a usage error" 2 "$SNPCTL" report show a b
testcmd "bad --generation is a usage error" 2 "$SNPCTL" report show --generation rome x
testcmd "missing file exits 1" 1 "$SNPCTL" report show "$T/nosuch.bin"
expect_err "missing file is named" "reading report '.*nosuch.bin'"

# Synthetic reports: the structure checks.
if command -v python3 >/dev/null; then
        python3 "$SYN" new "$T/m3.bin" milan 3
        testcmd "synthetic Milan v3 report decodes" 0 "$SNPCTL" report show "$T/m3.bin"
        expect_out "policy bits by name" '^policy: +0x30000 \(ABI 0\.0; SMT RESERVED_MBO\)$'
        expect_out "TCB by component" '^committed_tcb: +bl=3 tee=0 snp=20 ucode=209 '
        expect_out "platform info by name" '^platform_info: +0x25 \(SMT_EN ECC_EN ALIAS_CHECK_COMPLETE\)$'
        expect_out "generation from CPUID" '^generation: +Milan \(from CPUID\)$'
        python3 "$SYN" new "$T/t5.bin" turin 5
        testcmd "synthetic Turin v5 report decodes" 0 "$SNPCTL" report show "$T/t5.bin"
        expect_out "Turin TCB layout with fmc" '^reported_tcb: +fmc=1 bl=2 tee=0 snp=3 ucode=71 '
        expect_out "v5 mitigation vector" '^launch_mit_vector: +0x1$'
        python3 "$SYN" new "$T/m2.bin" milan 2
        testcmd "v2 report decodes" 0 "$SNPCTL" report show "$T/m2.bin"
        expect_out "v2 generation unknown" '^generation: +unknown; TCBs in the Milan/Genoa layout$'
        testcmd "v2 report with --generation genoa" 0 "$SNPCTL" report show --generation genoa "$T/m2.bin"
        expect_out "v2 generation from the flag" '^generation: +Genoa \(from --generation\)$'

        bad() {         # bad NAME FIELD-PATTERN HELPER ARGS...
                local name=$1 pat=$2
                shift 2
                cp "$T/m3.bin" "$T/bad.bin"
                "$1" "$T/bad.bin" "${@:2}"
                testcmd "$name is refused (exit 3)" 3 "$SNPCTL" report show "$T/bad.bin"
                expect_err "$name: field named" "$pat"
                expect_no_out "$name: nothing on stdout"
        }
        bad "truncated report" "bad length \(truncated" bsize 1183
        bad "long report" "bad length \(too long" bsize 1185
        bad "empty report" "bad length" bsize 0
        bad "version 4" "bad version" bset 0 04000000
        bad "version 6" "bad version" bset 0 06000000
        bad "version 1" "bad version" bset 0 01000000
        bad "signature algorithm 2" "bad signature_algo" bset 0x34 02000000
        bad "signing key 3" "bad signer_info SIGNING_KEY" bset 0x48 0c000000
        bad "signer info bit 5" "bad signer_info bits 31:5" bset 0x48 20000000
        bad "policy without bit 17" "bad policy bit 17" bset 8 0000010000000000
        bad "policy bit 26" "bad policy bits 63:26" bset 8 0000030400000000
        bad "reserved 0x04C" "bad reserved 0x04C" bset 0x4C 01
        bad "reserved 0x19F" "bad reserved 0x18B-0x19F" bset 0x19F 01
        bad "reserved 0x1EB" "bad reserved 0x1EB" bset 0x1EB 01
        bad "mit vector in v3" "bad reserved 0x1F8-0x207" bset 0x1F8 01
        bad "reserved 0x29F" "bad reserved 0x208-0x29F" bset 0x29F 01
        bad "r above 48 bytes" "bad signature r/s" bset 0x2D0 01
        bad "signature area 0x49F" "bad reserved signature area" bset 0x49F 01
        cp "$T/m2.bin" "$T/bad.bin"
        bset "$T/bad.bin" 0x188 19
        testcmd "CPUID byte in a v2 report is refused" 3 "$SNPCTL" report show "$T/bad.bin"
fi

# --- report get: usage, and no guest interface on a host ----------------------------------------
G() { "$SNPCTL" report get "$@"; }
testcmd "get without REPORT_DATA is a usage error" 2 G -o "$T/g.bin"
testcmd "get without -o is a usage error" 2 G --report-data 00
testcmd "get with both REPORT_DATA options is a usage error" 2 G --report-data 00 --report-data-file x -o "$T/g.bin"
testcmd "get with 65 bytes of REPORT_DATA is a usage error" 2 G --report-data "$(printf '00%.0s' $(seq 65))" -o "$T/g.bin"
expect_err "bad --report-data is named" "bad --report-data"
testcmd "get with odd hex is a usage error" 2 G --report-data 0 -o "$T/g.bin"
testcmd "get with --vmpl 4 is a usage error" 2 G --report-data 00 --vmpl 4 -o "$T/g.bin"
testcmd "get --provider sim without key is a usage error" 2 G --report-data 00 --provider sim -o "$T/g.bin"
testcmd "show with get's options is a usage error" 2 "$SNPCTL" report show --force x.bin
: >"$T/empty"
testcmd "get with an empty --report-data-file exits 1" 1 G --report-data-file "$T/empty" -o "$T/g.bin" --provider ioctl
expect_err "empty file named" "must hold 1 to 64 bytes"
if [ ! -e /dev/sev-guest ] && [ ! -e /sys/kernel/config/tsm/report ]; then
        testcmd "get on a host without SEV-SNP guest interface exits 1" 1 G --report-data 00 -o "$T/g.bin"
        expect_err "says there is no guest interface" "no SEV-SNP guest interface"
        [ ! -e "$T/g.bin" ] && pass "no output file left behind" || fail "no output file left behind"
fi

need_testdata attest
A=$TESTDATA/attest
n=0 genoa=0 milan=0 turin=0 vcek=0 vlek=0
while IFS='|' read -r _ name gen cpuid version signer fw tcb _; do
        name=$(echo $name) gen=$(echo $gen) cpuid=$(echo $cpuid) version=$(echo $version)
        signer=$(echo $signer) fw=$(echo $fw) tcb=$(echo $tcb)
        [ -f "$A/$name/report.bin" ] || continue
        run "$SNPCTL" report show "$A/$name/report.bin"
        if [ "$STATUS" != 0 ]; then
                fail "$name decodes" "exit $STATUS: $(cat "$ERR")"
                continue
        fi
        # "version|signer|firmware|cpuid|REPORTED_TCB" in the README's notation.
        c=$(sed -n 's/^cpuid: *//p' "$OUT")
        got="$(sed -n 's/^version: *//p' "$OUT")|$(sed -n 's/^signing_key: *//p' "$OUT")"
        got="$got|$(sed -n 's/^current_version: *//p' "$OUT")|${c:--}"
        got="$got|$(sed -n 's/^reported_tcb: *\(.*\) (0x.*/\1/p' "$OUT")"
        want="$version|$signer|$fw|$cpuid|$tcb"
        if [ "$got" = "$want" ]; then
                pass "$name: version, signer, firmware, CPUID, REPORTED_TCB as in the README"
        else
                fail "$name decodes as in the README" "got:  $got" "want: $want"
        fi
        n=$((n + 1))
        case $gen in Genoa*) genoa=$((genoa + 1)) ;; Milan*) milan=$((milan + 1)) ;; Turin*) turin=$((turin + 1)) ;; esac
        case $signer in VCEK) vcek=$((vcek + 1)) ;; VLEK) vlek=$((vlek + 1)) ;; esac
done < <(grep -E '^\| [a-z]+-(milan|genoa|turin)-' "$A/README.md")
# JSON carries the same decoding (one report, parsed by python).
run "$SNPCTL" report show --json "$A/oak-turin-vcek-v5-3f44a09b/report.bin"
if python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
t = r["reported_tcb"]
assert (t["fmc"], t["bl"], t["tee"], t["snp"], t["ucode"]) == (0, 1, 0, 2, 71), t
assert r["version"] == 5 and r["signing_key"] == "VCEK" and r["generation"] == "Turin"
assert r["platform_info"]["flags"] == ["SMT_EN", "TSME_EN", "ECC_EN", "ALIAS_CHECK_COMPLETE", "bit6"]
assert r["policy"]["flags"] == ["SMT", "RESERVED_MBO"] and r["cpuid"] == "1a/02/01"
assert r["chip_id"].startswith("3b42092f69c656d3") and r["chip_id"].endswith("00" * 56)
' "$OUT"; then pass "--json decodes the Turin report"; else fail "--json decodes the Turin report"; fi
echo "# decoded $n real reports: Milan $milan, Genoa $genoa, Turin $turin; VCEK $vcek, VLEK $vlek"
[ "$n" = 45 ] && pass "all 45 real reports decoded" || fail "all 45 real reports decoded" "got $n"
finish
