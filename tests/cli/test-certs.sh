# SPDX-License-Identifier: Apache-2.0
# AMD's key server, played by tests/cli/fake-kds.py on 127.0.0.1 with the real certificates of the
# test data under the real paths: attest-verify --fetch on every real VCEK report with nothing but
# the report, one request per distinct (chip, TCB), none on the second run, --offline, a cache
# filled by two processes at once, a busy (429), stalled, lying or garbage-speaking server; then
# snpctl certs fetch and certs split.
. "$(dirname "$0")/lib.sh"

need_testdata attest
A=$TESTDATA/attest
FAKE=$(dirname "$0")/fake-kds.py
if ! python3 -c 'import cryptography' 2>/dev/null; then
        echo "skipped: python3-cryptography is missing"
        exit 77
fi

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# start_kds NAME [fake-kds.py options]: a server whose URL is in $URL and log in $T/NAME.log; one
# is started, and kds_mode switches it (a start costs a second on a loaded machine).
start_kds() {
        local name=$1
        shift
        rm -f "$T/$name.port"
        python3 -W ignore "$FAKE" --data "${KDS_DATA:-$A}" --port-file "$T/$name.port" --log "$T/$name.log" \
                "$@" 2>"$T/$name.err" &
        PIDS+=($!)
        for _ in $(seq 100); do
                [ -s "$T/$name.port" ] && break
                sleep 0.1
        done
        if [ ! -s "$T/$name.port" ]; then
                echo "fake key server '$name' did not start: $(cat "$T/$name.err")"
                exit 1
        fi
        URL=http://127.0.0.1:$(cat "$T/$name.port")
}
# kds_mode NAME [MODE [KEY=VALUE...]]: the running server logs to $T/NAME.log from now on, in MODE
# (default normal), with its other settings (busy=N, crl=FILE or crl= for none, data=DIR).
kds_mode() {
        local q="log=$T/$1.log&mode=${2:-normal}" kv
        shift 2 2>/dev/null || shift
        for kv in "$@"; do q="$q&$kv"; done
        exec 3<>"/dev/tcp/127.0.0.1/$KDS_PORT" || { echo "fake key server gone"; exit 1; }
        printf 'GET /_control?%s HTTP/1.0\r\n\r\n' "$q" >&3
        cat <&3 >/dev/null
        exec 3<&-
}
requests() { wc -l <"$T/$1.log"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Every real VCEK report, alone in one folder: nothing but the report.
mkdir -p "$T/reports"
n_vcek=0
for d in "$A"/*-vcek-*/; do
        c=$(basename "$d")
        cp "$d/report.bin" "$T/reports/$c.bin"
        n_vcek=$((n_vcek + 1))
done
# What the batch must ask for: each distinct (CHIP_ID, REPORTED_TCB) once (computed from the
# reports, not known in advance).
distinct=$(python3 - "$T/reports" <<'EOF'
import os, sys
seen = set()
for f in os.listdir(sys.argv[1]):
    b = open(os.path.join(sys.argv[1], f), "rb").read()
    seen.add((b[0x1A0:0x1E0], b[0x180:0x188]))
print(len(seen))
EOF
)

start_kds main
MAIN=$URL
KDS_PORT=${URL##*:}
V() { "$SNPCTL" attest-verify --allow-debug "$@"; }

t0=$(now_ms)
testcmd "--fetch: all $n_vcek real VCEK reports verify with nothing but the report" 0 \
        V --fetch --kds-url "$MAIN" --cache-dir "$T/cache" "$T/reports"
t1=$(now_ms)
n=$(grep -c '^VERIFIED ' "$OUT")
[ "$n" = "$n_vcek" ] && pass "$n_vcek VERIFIED lines" || fail "$n_vcek VERIFIED lines" "got $n"
first=$(requests main)
vcek_ok=$(grep -cE '^GET /vcek/v1/[A-Za-z]+/[0-9a-f]+\?.* 200$' "$T/main.log")
vcek_twice=$(grep -E '^GET /vcek/v1/[A-Za-z]+/[0-9a-f]+\?' "$T/main.log" | cut -d' ' -f2 | sort | uniq -d | wc -l)
[ "$vcek_ok" = "$distinct" ] && pass "one VCEK fetched per distinct (chip, TCB): $distinct" \
        || fail "one VCEK fetched per distinct (chip, TCB)" "fetched $vcek_ok, distinct $distinct"
[ "$vcek_twice" = 0 ] && pass "no VCEK URL asked twice" || fail "no VCEK URL asked twice" "$vcek_twice"
chains=$(grep -c 'cert_chain' "$T/main.log")
[ "$chains" = 0 ] && pass "no chain fetched: the ARKs and ASKs are built in" || fail "no chain fetched" "$chains"
crls=$(grep -c '^GET /vcek/v1/[A-Za-z]*/crl 404$' "$T/main.log")
[ "$crls" = 3 ] && pass "one CRL asked for per product (Milan, Genoa, Turin)" || fail "one CRL per product" "$crls"
grep -q '^GET /vcek/v1/Turin/[0-9a-f]\{16\}?fmcSPL=[0-9]*&blSPL=[0-9]*&teeSPL=[0-9]*&snpSPL=[0-9]*&ucodeSPL=[0-9]* 200$' \
        "$T/main.log" && pass "Turin: 8-byte hwID, fmcSPL first" || fail "Turin: 8-byte hwID, fmcSPL first"
grep -q '^GET /vcek/v1/Milan/[0-9a-f]\{128\}?blSPL=[0-9]*&teeSPL=[0-9]*&snpSPL=[0-9]*&ucodeSPL=[0-9]* 200$' \
        "$T/main.log" && pass "Milan: 64-byte hwID" || fail "Milan: 64-byte hwID"

testcmd "second run: all verify again" 0 V --fetch --kds-url "$MAIN" --cache-dir "$T/cache" \
        "$T/reports"
t2=$(now_ms)
second=$(( $(requests main) - first ))
[ "$second" = 0 ] && pass "second run: zero requests" || fail "second run: zero requests" "$second made"
echo "# batch of $n_vcek reports: first run $first requests ($distinct distinct chip+TCB, $((t1 - t0)) ms), second run $second requests ($((t2 - t1)) ms)"

testcmd "--offline from the filled cache" 0 V --offline --cache-dir "$T/cache" "$T/reports"
[ "$(( $(requests main) - first ))" = 0 ] && pass "--offline: no request" || fail "--offline: no request"
testcmd "--offline on an empty cache fails" 1 V --offline --cache-dir "$T/empty" \
        "$T/reports/oak-turin-vcek-v5-3f44a09b.bin"
expect_err "--offline names the missing certificate" \
        "VCEK of Turin chip [0-9a-f]{16}\.\.\. at fmc_0-bl_1-tee_0-snp_2-ucode_71: not in the cache"
testcmd "a v2 report offline: both products named" 1 V --offline --cache-dir "$T/empty" \
        "$T/reports/oak-milan-vcek-v2-071c9784.bin"
expect_err "v2 offline: Milan and Genoa named" "VCEK of Milan chip.*also tried as Genoa.*--product"

# The CRL: the fake server has none (404); revocation stays unchecked, the verdict stands.
grep -q '^GET /vcek/v1/Milan/crl 404$' "$T/main.log" && pass "CRL asked for, 404 accepted" \
        || fail "CRL asked for, 404 accepted"
testcmd "one report, from the cache" 0 V --fetch --kds-url "$MAIN" --cache-dir "$T/cache" \
        "$T/reports/oak-milan-vcek-v3-40a2778d.bin"
expect_out "no CRL at the server: revocation not checked" '^  PASS  revocation +not checked'
expect_out "the ARK and ASK: built in" '^  PASS  ask-signed +SEV-Milan \(built-in\)'
testcmd "--require-crl: no CRL at the server rejects" 3 V --fetch --require-crl --kds-url "$MAIN" \
        --cache-dir "$T/cache" "$T/reports/oak-milan-vcek-v3-40a2778d.bin"

# Two processes filling one cache at once: both verify, every file whole, then offline works.
V --fetch --kds-url "$MAIN" --cache-dir "$T/shared" "$T/reports" >"$T/p1.out" 2>"$T/p1.err" &
p1=$!
V --fetch --kds-url "$MAIN" --cache-dir "$T/shared" "$T/reports" >"$T/p2.out" 2>"$T/p2.err" &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
[ "$s1$s2" = 00 ] && pass "two processes at once: both verify" || \
        fail "two processes at once: both verify" "$s1 $s2" "$(head -c 400 "$T/p1.err" "$T/p2.err")"
bad=$(python3 -W ignore - "$T/shared" <<'EOF'
import os, sys
from cryptography import x509
bad = 0
for root, _, files in os.walk(sys.argv[1]):
    for name in files:
        data = open(os.path.join(root, name), "rb").read()
        try:
            if name.endswith(".der"):
                x509.load_der_x509_certificate(data)
            elif name.endswith(".pem"):
                x509.load_pem_x509_certificate(data)
            elif name != "crl.absent" or data:      # the server had no CRL: an empty marker
                bad += 1
        except ValueError:
            bad += 1
print(bad)
EOF
)
[ "$bad" = 0 ] && pass "shared cache: every file a whole certificate, no stray file" \
        || fail "shared cache: every file a whole certificate" "$bad bad"
testcmd "shared cache: --offline verifies all" 0 V --offline --cache-dir "$T/shared" "$T/reports"

# One report for the misbehaving servers.
R1=$T/reports/oak-milan-vcek-v3-40a2778d.bin

kds_mode busy busy busy=1
URL=$MAIN
testcmd "429 with Retry-After: retried, verifies" 0 V --fetch --kds-url "$URL" \
        --cache-dir "$T/c-busy" --kds-wait 10 "$R1"
first_two=$(head -2 "$T/busy.log" | awk '{print $3}' | paste -sd' ')
[ "$first_two" = "429 200" ] && [ "$(head -2 "$T/busy.log" | cut -d' ' -f2 | uniq | wc -l)" = 1 ] \
        && pass "429, then the same request again: 200" || fail "429 then 200" "$(cat "$T/busy.log")"

kds_mode busy2 busy-always
t0=$(now_ms)
testcmd "always 429: gives up within --kds-wait" 1 V --fetch --kds-url "$URL" \
        --cache-dir "$T/c-busy2" --kds-wait 2 "$R1"
t1=$(now_ms)
expect_err "always 429: says busy, names the URL" "'http://127\.0\.0\.1:[0-9]+/vcek/v1/Milan/[0-9a-f]+\?.*' still answers HTTP 429"
[ "$(requests busy2)" -ge 2 ] && [ $((t1 - t0)) -lt 8000 ] && pass "always 429: retried, bounded ($((t1 - t0)) ms)" \
        || fail "always 429: retried, bounded" "$(requests busy2) requests, $((t1 - t0)) ms"

kds_mode stall stall
t0=$(now_ms)
testcmd "stalled server: the timeout fires" 1 V --fetch --kds-url "$URL" --cache-dir "$T/c-stall" \
        --kds-timeout 1 "$R1"
t1=$(now_ms)
expect_err "stalled server: timed out, URL named" "fetching 'http://127\.0\.0\.1:[0-9]+/vcek/v1/Milan/.*timed out"
[ $((t1 - t0)) -lt 8000 ] && pass "stalled server: given up in $((t1 - t0)) ms" \
        || fail "stalled server: given up in time" "$((t1 - t0)) ms"

kds_mode garbage garbage
testcmd "garbage body: an error" 1 V --fetch --kds-url "$URL" --cache-dir "$T/c-garbage" "$R1"
expect_err "garbage body: not a certificate, URL named" "'http://127\.0\.0\.1:[0-9]+/vcek/v1/Milan/[0-9a-f]+\?.*' answered [0-9]+ bytes that are not one DER certificate"
[ -z "$(find "$T/c-garbage" -type f 2>/dev/null)" ] && pass "garbage body: nothing cached" \
        || fail "garbage body: nothing cached" "$(find "$T/c-garbage" -type f)"

kds_mode huge huge
testcmd "a 1 MiB answer: refused" 1 V --fetch --kds-url "$URL" --cache-dir "$T/c-huge" "$R1"
expect_err "a 1 MiB answer: the cap and the URL named" "'http://127\.0\.0\.1:[0-9]+/vcek/v1/Milan/[0-9a-f]+\?.*' answered more than 262144 bytes"

kds_mode other otherchip
testcmd "a VCEK of another chip: rejected" 3 V --fetch --kds-url "$URL" --cache-dir "$T/c-other" "$R1"
expect_out "another chip's VCEK: the signature fails" '^  FAIL  signature '
kds_mode main normal
testcmd "the cache is not poisoned: the real server's VCEK verifies next" 0 V --fetch \
        --kds-url "$MAIN" --cache-dir "$T/c-other" "$R1"

# A report whose CHIP_ID the server does not know: 404, "the server has none".
python3 - "$R1" "$T/unknown.bin" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[0x1A0] ^= 1
open(sys.argv[2], "wb").write(b)
EOF
testcmd "unknown chip: 404" 1 V --fetch --kds-url "$MAIN" --cache-dir "$T/c-404" "$T/unknown.bin"
expect_err "unknown chip: the server has none" "the server has none \(HTTP 404 from 'http://127"

# A version 2 report names no product: Milan is tried, then Genoa; --product asks once.
G2=$T/reports/oak-genoa-vcek-v2-a95b044f.bin
before=$(requests main)
testcmd "v2 Genoa report, no --product: verifies" 0 V --fetch --kds-url "$MAIN" --cache-dir "$T/c-v2a" "$G2"
tail -n +$((before + 1)) "$T/main.log" | grep -qE '^GET /vcek/v1/Milan/[0-9a-f]+\?.* 404$' \
        && pass "v2 without --product: Milan tried first (404)" || fail "v2 without --product: Milan tried first (404)"
before=$(requests main)
testcmd "v2 Genoa report, --product Genoa: verifies" 0 V --fetch --product Genoa --kds-url "$MAIN" \
        --cache-dir "$T/c-v2b" "$G2"
[ "$(tail -n +$((before + 1)) "$T/main.log" | grep -c '^GET /vcek/v1/Milan/')" = 0 ] \
        && pass "v2 with --product Genoa: no Milan request" || fail "v2 with --product Genoa: no Milan request"

# Usage.
testcmd "--fetch and --offline exclude each other" 2 V --fetch --offline "$R1"
testcmd "--kds-url needs --fetch" 2 V --kds-url "$MAIN" "$R1"
testcmd "bad --kds-url" 2 V --fetch --kds-url ftp://x "$R1"
testcmd "bad --product" 2 V --fetch --product Rome "$R1"

# config init --from-report --fetch: the report verified through the key server.
testcmd "config init --from-report --fetch" 0 "$SNPCTL" config init --from-report "$R1" --fetch \
        --kds-url "$MAIN" --cache-dir "$T/cache" -o "$T/vm.json"
expect_err "config init: the report verified" "verified: signed by a Milan VCEK"

# ---- snpctl certs fetch ----
testcmd "certs fetch: a VCEK report" 0 "$SNPCTL" certs fetch "$R1" -o "$T/out" \
        --kds-url "$MAIN" --cache-dir "$T/cache"
for f in ark.pem ask.pem vcek.pem; do
        [ -s "$T/out/$f" ] && pass "certs fetch wrote $f" || fail "certs fetch wrote $f"
done
cmp -s <(openssl x509 -in "$T/out/vcek.pem" -outform der) \
        <(openssl x509 -in "$A/oak-milan-vcek-v3-40a2778d/vcek.der" -inform der -outform der) \
        && pass "certs fetch: the VCEK is the one that signed it" || fail "certs fetch: the VCEK is the one that signed it"
testcmd "certs fetch: attest-verify --certs DIR" 0 "$SNPCTL" attest-verify --certs "$T/out" "$R1"
testcmd "certs fetch: no overwrite without --force" 1 "$SNPCTL" certs fetch "$R1" -o "$T/out" \
        --kds-url "$MAIN" --cache-dir "$T/cache"
expect_err "certs fetch: names the existing file" "exists \(use --force"
testcmd "certs fetch --force" 0 "$SNPCTL" certs fetch "$R1" -o "$T/out" --force \
        --kds-url "$MAIN" --cache-dir "$T/cache"
testcmd "certs fetch --offline from the cache" 0 "$SNPCTL" certs fetch "$R1" -o "$T/out2" \
        --offline --cache-dir "$T/cache" --json
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert sorted(p.rsplit("/", 1)[1] for p in d["written"]) == ["ark.pem", "ask.pem", "vcek.pem"], d' "$OUT" \
        && pass "certs fetch --json: the files written" || fail "certs fetch --json: the files written" "$(cat "$OUT")"
kds_mode other otherchip
testcmd "certs fetch: another chip's VCEK is not written" 3 "$SNPCTL" certs fetch "$R1" \
        -o "$T/out3" --kds-url "$URL" --cache-dir "$T/c-other2"
kds_mode main normal
[ ! -e "$T/out3/vcek.pem" ] && pass "certs fetch: nothing written on rejection" \
        || fail "certs fetch: nothing written on rejection"

VL=$A/trustee-milan-vlek-v3-decdab94
testcmd "certs fetch: a VLEK report gets its chain only" 0 "$SNPCTL" certs fetch \
        "$VL/report.bin" -o "$T/vlek" --kds-url "$MAIN" --cache-dir "$T/cache"
expect_err "certs fetch: says a VLEK cannot be fetched" "VLEK cannot be fetched by chip"
[ -s "$T/vlek/ark.pem" ] && [ -s "$T/vlek/asvk.pem" ] && [ ! -e "$T/vlek/vlek.pem" ] \
        && pass "certs fetch: ark.pem and asvk.pem for a VLEK" || fail "certs fetch: ark.pem and asvk.pem for a VLEK"
cmp -s "$T/vlek/asvk.pem" <(openssl x509 -in "$A/amd-roots/milan/vlek/asvk.pem") \
        && pass "certs fetch: the ASVK is AMD's" || fail "certs fetch: the ASVK is AMD's"
testcmd "attest-verify --fetch: a VLEK report without its VLEK fails, saying why" 1 V --fetch \
        --kds-url "$MAIN" --cache-dir "$T/cache" "$VL/report.bin"
expect_err "VLEK: cannot be fetched" "a VLEK cannot be fetched by chip"

# The CRL: a server that has one (made here with a throw-away key; only caching is judged here,
# its signature is attest-verify's business). Kept until its nextUpdate.
python3 - "$T/crl.der" "$T/old-crl.der" <<'EOF'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
key = ec.generate_private_key(ec.SECP384R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ARK-Milan")])
now = datetime.datetime.now(datetime.timezone.utc)
for path, nxt in ((sys.argv[1], now + datetime.timedelta(days=7)), (sys.argv[2], now - datetime.timedelta(days=1))):
    crl = (x509.CertificateRevocationListBuilder().issuer_name(name)
           .last_update(now - datetime.timedelta(days=8)).next_update(nxt)
           .sign(key, hashes.SHA384()))
    open(path, "wb").write(crl.public_bytes(serialization.Encoding.DER))
EOF
kds_mode crl normal "crl=$T/crl.der"
testcmd "certs fetch with a CRL" 0 "$SNPCTL" certs fetch "$R1" -o "$T/crlout" --kds-url "$URL" \
        --cache-dir "$T/c-crl"
cmp -s "$T/crlout/crl.der" "$T/crl.der" && pass "certs fetch wrote crl.der" || fail "certs fetch wrote crl.der"
c1=$(grep -c '/crl 200$' "$T/crl.log")
testcmd "certs fetch again" 0 "$SNPCTL" certs fetch "$R1" -o "$T/crlout2" --kds-url "$URL" \
        --cache-dir "$T/c-crl"
[ "$(grep -c '/crl 200$' "$T/crl.log")" = "$c1" ] && pass "a CRL before its nextUpdate: from the cache" \
        || fail "a CRL before its nextUpdate: from the cache"
testcmd "attest-verify --fetch: a served CRL not from the ARK rejects" 3 V --fetch \
        --kds-url "$URL" --cache-dir "$T/c-crl" "$R1"
expect_out "the fetched CRL was checked and refused" '^  FAIL  revocation '
kds_mode oldcrl normal "crl=$T/old-crl.der"
cp "$T/old-crl.der" "$T/c-crl/vcek/Milan/crl.der"
testcmd "certs fetch, cached CRL past nextUpdate" 0 "$SNPCTL" certs fetch "$R1" -o "$T/crlout3" \
        --kds-url "$URL" --cache-dir "$T/c-crl"
grep -q '/crl 200$' "$T/oldcrl.log" && pass "a CRL past its nextUpdate: fetched again" \
        || fail "a CRL past its nextUpdate: fetched again"

# ---- the handshake: the agent sends an empty certificate table (stock KVM), the owner fetches --
# A test chain (attest-lib.sh) served by the fake key server, trusted with --trust-ark.
. "$(dirname "$0")/attest-lib.sh"
C=$T/chains
mkdir -p "$C" "$T/kdsdata/test" "$T/kdsdata/amd-roots/milan/vcek"
milan_chain
python3 "$(dirname "$0")/attest-synth.py" new "$T/template.bin" milan 3
cp "$C/vcek-m.pem" "$T/kdsdata/test/vcek.pem"
cp "$C/ask-m.pem" "$T/kdsdata/amd-roots/milan/vcek/ask.pem"
cp "$C/ark-m.pem" "$T/kdsdata/amd-roots/milan/vcek/ark.pem"
kds_mode test normal "data=$T/kdsdata" crl=
"$SNPCTL" idblock keygen -o "$T/owner.pem" >/dev/null 2>&1
DIGEST=$(python3 "$(dirname "$0")/handshake-peer.py" digest "$T/owner.pem")
head -c 32 /dev/urandom >"$T/secret"
"$SNPCTL" attest-server --listen 127.0.0.1:0 --provider sim --sim-template "$T/template.bin" \
        --sim-key "$C/chipa.key" --owner-key-digest "$DIGEST" --exec "cat >'$T/got'" \
        >"$T/agent.out" 2>"$T/agent.err" &
PIDS+=($!)
for _ in $(seq 100); do
        APORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$T/agent.err")
        [ -n "$APORT" ] && break
        sleep 0.1
done
testcmd "handshake --url --fetch: the chain from the key server, secret delivered" 0 \
        "$SNPCTL" attest-verify --url "http://127.0.0.1:$APORT" --secret-file "$T/secret" \
        --owner-key "$T/owner.pem" --min-tcb bl=3,tee=0,snp=20,ucode=209 \
        --measurement "$(printf '22%.0s' $(seq 48))" --trust-ark "$C/ark-m.pem" \
        --fetch --kds-url "$URL" --cache-dir "$T/c-hs"
expect_out "handshake --fetch: DELIVERED" '^DELIVERED secret to http://127\.0\.0\.1:'
grep -qE '^GET /vcek/v1/Milan/a0a1a2[0-9a-f]+\?blSPL=03&teeSPL=00&snpSPL=20&ucodeSPL=209 200$' "$T/test.log" \
        && pass "handshake --fetch: the VCEK of the report's chip and TCB fetched" \
        || fail "handshake --fetch: the VCEK fetched" "$(cat "$T/test.log")"
for _ in $(seq 50); do [ -s "$T/got" ] && break; sleep 0.1; done
cmp -s "$T/got" "$T/secret" && pass "handshake --fetch: the agent got the secret" \
        || fail "handshake --fetch: the agent got the secret"

# ---- snpctl certs split ----
# GHCB tables built here from a case's certificates (snp-facts B.2.3).
python3 - "$A/oak-milan-vcek-v3-40a2778d" "$T" <<'EOF'
import struct, subprocess, sys
d, t = sys.argv[1], sys.argv[2]
def der(path, inform):
    return subprocess.run(["openssl", "x509", "-in", path, "-inform", inform, "-outform", "der"],
                          check=True, capture_output=True).stdout
G = {"ark": "c0b406a4-a803-4952-9743-3fb6014cd0ae", "ask": "4ab7b379-bbac-4fe4-a02f-05aef327c782",
     "vcek": "63da758d-e664-4564-adc5-f4b93be8accd"}
certs = [("ark", der(d + "/ark.pem", "pem")), ("ask", der(d + "/ask.pem", "pem")),
         ("vcek", der(d + "/vcek.der", "der"))]
def table(entries):
    off = 24 * (len(entries) + 1)
    hdr, body = b"", b""
    for g, c in entries:
        hdr += bytes.fromhex(G[g].replace("-", "")) + struct.pack("<II", off + len(body), len(c))
        body += c
    return hdr + b"\0" * 24 + body
open(t + "/table.bin", "wb").write(table(certs))
# One entry covering itself, then the end of the data: no all-zero entry.
open(t + "/table-noterm.bin", "wb").write(bytes.fromhex(G["ark"].replace("-", "")) +
                                          struct.pack("<II", 0, 24))
bad = bytearray(table(certs)); bad[24 + 16] = 0xff; bad[24 + 19] = 0x7f   # ASK offset out of range
open(t + "/table-range.bin", "wb").write(bad)
EOF
testcmd "certs split: a VCEK+ASK+ARK table" 0 "$SNPCTL" certs split "$T/table.bin" -o "$T/split"
cmp -s <(openssl x509 -in "$T/split/vcek.pem" -outform der) \
        <(openssl x509 -in "$A/oak-milan-vcek-v3-40a2778d/vcek.der" -inform der -outform der) \
        && pass "certs split: vcek.pem is the table's VCEK" || fail "certs split: vcek.pem is the table's VCEK"
testcmd "certs split: attest-verify --certs DIR" 0 "$SNPCTL" attest-verify --certs "$T/split" "$R1"
testcmd "certs split: no terminator" 3 "$SNPCTL" certs split "$T/table-noterm.bin" -o "$T/s2"
expect_err "certs split: names the fault" "no terminating entry"
testcmd "certs split: an offset out of range" 3 "$SNPCTL" certs split "$T/table-range.bin" -o "$T/s3"
expect_err "certs split: out of bounds" "out of bounds"
testcmd "certs split: key server options refused" 2 "$SNPCTL" certs split "$T/table.bin" -o "$T/s4" --offline
testcmd "certs: unknown action" 2 "$SNPCTL" certs frob x -o y

finish
