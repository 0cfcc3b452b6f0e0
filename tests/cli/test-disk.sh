# SPDX-License-Identifier: Apache-2.0
# snpctl disk: LUKS2 images made here with cryptsetup on regular files (no loop or device-mapper
# device). The bound header passes and its copy opens; another volume (another key, or the same
# UUID forced with another key) is refused by the binding; cipher_null segments and keyslots,
# ECB, 256-bit XTS, LUKS1, linear segments, integrity, a reencryption in progress are refused by
# the policy whatever the binding; added and changed pass phrases keep the binding; the binding is
# recomputed here from `cryptsetup luksDump --dump-json-metadata` with python, independently of
# our code. Headers cryptsetup will not format here (cipher_null needs device-mapper or the
# kernel's cipher_null) are made by editing the JSON metadata with luks-edit.py, as a host would.
. "$(dirname "$0")/lib.sh"

EDIT="$(dirname "$0")/luks-edit.py"
cs=$(PATH=$PATH:/usr/sbin:/sbin command -v cryptsetup || true)
[ -n "$cs" ] || { echo "skipped: cryptsetup is not installed (Debian: cryptsetup-bin)"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: python3 is not installed"; exit 77; }

# Every run's stderr is kept too, so that a sanitizer report behind an expected status is seen.
run() {
        "$@" >"$OUT" 2>"$ERR" </dev/null
        STATUS=$?
        cat "$ERR" >>"$T/all-stderr"
}
# expect_err_line NAME TEXT: stderr is exactly one line, TEXT.
expect_err_line() {
        if [ "$(cat "$ERR")" = "$2" ]; then pass "$1"; else fail "$1" "stderr: $(head -c 800 "$ERR")" "expected: $2"; fi
}

# fmt IMAGE PASS [cryptsetup options]: a 20 MiB LUKS2 image with quick PBKDF2 keyslots.
fmt() {
        local img=$1 pw=$2
        shift 2
        rm -f "$img"
        truncate -s 20M "$img"
        printf '%s' "$pw" | "$cs" luksFormat -q --type luks2 --pbkdf pbkdf2 \
                --pbkdf-force-iterations 1000 --key-file=- "$@" "$img" >"$T/cs.log" 2>&1
}
uuid_of() { "$cs" luksUUID "$1"; }
# binding_py IMAGE: the binding recomputed from the JSON metadata (snpctl-disk(1), "The binding").
binding_py() {
        "$cs" luksDump --dump-json-metadata "$1" | python3 -c '
import hashlib, json, sys
m = json.load(sys.stdin)
uuid = sys.argv[1]
(s,) = m["segments"].values()
(d,) = m["digests"].values()
t = "snpctl-luks2-binding-v1\nuuid=%s\n" % uuid
for k in ("type", "offset", "size", "iv_tweak", "encryption", "sector_size"):
    t += "segment.%s=%s\n" % (k, s[k])
for k in ("type", "hash", "iterations", "salt", "digest"):
    t += "digest.%s=%s\n" % (k, d[k])
print("%s:%s" % (uuid, hashlib.sha256(t.encode()).hexdigest()))
' "$(uuid_of "$1")"
}
S=$SNPCTL
H=$T/hdr

# --- the owner's volume ------------------------------------------------------------------------
fmt "$T/a.img" owner-pass || { echo "skipped: cryptsetup luksFormat fails here: $(cat "$T/cs.log")"; exit 77; }
UA=$(uuid_of "$T/a.img")
run "$S" disk bind "$T/a.img"
[ "$STATUS" = 0 ] && pass "bind: exit 0" || fail "bind: exit 0" "exit $STATUS" "$(cat "$ERR")"
BA=$(cat "$OUT")
expect_stdout "bind: prints UUID:HEX, the header's UUID" "$(echo "$BA" | grep -Ex "$UA:[0-9a-f]{64}")"
[ -s "$OUT" ] && pass "bind: stdout not empty" || fail "bind: stdout not empty"
expect_stdout "bind: the binding recomputed from luksDump's JSON with python" "$(binding_py "$T/a.img")"
run "$S" disk bind --json "$T/a.img"
expect_out "bind --json: uuid" "\"uuid\": \"$UA\""
expect_out "bind --json: binding" "\"binding\": \"$BA\""
expect_out "bind --json: cipher" '"cipher": "aes-xts-plain64"'
expect_out "bind --json: key bits" '"key_bits": 512'
expect_out "bind --json: keyslots" '"keyslots": 1'

# --- check: the bound header passes, and its copy opens ----------------------------------------
testcmd "check: the bound volume, exit 0" 0 "$S" disk check --binding "$BA" --header-out "$H" "$T/a.img"
expect_err "check: says it is the bound volume" "header of $T/a\\.img is the bound volume $UA \\(aes-xts-plain64, 512-bit key, 1 keyslot\\); checked copy in '$H'"
expect_no_out "check: nothing on stdout"
[ -f "$H" ] && pass "check: the copy exists" || fail "check: the copy exists"
[ "$(stat -c %a "$H")" = 400 ] && pass "check: the copy is mode 0400" || fail "check: the copy is mode 0400" "$(stat -c %a "$H")"
cmp -s -n "$(stat -c %s "$H")" "$H" "$T/a.img" && pass "check: the copy is the device's header" ||
        fail "check: the copy is the device's header"
if [ "$(id -u)" = 0 ]; then
        printf owner-pass | "$cs" open --test-passphrase --header "$H" --key-file=- "$T/a.img" >"$T/o.log" 2>&1 &&
                pass "the copy opens the volume with the owner's pass phrase (cryptsetup open --test-passphrase --header)" ||
                fail "the copy opens the volume with the owner's pass phrase" "$(cat "$T/o.log")"
        printf wrong | "$cs" open --test-passphrase --header "$H" --key-file=- "$T/a.img" >"$T/o.log" 2>&1 &&
                fail "the copy does not open with another pass phrase" || pass "the copy does not open with another pass phrase"
else
        echo "# not root: the open of the copy is not tried"
fi
cp "$H" "$T/hdr.keep"
run "$S" disk check --binding "$BA" --header-out "$H" "$T/a.img"
[ "$STATUS" = 1 ] && pass "check: an existing --header-out: exit 1" || fail "check: an existing --header-out: exit 1" "exit $STATUS"
expect_err_line "check: an existing --header-out is named" "snpctl disk: writing the header copy '$H' (it must not exist): File exists"
cmp -s "$H" "$T/hdr.keep" && pass "check: the existing file is left alone" || fail "check: the existing file is left alone"
ln -s "$T/nowhere" "$T/dangling"
testcmd "check: a dangling symlink as --header-out: exit 1" 1 "$S" disk check --binding "$BA" --header-out "$T/dangling" "$T/a.img"
[ ! -e "$T/nowhere" ] && pass "check: nothing written through the dangling symlink" || fail "check: nothing written through the dangling symlink"
rm -f "$H"
testcmd "check: --header-out in a missing folder: exit 1" 1 "$S" disk check --binding "$BA" --header-out "$T/no/such/dir/h" "$T/a.img"
expect_err "check: the copy's failure is named" "copying the LUKS2 header of $T/a\\.img to '$T/no/such/dir/h'"
testcmd "check: a missing device: exit 1" 1 "$S" disk check --binding "$BA" --header-out "$H" "$T/missing.img"
expect_err_line "check: a missing device is named" "snpctl disk: copying the LUKS2 header of $T/missing.img to '$H': No such file or directory"
testcmd "bind: a missing image: exit 1" 1 "$S" disk bind "$T/missing.img"
expect_err_line "bind: a missing image is named" "snpctl disk: reading the LUKS2 header of '$T/missing.img': No such file or directory"

# refused CASE IMAGE REASON [BINDING]: check exits 3 with exactly one line, REASON, and removes the copy.
refused() {
        local name=$1 img=$2 want=$3 binding=${4:-$BA}
        rm -f "$H"
        run "$S" disk check --binding "$binding" --header-out "$H" "$img"
        [ "$STATUS" = 3 ] && pass "$name: exit 3" || fail "$name: exit 3" "exit $STATUS" "$(cat "$ERR")"
        expect_err_line "$name: the reason" "snpctl disk: $want"
        expect_no_out "$name: nothing on stdout"
        [ ! -e "$H" ] && pass "$name: the copy is removed" || fail "$name: the copy is removed"
}
# bind_refused CASE IMAGE REASON: bind exits 3 with the reason.
bind_refused() {
        run "$S" disk bind "$2"
        [ "$STATUS" = 3 ] && pass "bind, $1: exit 3" || fail "bind, $1: exit 3" "exit $STATUS" "$(cat "$ERR")"
        expect_err_line "bind, $1: the reason" "snpctl disk: header of '$2' refused: $3"
        expect_no_out "bind, $1: nothing on stdout"
}

# --- another volume: the host's own --------------------------------------------------------------
fmt "$T/b.img" host-pass || fail "luksFormat b.img" "$(cat "$T/cs.log")"
UB=$(uuid_of "$T/b.img")
testcmd "host's volume: passes the policy (bind exit 0)" 0 "$S" disk bind "$T/b.img"
refused "host's volume, same size, other key" "$T/b.img" \
        "header of $T/b.img is not the bound volume: UUID $UB is not $UA"
fmt "$T/c.img" host-pass --uuid "$UA" || fail "luksFormat --uuid" "$(cat "$T/cs.log")"
[ "$(uuid_of "$T/c.img")" = "$UA" ] && pass "host's volume with the owner's UUID forced" || fail "host's volume with the owner's UUID forced"
run "$S" disk bind "$T/c.img"
BC=$(cat "$OUT")
refused "host's volume, owner's UUID, other key (digest differs)" "$T/c.img" \
        "header of $T/c.img is not the bound volume: UUID $UA matches, but its volume key digest or segment differ (binding $BC, expected $BA)"

# --- the owner's header, edited by the host -----------------------------------------------------
edited() { cp "$T/a.img" "$T/$1.img" && python3 "$EDIT" "$T/$1.img" "${@:2}"; }
edited null-seg 'segments.0.encryption="cipher_null-ecb"' || fail "luks-edit.py null-seg"
"$cs" isLuks "$T/null-seg.img" && pass "an edited header still loads in cryptsetup" || fail "an edited header still loads in cryptsetup"
refused "cipher_null segment" "$T/null-seg.img" \
        "header of $T/null-seg.img refused: segment 0 uses cipher_null-ecb with a 512-bit key, not in the allow-list (aes-xts-plain64, 512-bit key)"
bind_refused "cipher_null segment" "$T/null-seg.img" \
        "segment 0 uses cipher_null-ecb with a 512-bit key, not in the allow-list (aes-xts-plain64, 512-bit key)"

# A cipher_null keyslot beside the owner's: the binding still matches (keyslots are not bound),
# the policy refuses it.
cp "$T/a.img" "$T/null-ks.img"
printf 'owner-pass\nhost-pass' >"$T/two.txt"
printf owner-pass >"$T/owner.txt"
printf host-pass >"$T/host.txt"
"$cs" luksAddKey -q --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file "$T/owner.txt" \
        "$T/null-ks.img" "$T/host.txt" >"$T/cs.log" 2>&1 || fail "luksAddKey" "$(cat "$T/cs.log")"
python3 "$EDIT" "$T/null-ks.img" 'keyslots.1.area.encryption="cipher_null-ecb"' || fail "luks-edit.py null-ks"
refused "cipher_null keyslot" "$T/null-ks.img" \
        "header of $T/null-ks.img refused: keyslot 1 uses cipher_null-ecb with a 512-bit key, not in the allow-list (aes-xts-plain64, 512-bit key)"
if fmt "$T/null-ks2.img" pw --keyslot-cipher cipher_null-ecb --keyslot-key-size 512; then
        bind_refused "cipher_null keyslot made by cryptsetup" "$T/null-ks2.img" \
                "keyslot 0 uses cipher_null-ecb with a 0-bit key, not in the allow-list (aes-xts-plain64, 512-bit key)"
else
        echo "# cryptsetup cannot format a cipher_null keyslot here (no device-mapper); made with luks-edit.py above"
fi

edited linear 'segments.0.type="linear"' -segments.0.encryption -segments.0.iv_tweak -segments.0.sector_size
refused "linear segment" "$T/linear.img" "header of $T/linear.img refused: segment 0 is of type linear, not crypt"
edited ecb 'segments.0.encryption="aes-ecb"'
refused "ECB segment" "$T/ecb.img" \
        "header of $T/ecb.img refused: segment 0 uses aes-ecb with a 512-bit key, not in the allow-list (aes-xts-plain64, 512-bit key)"
edited integ 'segments.0.integrity={"type":"hmac(sha256)","journal_encryption":"none","journal_integrity":"none"}'
refused "integrity member" "$T/integ.img" \
        "header of $T/integ.img refused: segment 0 has a member 'integrity' (integrity, flags and others are not allowed)"
edited discards 'config.flags=["allow-discards"]'
refused "persistent allow-discards flag" "$T/discards.img" \
        "header of $T/discards.img refused: it sets the persistent flag allow-discards (TRIM would show the host which blocks are free)"
edited perf 'config.flags=["no-read-workqueue"]'
rm -f "$H"
testcmd "a persistent performance flag is accepted" 0 "$S" disk check --binding "$BA" --header-out "$H" "$T/perf.img"
edited offset 'segments.0.offset="17825792"'
run "$S" disk bind "$T/offset.img"
BO=$(cat "$OUT")
refused "owner's key digest, segment moved" "$T/offset.img" \
        "header of $T/offset.img is not the bound volume: UUID $UA matches, but its volume key digest or segment differ (binding $BO, expected $BA)"
edited iter 'digests.0.iterations=1001'
run "$S" disk bind "$T/iter.img"
refused "digest iterations changed" "$T/iter.img" \
        "header of $T/iter.img is not the bound volume: UUID $UA matches, but its volume key digest or segment differ (binding $(cat "$OUT"), expected $BA)"

# --- the owner's own choices the policy refuses -------------------------------------------------
fmt "$T/x256.img" pw --key-size 256 || fail "luksFormat --key-size 256"
bind_refused "aes-xts-plain64 with a 256-bit key" "$T/x256.img" \
        "segment 0 uses aes-xts-plain64 with a 256-bit key, not in the allow-list (aes-xts-plain64, 512-bit key)"
fmt "$T/cbc.img" pw --cipher aes-cbc-essiv:sha256 --key-size 256 || fail "luksFormat aes-cbc-essiv"
bind_refused "aes-cbc-essiv" "$T/cbc.img" \
        "segment 0 uses aes-cbc-essiv:sha256 with a 256-bit key, not in the allow-list (aes-xts-plain64, 512-bit key)"
rm -f "$T/l1.img"; truncate -s 20M "$T/l1.img"
printf pw | "$cs" luksFormat -q --type luks1 --pbkdf-force-iterations 1000 --key-file=- "$T/l1.img" >"$T/cs.log" 2>&1 ||
        fail "luksFormat --type luks1" "$(cat "$T/cs.log")"
bind_refused "LUKS1" "$T/l1.img" "it is LUKS1, not LUKS2"
refused "LUKS1" "$T/l1.img" "header of $T/l1.img refused: it has no valid LUKS2 header"
cp "$T/a.img" "$T/reenc.img"
"$cs" reencrypt --init-only -q --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file "$T/owner.txt" \
        "$T/reenc.img" >"$T/cs.log" 2>&1 || fail "reencrypt --init-only" "$(cat "$T/cs.log")"
refused "reencryption in progress" "$T/reenc.img" \
        "header of $T/reenc.img refused: requirement flags 0x2 are set (a reencryption in progress, or a requirement this version does not know)"

# --- not LUKS ---------------------------------------------------------------------------------
head -c 1M /dev/zero >"$T/zero.img"
refused "not LUKS" "$T/zero.img" "header of $T/zero.img refused: it has no valid LUKS2 header"
bind_refused "not LUKS" "$T/zero.img" "it has no valid LUKS2 header"
printf 'short' >"$T/short.img"
bind_refused "a short file" "$T/short.img" "it is too small (5 bytes) to hold a LUKS2 header"

# --- pass phrases change, the binding does not ---------------------------------------------------
cp "$T/a.img" "$T/added.img"
"$cs" luksAddKey -q --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file "$T/owner.txt" \
        "$T/added.img" "$T/host.txt" >"$T/cs.log" 2>&1 || fail "luksAddKey" "$(cat "$T/cs.log")"
run "$S" disk bind "$T/added.img"
expect_stdout "luksAddKey keeps the binding" "$BA"
rm -f "$H"
testcmd "check: a volume with an added keyslot passes" 0 "$S" disk check --binding "$BA" --header-out "$H" "$T/added.img"
expect_err "check: counts 2 keyslots" "\\(aes-xts-plain64, 512-bit key, 2 keyslots\\)"
"$cs" luksKillSlot -q --key-file "$T/host.txt" "$T/added.img" 0 >"$T/cs.log" 2>&1 || fail "luksKillSlot" "$(cat "$T/cs.log")"
run "$S" disk bind "$T/added.img"
expect_stdout "luksKillSlot of the first pass phrase keeps the binding" "$BA"

# --- usage ---------------------------------------------------------------------------------------
rm -f "$H"
for bad in "" nocolon "$UA" "$UA:" ":${BA#*:}" "${UA%?}:${BA#*:}" "${BA}0" "${BA%?}" "${BA%?}g" \
        "$UA:${BA#*:}:x" "x${UA#?}:${BA#*:}" "$(echo "$UA" | tr - _):${BA#*:}"; do
        run "$S" disk check --binding "$bad" --header-out "$H" "$T/a.img"
        [ "$STATUS" = 2 ] && pass "malformed --binding '$bad': exit 2" || fail "malformed --binding '$bad': exit 2" "exit $STATUS"
        expect_err "malformed --binding '$bad': named" "bad --binding '.*': expected UUID:HEX"
        [ ! -e "$H" ] && pass "malformed --binding '$bad': no copy" || fail "malformed --binding '$bad': no copy"
done
testcmd "check without --binding: exit 2" 2 "$S" disk check --header-out "$H" "$T/a.img"
expect_err "check without --binding: named" "--binding UUID:HEX is required"
testcmd "check without --header-out: exit 2" 2 "$S" disk check --binding "$BA" "$T/a.img"
expect_err "check without --header-out: named" "--header-out FILE is required"
testcmd "check without a device: exit 2" 2 "$S" disk check --binding "$BA" --header-out "$H"
testcmd "check with two devices: exit 2" 2 "$S" disk check --binding "$BA" --header-out "$H" "$T/a.img" "$T/b.img"
testcmd "bind without an image: exit 2" 2 "$S" disk bind
testcmd "bind with two images: exit 2" 2 "$S" disk bind "$T/a.img" "$T/b.img"
testcmd "disk without a subcommand: exit 2" 2 "$S" disk
expect_err "disk without a subcommand: named" "give a subcommand: bind, check, verity, encrypt, info"
testcmd "disk with an unknown subcommand: exit 2" 2 "$S" disk unbind "$T/a.img"
expect_err "disk with an unknown subcommand: named" "unknown subcommand 'unbind' \\(subcommands: bind, check, verity, encrypt, info\\)"
testcmd "disk --help: exit 0" 0 "$S" disk --help
expect_out "disk --help names both subcommands" "check --binding UUID:HEX --header-out FILE DEVICE"
testcmd "disk check --help: exit 0" 0 "$S" disk check --help
expect_out "disk check --help shows --header-out" "--header-out=FILE"
testcmd "snpctl-disk link works" 0 "$(link snpctl-disk)" bind "$T/a.img"
expect_stdout "snpctl-disk link prints the binding" "$BA"
[ ! -e "$H" ] && pass "no copy left by usage errors" || fail "no copy left by usage errors"


# --- disk verity ---------------------------------------------------------------------------------
# The root hash is checked against veritysetup: `veritysetup verify` on what we wrote, and
# `veritysetup format` with the same salt on a copy gives the same root hash (the tree does not
# depend on the superblock's UUID).
vs=$(PATH=$PATH:/usr/sbin:/sbin command -v veritysetup || true)
mkroot() {      # mkroot FILE MiB: an ext4 image with some files
        rm -f "$1"
        truncate -s "${2}M" "$1"
        mkdir -p "$T/rootsrc"
        head -c 300000 /dev/urandom >"$T/rootsrc/blob"
        echo hello >"$T/rootsrc/hello.txt"
        mkfs.ext4 -q -F -d "$T/rootsrc" "$1" >/dev/null 2>&1
}
if [ -z "$vs" ] || ! command -v mkfs.ext4 >/dev/null; then
        echo "# skipped disk verity checks: veritysetup or mkfs.ext4 missing (Debian: cryptsetup-bin, e2fsprogs)"
else
mkroot "$T/v.img" 16
cp "$T/v.img" "$T/v.orig"
VSIZE=$(stat -c %s "$T/v.img")
run "$S" disk verity "$T/v.img"
[ "$STATUS" = 0 ] && pass "verity: exit 0" || fail "verity: exit 0" "exit $STATUS" "$(cat "$ERR")"
VH=$(cat "$OUT")
expect_out "verity: prints a 64-digit root hash" '^[0-9a-f]{64}$'
expect_err "verity: names the offset" "appended at offset $VSIZE: [0-9]+ bytes"
expect_err "verity: prints the kernel command line" "kernel command line: boot=verity root=/dev/sda roothash=$VH snpctl.verity_hashoffset=$VSIZE\$"
cmp -s -n "$VSIZE" "$T/v.img" "$T/v.orig" && pass "verity: the data bytes are untouched" || fail "verity: the data bytes are untouched"
[ "$(stat -c %s "$T/v.img")" -gt "$VSIZE" ] && pass "verity: the tree is appended" || fail "verity: the tree is appended"
"$vs" verify "$T/v.img" "$T/v.img" --hash-offset="$VSIZE" "$VH" >"$T/vs.log" 2>&1 &&
        pass "verity: veritysetup verify accepts the appended tree and root hash" ||
        fail "verity: veritysetup verify accepts the appended tree and root hash" "$(cat "$T/vs.log")"
"$vs" dump "$T/v.img" --hash-offset="$VSIZE" >"$T/vs.dump" 2>&1
grep -Eq 'Salt:[[:space:]]+[0-9a-f]{64}$' "$T/vs.dump" && pass "verity: a 32-byte salt" || fail "verity: a 32-byte salt" "$(cat "$T/vs.dump")"
grep -Eq 'Hash algorithm:[[:space:]]+sha256$' "$T/vs.dump" && grep -Eq 'Data block size:[[:space:]]+4096$' "$T/vs.dump" &&
        grep -Eq "Data blocks:[[:space:]]+$((VSIZE / 4096))\$" "$T/vs.dump" &&
        pass "verity: sha256, 4096-byte blocks, every data block" || fail "verity: sha256, 4096-byte blocks, every data block" "$(cat "$T/vs.dump")"
HBYTES=$(( $(stat -c %s "$T/v.img") - VSIZE ))
cp "$T/v.img" "$T/v.twice"
testcmd "verity: an image that already ends in a tree is refused" 1 "$S" disk verity "$T/v.twice"
expect_err "verity: ... naming the offset and the way out" "'$T/v.twice' already ends in a dm-verity tree, appended at offset $VSIZE .*truncate -s $VSIZE"
cmp -s "$T/v.twice" "$T/v.img" && pass "verity: ... and left as it was" || fail "verity: ... and left as it was"
run "$S" disk verity --json --hash-file "$T/v2.hash" "$T/v.orig"
expect_out "verity --json: root_hash" '"root_hash": "[0-9a-f]{64}"'
expect_out "verity --json: hash_bytes is what was appended before" "\"hash_bytes\": $HBYTES,"
expect_out "verity --json: hash_offset 0 in a file of its own" '"hash_offset": 0,'
[ "$(stat -c %s "$T/v2.hash")" = "$HBYTES" ] && pass "verity --hash-file: the file holds the whole tree" || fail "verity --hash-file: the file holds the whole tree"
[ "$(stat -c %s "$T/v.orig")" = "$VSIZE" ] && cmp -s -n "$VSIZE" "$T/v.orig" "$T/v.img" &&
        pass "verity --hash-file: the image is not written" || fail "verity --hash-file: the image is not written"
VH2=$(sed -n 's/.*"root_hash": "\([0-9a-f]*\)".*/\1/p' "$OUT")
[ "$VH2" != "$VH" ] && pass "verity: a fresh random salt each run" || fail "verity: a fresh random salt each run"
"$vs" verify "$T/v.orig" "$T/v2.hash" "$VH2" >"$T/vs.log" 2>&1 && pass "verity --hash-file: veritysetup verify accepts it" ||
        fail "verity --hash-file: veritysetup verify accepts it" "$(cat "$T/vs.log")"
[ "$(stat -c %a "$T/v2.hash")" = 644 ] && pass "verity --hash-file: mode 0644" || fail "verity --hash-file: mode 0644" "$(stat -c %a "$T/v2.hash")"

# Known answer: the same salt through veritysetup format.
SALT=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
cp "$T/v.orig" "$T/v3.img"
run "$S" disk verity --salt "$SALT" --hash-file "$T/v3.hash" "$T/v3.img"
VH3=$(cat "$OUT")
REF=$("$vs" format --salt "$SALT" "$T/v.orig" "$T/ref.hash" 2>&1 | sed -n 's/^Root hash:[[:space:]]*//p')
[ -n "$REF" ] && [ "$VH3" = "$REF" ] && pass "verity --salt: the root hash veritysetup format computes" ||
        fail "verity --salt: the root hash veritysetup format computes" "ours $VH3" "veritysetup $REF"
run "$S" disk verity --salt 0011aa --hash-file "$T/v4.hash" "$T/v3.img"
"$vs" dump "$T/v4.hash" | grep -Eq 'Salt:[[:space:]]+0011aa$' && pass "verity --salt: a short salt is kept" || fail "verity --salt: a short salt is kept"

# A changed data block fails the check (the checks above can fail).
cp "$T/v.img" "$T/vt.img"
printf 'X' | dd of="$T/vt.img" bs=1 seek=$((VSIZE - 4096 * 3)) conv=notrunc 2>/dev/null
"$vs" verify "$T/vt.img" "$T/vt.img" --hash-offset="$VSIZE" "$VH" >/dev/null 2>&1 &&
        fail "verity: a changed data block fails veritysetup verify" || pass "verity: a changed data block fails veritysetup verify"

# Refusals leave everything as it was.
cp "$T/v2.hash" "$T/v2.keep"
testcmd "verity: an existing --hash-file is refused" 1 "$S" disk verity --hash-file "$T/v2.hash" "$T/v.orig"
expect_err "verity: an existing --hash-file is named" "hash file '$T/v2.hash' exists \\(--force replaces it\\)"
cmp -s "$T/v2.hash" "$T/v2.keep" && pass "verity: the existing hash file is untouched" || fail "verity: the existing hash file is untouched"
testcmd "verity --force replaces it" 0 "$S" disk verity --force --hash-file "$T/v2.hash" "$T/v.orig"
"$vs" verify "$T/v.orig" "$T/v2.hash" "$(cat "$OUT")" >/dev/null 2>&1 && ! cmp -s "$T/v2.hash" "$T/v2.keep" &&
        pass "verity --force: the new tree verifies" || fail "verity --force: the new tree verifies"
head -c 10000 /dev/urandom >"$T/odd.img"
testcmd "verity: a size not a multiple of 4096 is refused" 1 "$S" disk verity "$T/odd.img"
expect_err "verity: ... and named" "'$T/odd.img' must be a non-empty file or device whose size is a multiple of 4096 bytes"
[ "$(stat -c %s "$T/odd.img")" = 10000 ] && pass "verity: the odd image is untouched" || fail "verity: the odd image is untouched"
: >"$T/empty.img"
testcmd "verity: an empty image is refused" 1 "$S" disk verity "$T/empty.img"
testcmd "verity: a missing image" 1 "$S" disk verity "$T/nosuch.img"
if [ "$(id -u)" = 0 ] && LOOP=$(losetup -f --show "$T/v.orig" 2>/dev/null); then
        testcmd "verity: an image backing a loop device is refused" 1 "$S" disk verity "$T/v.orig"
        expect_err "verity: ... as in use" "'$T/v.orig' is in use \\(mounted, or backing a loop device\\)"
        losetup -d "$LOOP"
        [ "$(stat -c %s "$T/v.orig")" = "$VSIZE" ] && pass "verity: the looped image is untouched" || fail "verity: the looped image is untouched"
else
        echo "# skipped the in-use check: needs root and a loop device"
fi

# Interrupted (SIGTERM, SIGINT) while the tree is written: the image is cut back to its size, its
# data as before. SIGKILL with --hash-file: no hash file appears.
head -c $((256 << 20)) /dev/urandom >"$T/big.img"
BIGSUM=$(sha256sum <"$T/big.img")
for sig in TERM INT; do
        # (a subshell un-ignores SIGINT, which bash ignores in background jobs)
        ( trap - INT; exec "$S" disk verity -q "$T/big.img" >/dev/null 2>&1 ) &
        pid=$!
        sleep 0.2
        kill -s "$sig" "$pid" 2>/dev/null
        { wait "$pid"; } 2>/dev/null
        st=$?
        if [ "$st" = 0 ]; then
                echo "# the run finished before SIG$sig arrived; cutting back by hand"
                truncate -s $((256 << 20)) "$T/big.img"
                continue
        fi
        [ "$(stat -c %s "$T/big.img")" = $((256 << 20)) ] && [ "$(sha256sum <"$T/big.img")" = "$BIGSUM" ] &&
                pass "verity: SIG$sig while appending leaves the image as it was (exit $st)" ||
                fail "verity: SIG$sig while appending leaves the image as it was" "size $(stat -c %s "$T/big.img")"
done
"$S" disk verity -q --hash-file "$T/big.hash" "$T/big.img" >/dev/null 2>&1 &
pid=$!
sleep 0.2
kill -KILL "$pid" 2>/dev/null
{ wait "$pid"; } 2>/dev/null
if [ $? != 0 ]; then
        [ ! -e "$T/big.hash" ] && [ "$(sha256sum <"$T/big.img")" = "$BIGSUM" ] &&
                pass "verity: SIGKILL leaves no hash file and the image as it was" ||
                fail "verity: SIGKILL leaves no hash file and the image as it was"
fi
[ -z "$(find "$T" -maxdepth 1 -name 'big.hash*')" ] || [ -e "$T/big.hash" ] && pass "verity: no temporary file left" || fail "verity: no temporary file left" "$(ls "$T")"
rm -f "$T/big.img" "$T/big.hash"

# --config: the verity words go into kernel_cmdline, other fields are kept, and measure's digest
# is the independent model's for the new command line.
MODEL="$(dirname "$0")/measure-model.py"
python3 - "$MODEL" "$T/OVMF.fd" <<'PY' || fail "test setup: synthetic OVMF"
import importlib.util, random, struct, sys
spec = importlib.util.spec_from_file_location("model", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
img = m.build_image(16, [(m.RESET, struct.pack("<I", 0xFFFFA000)),
                         (m.HASHES, struct.pack("<II", 0x0080D1A0, 0x400))],
                    [(0x00800000, 0x4000, 1), (0x00804000, 0x1000, 2), (0x00805000, 0x1000, 3),
                     (0x0080D000, 0x1000, 0x10)], random.Random(7))
open(sys.argv[2], "wb").write(img)
PY
printf 'kernel image bytes' >"$T/vmlinuz"
printf 'initrd bytes' >"$T/initrd.img"
cat >"$T/vm.json" <<'EOF'
{
  "host_cpu_family": "Milan",
  "ovmf_file": "OVMF.fd",
  "kernel_file": "vmlinuz",
  "initrd_file": "initrd.img",
  "kernel_cmdline": "console=ttyS0 boot=normal root=/dev/vda roothash=00 quiet",
  "vcpu_count": 2,
  "disks": [ { "file": "v5.img", "format": "raw" } ]
}
EOF
chmod 0640 "$T/vm.json"
model_ld() {
        python3 - "$MODEL" "$T" "$1" <<'PY'
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("model", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
os.chdir(sys.argv[2])
c = {"mode": "snp", "ovmf": "OVMF.fd", "vcpus": 2, "sig": 0x800F12, "features": 1,
     "kernel": "vmlinuz", "initrd": "initrd.img", "append": sys.argv[3]}
print(m.model(c))
PY
}
run "$S" measure --config "$T/vm.json"
LD_BEFORE=$(cat "$OUT")
[ -n "$LD_BEFORE" ] && [ "$LD_BEFORE" = "$(model_ld "console=ttyS0 boot=normal root=/dev/vda roothash=00 quiet")" ] &&
        pass "verity --config: the model agrees with measure before" || fail "verity --config: the model agrees with measure before" "$LD_BEFORE" "$(cat "$ERR")"
mkroot "$T/v5.img" 8
V5SIZE=$(stat -c %s "$T/v5.img")
run "$S" disk verity --config "$T/vm.json" "$T/v5.img"
[ "$STATUS" = 0 ] && pass "verity --config: exit 0" || fail "verity --config: exit 0" "$(cat "$ERR")"
VH5=$(cat "$OUT")
WANT="console=ttyS0 quiet boot=verity root=/dev/sda roothash=$VH5 snpctl.verity_hashoffset=$V5SIZE"
if python3 - "$T/vm.json" "$WANT" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["kernel_cmdline"] == sys.argv[2], c["kernel_cmdline"]
assert list(c) == ["host_cpu_family", "ovmf_file", "kernel_file", "initrd_file", "kernel_cmdline",
                   "vcpu_count", "disks"], list(c)
assert c["ovmf_file"] == "OVMF.fd" and c["vcpu_count"] == 2
assert c["disks"] == [{"file": "v5.img", "format": "raw"}]
PY
then pass "verity --config: kernel_cmdline replaced, every other field and its order kept"
else fail "verity --config: kernel_cmdline replaced, every other field and its order kept" "$(cat "$T/vm.json")"
fi
[ "$(stat -c %a "$T/vm.json")" = 640 ] && pass "verity --config: the config keeps its mode" || fail "verity --config: the config keeps its mode"
run "$S" measure --config "$T/vm.json"
LD_AFTER=$(cat "$OUT")
[ "$LD_AFTER" != "$LD_BEFORE" ] && pass "verity --config: the launch digest changes" || fail "verity --config: the launch digest changes"
[ "$LD_AFTER" = "$(model_ld "$WANT")" ] && pass "verity --config: measure's digest is the model's for the new command line" ||
        fail "verity --config: measure's digest is the model's for the new command line" "measure $LD_AFTER"
run "$S" config show "$T/vm.json"
expect_out "verity --config: config show measures that command line" "roothash=$VH5"
"$vs" verify "$T/v5.img" "$T/v5.img" --hash-offset="$V5SIZE" "$VH5" >/dev/null 2>&1 &&
        pass "verity --config: the root hash in the config verifies the image" || fail "verity --config: the root hash in the config verifies the image"
mkroot "$T/v6.img" 8
run "$S" disk verity --config "$T/vm.json" --hash-file "$T/v6.hash" --root /dev/vda --hash-device /dev/vdb "$T/v6.img"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel_cmdline"])' "$T/vm.json" >"$T/cl"
[ "$(cat "$T/cl")" = "console=ttyS0 quiet boot=verity root=/dev/vda roothash=$(cat "$OUT") snpctl.verity_hash=/dev/vdb" ] &&
        pass "verity --config --hash-file: the words replaced again, with the hash device" ||
        fail "verity --config --hash-file: the words replaced again, with the hash device" "$(cat "$T/cl")"
ln -sf vm.json "$T/link.json"
mkroot "$T/v8.img" 8
testcmd "verity --config through a symbolic link" 0 "$S" disk verity --config "$T/link.json" "$T/v8.img"
[ -L "$T/link.json" ] && grep -q "roothash=$(cat "$OUT")" "$T/vm.json" &&
        pass "verity --config: the link is kept, its target edited" || fail "verity --config: the link is kept, its target edited"
printf 'not json' >"$T/notjson.json"
testcmd "verity --config: a file that is not JSON is refused" 1 "$S" disk verity --config "$T/notjson.json" "$T/v8.img"
[ "$(cat "$T/notjson.json")" = "not json" ] && pass "verity --config: ... and left alone" || fail "verity --config: ... and left alone"
echo '{ "ovmf_file": 5 }' >"$T/bad.json"
mkroot "$T/v7.img" 8
V7SIZE=$(stat -c %s "$T/v7.img")
testcmd "verity --config: a config that does not load is refused" 1 "$S" disk verity --config "$T/bad.json" "$T/v7.img"
[ "$(stat -c %s "$T/v7.img")" = "$V7SIZE" ] && pass "verity --config: ... before the image is touched" || fail "verity --config: ... before the image is touched"
testcmd "verity --config: a missing config" 1 "$S" disk verity --config "$T/nosuch.json" "$T/v7.img"
[ "$(stat -c %s "$T/v7.img")" = "$V7SIZE" ] && pass "verity --config: missing config, image untouched" || fail "verity --config: missing config, image untouched"

testcmd "verity: --hash-device without --hash-file is a usage error" 2 "$S" disk verity --hash-device /dev/vdb "$T/v7.img"
testcmd "verity: --force without --hash-file is a usage error" 2 "$S" disk verity --force "$T/v7.img"
for bad in "" 0 xyz "$(printf '%0514d' 0)"; do
        testcmd "verity: bad --salt '${bad:0:12}' is a usage error" 2 "$S" disk verity --salt "$bad" --hash-file "$T/nx" "$T/v7.img"
done
testcmd "verity: a --root with a blank is a usage error" 2 "$S" disk verity --root "/dev/sda rw" "$T/v7.img"
testcmd "verity without an image" 2 "$S" disk verity
[ "$(stat -c %s "$T/v7.img")" = "$V7SIZE" ] && [ ! -e "$T/nx" ] && pass "verity: usage errors touch nothing" || fail "verity: usage errors touch nothing"
fi


# --- disk encrypt --------------------------------------------------------------------------------
# The image is checked with cryptsetup and independently of our code: cryptsetup reads the key
# file's keyslot and dumps the volume key; with that key, cryptsetup's own offline encryption
# (reencrypt --encrypt) of the same input gives the same ciphertext, byte for byte; and Python's
# AES-XTS (python3-cryptography) decrypts the data area back to the input.
if ! command -v mkfs.ext4 >/dev/null; then
        echo "# skipped disk encrypt checks: mkfs.ext4 missing (Debian: e2fsprogs)"
else
mkroot "$T/plain.img" 24
PSUM=$(sha256sum <"$T/plain.img")
PSIZE=$(stat -c %s "$T/plain.img")
run "$S" disk encrypt --key-file "$T/e.key" "$T/plain.img" "$T/e.img"
[ "$STATUS" = 0 ] && pass "encrypt: exit 0" || fail "encrypt: exit 0" "exit $STATUS" "$(cat "$ERR")"
EB=$(cat "$OUT")
expect_err "encrypt: says what it made" "'$T/e.img': LUKS2 image of '$T/plain.img' \\($PSIZE bytes of data at 16 MiB; aes-xts-plain64, 512-bit key\\); its key is in '$T/e.key' \\(64 bytes, mode 0600\\)"
[ "$(sha256sum <"$T/plain.img")" = "$PSUM" ] && pass "encrypt: the input is untouched" || fail "encrypt: the input is untouched"
[ "$(stat -c %a "$T/e.key")" = 600 ] && pass "encrypt: the key file is mode 0600" || fail "encrypt: the key file is mode 0600" "$(stat -c %a "$T/e.key")"
[ "$(stat -c %s "$T/e.key")" = 64 ] && pass "encrypt: the key file holds 64 bytes" || fail "encrypt: the key file holds 64 bytes"
[ "$(tr -d '\0' <"$T/e.key" | wc -c)" -gt 40 ] && pass "encrypt: the key is not zeros" || fail "encrypt: the key is not zeros"
KHEX=$(od -An -tx1 "$T/e.key" | tr -d ' \n')
KB64=$(base64 -w0 "$T/e.key")
if grep -qi "${KHEX:0:16}" "$OUT" "$ERR" || grep -qF -- "${KB64:0:16}" "$OUT" "$ERR"; then
        fail "encrypt: the key is not printed"
else
        pass "encrypt: the key is not printed"
fi
[ "$(stat -c %s "$T/e.img")" = $((PSIZE + 16777216)) ] && pass "encrypt: OUT is the data plus the 16 MiB header" ||
        fail "encrypt: OUT is the data plus the 16 MiB header" "$(stat -c %s "$T/e.img")"
run "$S" disk bind "$T/e.img"
expect_stdout "encrypt: prints the binding disk bind gives" "$EB"
expect_stdout "encrypt: ... the binding recomputed from luksDump's JSON with python" "$(binding_py "$T/e.img")"
rm -f "$H"
testcmd "encrypt: disk check accepts the new image with its binding" 0 "$S" disk check --binding "$EB" --header-out "$H" "$T/e.img"
"$cs" luksDump "$T/e.img" >"$T/dump" 2>&1
grep -Eq '^[[:space:]]+offset: 16777216 \[bytes\]' "$T/dump" && grep -Eq '^[[:space:]]+sector: 512 \[bytes\]' "$T/dump" &&
        grep -Eq '^[[:space:]]+PBKDF:[[:space:]]+pbkdf2' "$T/dump" && [ "$(grep -c '^  [0-9]: luks2' "$T/dump")" = 1 ] &&
        pass "encrypt: one pbkdf2 keyslot, 512-byte sectors, data at 16 MiB" || fail "encrypt: one pbkdf2 keyslot, 512-byte sectors, data at 16 MiB" "$(cat "$T/dump")"
"$cs" open --test-passphrase --key-file "$T/e.key" "$T/e.img" >"$T/cs.log" 2>&1 &&
        pass "encrypt: cryptsetup opens the keyslot with the key file" || fail "encrypt: cryptsetup opens the keyslot with the key file" "$(cat "$T/cs.log")"
head -c 64 /dev/urandom >"$T/wrong.key"
"$cs" open --test-passphrase --key-file "$T/wrong.key" "$T/e.img" >/dev/null 2>&1 &&
        fail "encrypt: another key does not open it" || pass "encrypt: another key does not open it"
"$cs" luksDump -q --dump-volume-key --volume-key-file "$T/e.vk" --key-file "$T/e.key" "$T/e.img" >"$T/cs.log" 2>&1 ||
        fail "encrypt: cryptsetup dumps the volume key" "$(cat "$T/cs.log")"
cp "$T/plain.img" "$T/ref.img"
truncate -s $((PSIZE + (32 << 20))) "$T/ref.img"
if "$cs" reencrypt --encrypt -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file "$T/e.key" \
        --volume-key-file "$T/e.vk" --key-size 512 --sector-size 512 --reduce-device-size 32M "$T/ref.img" >"$T/cs.log" 2>&1; then
        cmp -s <(tail -c +16777217 "$T/ref.img" | head -c "$PSIZE") <(tail -c +16777217 "$T/e.img") &&
                pass "encrypt: the data area is what cryptsetup's own encryption writes with that key" ||
                fail "encrypt: the data area is what cryptsetup's own encryption writes with that key"
else
        fail "encrypt: cryptsetup reencrypt --encrypt (reference)" "$(cat "$T/cs.log")"
fi
rm -f "$T/ref.img"
python3 - "$T/e.vk" "$T/e.img" "$T/plain.img" <<'PY' && pass "encrypt: Python's AES-XTS (plain64 IVs) decrypts it to the input" || fail "encrypt: Python's AES-XTS (plain64 IVs) decrypts it to the input"
import sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
vk = open(sys.argv[1], "rb").read()
assert len(vk) == 64
enc = open(sys.argv[2], "rb")
enc.seek(16 << 20)
plain = open(sys.argv[3], "rb")
sector = 0
while True:
    c = enc.read(1 << 20)
    if not c:
        break
    p = plain.read(len(c))
    for i in range(0, len(c), 512):
        d = Cipher(algorithms.AES(vk), modes.XTS(sector.to_bytes(16, "little"))).decryptor()
        if d.update(c[i:i + 512]) + d.finalize() != p[i:i + 512]:
            sys.exit("sector %d differs" % sector)
        sector += 1
assert plain.read(1) == b""
PY
if [ "$(id -u)" = 0 ] && dmsetup version >/dev/null 2>&1 && LOOP=$(losetup -f --show "$T/e.img" 2>/dev/null); then
        if "$cs" open --key-file "$T/e.key" "$LOOP" snpctl-test-$$ >"$T/cs.log" 2>&1; then
                cmp -s "/dev/mapper/snpctl-test-$$" "$T/plain.img" && pass "encrypt: opened with dm-crypt, the plaintext is the input" ||
                        fail "encrypt: opened with dm-crypt, the plaintext is the input"
                "$cs" close "snpctl-test-$$"
        else
                echo "# skipped the dm-crypt open: $(tail -n1 "$T/cs.log")"
        fi
        losetup -d "$LOOP"
else
        echo "# skipped the dm-crypt open: needs root and device-mapper (the checks above need neither)"
fi
run "$S" disk encrypt --json --key-file "$T/j.key" "$T/plain.img" "$T/j.img"
expect_out "encrypt --json: binding" "\"binding\": \"[0-9a-f-]{36}:[0-9a-f]{64}\""
expect_out "encrypt --json: cipher" '"cipher": "aes-xts-plain64"'
expect_out "encrypt --json: key_bits" '"key_bits": 512'
expect_out "encrypt --json: data_bytes" "\"data_bytes\": $PSIZE"
cmp -s "$T/j.key" "$T/e.key" && fail "encrypt: a fresh key each run" || pass "encrypt: a fresh key each run"

# Refusals: nothing is replaced without --force.
cp "$T/e.img" "$T/e.keep"; cp "$T/e.key" "$T/e.keykeep"
testcmd "encrypt: an existing OUT is refused" 1 "$S" disk encrypt --key-file "$T/other.key" "$T/plain.img" "$T/e.img"
expect_err "encrypt: ... and named" "'$T/e.img' or '$T/other.key' exists \\(--force replaces them\\)"
[ ! -e "$T/other.key" ] && cmp -s "$T/e.img" "$T/e.keep" && pass "encrypt: ... OUT untouched, no key written" || fail "encrypt: ... OUT untouched, no key written"
testcmd "encrypt: an existing key file is refused" 1 "$S" disk encrypt --key-file "$T/e.key" "$T/plain.img" "$T/other.img"
[ ! -e "$T/other.img" ] && cmp -s "$T/e.key" "$T/e.keykeep" && pass "encrypt: ... key untouched, no OUT written" || fail "encrypt: ... key untouched, no OUT written"
testcmd "encrypt --force replaces both" 0 "$S" disk encrypt --force --key-file "$T/e.key" "$T/plain.img" "$T/e.img"
! cmp -s "$T/e.key" "$T/e.keykeep" && [ "$(stat -c %a "$T/e.key")" = 600 ] &&
        "$cs" open --test-passphrase --key-file "$T/e.key" "$T/e.img" >/dev/null 2>&1 &&
        pass "encrypt --force: a new key, mode 0600, that opens the new image" || fail "encrypt --force: a new key, mode 0600, that opens the new image"
testcmd "encrypt: IN as OUT is a usage error" 2 "$S" disk encrypt --key-file "$T/x.key" "$T/plain.img" "$T/plain.img"
testcmd "encrypt: the key file as IN is a usage error" 2 "$S" disk encrypt --key-file "$T/plain.img" "$T/plain.img" "$T/x.img"
ln -sf "$T/plain.img" "$T/plain-link.img"
testcmd "encrypt --force: OUT that is IN through a link is refused" 1 "$S" disk encrypt --force --key-file "$T/x.key" "$T/plain.img" "$T/plain-link.img"
[ "$(sha256sum <"$T/plain.img")" = "$PSUM" ] && pass "encrypt: ... the input is untouched" || fail "encrypt: ... the input is untouched"
testcmd "encrypt without --key-file is a usage error" 2 "$S" disk encrypt "$T/plain.img" "$T/x.img"
expect_err "encrypt without --key-file: named" "--key-file FILE is required"
testcmd "encrypt without OUT is a usage error" 2 "$S" disk encrypt --key-file "$T/x.key" "$T/plain.img"
testcmd "encrypt: a missing input" 1 "$S" disk encrypt --key-file "$T/x.key" "$T/nosuch.img" "$T/x.img"
head -c 1000 /dev/urandom >"$T/odd2.img"
testcmd "encrypt: a size not a multiple of 512 is refused" 1 "$S" disk encrypt --key-file "$T/x.key" "$T/odd2.img" "$T/x.img"
testcmd "encrypt: OUT in a missing folder" 1 "$S" disk encrypt --key-file "$T/x.key" "$T/plain.img" "$T/nosuch/x.img"
if [ "$(id -u)" = 0 ] && LOOP=$(losetup -f --show "$T/plain.img" 2>/dev/null); then
        testcmd "encrypt: an input backing a loop device is refused" 1 "$S" disk encrypt --key-file "$T/x.key" "$T/plain.img" "$T/x.img"
        losetup -d "$LOOP"
fi
[ ! -e "$T/x.key" ] && [ ! -e "$T/x.img" ] && pass "encrypt: refusals write nothing" || fail "encrypt: refusals write nothing"

# Interrupted: SIGKILL, SIGTERM, SIGINT during a 256 MiB encryption leave the input as it was and
# neither OUT nor the key file (nor a temporary file).
head -c $((256 << 20)) /dev/urandom >"$T/big.img"
BIGSUM=$(sha256sum <"$T/big.img")
for sig in KILL TERM INT; do
        ( trap - INT; exec "$S" disk encrypt -q --key-file "$T/big.key" "$T/big.img" "$T/big.luks" >/dev/null 2>&1 ) &
        pid=$!
        sleep 0.4
        kill -s "$sig" "$pid" 2>/dev/null
        { wait "$pid"; } 2>/dev/null
        st=$?
        if [ "$st" = 0 ]; then
                echo "# the run finished before SIG$sig arrived"
                rm -f "$T/big.key" "$T/big.luks"
                continue
        fi
        [ "$(sha256sum <"$T/big.img")" = "$BIGSUM" ] && [ ! -e "$T/big.luks" ] && [ ! -e "$T/big.key" ] &&
                [ -z "$(find "$T" -maxdepth 1 -name 'big.*' ! -name big.img)" ] &&
                pass "encrypt: SIG$sig (exit $st) leaves the input intact, no OUT, no key" ||
                fail "encrypt: SIG$sig leaves the input intact, no OUT, no key" "$(ls "$T")"
done
rm -f "$T/big.img"

# --config: luks_binding written, other fields kept; the measured command line carries it.
if [ -f "$T/vm.json" ]; then
        python3 - "$T/vm.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["kernel_cmdline"] = "console=ttyS0 boot=encrypted root=/dev/sda"
c["owner_key_digest"] = "ab" * 48
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
        OWNERD=$(printf 'ab%.0s' $(seq 48))
        testcmd "encrypt --config: boot=encrypted without luks_binding does not load yet" 1 "$S" config validate "$T/vm.json"
        run "$S" disk encrypt --config "$T/vm.json" --key-file "$T/cfg.key" "$T/plain.img" "$T/cfg.img"
        [ "$STATUS" = 0 ] && pass "encrypt --config: exit 0" || fail "encrypt --config: exit 0" "$(cat "$ERR")"
        CB=$(cat "$OUT")
        python3 - "$T/vm.json" "$CB" <<'PY' && pass "encrypt --config: luks_binding written, the other fields kept" || fail "encrypt --config: luks_binding written, the other fields kept" "$(cat "$T/vm.json")"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["luks_binding"] == sys.argv[2]
assert list(c) == ["host_cpu_family", "ovmf_file", "kernel_file", "initrd_file", "kernel_cmdline",
                   "vcpu_count", "disks", "owner_key_digest", "luks_binding"], list(c)
assert c["kernel_cmdline"] == "console=ttyS0 boot=encrypted root=/dev/sda"
PY
        run "$S" config show "$T/vm.json"
        expect_out "encrypt --config: the measured command line carries the binding" "^measured cmdline +\"console=ttyS0 boot=encrypted root=/dev/sda snpctl.owner=$OWNERD snpctl.luks=$CB\"\$"
        run "$S" measure --config "$T/vm.json"
        [ "$(cat "$OUT")" != "$LD_AFTER" ] && [ "$(cat "$OUT")" = "$(model_ld "console=ttyS0 boot=encrypted root=/dev/sda snpctl.owner=$OWNERD snpctl.luks=$CB")" ] &&
                pass "encrypt --config: measure's digest is the model's for that command line" ||
                fail "encrypt --config: measure's digest is the model's for that command line" "$(cat "$OUT")"
fi
fi


# --- disk info -----------------------------------------------------------------------------------
# Each kind, checked against what made it (mkfs, cryptsetup, veritysetup, sfdisk), and garbage.
if ! command -v mkfs.ext4 >/dev/null || [ -z "$vs" ]; then
        echo "# skipped disk info checks: mkfs.ext4 or veritysetup missing"
else
mkroot "$T/i.img" 8
FSUUID=$(blkid -o value -s UUID "$T/i.img" 2>/dev/null || python3 -c 'import sys')
run "$S" disk info "$T/i.img"
[ "$STATUS" = 0 ] && pass "info: a file system, exit 0" || fail "info: a file system, exit 0" "$(cat "$ERR")"
expect_out "info: kind filesystem" '^kind +filesystem$'
expect_out "info: type ext4" '^type +ext4$'
[ -z "$FSUUID" ] || expect_out "info: the file system's UUID (as blkid says)" "^uuid +$FSUUID\$"
grep -q '^verity' "$OUT" && fail "info: no verity tree on a plain image" || pass "info: no verity tree on a plain image"
run "$S" disk verity --salt 00112233 "$T/i.img"
IH=$(cat "$OUT")
run "$S" disk info "$T/i.img"
expect_out "info: the appended tree is found" "^verity +appended at offset $((8 << 20))\$"
expect_out "info: its salt" '^verity salt +00112233$'
expect_out "info: its data blocks" "^verity data +$(((8 << 20) / 4096))\$"
expect_out "info: says the root hash is not stored" '^root hash +not stored'
testcmd "info --root-hash: the right one, exit 0" 0 "$S" disk info --root-hash "$IH" "$T/i.img"
expect_out "info --root-hash: matches" '^root hash +matches the data$'
testcmd "info --root-hash: another root hash, exit 3" 3 "$S" disk info --root-hash "$(printf '%064d' 0)" "$T/i.img"
expect_out "info --root-hash: does not match" '^root hash +does NOT match the data$'
expect_err "info --root-hash: named" "does not match --root-hash"
cp "$T/i.img" "$T/it.img"
printf 'Z' | dd of="$T/it.img" bs=1 seek=$((4096 * 100 + 7)) conv=notrunc 2>/dev/null
testcmd "info --root-hash: one changed data byte, exit 3" 3 "$S" disk info --root-hash "$IH" "$T/it.img"
"$vs" verify "$T/it.img" "$T/it.img" --hash-offset=$((8 << 20)) "$IH" >/dev/null 2>&1 &&
        fail "info --root-hash: veritysetup agrees the changed image fails" || pass "info --root-hash: veritysetup agrees the changed image fails"
run "$S" disk info --json --root-hash "$IH" "$T/i.img"
expect_out "info --json: kind" '"kind": "filesystem"'
expect_out "info --json: verity where" '"where": "appended"'
expect_out "info --json: root_hash_matches" '"root_hash_matches": true'
mkroot "$T/i2.img" 8
run "$S" disk verity --hash-file "$T/i2.hash" "$T/i2.img"
I2H=$(cat "$OUT")
run "$S" disk info "$T/i2.hash"
expect_out "info: a hash file is a verity hash" '^kind +verity-hash$'
expect_out "info: ... its superblock at 0" '^verity +superblock at offset 0$'
testcmd "info --hash-file --root-hash: exit 0" 0 "$S" disk info --hash-file "$T/i2.hash" --root-hash "$I2H" "$T/i2.img"
testcmd "info --hash-file with another image's data: exit 3" 3 "$S" disk info --hash-file "$T/i2.hash" --root-hash "$I2H" "$T/it.img"
testcmd "info --root-hash without a tree: exit 3" 3 "$S" disk info --root-hash "$I2H" "$T/i2.img"
expect_err "info --root-hash without a tree: named" "no dm-verity tree found"
testcmd "info --hash-offset where there is none: exit 0, no tree" 0 "$S" disk info --hash-offset 4096 "$T/i2.img"

run "$S" disk info "$T/e.img"
expect_out "info: LUKS2" '^kind +luks2$'
expect_out "info: LUKS2 cipher" '^cipher +aes-xts-plain64, 512-bit key$'
expect_out "info: LUKS2 keyslots" '^keyslots +1$'
expect_out "info: LUKS2 binding, as disk bind prints it" "^binding +$("$S" disk bind "$T/e.img")\$"
run "$S" disk info "$T/null-seg.img"
expect_out "info: a cipher_null header: refused" '^policy +refused \(no binding\)$'
expect_out "info: ... the reason" '^reason +segment 0 uses cipher_null-ecb'
grep -q '^binding' "$OUT" && fail "info: ... no binding" || pass "info: ... no binding"
run "$S" disk info --json "$T/e.img"
expect_out "info --json: luks binding" "\"binding\": \"$("$S" disk bind "$T/e.img")\""
run "$S" disk info "$T/l1.img"
expect_out "info: LUKS1 is named" '^kind +luks$'
expect_out "info: LUKS1 refused" 'it is LUKS1, not LUKS2'

# Garbage: random bytes, zeros, a short file, a truncated LUKS header, a hash file cut short.
head -c $((1 << 20)) /dev/urandom >"$T/g1"
: >"$T/g2"
printf 'x' >"$T/g3"
head -c 20000 "$T/e.img" >"$T/g4"
head -c 5000 "$T/i2.hash" >"$T/g5"
head -c $((3 << 20)) /dev/zero >"$T/g6"
{ printf 'LUKS\xba\xbe\x00\x02'; head -c 70000 /dev/urandom; } >"$T/g7"
for g in g1 g2 g3 g4 g5 g6 g7; do
        run "$S" disk info "$T/$g"
        case $STATUS in
        0|1) pass "info: garbage $g: exit $STATUS" ;;
        *) fail "info: garbage $g: exit 0 or 1" "exit $STATUS" "$(cat "$ERR")" ;;
        esac
done
run "$S" disk info "$T/g1"
expect_out "info: random bytes are unknown" '^kind +unknown$'
testcmd "info: a missing file, exit 1" 1 "$S" disk info "$T/nosuch"
testcmd "info: a folder, exit 1" 1 "$S" disk info "$T"
testcmd "info: bad --root-hash is a usage error" 2 "$S" disk info --root-hash 1234 "$T/i.img"
testcmd "info: bad --hash-offset is a usage error" 2 "$S" disk info --hash-offset 100 "$T/i.img"
testcmd "info without an image" 2 "$S" disk info

# A label with a control character is escaped.
mkroot "$T/lab.img" 8
if command -v e2label >/dev/null && e2label "$T/lab.img" "$(printf 'a\033[31mb')" 2>/dev/null; then
        run "$S" disk info "$T/lab.img"
        grep -q "$(printf '\033')" "$OUT" && fail "info: a label's escape character is not printed raw" ||
                pass "info: a label's escape character is not printed raw"
        expect_out "info: ... but escaped" 'label +a\\x1b\[31mb'
fi

# A partitioned disk (GPT, made with sfdisk): the partitions and what each holds; disk encrypt
# --partition auto|N encrypts exactly the root partition's bytes; the same disk as qcow2.
if command -v sfdisk >/dev/null; then
        rm -f "$T/gpt.img"
        truncate -s 64M "$T/gpt.img"
        printf 'label: gpt\nstart=2048, size=8192, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI"\nstart=10240, size=100000, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root"\n' |
                sfdisk -q "$T/gpt.img" >/dev/null 2>&1
        mkdir -p "$T/rootsrc"
        mkfs.ext4 -q -F -d "$T/rootsrc" -E offset=$((10240 * 512)) "$T/gpt.img" 50000k >/dev/null 2>&1
        GSUM=$(sha256sum <"$T/gpt.img")
        run "$S" disk info "$T/gpt.img"
        expect_out "info: a GPT disk" '^kind +partitioned \(gpt\)$'
        expect_out "info: partition 2 at its start, its size" "^partition 2 +start $((10240 * 512)), $((100000 * 512)) bytes\$"
        expect_out "info: ... the root type, named" '^  part type +4f68bce3-e8cd-4db1-96e7-fbcaf984b709 \(Linux root \(x86-64\)\)$'
        expect_out "info: ... holding ext4" '^  type +ext4$'
        run "$S" disk info --json "$T/gpt.img"
        expect_out "info --json: partitions" '"partitions": \['
        run "$S" disk encrypt --partition auto --key-file "$T/gp.key" "$T/gpt.img" "$T/gp.luks"
        [ "$STATUS" = 0 ] && pass "encrypt --partition auto: exit 0" || fail "encrypt --partition auto: exit 0" "$(cat "$ERR")"
        expect_err "encrypt --partition auto: picks partition 2" "partition 2 of '$T/gpt.img': $((100000 * 512)) bytes at $((10240 * 512))"
        [ "$(sha256sum <"$T/gpt.img")" = "$GSUM" ] && pass "encrypt --partition: the disk is untouched" || fail "encrypt --partition: the disk is untouched"
        dd if="$T/gpt.img" of="$T/gp.part" bs=512 skip=10240 count=100000 2>/dev/null
        "$cs" luksDump -q --dump-volume-key --volume-key-file "$T/gp.vk" --key-file "$T/gp.key" "$T/gp.luks" >/dev/null 2>&1
        python3 - "$T/gp.vk" "$T/gp.luks" "$T/gp.part" <<'PY' && pass "encrypt --partition: the data area decrypts to the partition" || fail "encrypt --partition: the data area decrypts to the partition"
import sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
vk = open(sys.argv[1], "rb").read()
c = open(sys.argv[2], "rb").read()[16 << 20:]
p = open(sys.argv[3], "rb").read()
assert len(c) == len(p), (len(c), len(p))
for s in range(len(p) // 512):
    d = Cipher(algorithms.AES(vk), modes.XTS(s.to_bytes(16, "little"))).decryptor()
    assert d.update(c[s * 512:(s + 1) * 512]) + d.finalize() == p[s * 512:(s + 1) * 512], s
PY
        testcmd "encrypt --partition 2 (by number)" 0 "$S" disk encrypt --partition 2 --key-file "$T/gp2.key" "$T/gpt.img" "$T/gp2.luks"
        testcmd "encrypt --partition 7: no such partition, exit 1" 1 "$S" disk encrypt --partition 7 --key-file "$T/gp3.key" "$T/gpt.img" "$T/gp3.luks"
        expect_err "encrypt --partition 7: named" "'$T/gpt.img' has no partition 7"
        testcmd "encrypt --partition auto on a file system image: exit 1" 1 "$S" disk encrypt --partition auto --key-file "$T/gp3.key" "$T/plain.img" "$T/gp3.luks"
        testcmd "encrypt --partition x: usage error" 2 "$S" disk encrypt --partition x --key-file "$T/gp3.key" "$T/gpt.img" "$T/gp3.luks"
        [ ! -e "$T/gp3.luks" ] && [ ! -e "$T/gp3.key" ] && pass "encrypt --partition: refusals write nothing" || fail "encrypt --partition: refusals write nothing"
        if command -v qemu-img >/dev/null; then
                qemu-img convert -f raw -O qcow2 "$T/gpt.img" "$T/gpt.qcow2"
                QSUM=$(sha256sum <"$T/gpt.qcow2")
                run "$S" disk info "$T/gpt.qcow2"
                expect_out "info: qcow2" '^kind +qcow2$'
                testcmd "encrypt --partition auto of a qcow2 disk" 0 "$S" disk encrypt --partition auto --key-file "$T/gq.key" "$T/gpt.qcow2" "$T/gq.luks"
                "$cs" luksDump -q --dump-volume-key --volume-key-file "$T/gq.vk" --key-file "$T/gq.key" "$T/gq.luks" >/dev/null 2>&1
                python3 - "$T/gq.vk" "$T/gq.luks" "$T/gp.part" <<'PY' && pass "encrypt qcow2: decrypts to the raw partition" || fail "encrypt qcow2: decrypts to the raw partition"
import sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
vk = open(sys.argv[1], "rb").read()
c = open(sys.argv[2], "rb").read()[16 << 20:]
p = open(sys.argv[3], "rb").read()
assert len(c) == len(p)
for s in range(0, len(p) // 512, 61):
    d = Cipher(algorithms.AES(vk), modes.XTS(s.to_bytes(16, "little"))).decryptor()
    assert d.update(c[s * 512:(s + 1) * 512]) + d.finalize() == p[s * 512:(s + 1) * 512], s
PY
                [ "$(sha256sum <"$T/gpt.qcow2")" = "$QSUM" ] && pass "encrypt qcow2: the qcow2 is untouched" || fail "encrypt qcow2: the qcow2 is untouched"
                [ -z "$(find "$T" -maxdepth 1 -name 'gq.*' ! -name gq.key ! -name gq.luks ! -name gq.vk)" ] &&
                        pass "encrypt qcow2: no temporary raw image left" || fail "encrypt qcow2: no temporary raw image left"
                (cd "$T" && qemu-img create -q -f qcow2 -b gpt.qcow2 -F qcow2 over.qcow2)
                testcmd "encrypt: a qcow2 with a backing file is refused" 1 "$S" disk encrypt --partition auto --key-file "$T/go.key" "$T/over.qcow2" "$T/go.luks"
                expect_err "encrypt: ... named" "names a backing file or an external data file"
        else
                echo "# skipped the qcow2 checks: qemu-img missing (Debian: qemu-utils)"
        fi
else
        echo "# skipped the partitioned-disk checks: sfdisk missing (Debian: fdisk)"
fi
fi

if grep -Eq "Sanitizer|runtime error" "$T/all-stderr"; then
        fail "no sanitizer reports" "$(grep -E -m3 "Sanitizer|runtime error" "$T/all-stderr")"
else
        pass "no sanitizer reports"
fi
finish
