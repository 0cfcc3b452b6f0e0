# SPDX-License-Identifier: Apache-2.0
# snpctl idblock: the known answers of vectors.json through the command line, our own signatures
# checked by the openssl command (not by our code), flipped bytes rejected by verify, every key
# form accepted or refused with a message naming what was found, and outputs written both or
# neither. Keys are made here; vectors.json is read from $SNPCTL_TESTDATA.
. "$(dirname "$0")/lib.sh"

# Every run's stderr is kept too, so that a sanitizer report behind an expected exit status 1 or
# 3 is not missed.
run() {
        "$@" >"$OUT" 2>"$ERR" </dev/null
        STATUS=$?
        cat "$ERR" >> "$T/all-stderr"
}
check_sanitizers() {
        if grep -Eq "Sanitizer|runtime error" "$T/all-stderr"; then
                fail "no sanitizer reports" "$(grep -E -m3 "Sanitizer|runtime error" "$T/all-stderr")"
        else
                pass "no sanitizer reports"
        fi
}

LD=076f052d08bda7a700aa2a608c5caa6b00ebad297b6d68a85a45b1e669a558b67e1b91d284a301fe63c4fa0750467eed
OTHER_LD=a14d638341e5674628fe1e02fbedebe5e5ab4faf1dd72d8966068e615bb99efd13d214b35c231715b38e263dc6059745

# hex of LEN bytes of FILE at OFFSET
bytes() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
b64hex() { base64 -d | od -An -v -tx1 | tr -d ' \n'; }
# reverses a hex string byte by byte (SEV's little-endian fields to big-endian)
revhex() { echo "$1" | fold -w2 | tac | tr -d '\n'; }
zeros() { head -c "$1" /dev/zero | od -An -v -tx1 | tr -d ' \n'; }
# hex on stdin to bytes on stdout
unhex() { printf '%b' "$(sed 's/../\\x&/g')"; }
# flip FILE OFFSET: xor one byte with 0x01 in place
flip() {
        local b
        b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
        printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
gen() { "$SNPCTL" idblock --measurement "$LD" "$@"; }
count_files() { ls -A "$1" | wc -l; }
# expect_line NAME LINE: stdout has exactly this line (base64 holds regex characters)
expect_line() {
        if grep -Fxq -- "$2" "$OUT"; then pass "$1"; else fail "$1" "stdout lacks the line: $2" "$(head -c 600 "$OUT")"; fi
}

K=$T/keys
mkdir -p "$K"
(
        cd "$K" || exit 1
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out id8.pem &&
        openssl ecparam -name secp384r1 -genkey -out author-sec1.pem &&
        openssl pkcs8 -topk8 -in id8.pem -v2 aes-256-cbc -passout pass:s3cret -out id8-enc.pem &&
        openssl ec -in author-sec1.pem -aes256 -passout pass:other -out author-sec1-enc.pem &&
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem &&
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem &&
        openssl pkey -in id8.pem -pubout -out id8-pub.pem &&
        openssl pkey -in author-sec1.pem -pubout -out author-pub.pem &&
        printf 's3cret\n' > pass.txt &&
        echo "not a key" > junk.pem
) >/dev/null 2>&1 || { fail "making test keys with openssl"; finish; }

# ---- usage errors ----
testcmd "no arguments is a usage error" 2 "$SNPCTL" idblock
expect_err "no arguments names the choice" "--vm-definition FILE or --measurement"
testcmd "--measurement and --vm-definition exclude each other" 2 \
        "$SNPCTL" idblock --measurement "$LD" --vm-definition vm.json --id-key-path "$K/id8.pem"
testcmd "--id-key-path is required" 2 "$SNPCTL" idblock --measurement "$LD"
expect_err "missing --id-key-path is named" "--id-key-path"
testcmd "short --measurement is refused" 2 gen --id-key-path "$K/id8.pem" --measurement abcd
expect_err "bad --measurement is named" "bad --measurement 'abcd'"
testcmd "--pass pass: is refused" 2 gen --id-key-path "$K/id8-enc.pem" --pass pass:hunter2
expect_err "--pass pass: says why" "visible to every user"
if grep -q hunter2 "$ERR"; then fail "the refused pass phrase is not echoed"; else pass "the refused pass phrase is not echoed"; fi
testcmd "--override-kernel-cmdline needs a config" 2 \
        gen --id-key-path "$K/id8.pem" --override-kernel-cmdline "console=ttyS0"
testcmd "policy without bit 17 is refused" 2 gen --id-key-path "$K/id8.pem" --policy 0x10000
testcmd "policy with bit 26 is refused" 2 gen --id-key-path "$K/id8.pem" --policy 0x4030000
testcmd "bad --family-id is refused" 2 gen --id-key-path "$K/id8.pem" --family-id 0011
testcmd "a stray argument is refused" 2 "$SNPCTL" idblock sign --measurement "$LD" --id-key-path "$K/id8.pem"
testcmd "verify needs both files" 2 "$SNPCTL" idblock verify --id-block x
testcmd "keygen needs -o" 2 "$SNPCTL" idblock keygen
testcmd "verify --help exits 0" 0 "$SNPCTL" idblock verify --help
expect_out "verify --help names the subcommand" "^Usage: snpctl idblock verify "
testcmd "keygen --help exits 0" 0 "$SNPCTL" idblock keygen --help
expect_out "keygen --help names the subcommand" "^Usage: snpctl idblock keygen "

# ---- our own signatures, checked with the openssl command ----
O=$T/out
mkdir -p "$O"
testcmd "sign with a PKCS#8 ID key and a SEC1 author key" 0 \
        gen --id-key-path "$K/id8.pem" --auth-key-path "$K/author-sec1.pem" --out-dir "$O" \
        --family-id 000102030405060708090a0b0c0d0e0f --image-id f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff \
        --guest-svn 5 --policy 0xb0000
expect_out "prints the ID block" "^id block: [A-Za-z0-9+/]{126}==?$|^id block: [A-Za-z0-9+/]{128}$"
cp "$OUT" "$T/gen.out"
idd=$(sed -n 's/^id key digest: //p' "$T/gen.out")
aud=$(sed -n 's/^auth key digest: //p' "$T/gen.out")
base64 -d "$O/id-block.base64" > "$T/blk.bin"
base64 -d "$O/auth-block.base64" > "$T/auth.bin"
[ "$(stat -c %s "$T/blk.bin")" = 96 ] && pass "id-block.base64 holds 96 bytes" || fail "id-block.base64 holds 96 bytes"
[ "$(stat -c %s "$T/auth.bin")" = 4096 ] && pass "auth-block.base64 holds 4096 bytes" || fail "auth-block.base64 holds 4096 bytes"
if [ "$(base64 -w0 "$T/blk.bin")" = "$(sed -n 's/^id block: //p' "$T/gen.out")" ]; then
        pass "printed ID block equals the file"
else
        fail "printed ID block equals the file"
fi
want_blk="${LD}000102030405060708090a0b0c0d0e0ff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0100000005000000""00000b0000000000"
if [ "$(bytes "$T/blk.bin" 0 96)" = "$want_blk" ]; then
        pass "ID block fields in place, little-endian"
else
        fail "ID block fields in place, little-endian" "got  $(bytes "$T/blk.bin" 0 96)" "want $want_blk"
fi
if [ "$(bytes "$T/auth.bin" 0 8)" = "0100000001000000" ]; then pass "ID_KEY_ALGO and AUTHOR_KEY_ALGO are 1"; else fail "ID_KEY_ALGO and AUTHOR_KEY_ALGO are 1"; fi

# sig_check NAME SIGOFF KEYPEM DATAFILE: r and s at SIGOFF, made big-endian, as DER, checked by
# openssl dgst -sha384 -verify.
sig_check() {
        local name=$1 off=$2 key=$3 data=$4 r s
        r=$(bytes "$T/auth.bin" "$off" 72)
        s=$(bytes "$T/auth.bin" $((off + 72)) 72)
        if [ "${r:96}${s:96}" != "$(zeros 48)" ]; then
                fail "$name: r and s are zero-padded to 72 bytes"
                return
        fi
        printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' \
                "$(revhex "${r:0:96}")" "$(revhex "${s:0:96}")" > "$T/sig.cnf"
        openssl asn1parse -genconf "$T/sig.cnf" -noout -out "$T/sig.der" >/dev/null 2>&1
        if openssl dgst -sha384 -verify "$key" -signature "$T/sig.der" "$data" >/dev/null 2>&1; then
                pass "$name: openssl verifies it"
        else
                fail "$name: openssl verifies it"
        fi
}
head -c $((0x644)) "$T/auth.bin" | tail -c $((0x404)) > "$T/idkey.bin"
sig_check "ID block signature" $((0x40)) "$K/id8-pub.pem" "$T/blk.bin"
sig_check "ID key signature by the author key" $((0x680)) "$K/author-pub.pem" "$T/idkey.bin"
# The check can fail: the same signature over a changed block does not verify.
cp "$T/blk.bin" "$T/blk-changed.bin"
flip "$T/blk-changed.bin" 95
if openssl dgst -sha384 -verify "$K/id8-pub.pem" -signature "$T/sig.der" "$T/blk-changed.bin" >/dev/null 2>&1 ||
   ! openssl dgst -sha384 -verify "$K/author-pub.pem" -signature "$T/sig.der" "$T/idkey.bin" >/dev/null 2>&1; then
        fail "the openssl check rejects a changed message"
else
        pass "the openssl check rejects a changed message"
fi

# pubkey_check NAME OFF PEM: curve 2, x and y as openssl sees them (DER ends in 04||X||Y),
# little-endian and zero-padded, reserved bytes zero; the printed digest is SHA-384 of the 0x404
# bytes.
pubkey_check() {
        local name=$1 off=$2 pem=$3 xy want
        xy=$(openssl pkey -pubin -in "$pem" -outform DER 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
        xy=${xy: -192}
        want="02000000$(revhex "${xy:0:96}")$(zeros 24)$(revhex "${xy:96:96}")$(zeros 24)$(zeros $((0x404 - 0x94)))"
        if [ "$(bytes "$T/auth.bin" "$off" $((0x404)))" = "$want" ]; then
                pass "$name: SEV public-key structure matches openssl's point"
        else
                fail "$name: SEV public-key structure matches openssl's point"
        fi
}
pubkey_check "ID key" $((0x240)) "$K/id8-pub.pem"
pubkey_check "author key" $((0x880)) "$K/author-pub.pem"
d=$(openssl dgst -sha384 -r "$T/idkey.bin" | cut -c1-96)
[ "$d" = "$idd" ] && pass "id key digest is SHA-384 of the ID key structure" || fail "id key digest is SHA-384 of the ID key structure" "$d / $idd"
head -c $((0xC84)) "$T/auth.bin" | tail -c $((0x404)) > "$T/authorkey.bin"
d=$(openssl dgst -sha384 -r "$T/authorkey.bin" | cut -c1-96)
[ "$d" = "$aud" ] && pass "auth key digest is SHA-384 of the author key structure" || fail "auth key digest is SHA-384 of the author key structure"
if [ "$(bytes "$T/auth.bin" 8 56)$(bytes "$T/auth.bin" $((0x644)) 60)$(bytes "$T/auth.bin" $((0xC84)) $((0x37C)))" = "$(zeros $((56 + 60 + 0x37C)))" ]; then
        pass "reserved areas are zero"
else
        fail "reserved areas are zero"
fi

# ---- verify ----
testcmd "verify accepts our pair" 0 "$SNPCTL" idblock verify --id-block "$O/id-block.base64" --auth-block "$O/auth-block.base64"
expect_out "verify prints the verdict" "^verdict: verified$"
expect_out "verify prints the policy" "^policy: 0xb0000$"
expect_out "verify prints the guest svn" "^guest svn: 5$"
expect_line "verify prints the ID key digest as gen does" "id key digest: $idd"
expect_line "verify prints the author key digest as gen does" "author key digest: $aud"
if printf '%s\n%s\n' "$idd" "$aud" | grep -Eqvx '[0-9a-f]{96}'; then
        fail "gen prints key digests as 96 lowercase hex digits" "$idd" "$aud"
else
        pass "gen prints key digests as 96 lowercase hex digits"
fi
testcmd "verify takes the raw structures too" 0 "$SNPCTL" idblock verify --id-block "$T/blk.bin" --auth-block "$T/auth.bin"
testcmd "verify with the signed digest and policy" 0 "$SNPCTL" idblock verify --id-block "$T/blk.bin" \
        --auth-block "$T/auth.bin" --measurement "$LD" --policy 0xb0000
testcmd "verify with another digest is rejected" 3 "$SNPCTL" idblock verify --id-block "$T/blk.bin" \
        --auth-block "$T/auth.bin" --measurement "$OTHER_LD"
expect_err "the digest mismatch is named" "launch digest $LD, expected $OTHER_LD"
expect_out "the verdict says rejected" "^verdict: rejected: launch digest"
testcmd "verify with another policy is rejected" 3 "$SNPCTL" idblock verify --id-block "$T/blk.bin" \
        --auth-block "$T/auth.bin" --policy 0x30000
expect_err "the policy mismatch is named" "policy 0xb0000, expected 0x30000"
testcmd "verify --json" 0 "$SNPCTL" idblock verify --json --id-block "$T/blk.bin" --auth-block "$T/auth.bin"
expect_out "verify --json says verified" '"verified": true'
expect_out "verify --json gives the author key digest" "\"author_key_digest\": \"$aud\""
testcmd "verify of a missing file could not finish" 1 "$SNPCTL" idblock verify --id-block "$T/nosuch" --auth-block "$T/auth.bin"
expect_err "the missing file is named" "reading ID block '$T/nosuch': No such file or directory"
echo "not base64!" > "$T/notb64"
testcmd "verify of a non-base64 file is rejected" 3 "$SNPCTL" idblock verify --id-block "$T/notb64" --auth-block "$T/auth.bin"
head -c 95 "$T/blk.bin" | base64 -w0 > "$T/short.bin"
testcmd "verify of a truncated ID block is rejected" 3 "$SNPCTL" idblock verify --id-block "$T/short.bin" --auth-block "$T/auth.bin"
expect_err "the length is named" "ID block is 95 bytes, expected 96"

# A flipped bit anywhere fails (a sample here; the unit test flips every byte).
for off in 0 48 84 95; do
        cp "$T/blk.bin" "$T/f.bin"
        flip "$T/f.bin" $off
        testcmd "ID block with byte $off flipped is rejected" 3 "$SNPCTL" idblock verify --id-block "$T/f.bin" --auth-block "$T/auth.bin"
done
for off in 0 4 8 64 136 200 576 580 652 800 1604 1664 1736 2176 2300 3204 4095; do
        cp "$T/auth.bin" "$T/f.bin"
        flip "$T/f.bin" $off
        testcmd "ID auth with byte $off flipped is rejected" 3 "$SNPCTL" idblock verify --id-block "$T/blk.bin" --auth-block "$T/f.bin"
done
base64 -w0 "$T/f.bin" > "$T/f.base64"
testcmd "a flipped byte in base64 form is rejected" 3 "$SNPCTL" idblock verify --id-block "$O/id-block.base64" --auth-block "$T/f.base64"

# ---- outputs: both or neither, nothing replaced without --force ----
before=$(cat "$O/id-block.base64")
testcmd "existing outputs are kept without --force" 1 gen --id-key-path "$K/id8.pem" --out-dir "$O"
expect_err "the file in the way is named" "writing '$O/id-block.base64' \(--force replaces it\): File exists"
[ "$(cat "$O/id-block.base64")" = "$before" ] && pass "id-block.base64 unchanged" || fail "id-block.base64 unchanged"
testcmd "--force replaces them" 0 gen --id-key-path "$K/id8.pem" --auth-key-path "$K/author-sec1.pem" --out-dir "$O" --force
[ "$(cat "$O/id-block.base64")" != "$before" ] && pass "id-block.base64 replaced" || fail "id-block.base64 replaced"
[ "$(count_files "$O")" = 2 ] && pass "no temporary file left" || fail "no temporary file left" "$(ls -A "$O")"

B=$T/blocked
mkdir -p "$B/auth-block.base64"
testcmd "a folder where auth-block.base64 goes fails" 1 gen --id-key-path "$K/id8.pem" --out-dir "$B" --force
expect_err "the failed output is named" "writing '$B/auth-block.base64'"
[ ! -e "$B/id-block.base64" ] && pass "id-block.base64 removed when auth-block.base64 failed" || fail "id-block.base64 removed when auth-block.base64 failed"
[ "$(count_files "$B")" = 1 ] && pass "nothing else left in the folder" || fail "nothing else left in the folder" "$(ls -A "$B")"
# The pair is replaced together or not at all: an existing pair, --force, and the auth block's
# name taken by a folder: the old ID block stays, byte for byte.
P=$T/pair
mkdir -p "$P"
testcmd "a pair to replace" 0 gen --id-key-path "$K/id8.pem" --out-dir "$P"
old=$(cat "$P/id-block.base64")
rm "$P/auth-block.base64"
mkdir "$P/auth-block.base64"
testcmd "--force with a folder where auth-block.base64 goes fails" 1 gen --id-key-path "$K/id8.pem" \
        --auth-key-path "$K/author-sec1.pem" --out-dir "$P" --force
expect_err "... naming it and saying nothing changed" "writing '$P/auth-block.base64' \(neither file was changed\)"
[ "$(cat "$P/id-block.base64")" = "$old" ] && pass "... the old id-block.base64 is kept" ||
        fail "... the old id-block.base64 is kept"
[ "$(count_files "$P")" = 2 ] && pass "... and no temporary or backup file is left" ||
        fail "... and no temporary or backup file is left" "$(ls -A "$P")"
testcmd "a missing output folder fails" 1 gen --id-key-path "$K/id8.pem" --out-dir "$T/nosuch"
expect_err "the missing folder is named" "opening output folder '$T/nosuch': No such file or directory"
testcmd "an output folder that is a file fails" 1 gen --id-key-path "$K/id8.pem" --out-dir "$K/junk.pem"
expect_err "a file as output folder is named" "Not a directory"
if [ "$(id -u)" -ne 0 ]; then
        RO=$T/readonly
        mkdir -p "$RO" && chmod 0555 "$RO"
        testcmd "an unwritable output folder fails" 1 gen --id-key-path "$K/id8.pem" --out-dir "$RO"
        expect_err "the unwritable file is named" "writing '$RO/id-block.base64': Permission denied"
        [ "$(count_files "$RO")" = 0 ] && pass "nothing left in the unwritable folder" || fail "nothing left in the unwritable folder"
else
        # root writes through mode bits; /proc's top folder takes no new files, even from root.
        testcmd "an unwritable output folder fails" 1 gen --id-key-path "$K/id8.pem" --out-dir /proc
        expect_err "the unwritable file is named" "writing '/proc/id-block.base64'"
        [ ! -e /proc/id-block.base64 ] && pass "nothing left in the unwritable folder" || fail "nothing left in the unwritable folder"
fi

# ---- keys: both formats, encrypted, refused kinds ----
N=$T/n
mkdir -p "$N"
testcmd "encrypted PKCS#8 with --pass file:" 0 gen --id-key-path "$K/id8-enc.pem" --pass "file:$K/pass.txt" --out-dir "$N"
expect_line "encrypted key signs as the plain one" "id key digest: $idd"
testcmd "encrypted SEC1 author key with --auth-pass env:" 0 \
        env SNPCTL_TEST_PASS=other "$SNPCTL" idblock --measurement "$LD" --id-key-path "$K/id8-enc.pem" \
        --pass "file:$K/pass.txt" --auth-key-path "$K/author-sec1-enc.pem" --auth-pass env:SNPCTL_TEST_PASS \
        --out-dir "$N" --force
expect_line "encrypted author key signs as the plain one" "auth key digest: $aud"
testcmd "wrong pass phrase" 1 env SNPCTL_TEST_PASS=wrong "$SNPCTL" idblock --measurement "$LD" \
        --id-key-path "$K/id8-enc.pem" --pass env:SNPCTL_TEST_PASS --out-dir "$N" --force
expect_err "the wrong pass phrase is named" "decrypting ID key '$K/id8-enc.pem': wrong pass phrase"
testcmd "unset pass variable" 1 env -u SNPCTL_TEST_UNSET "$SNPCTL" idblock --measurement "$LD" \
        --id-key-path "$K/id8-enc.pem" --pass env:SNPCTL_TEST_UNSET --out-dir "$N" --force
expect_err "the unset variable is named" "environment variable 'SNPCTL_TEST_UNSET' is not set"
testcmd "missing pass file" 1 gen --id-key-path "$K/id8-enc.pem" --pass "file:$K/nosuch" --out-dir "$N" --force
expect_err "the missing pass file is named" "reading pass phrase file '$K/nosuch': No such file"
testcmd "encrypted key without --pass and without a terminal" 1 \
        setsid -w "$SNPCTL" idblock --measurement "$LD" --id-key-path "$K/id8-enc.pem" --out-dir "$N" --force
expect_err "says how to give the pass phrase" "is encrypted: give --pass file:PATH"
if command -v script >/dev/null; then
        printf 's3cret\n' | script -qefc "'$SNPCTL' idblock --measurement $LD --id-key-path '$K/id8-enc.pem' --out-dir '$N' --force" /dev/null >"$OUT" 2>"$ERR"
        grep -q "^id key digest: $idd" "$OUT" && pass "asks for the pass phrase on the terminal" || fail "asks for the pass phrase on the terminal" "$(head -c 600 "$OUT")"
fi
testcmd "a P-256 key is refused" 1 gen --id-key-path "$K/p256.pem" --out-dir "$N" --force
expect_err "the P-256 key is described" "ID key '$K/p256.pem' is an EC private key on curve prime256v1; an ECDSA P-384"
testcmd "an RSA key is refused" 1 gen --id-key-path "$K/id8.pem" --auth-key-path "$K/rsa.pem" --out-dir "$N" --force
expect_err "the RSA key is described" "author key '$K/rsa.pem' is an RSA 2048-bit private key"
testcmd "a public key is refused" 1 gen --id-key-path "$K/id8-pub.pem" --out-dir "$N" --force
expect_err "the public key is described" "is an EC public key on curve secp384r1"
testcmd "a file without a key is refused" 1 gen --id-key-path "$K/junk.pem" --out-dir "$N" --force
expect_err "the keyless file is named" "no PEM private or public key"
testcmd "a missing key file" 1 gen --id-key-path "$K/nosuch.pem" --out-dir "$N" --force
expect_err "the missing key is named" "reading ID key '$K/nosuch.pem': No such file or directory"
E=$T/empty
mkdir -p "$E"
gen --id-key-path "$K/p256.pem" --out-dir "$E" >/dev/null 2>&1
[ "$(count_files "$E")" = 0 ] && pass "a refused key writes nothing" || fail "a refused key writes nothing"

# ---- no author key ----
testcmd "sign without an author key" 0 gen --id-key-path "$K/id8.pem" --out-dir "$E"
expect_out "no author key digest" "^auth key digest: none$"
expect_err "says author-key-enabled must stay off" "author-key-enabled=off"
testcmd "verify without an author key" 0 "$SNPCTL" idblock verify --id-block "$E/id-block.base64" --auth-block "$E/auth-block.base64"
expect_out "verify says there is no author key" "^author key digest: none$"
base64 -d "$E/auth-block.base64" > "$T/noauthor.bin"
if [ "$(bytes "$T/noauthor.bin" 4 4)$(bytes "$T/noauthor.bin" $((0x680)) $((0x1000 - 0x680)))" = "$(zeros $((4 + 0x1000 - 0x680)))" ]; then
        pass "author fields are zero"
else
        fail "author fields are zero"
fi
flip "$T/noauthor.bin" 4
testcmd "AUTHOR_KEY_ALGO set without an author key is rejected" 3 "$SNPCTL" idblock verify --id-block "$E/id-block.base64" --auth-block "$T/noauthor.bin"

# ---- --json ----
testcmd "sign --json" 0 gen --json --id-key-path "$K/id8.pem" --auth-key-path "$K/author-sec1.pem" --out-dir "$O" --force
expect_out "--json gives the ID key digest in hex" "\"id_key_digest\": \"$idd\""
expect_out "--json says the author key is enabled" '"author_key_enabled": true'

# ---- keygen ----
testcmd "keygen" 0 "$SNPCTL" idblock keygen -o "$T/new.pem"
expect_out "keygen prints the key digest" "^key digest: [0-9a-f]{96}$"
kd=$(sed -n 's/^key digest: //p' "$OUT")
[ "$(stat -c %a "$T/new.pem")" = 600 ] && pass "keygen writes mode 0600" || fail "keygen writes mode 0600" "$(stat -c %a "$T/new.pem")"
head -1 "$T/new.pem" | grep -qx -- "-----BEGIN PRIVATE KEY-----" && pass "keygen writes PKCS#8" || fail "keygen writes PKCS#8"
openssl pkey -in "$T/new.pem" -noout -text 2>/dev/null | grep -q "NIST CURVE: P-384" && pass "openssl reads a P-384 key" || fail "openssl reads a P-384 key"
xy=$(openssl pkey -in "$T/new.pem" -pubout -outform DER 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
xy=${xy: -192}
printf '%s' "02000000$(revhex "${xy:0:96}")$(zeros 24)$(revhex "${xy:96:96}")$(zeros 24)$(zeros $((0x404 - 0x94)))" | unhex > "$T/newkey.bin"
if [ -s "$T/newkey.bin" ] && [ "$(openssl dgst -sha384 -r "$T/newkey.bin" | cut -d' ' -f1)" = "$kd" ]; then
        pass "key digest is SHA-384 of the SEV structure built from openssl's point"
else
        fail "key digest is SHA-384 of the SEV structure built from openssl's point"
fi
testcmd "keygen keeps an existing file" 1 "$SNPCTL" idblock keygen -o "$T/new.pem"
expect_err "keygen names the file in the way" "--force replaces it"
testcmd "keygen --force" 0 "$SNPCTL" idblock keygen -o "$T/new.pem" --force
kd=$(sed -n 's/^key digest: //p' "$OUT")
testcmd "keygen --pass encrypts" 0 env SNPCTL_TEST_PASS=kg-pass "$SNPCTL" idblock keygen \
        -o "$T/enc.pem" --pass env:SNPCTL_TEST_PASS
head -1 "$T/enc.pem" | grep -qx -- "-----BEGIN ENCRYPTED PRIVATE KEY-----" && pass "keygen --pass writes encrypted PKCS#8" || fail "keygen --pass writes encrypted PKCS#8"
openssl pkey -in "$T/enc.pem" -passin pass:kg-pass -noout 2>/dev/null && pass "openssl decrypts it" || fail "openssl decrypts it"
testcmd "the encrypted key signs with the pass phrase" 0 env SNPCTL_TEST_PASS=kg-pass "$SNPCTL" idblock \
        --measurement "$LD" --id-key-path "$T/enc.pem" --pass env:SNPCTL_TEST_PASS --out-dir "$N" --force
testcmd "keygen refuses an empty pass phrase" 1 env SNPCTL_TEST_PASS= "$SNPCTL" idblock keygen \
        -o "$T/empty-pass.pem" --pass env:SNPCTL_TEST_PASS
[ ! -e "$T/empty-pass.pem" ] && pass "no key written with an empty pass phrase" || fail "no key written with an empty pass phrase"
testcmd "a generated key signs" 0 gen --id-key-path "$T/new.pem" --out-dir "$N" --force
expect_line "its digest is the one keygen printed" "id key digest: $kd"

# ---- the compatibility name ----
IG=$(link idblock-generator)
testcmd "idblock-generator with --measurement" 0 "$IG" --measurement "$LD" --id-key-path "$K/id8.pem" \
        --auth-key-path "$K/author-sec1.pem" --out-dir "$N" --force
expect_line "idblock-generator prints the original lines" "auth key digest: $aud"
testcmd "idblock-generator verify" 0 "$IG" verify --id-block "$N/id-block.base64" --auth-block "$N/auth-block.base64"

# ---- known answers (vectors.json) ----
if [ -z "$TESTDATA" ] || [ ! -f "$TESTDATA/measure/vectors.json" ]; then
        check_sanitizers
        echo "skipped: no test data (looked for $TESTDATA/measure/vectors.json; set -Dtestdata=PATH)"
        [ "$checks_failed" -eq 0 ] && exit 77
        finish
fi
M=$TESTDATA/measure
# vector ID FIELD: a field of one case of vectors.json
vector() {
        python3 -c 'import json, sys
for c in json.load(open(sys.argv[1])):
    if c["id"] == sys.argv[2]:
        print(c[sys.argv[3]])' "$M/vectors.json" "$1" "$2"
}
kats=0
for id in ssm-id_block sev-id_block_and_key_digests; do
        ld=$(vector "$id" launch_digest)
        if [ -z "$ld" ]; then fail "vector $id is in vectors.json"; continue; fi
        mkdir -p "$T/kat-$id"
        testcmd "$id: sign" 0 "$SNPCTL" idblock --measurement "$ld" --id-key-path "$M/$(vector "$id" id_key)" \
                --auth-key-path "$M/$(vector "$id" author_key)" --out-dir "$T/kat-$id"
        expect_line "$id: ID block" "id block: $(vector "$id" expected_id_block)"
        expect_line "$id: ID key digest" "id key digest: $(vector "$id" expected_id_key_digest | b64hex)"
        expect_line "$id: author key digest" "auth key digest: $(vector "$id" expected_author_key_digest | b64hex)"
        [ "$(cat "$T/kat-$id/id-block.base64")" = "$(vector "$id" expected_id_block)" ] &&
                pass "$id: id-block.base64 is the expected ID block" || fail "$id: id-block.base64 is the expected ID block"
        testcmd "$id: the same with the digest in base64" 0 "$SNPCTL" idblock --measurement "$(printf '%s' "$ld" | unhex | base64 -w0)" \
                --id-key-path "$M/$(vector "$id" id_key)" --out-dir "$T/kat-$id" --force
        expect_line "$id: base64 digest gives the same ID block" "id block: $(vector "$id" expected_id_block)"
        testcmd "$id: our signatures verify" 0 "$SNPCTL" idblock verify --id-block "$T/kat-$id/id-block.base64" \
                --auth-block "$T/kat-$id/auth-block.base64" --measurement "$ld" --policy 0x30000
        kats=$((kats + 1))
done
# virtee/sev's fixed signatures sign the ID block of sev-id_block_and_key_digests and its ID key,
# so that block with the expected ID auth structure is a pair made outside snpctl.
vector sev-id_block_and_key_digests expected_id_block > "$T/virtee-block.base64"
vector sev-auth_block_generation expected_id_auth > "$T/virtee-auth.base64"
testcmd "virtee pair (expected id-block and id-auth) verifies" 0 "$SNPCTL" idblock verify \
        --id-block "$T/virtee-block.base64" --auth-block "$T/virtee-auth.base64" \
        --measurement "$(vector sev-id_block_and_key_digests launch_digest)" --policy 0x30000
expect_line "virtee pair: ID key digest" "id key digest: $(vector sev-id_block_and_key_digests expected_id_key_digest | b64hex)"
expect_line "virtee pair: author key digest" "author key digest: $(vector sev-id_block_and_key_digests expected_author_key_digest | b64hex)"
base64 -d "$T/virtee-auth.base64" > "$T/virtee-auth.bin"
for off in 64 600 2200; do
        cp "$T/virtee-auth.bin" "$T/f.bin"
        flip "$T/f.bin" $off
        testcmd "virtee pair with auth byte $off flipped is rejected" 3 "$SNPCTL" idblock verify \
                --id-block "$T/virtee-block.base64" --auth-block "$T/f.bin"
done
kats=$((kats + 1))

# ---- from a VM config: the digest comes from the measurement engine ----
# vectors ssm-snp_guest_feature_snp_only and ssm-snp_ovmf_hash_gen_feature_snp_only: AmdSev OVMF,
# empty kernel and initrd, 1 vCPU EPYC-v4, guest features 0x1, command line
# "console=ttyS0 loglevel=7" or "".
C=$T/cfg
mkdir -p "$C"
: > "$C/kernel"
: > "$C/initrd"
write_config() {
        cat > "$C/vm.json" <<EOF
{
  "host_cpu_family": "Genoa",
  "vcpu_count": 1,
  "vcpu_type": "EPYC-v4",
  "ovmf_file": "$M/ovmf_AmdSev_suffix.bin",
  "kernel_file": "kernel",
  "initrd_file": "initrd",
  "kernel_cmdline": "console=ttyS0 loglevel=7",
  "guest_features": "0x1",
  "guest_policy": "0xb0000",
  "family_id": "00112233445566778899aabbccddeeff",
  "image_id": "0f0e0d0c0b0a09080706050403020100",
  "guest_svn": 9$1
}
EOF
}
write_config ""
ld_cfg=$(vector ssm-snp_guest_feature_snp_only expected)
ld_empty=$(vector ssm-snp_ovmf_hash_gen_feature_snp_only expected)
testcmd "sign from a config (original interface)" 0 "$IG" --vm-definition "$C/vm.json" \
        --id-key-path "$K/id8.pem" --auth-key-path "$K/author-sec1.pem" --out-dir "$C"
base64 -d "$C/id-block.base64" > "$T/cfg-blk.bin"
want_blk="${ld_cfg}00112233445566778899aabbccddeeff0f0e0d0c0b0a0908070605040302010001000000090000000000""0b0000000000"
if [ "$(bytes "$T/cfg-blk.bin" 0 96)" = "$want_blk" ]; then
        pass "config: ID block carries the config's digest and fields"
else
        fail "config: ID block carries the config's digest and fields" "got  $(bytes "$T/cfg-blk.bin" 0 96)" "want $want_blk"
fi
testcmd "config: verify --config" 0 "$SNPCTL" idblock verify --id-block "$C/id-block.base64" \
        --auth-block "$C/auth-block.base64" --config "$C/vm.json"
testcmd "config: verify with the vector's digest" 0 "$SNPCTL" idblock verify --id-block "$C/id-block.base64" \
        --auth-block "$C/auth-block.base64" --measurement "$ld_cfg" --policy 0xb0000
testcmd "config: --override-kernel-cmdline" 0 "$SNPCTL" idblock --config "$C/vm.json" \
        --override-kernel-cmdline "" --id-key-path "$K/id8.pem" --out-dir "$C" --force
testcmd "config: the overridden command line gives the vector's digest" 0 "$SNPCTL" idblock verify \
        --id-block "$C/id-block.base64" --auth-block "$C/auth-block.base64" --measurement "$ld_empty"
testcmd "config: verify --config rejects the other command line" 3 "$SNPCTL" idblock verify \
        --id-block "$C/id-block.base64" --auth-block "$C/auth-block.base64" --config "$C/vm.json"
expect_err "config: the digest mismatch is named" "launch digest $ld_empty, expected $ld_cfg"
testcmd "config: options override the config's fields" 0 "$SNPCTL" idblock --config "$C/vm.json" \
        --guest-svn 10 --id-key-path "$K/id8.pem" --out-dir "$C" --force
testcmd "config: verify --config rejects another guest_svn" 3 "$SNPCTL" idblock verify \
        --id-block "$C/id-block.base64" --auth-block "$C/auth-block.base64" --config "$C/vm.json"
expect_err "config: the guest_svn mismatch is named" "guest_svn 10, config '$C/vm.json' says 9"
write_config ",
  \"id_key_digest\": \"$(zeros 48)\""
testcmd "config: another id_key_digest" 0 "$SNPCTL" idblock --config "$C/vm.json" \
        --id-key-path "$K/id8.pem" --out-dir "$C" --force
expect_err "config: warns about the id_key_digest" "differs from id_key_digest in '$C/vm.json'"
testcmd "config: verify --config rejects the key" 3 "$SNPCTL" idblock verify \
        --id-block "$C/id-block.base64" --auth-block "$C/auth-block.base64" --config "$C/vm.json"
echo '{ "host_cpu_family": "Genoa", "vcpu_count": 0 }' > "$C/bad.json"
testcmd "config: a bad config could not finish" 1 "$SNPCTL" idblock --config "$C/bad.json" \
        --id-key-path "$K/id8.pem" --out-dir "$C" --force
expect_err "config: the bad field is named" "bad.json: vcpu_count"
testcmd "config: a missing config could not finish" 1 "$SNPCTL" idblock --config "$C/nosuch.json" \
        --id-key-path "$K/id8.pem" --out-dir "$C" --force
expect_err "config: the missing config is named" "reading config '$C/nosuch.json': No such file"
check_sanitizers
echo "# known answers: $kats of 3 id-block/id-auth vectors checked through the command line"
finish
