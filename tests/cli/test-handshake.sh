# SPDX-License-Identifier: Apache-2.0
# The disk-key handshake (docs/protocol.md), on loopback with the sim provider and a test chain
# made here: the secret arrives byte for byte; no secret leaves the owner (exit 3, reason named)
# when the measurement differs, a report field is changed in transit, the report does not bind
# this nonce, the agent key is swapped, or the chain is not trusted; the agent accepts a secret
# only when signed by the owner key of --owner-key-digest (not from another key, not a forgery,
# not replayed into another session, not from a version 1 client), and unauthenticated noise
# ends no session; it survives garbage, truncated, oversized, slow and trickling requests and
# still serves; no output holds the secret.
# handshake-peer.py is a second implementation of the protocol (python3-cryptography) used as
# owner, tampering proxy and bad client.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attest-lib.sh"

command -v openssl >/dev/null && python3 -c 'import cryptography' 2>/dev/null || {
        echo "skipped: needs openssl and python3-cryptography"; exit 77; }
SYN="$(dirname "$0")/attest-synth.py"
PEER="$(dirname "$0")/handshake-peer.py"
LOGS=$T/logs                    # every output of every program, grepped for the secret at the end
mkdir -p "$LOGS"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# --- test chain, template, secret ---------------------------------------------------------------
C=$T/chains
mkdir -p "$C"
echo "# making the Milan test chain"
milan_chain
rsa arkx; root ark-x arkx ARK-Milan             # a root that signed nothing here
crl crl ark-m arkm 7777                         # the test ARK's CRL, listing another serial
crl crl-asvk ark-m arkm 00                      # ... listing serial 0 (every test certificate)
python3 "$SYN" new "$T/template.bin" milan 3    # measurement 22..22, policy 0x30000
MEAS=$(printf '22%.0s' $(seq 48))
# A printable secret, so that grep can look for it in every output.
SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
printf '%s' "$SECRET" >"$T/secret"
SIM=(--provider sim --sim-template "$T/template.bin" --sim-key "$C/chipa.key")
# The owner key, made by snpctl; its digest as an independent implementation computes it.
"$SNPCTL" idblock keygen -o "$T/owner.pem" >"$T/keygen.out" 2>&1 || { cat "$T/keygen.out"; exit 1; }
OWNER_DIGEST=$(python3 "$PEER" digest "$T/owner.pem")
grep -q "$OWNER_DIGEST" "$T/keygen.out" && pass "idblock keygen prints the owner key digest the peer computes" ||
        fail "idblock keygen prints the owner key digest the peer computes" "$OWNER_DIGEST" "$(cat "$T/keygen.out")"
ADIGEST=(--owner-key-digest "$OWNER_DIGEST")
OWNER=(--owner-key "$T/owner.pem")
FLOOR=(--min-tcb bl=3,tee=0,snp=20,ucode=209)     # the template's TCB: --url needs a floor
CHAIN=(--ark "$C/ark-m.pem" --ask "$C/ask-m.pem" --vcek "$C/vcek-m.pem")

# agent NAME [ARGS...]: starts an agent on a free loopback port with --exec writing to
# $T/got.NAME; sets PORT and APID.
agent() {
        local name=$1 i
        shift
        : >"$LOGS/agent.$name.err"
        "$SNPCTL" attest-server --listen 127.0.0.1:0 "${SIM[@]}" "${ADIGEST[@]}" \
                --exec "cat >'$T/got.$name'" "$@" >"$LOGS/agent.$name.out" 2>"$LOGS/agent.$name.err" &
        APID=$!
        pids+=("$APID")
        PORT=
        for i in $(seq 100); do
                PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$LOGS/agent.$name.err")
                [ -n "$PORT" ] && break
                sleep 0.1
        done
        [ -n "$PORT" ] || { echo "agent $name did not start:"; cat "$LOGS/agent.$name.err"; exit 1; }
}
# proxy NAME: a handshake-peer.py proxy in front of $PORT; sets PPORT. The owner's URL path
# picks the tampering: /pass, /flip/OFFSET, /swapkey, /replay.
proxy() {
        local name=$1 i
        python3 "$PEER" proxy "$PORT" >"$LOGS/proxy.$name.out" 2>"$LOGS/proxy.$name.err" &
        pids+=("$!")
        PPID_=$!
        PPORT=
        for i in $(seq 100); do
                PPORT=$(head -1 "$LOGS/proxy.$name.out")
                [ -n "$PPORT" ] && break
                sleep 0.1
        done
        [ -n "$PPORT" ] || { echo "proxy $name did not start"; exit 1; }
}
# owner NAME PORT[/PATH] [ARGS...]: attest-verify --url with the chain files and ARGS; output kept
# in $LOGS/owner.NAME.*.
owner() {
        local name=$1 port=$2
        shift 2
        run "$SNPCTL" attest-verify --url "http://127.0.0.1:$port" --secret-file "$T/secret" \
                "${OWNER[@]}" "${FLOOR[@]}" "${CHAIN[@]}" "$@"
        cp "$OUT" "$LOGS/owner.$name.out"; cp "$ERR" "$LOGS/owner.$name.err"
}
TRUST=(--trust-ark "$C/ark-m.pem")
# wait_exit PID SECONDS: sets XS to the exit status of a background job, or "running". Not in a
# $(...) subshell, which cannot wait for its parent's jobs.
wait_exit() {
        local i
        XS=running
        for i in $(seq $(($2 * 10))); do
                kill -0 "$1" 2>/dev/null || { wait "$1"; XS=$?; return; }
                sleep 0.1
        done
}
no_secret_request() {   # no_secret_request NAME LOG: no secret request in that log
        if grep -q '/snpctl/v2/secret' "$2"; then fail "$1" "$(grep secret "$2")"; else pass "$1"; fi
}

# --- happy path ----------------------------------------------------------------------------------
agent happy
owner happy "$PORT" "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 0 ] && pass "happy path: owner exits 0" || fail "happy path: owner exits 0" "exit $STATUS" "$(cat "$ERR")"
expect_out "happy path: every check listed" '^  PASS  report-data '
expect_out "happy path: DELIVERED" '^DELIVERED secret to http://127\.0\.0\.1:'
wait_exit "$APID" 10; [ "$XS" = 0 ] && pass "happy path: agent exits 0 after the delivery" ||
        fail "happy path: agent exits 0 after the delivery"
cmp -s "$T/got.happy" "$T/secret" && pass "happy path: exact secret bytes delivered" ||
        fail "happy path: exact secret bytes delivered" "$(od -c "$T/got.happy" | head -3)"
owner gone "$PORT" "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 1 ] && grep -q "requesting a report from 'http://127.0.0.1:$PORT'" "$ERR" &&
        pass "agent gone: owner exits 1 naming the URL" || fail "agent gone: owner exits 1 naming the URL" "$(cat "$ERR")"

# The --exec command runs with default signal dispositions, not the agent's (SIGPIPE ignored).
agent sigs --exec "grep -E '^(SigIgn|SigBlk)' /proc/self/status >'$T/got.sigs'; cat >/dev/null"
owner sigs "$PORT" "${TRUST[@]}" --measurement "$MEAS"
wait_exit "$APID" 10
# Standard signals 1-31 (glibc keeps its own real-time ones, 32 and 33, as they are).
sigmask() { sed -n "s/^$1:[[:space:]]*//p" "$T/got.sigs"; }
[ -n "$(sigmask SigIgn)" ] && [ $((0x$(sigmask SigIgn) & 0x7fffffff)) = 0 ] &&
        [ $((0x$(sigmask SigBlk) & 0x7fffffff)) = 0 ] &&
        pass "--exec command: no standard signal ignored (SIGPIPE) or blocked (SIGTERM)" ||
        fail "--exec command: no standard signal ignored (SIGPIPE) or blocked (SIGTERM)" "$(cat "$T/got.sigs")"

# A binary secret of the largest size, to stdout (a pipe) instead of --exec.
head -c 65536 /dev/urandom >"$T/big"
"$SNPCTL" attest-server --listen 127.0.0.1:0 "${SIM[@]}" "${ADIGEST[@]}" 2>"$LOGS/agent.stdout.err" | cat >"$T/got.stdout" &
SPID=$!
for i in $(seq 100); do
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$LOGS/agent.stdout.err"); [ -n "$PORT" ] && break; sleep 0.1
done
run "$SNPCTL" attest-verify --json --url "http://127.0.0.1:$PORT" --secret-file "$T/big" "${OWNER[@]}" "${FLOOR[@]}" "${CHAIN[@]}" \
        "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 0 ] && pass "64 KiB binary secret: owner exits 0" || fail "64 KiB binary secret: owner exits 0" "$(cat "$ERR")"
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); assert o["verdict"] == "verified" and o["delivered"] is True, o' \
        "$OUT" && pass "--json: verdict verified, delivered true" || fail "--json: verdict verified, delivered true" "$(head -c 300 "$OUT")"
wait "$SPID"
cmp -s "$T/got.stdout" "$T/big" && pass "64 KiB binary secret arrives on the agent's stdout" ||
        fail "64 KiB binary secret arrives on the agent's stdout"
head -c 65537 /dev/urandom >"$T/toobig"
testcmd "secret over 64 KiB refused before connecting" 1 "$SNPCTL" attest-verify --url http://127.0.0.1:9 \
        --secret-file "$T/toobig" "${OWNER[@]}" "${FLOOR[@]}" "${CHAIN[@]}" --measurement "$MEAS"
expect_err "secret size named" "must hold 1 byte to 64 KiB"
rm -f "$T/big" "$T/toobig" "$T/got.stdout"

# The second implementation as owner: the agent's report binds nonce and key as protocol.md
# says, and a secret sealed by python3-cryptography opens in the agent.
agent py
run python3 "$PEER" owner "$PORT" "$T/secret" "$T/owner.pem"
cp "$OUT" "$LOGS/peer-owner.out"; cp "$ERR" "$LOGS/peer-owner.err"
expect_stdout "independent owner: agent answers delivered" "status=200 delivered"
wait_exit "$APID" 10; [ "$XS" = 0 ] && cmp -s "$T/got.py" "$T/secret" &&
        pass "independent owner: exact secret delivered" || fail "independent owner: exact secret delivered"

# A consumer that fails: the owner hears so (exit 1), the agent keeps serving; SIGTERM ends it
# with status 1.
"$SNPCTL" attest-server --listen 127.0.0.1:0 "${SIM[@]}" "${ADIGEST[@]}" --exec 'cat >/dev/null; exit 3' \
        2>"$LOGS/agent.fails.err" &
APID=$!
pids+=("$APID")
for i in $(seq 100); do
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$LOGS/agent.fails.err"); [ -n "$PORT" ] && break; sleep 0.1
done
owner fails "$PORT" "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 1 ] && grep -q 'refused the secret (HTTP 500): the command failed (status 3)' "$ERR" &&
        pass "failing --exec command: owner exits 1 with the agent's reason" ||
        fail "failing --exec command: owner exits 1 with the agent's reason" "exit $STATUS" "$(cat "$ERR")"
kill -0 "$APID" 2>/dev/null && pass "failing --exec command: agent keeps serving" ||
        fail "failing --exec command: agent keeps serving"
kill -TERM "$APID"
wait_exit "$APID" 10; [ "$XS" = 1 ] && pass "SIGTERM before a delivery: agent exits 1" ||
        fail "SIGTERM before a delivery: agent exits 1"
grep -q 'stopped by a signal; no secret was delivered' "$LOGS/agent.fails.err" &&
        pass "SIGTERM: says no secret was delivered" || fail "SIGTERM: says no secret was delivered"

# The host's certificate table, passed on by the agent, serves an owner without certificate files;
# the pinned roots (or --trust-ark) still decide.
ec chipb
issue vcek-b chipb SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209; hwid "$CHIP_M")"
python3 "$PEER" certtable "$T/table.bin" "$C/ark-m.pem" "$C/ask-m.pem" "$C/vcek-m.pem"
python3 "$PEER" certtable "$T/table-b.bin" "$C/ark-m.pem" "$C/ask-m.pem" "$C/vcek-b.pem"
head -c 100 "$T/table.bin" >"$T/table-cut.bin"
agent table --sim-certs "$T/table.bin"
CHAIN=()
owner table-untrusted "$PORT" --measurement "$MEAS"
[ "$STATUS" = 3 ] && grep -q 'secret not sent: ark-trusted:' "$ERR" &&
        pass "agent's certificates under AMD's pinned roots: exit 3, nothing sent" ||
        fail "agent's certificates under AMD's pinned roots: exit 3, nothing sent" "$(cat "$ERR")"
owner table "$PORT" "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 0 ] && pass "agent's certificates under --trust-ark: delivered" ||
        fail "agent's certificates under --trust-ark: delivered" "$(cat "$ERR")"
wait_exit "$APID" 10; [ "$XS" = 0 ] && cmp -s "$T/got.table" "$T/secret" &&
        pass "... the exact secret" || fail "... the exact secret"
agent table-b --sim-certs "$T/table-b.bin"
owner table-b "$PORT" "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 3 ] && grep -q 'secret not sent: signature:' "$ERR" &&
        pass "agent's table with another chip's VCEK: exit 3, nothing sent" ||
        fail "agent's table with another chip's VCEK: exit 3, nothing sent" "$(cat "$ERR")"
kill "$APID"
agent table-cut --sim-certs "$T/table-cut.bin"
owner table-cut "$PORT" "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 3 ] && grep -q "secret not sent: agent's certificates: certificate table" "$ERR" &&
        pass "agent's truncated table: exit 3, nothing sent" ||
        fail "agent's truncated table: exit 3, nothing sent" "$(cat "$ERR")"
kill "$APID"
# A VLEK-only table, as AWS hands it: the owner completes it with --ask (the test ASVK), or else
# with the built-in ASVK, which did not sign a test VLEK.
ec vlek
issue asvk-m ask SEV-VLEK-Milan ark-m arkm
issue vlek-m vlek SEV-VLEK asvk-m ask "$(spl Milan 3 0 20 209; echo 1.3.6.1.4.1.3704.1.5=ASN1:IA5STRING:test)"
cp "$T/template.bin" "$T/template-vlek.bin"
bset "$T/template-vlek.bin" 0x48 04000000                              # SIGNING_KEY = VLEK
bset "$T/template-vlek.bin" 0x1A0 "$(printf '%0128d' 0)"               # no CHIP_ID
python3 "$(dirname "$0")/cert-table.py" "$T/table-vlek.bin" vlek="$C/vlek-m.pem"
agent table-vlek --sim-template "$T/template-vlek.bin" --sim-key "$C/vlek.key" --sim-certs "$T/table-vlek.bin"
owner table-vlek-builtin "$PORT" "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 3 ] && grep -q 'secret not sent: ask-signed: expected ASK/ASVK signed by the ARK, got SEV-VLEK-Milan (built-in)' "$ERR" &&
        pass "agent's VLEK-only table, built-in ASVK: exit 3, nothing sent" ||
        fail "agent's VLEK-only table, built-in ASVK: exit 3, nothing sent" "exit $STATUS" "$(cat "$ERR")"
owner table-vlek "$PORT" "${TRUST[@]}" --ask "$C/asvk-m.pem" --measurement "$MEAS" --crl "$C/crl.crl"
[ "$STATUS" = 0 ] && grep -q '^  PASS  signing-key        VLEK$' "$OUT" &&
        grep -q '^  PASS  revocation         not revoked' "$OUT" &&
        pass "agent's VLEK-only table, --ask names the ASVK, --crl: delivered" ||
        fail "agent's VLEK-only table, --ask names the ASVK, --crl: delivered" "exit $STATUS" "$(cat "$ERR")" "$(grep FAIL "$OUT")"
wait_exit "$APID" 10; [ "$XS" = 0 ] && cmp -s "$T/got.table-vlek" "$T/secret" &&
        pass "... the exact secret" || fail "... the exact secret"
agent table-vlek-revoked --sim-template "$T/template-vlek.bin" --sim-key "$C/vlek.key" --sim-certs "$T/table-vlek.bin"
owner table-vlek-revoked "$PORT" "${TRUST[@]}" --ask "$C/asvk-m.pem" --measurement "$MEAS" --crl "$C/crl-asvk.crl"
[ "$STATUS" = 3 ] && grep -q 'secret not sent: revocation: .*got revoked: ASVK serial 0x0' "$ERR" &&
        pass "agent's VLEK-only table, ASVK on the CRL: exit 3, nothing sent" ||
        fail "agent's VLEK-only table, ASVK on the CRL: exit 3, nothing sent" "exit $STATUS" "$(cat "$ERR")"
kill "$APID"
CHAIN=(--ark "$C/ark-m.pem" --ask "$C/ask-m.pem" --vcek "$C/vcek-m.pem")

# --- rejections: nothing is sent, exit 3, the reason named --------------------------------------
agent long --timeout 3
rejected() {    # rejected NAME CHECK PORT [ARGS...]: owner exits 3 naming CHECK, sends nothing
        local name=$1 check=$2 port=$3
        shift 3
        owner "$name" "$port" "$@"
        if [ "$STATUS" = 3 ] && grep -q "secret not sent: $check:" "$ERR" && ! grep -q DELIVERED "$OUT"; then
                pass "$name: exit 3, '$check' named, nothing sent"
        else
                fail "$name: exit 3, '$check' named, nothing sent" "exit $STATUS" "$(head -c 400 "$ERR")"
        fi
}
rejected "measurement differs" measurement "$PORT" "${TRUST[@]}" --measurement "$(printf '23%.0s' $(seq 48))"
rejected "chain not trusted (pinned AMD roots only)" ark-trusted "$PORT" --measurement "$MEAS"
rejected "chain not trusted (another --trust-ark)" ark-trusted "$PORT" --trust-ark "$C/ark-x.pem" --measurement "$MEAS"
rejected "policy expected differs" policy "$PORT" "${TRUST[@]}" --measurement "$MEAS" --policy 0x30001
testcmd "--url without a measurement is refused" 2 "$SNPCTL" attest-verify --url "http://127.0.0.1:$PORT" \
        --secret-file "$T/secret" "${OWNER[@]}" "${CHAIN[@]}" "${TRUST[@]}"
testcmd "--url with --report-data is refused" 2 "$SNPCTL" attest-verify --url "http://127.0.0.1:$PORT" \
        --secret-file "$T/secret" "${OWNER[@]}" "${CHAIN[@]}" --measurement "$MEAS" --report-data "$(printf '00%.0s' $(seq 64))"
testcmd "--url without --secret-file is refused" 2 "$SNPCTL" attest-verify --url "http://127.0.0.1:$PORT" \
        "${OWNER[@]}" "${CHAIN[@]}" --measurement "$MEAS"
testcmd "--url without --owner-key is refused" 2 "$SNPCTL" attest-verify --url "http://127.0.0.1:$PORT" \
        --secret-file "$T/secret" "${FLOOR[@]}" "${CHAIN[@]}" --measurement "$MEAS"
expect_err "... saying why" "the guest accepts a secret only when the owner key it was launched with signed it"
openssl ecparam -name prime256v1 -genkey -noout -out "$T/p256.pem" 2>/dev/null
testcmd "an owner key that is not P-384 is refused before connecting" 1 "$SNPCTL" attest-verify \
        --url "http://127.0.0.1:$PORT" --secret-file "$T/secret" --owner-key "$T/p256.pem" "${FLOOR[@]}" "${CHAIN[@]}" \
        --measurement "$MEAS"
expect_err "... naming the key" "owner key '$T/p256.pem' is an EC private key on curve prime256v1, not an ECDSA P-384"

# Changed in transit: one bit of a field of the report (the signature, or a field check, fails).
proxy tamper
for f in "version 0x0" "policy 0x8" "family_id 0x10" "vmpl 0x30" "current_tcb 0x38" \
         "platform_info 0x40" "report_data 0x50" "measurement 0x90" "host_data 0xC0" \
         "id_key_digest 0xE0" "report_id 0x140" "reported_tcb 0x180" "chip_id 0x1A0" \
         "committed_tcb 0x1E0" "launch_tcb 0x1F0" "signature_r 0x2A0" "signature_s 0x2E8"; do
        set -- $f
        owner "flip-$1" "$PPORT/flip/$2" "${TRUST[@]}" --measurement "$MEAS"
        if [ "$STATUS" = 3 ] && grep -q 'secret not sent' "$ERR" &&
           ! grep -q "flip/$2/snpctl/v2/secret" "$LOGS/proxy.tamper.err"; then
                pass "report field $1 changed in transit: exit 3, nothing sent ($(grep -o 'secret not sent: [a-z-]*' "$ERR"))"
        else
                fail "report field $1 changed in transit: exit 3, nothing sent" "exit $STATUS" "$(head -c 300 "$ERR")"
        fi
done
rejected "replayed report (another nonce)" report-data "$PPORT/replay" "${TRUST[@]}" --measurement "$MEAS"
expect_err "replay: the reason says so" 'replayed, or the key was swapped'
rejected "agent key swapped in transit" report-data "$PPORT/swapkey" "${TRUST[@]}" --measurement "$MEAS"
grep -q '^proxy: /swapkey/snpctl/v2/attest' "$LOGS/proxy.tamper.err" && pass "control: the proxy log shows the requests" ||
        fail "control: the proxy log shows the requests"
no_secret_request "no secret request reached the proxy in any rejection" "$LOGS/proxy.tamper.err"
no_secret_request "no secret request reached the agent in any rejection" "$LOGS/agent.long.err"
[ ! -e "$T/got.long" ] && pass "nothing was handed to the command" || fail "nothing was handed to the command"

# --- robustness: the same agent survives bad clients and still serves ---------------------------
python3 "$PEER" stall "$PORT" 20 >"$LOGS/stall.out" 2>&1 &
STALL=$!
pids+=("$STALL")
poke() {        # poke CASE EXPECTED
        run timeout 60 python3 "$PEER" poke "$PORT" "$1" "$T/owner.pem"
        cp "$OUT" "$LOGS/poke.$1.out"; cp "$ERR" "$LOGS/poke.$1.err"
        if grep -Eqx -- "$2" "$OUT"; then pass "agent survives $1 ($(cat "$OUT"))"; else
                fail "agent survives $1" "got '$(cat "$OUT")', want /$2/" "$(tail -3 "$ERR")"; fi
}
poke garbage 'status=400|closed'
poke truncated sent
poke oversized closed
poke oversized-chunked closed
poke short-nonce status=400
poke long-nonce 'closed|status=413'
poke bad-path status=404
poke get status=405
poke no-session status=409
poke other-key status=403
poke forged status=403
poke bad-tag status=400
poke other-nonce status=409
poke twice status=400,409
poke low-order-key status=400
poke attest-again ok
run timeout 60 python3 "$PEER" v1 "$PORT"
expect_stdout "a protocol version 1 client is refused (404)" "status=404"
kill -0 "$APID" 2>/dev/null && pass "agent still running after the bad requests" ||
        fail "agent still running after the bad requests" "$(tail -5 "$LOGS/agent.long.err")"
# While the stalled client still holds its connection, a correct owner is served (through a
# pass-through proxy, which sees the whole exchange).
owner final "$PPORT/pass" "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 0 ] && pass "after all that, the agent still serves a correct owner" ||
        fail "after all that, the agent still serves a correct owner" "exit $STATUS" "$(cat "$ERR")"
wait_exit "$APID" 10; [ "$XS" = 0 ] && cmp -s "$T/got.long" "$T/secret" &&
        pass "... and delivers the exact secret, then exits 0" || fail "... and delivers the exact secret, then exits 0"
wait "$STALL"
grep -Eq '^closed after [0-9]+ s$' "$LOGS/stall.out" && pass "stalled client cut off by the agent ($(cat "$LOGS/stall.out"))" ||
        fail "stalled client cut off by the agent" "$(cat "$LOGS/stall.out")"
kill "$PPID_" 2>/dev/null
grep -q '^proxy: /pass/snpctl/v2/secret' "$LOGS/proxy.tamper.err" && pass "the final secret went through the proxy" ||
        fail "the final secret went through the proxy"

grep -q 'refused (403): not signed by the owner key this guest was launched with' "$LOGS/agent.long.err" &&
        pass "the agent logs each refused secret" || fail "the agent logs each refused secret"

# --- the owner's session survives noise; an owner message opens only its own session -------------
agent noise
run timeout 60 python3 "$PEER" poke "$PORT" unsigned-noise "$T/owner.pem"
expect_stdout "secret from another key 403, random 409, POST / 404, short nonce 400, GET / 404; then the owner's own secret in the same session is delivered" \
        "status=403,409,404,400,404,200"
wait_exit "$APID" 10; [ "$XS" = 0 ] && [ "$(cat "$T/got.noise" 2>/dev/null)" = "owner's own secret" ] &&
        pass "... exactly the owner's secret reached the command" ||
        fail "... exactly the owner's secret reached the command" "$(cat "$T/got.noise" 2>/dev/null)"
agent replay
run timeout 60 python3 "$PEER" poke "$PORT" replay-other-session "$T/owner.pem"
expect_stdout "the owner's message moved into another session: 403; in its own: delivered" "status=403,200"
wait_exit "$APID" 10; [ "$XS" = 0 ] && [ "$(cat "$T/got.replay" 2>/dev/null)" = "for session one" ] &&
        pass "... and only the original opened" || fail "... and only the original opened"
# A guest launched for another owner: the real owner's agent with another digest refuses.
agent otherowner --owner-key-digest "$(printf 'ab%.0s' $(seq 48))"
owner otherowner "$PORT" "${TRUST[@]}" --measurement "$MEAS"
[ "$STATUS" = 1 ] && grep -q 'refused the secret (HTTP 403): not signed by the owner key' "$ERR" &&
        pass "an agent measured with another owner key refuses this owner (exit 1, reason named)" ||
        fail "an agent measured with another owner key refuses this owner (exit 1, reason named)" "exit $STATUS" "$(cat "$ERR")"
[ ! -e "$T/got.otherowner" ] && pass "... and hands nothing over" || fail "... and hands nothing over"
kill "$APID"
testcmd "attest-server without --owner-key-digest is a usage error" 2 "$SNPCTL" attest-server \
        --listen 127.0.0.1:0 "${SIM[@]}" --exec true
expect_err "... saying why" "the agent accepts a secret only from the owner key"
testcmd "attest-server with a short --owner-key-digest is a usage error" 2 "$SNPCTL" attest-server \
        --listen 127.0.0.1:0 "${SIM[@]}" --exec true --owner-key-digest abcd

# --- slow clients: every connection ends 30 s after accept, header lines or not -------------------
agent slow --timeout 5
for i in 1 2 3 4 5 6 7 8; do
        python3 "$PEER" trickle "$PORT" 60 >"$LOGS/trickle.$i.out" 2>&1 &
        pids+=("$!")
        TR[$i]=$!
done
sleep 2
run timeout 20 python3 "$PEER" owner "$PORT" "$T/secret" "$T/owner.pem"
grep -q 'status=200' "$OUT" && fail "control: 8 trickling clients hold every slot of this address" ||
        pass "control: 8 trickling clients hold every slot of this address"
for i in 1 2 3 4 5 6 7 8; do wait "${TR[$i]}"; done
n=$(cat "$LOGS"/trickle.*.out | grep -Ec '^closed after (29|30|31|32|33) s$')
[ "$n" = 8 ] && pass "each trickling client is cut off 30 s after accept" ||
        fail "each trickling client is cut off 30 s after accept" "$(cat "$LOGS"/trickle.*.out)"
run timeout 20 python3 "$PEER" owner "$PORT" "$T/secret" "$T/owner.pem"
expect_stdout "then the owner is served" "status=200 delivered"
wait_exit "$APID" 10; [ "$XS" = 0 ] && cmp -s "$T/got.slow" "$T/secret" &&
        pass "... with the exact secret" || fail "... with the exact secret"

# --- report get with the sim provider ---------------------------------------------------------------
RD=$(printf 'ab%.0s' $(seq 32))
testcmd "report get --provider sim" 0 "$SNPCTL" report get --report-data "$RD" -o "$T/r.bin" "${SIM[@]}"
testcmd "the fresh report verifies with the test root and binds REPORT_DATA (zero-padded)" 0 \
        "$SNPCTL" attest-verify "${CHAIN[@]}" "${TRUST[@]}" --measurement "$MEAS" \
        --report-data "${RD}$(printf '00%.0s' $(seq 32))" "$T/r.bin"
testcmd "the sim report is refused under AMD's pinned roots" 3 "$SNPCTL" attest-verify "${CHAIN[@]}" "$T/r.bin"
testcmd "report get does not overwrite without --force" 1 "$SNPCTL" report get --report-data "$RD" -o "$T/r.bin" "${SIM[@]}"
printf 'fingerprint' >"$T/rd"
testcmd "report get --report-data-file --force" 0 "$SNPCTL" report get --report-data-file "$T/rd" -o "$T/r.bin" --force "${SIM[@]}"
testcmd "... binds the file's bytes" 0 "$SNPCTL" attest-verify "${CHAIN[@]}" "${TRUST[@]}" \
        --report-data "$(od -An -tx1 "$T/rd" | tr -d ' \n')$(printf '00%.0s' $(seq 53))" "$T/r.bin"
testcmd "report get --sim-certs --certs-out" 0 "$SNPCTL" report get --report-data "$RD" -o "$T/r2.bin" \
        --certs-out "$T/certs2.bin" "${SIM[@]}" --sim-certs "$T/table.bin"
cmp -s "$T/certs2.bin" "$T/table.bin" && pass "... writes the host's certificate table" ||
        fail "... writes the host's certificate table"
testcmd "--sim-certs without --provider sim is a usage error" 2 "$SNPCTL" report get --report-data "$RD" \
        -o "$T/r3.bin" --sim-certs "$T/table.bin"
expect_err "... naming the sim options" "need --provider sim"

# --- the secret appears in no output --------------------------------------------------------------
grep -rqF -- "$SECRET" "$T/got.happy" && pass "control: grep finds the secret where it is" ||
        fail "control: grep finds the secret where it is"
ls "$LOGS" | wc -l | grep -qv '^ *0$' && pass "$(ls "$LOGS" | wc -l) output files collected" || fail "output files collected"
if grep -rlF -- "$SECRET" "$LOGS"; then fail "the secret appears in no output"; else pass "the secret appears in no output"; fi
HEXSECRET=$(printf '%s' "$SECRET" | od -An -tx1 | tr -d ' \n')
if grep -rliF -- "${HEXSECRET:0:32}" "$LOGS"; then fail "nor does its hex form"; else pass "nor does its hex form"; fi
finish
