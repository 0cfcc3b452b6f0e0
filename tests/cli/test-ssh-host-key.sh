# SPDX-License-Identifier: Apache-2.0
# The SSH host key report (docs/protocol.md, "The SSH host key") on loopback with the sim
# provider: the agent serves its SSH host key with a fresh report whose REPORT_DATA binds the
# owner's nonce and the key (checked by a second implementation, hostkey-peer.py); the owner
# (attest-verify --url --ssh-host-key-out) runs every check and writes a known_hosts line that
# ssh-keygen reads as the same key; it writes nothing for another guest's key swapped in by the
# host, a replayed answer, or a wrong measurement; no overwrite without --force. Also the 1-to-64
# byte --report-data of attest-verify, as report get takes it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attest-lib.sh"

command -v openssl >/dev/null && command -v ssh-keygen >/dev/null && command -v python3 >/dev/null || {
        echo "skipped: needs openssl, ssh-keygen (openssh-client) and python3"; exit 77; }
SYN="$(dirname "$0")/attest-synth.py"
PEER="$(dirname "$0")/hostkey-peer.py"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

C=$T/chains
mkdir -p "$C"
milan_chain
python3 "$SYN" new "$T/template.bin" milan 3    # measurement 22..22
MEAS=$(printf '22%.0s' $(seq 48))
SIM=(--provider sim --sim-template "$T/template.bin" --sim-key "$C/chipa.key")
CHECKS=(--ark "$C/ark-m.pem" --ask "$C/ask-m.pem" --vcek "$C/vcek-m.pem" --trust-ark "$C/ark-m.pem"
        --min-tcb bl=3,tee=0,snp=20,ucode=209 --measurement "$MEAS")
# Two guests' host keys.
ssh-keygen -q -t ed25519 -N '' -C guest-a -f "$T/a" && ssh-keygen -q -t ed25519 -N '' -C guest-b -f "$T/b" ||
        { echo "ssh-keygen failed"; exit 1; }
FP_A=$(ssh-keygen -l -f "$T/a.pub" | cut -d' ' -f2)

# agent NAME ARGS...: an agent on a free loopback port; sets PORT.
agent() {
        local name=$1 i
        shift
        "$SNPCTL" attest-server --listen 127.0.0.1:0 "${SIM[@]}" "$@" >"$T/agent.$name.out" 2>"$T/agent.$name.err" &
        pids+=("$!")
        PORT=
        for i in $(seq 100); do
                PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$T/agent.$name.err")
                [ -n "$PORT" ] && break
                sleep 0.1
        done
        [ -n "$PORT" ] || { echo "agent $name did not start:"; cat "$T/agent.$name.err"; exit 1; }
}
# server CMD...: a hostkey-peer.py server; sets SPORT.
server() {
        local i
        python3 "$PEER" "$@" >"$T/peer.out" 2>"$T/peer.err" &
        pids+=("$!")
        SPORT=
        for i in $(seq 100); do
                SPORT=$(head -n1 "$T/peer.out")
                [ -n "$SPORT" ] && break
                sleep 0.1
        done
        [ -n "$SPORT" ] || { echo "peer did not start:"; cat "$T/peer.err"; exit 1; }
}
owner() {       # owner PORT ARGS...
        local port=$1
        shift
        run "$SNPCTL" attest-verify --url "http://127.0.0.1:$port" "${CHECKS[@]}" "$@"
}

# --- usage ---------------------------------------------------------------------------------------
testcmd "attest-server needs --owner-key-digest or --ssh-host-key" 2 "$SNPCTL" attest-server "${SIM[@]}"
testcmd "attest-server --exec without an owner" 2 "$SNPCTL" attest-server "${SIM[@]}" --ssh-host-key "$T/a.pub" --exec true
printf 'ssh-ed25519 AAAA\n' >"$T/bad.pub"
testcmd "attest-server: a bad .pub file" 1 "$SNPCTL" attest-server --listen 127.0.0.1:0 "${SIM[@]}" --ssh-host-key "$T/bad.pub"
expect_err "bad .pub named" "SSH host key '$T/bad.pub' is not one OpenSSH public key line"
{ printf 'ssh-rsa '; cut -d' ' -f2- "$T/a.pub"; } >"$T/lying.pub"
testcmd "attest-server: a line whose type is not the blob's" 1 "$SNPCTL" attest-server --listen 127.0.0.1:0 "${SIM[@]}" --ssh-host-key "$T/lying.pub"
testcmd "--ssh-host-key-out needs --url" 2 "$SNPCTL" attest-verify --ssh-host-key-out "$T/kh" "$T/template.bin"
testcmd "--ssh-host-key-out sends no secret" 2 "$SNPCTL" attest-verify --url http://127.0.0.1:1 --ssh-host-key-out "$T/kh" \
        --secret-file "$T/a.pub" "${CHECKS[@]}"
testcmd "--force needs --ssh-host-key-out" 2 "$SNPCTL" attest-verify --url http://127.0.0.1:1 --force --secret-file "$T/a.pub" "${CHECKS[@]}"
testcmd "--ssh-host-key-out needs a measurement" 2 "$SNPCTL" attest-verify --url http://127.0.0.1:1 --ssh-host-key-out "$T/kh" \
        --min-tcb none

# --- the right key -------------------------------------------------------------------------------
agent a --ssh-host-key "$T/a.pub"
grep -q "listening on 127.0.0.1:$PORT (provider sim), SSH host key ssh-ed25519" "$T/agent.a.err" &&
        pass "agent names the key it serves" || fail "agent names the key it serves" "$(cat "$T/agent.a.err")"
run python3 "$PEER" check "$PORT" "$T/a.pub"
[ "$STATUS" = 0 ] && pass "a second implementation finds REPORT_DATA = SHA-512(label || nonce || SHA-256(blob))" ||
        fail "REPORT_DATA binding (hostkey-peer.py check)" "$(cat "$ERR")"
owner "$PORT" --ssh-host-key-out "$T/kh" --ssh-address 127.0.0.1:2222
[ "$STATUS" = 0 ] && pass "owner trusts the guest's key (exit 0)" || fail "owner trusts the guest's key" "exit $STATUS" "$(cat "$ERR")"
expect_out "every check listed, report-data too" '^  PASS  report-data '
grep -qxF "TRUSTED SSH host key ssh-ed25519 $FP_A of http://127.0.0.1:$PORT, written to $T/kh" "$OUT" &&
        pass "TRUSTED line with the fingerprint ssh-keygen prints" || fail "TRUSTED line with the fingerprint" "$(cat "$OUT")"
[ "$(cat "$T/kh")" = "[127.0.0.1]:2222 $(cut -d' ' -f1,2 "$T/a.pub")" ] && pass "known_hosts line: [127.0.0.1]:2222 TYPE KEY" ||
        fail "known_hosts line" "$(cat "$T/kh")"
[ "$(ssh-keygen -l -f "$T/kh" | cut -d' ' -f2)" = "$FP_A" ] && pass "ssh-keygen reads the known_hosts line as the guest's key" ||
        fail "ssh-keygen reads the known_hosts line" "$(ssh-keygen -l -f "$T/kh" 2>&1)"
ssh-keygen -F '[127.0.0.1]:2222' -f "$T/kh" >/dev/null && pass "ssh-keygen -F finds [127.0.0.1]:2222" || fail "ssh-keygen -F finds [127.0.0.1]:2222"
[ "$(stat -c %a "$T/kh")" = 644 ] && pass "known_hosts mode 0644" || fail "known_hosts mode" "$(stat -c %a "$T/kh")"
cp "$T/kh" "$T/kh.first"
owner "$PORT" --ssh-host-key-out "$T/kh" --ssh-address 127.0.0.1:2200
[ "$STATUS" = 1 ] && pass "existing known_hosts: exit 1" || fail "existing known_hosts: exit 1" "exit $STATUS"
expect_err "existing file named" "'$T/kh' exists; use --force"
cmp -s "$T/kh" "$T/kh.first" && pass "existing known_hosts unchanged" || fail "existing known_hosts changed"
owner "$PORT" --ssh-host-key-out "$T/kh" --ssh-address 127.0.0.1:2200 --force
[ "$STATUS" = 0 ] && grep -q '^\[127\.0\.0\.1\]:2200 ssh-ed25519 ' "$T/kh" && pass "--force replaces it" ||
        fail "--force replaces it" "exit $STATUS" "$(cat "$ERR" "$T/kh")"
owner "$PORT" --ssh-host-key-out "$T/kh22"
[ "$STATUS" = 0 ] && [ "$(cut -d' ' -f1 "$T/kh22")" = 127.0.0.1 ] && pass "default address: the URL's host, port 22 left out" ||
        fail "default address" "exit $STATUS" "$(cat "$ERR" "$T/kh22" 2>&1)"
owner "$PORT" --ssh-host-key-out "$T/khbad" --ssh-address 'a b'
[ "$STATUS" = 1 ] && [ ! -e "$T/khbad" ] && pass "a bad --ssh-address: exit 1, nothing written" || fail "a bad --ssh-address" "exit $STATUS"
owner "$PORT" --ssh-host-key-out "$T/kh.json" --ssh-address 127.0.0.1:2222 --json
[ "$STATUS" = 0 ] && grep -q '"ssh_host_key_written": true' "$OUT" && pass "--json: ssh_host_key_written" ||
        fail "--json: ssh_host_key_written" "$(cat "$OUT" "$ERR")"

# --- what must not be trusted ---------------------------------------------------------------------
run "$SNPCTL" attest-verify --url "http://127.0.0.1:$PORT" "${CHECKS[@]/$MEAS/$(printf '23%.0s' $(seq 48))}" \
        --ssh-host-key-out "$T/kh.wrong"
[ "$STATUS" = 3 ] && pass "another measurement: exit 3" || fail "another measurement: exit 3" "exit $STATUS" "$(cat "$ERR")"
expect_err "the failed check named" "SSH host key not trusted: measurement"
[ ! -e "$T/kh.wrong" ] && pass "another measurement: nothing written" || fail "another measurement: a file was written"
# The host answers with another guest's key next to this guest's genuine report.
server swap "$PORT" "$T/b.pub"
owner "$SPORT" --ssh-host-key-out "$T/kh.swap"
[ "$STATUS" = 3 ] && pass "another guest's key with this guest's report: exit 3" || fail "key swapped: exit 3" "exit $STATUS" "$(cat "$ERR")"
expect_err "report-data named" "SSH host key not trusted: report-data"
[ ! -e "$T/kh.swap" ] && pass "key swapped: nothing written" || fail "key swapped: a file was written"
# Another guest (another key, its own genuine report) answering for a replayed nonce.
agent b --ssh-host-key "$T/b.pub"
server replay "$PORT"
owner "$SPORT" --ssh-host-key-out "$T/kh.replay"
[ "$STATUS" = 3 ] && pass "a replayed answer (another nonce): exit 3" || fail "replayed answer: exit 3" "exit $STATUS" "$(cat "$ERR")"
expect_err "report-data named for the replay" "SSH host key not trusted: report-data"
[ ! -e "$T/kh.replay" ] && pass "replayed answer: nothing written" || fail "replayed answer: a file was written"
# An agent that serves no key, and one that takes no secret.
agent nokey --owner-key-digest "$(printf '00%.0s' $(seq 48))" --exec true
owner "$PORT" --ssh-host-key-out "$T/kh.nokey"
[ "$STATUS" = 1 ] && grep -q "HTTP 404: this agent serves no SSH host key" "$ERR" &&
        pass "an agent without --ssh-host-key: 404, exit 1" || fail "an agent without --ssh-host-key" "exit $STATUS" "$(cat "$ERR")"
agent keyonly --ssh-host-key "$T/a.pub"
printf 'x' >"$T/secret"
"$SNPCTL" idblock keygen -o "$T/owner.pem" >/dev/null 2>&1
owner "$PORT" --secret-file "$T/secret" --owner-key "$T/owner.pem"
[ "$STATUS" = 1 ] && grep -q "HTTP 404: this agent takes no disk key" "$ERR" &&
        pass "an agent with only --ssh-host-key takes no secret: 404" || fail "an agent with only --ssh-host-key" "exit $STATUS" "$(cat "$ERR")"

# --- REPORT_DATA of 1 to 64 bytes, zero-padded, on both sides -------------------------------------
RD=$(printf 'ab%.0s' $(seq 32))     # 32 bytes, as a SHA-256 digest
testcmd "report get --report-data (32 bytes)" 0 "$SNPCTL" report get "${SIM[@]}" --report-data "$RD" -o "$T/rd.bin"
testcmd "attest-verify --report-data takes the same 32 bytes" 0 "$SNPCTL" attest-verify "${CHECKS[@]}" --report-data "$RD" "$T/rd.bin"
testcmd "attest-verify --report-data: other 32 bytes rejected" 3 "$SNPCTL" attest-verify "${CHECKS[@]}" \
        --report-data "$(printf 'cd%.0s' $(seq 32))" "$T/rd.bin"
testcmd "attest-verify --report-data: 65 bytes is a usage error" 2 "$SNPCTL" attest-verify "${CHECKS[@]}" \
        --report-data "$(printf 'cd%.0s' $(seq 65))" "$T/rd.bin"
finish
