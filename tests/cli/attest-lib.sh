# SPDX-License-Identifier: Apache-2.0
# Byte-level helpers for synthetic reports (sourced by test-report.sh and test-attest-verify.sh);
# shell and coreutils only, since starting an interpreter per mutation is slow on a loaded host.
# attest-synth.py makes the base reports.

# bset FILE OFFSET HEX: overwrite bytes at OFFSET (decimal or 0x) with HEX.
bset() {
        printf "$(echo "$3" | sed 's/../\\x&/g')" |
                dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}

# bflip FILE OFFSET BIT: flip one bit.
bflip() {
        local b
        b=$(od -An -tu1 -j $(($2)) -N1 "$1" | tr -d ' ')
        bset "$1" "$2" "$(printf '%02x' $((b ^ (1 << $3))))"
}

# bsize FILE SIZE: cut or zero-extend.
bsize() {
        truncate -s "$2" "$1"
}

# sign FILE KEY: ECDSA P-384/SHA-384 over bytes 0x000-0x29F with openssl, stored as the 72-byte
# little-endian r and s of the SNP ABI; the rest of the signature area is zeroed.
sign() {
        local r s
        head -c 672 "$1" >"$1.body"
        openssl dgst -sha384 -sign "$2" -out "$1.sig" "$1.body" || return 1
        openssl asn1parse -inform DER -in "$1.sig" | awk -F: '/INTEGER/ {print $NF}' >"$1.rs"
        r=$(sed -n 1p "$1.rs")
        s=$(sed -n 2p "$1.rs")
        le() {  # big-endian hex -> 72-byte little-endian hex
                local h=$1
                [ $((${#h} % 2)) = 1 ] && h=0$h
                h=$(echo "$h" | fold -w2 | tac | tr -d '\n')
                while [ ${#h} -lt 144 ]; do h=${h}00; done
                echo "$h"
        }
        dd if=/dev/zero of="$1" bs=1 seek=672 count=512 conv=notrunc status=none
        bset "$1" 0x2A0 "$(le "$r")"
        bset "$1" 0x2E8 "$(le "$s")"
        rm -f "$1.body" "$1.sig" "$1.rs"
}
