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

# --- test chains with openssl (sourced by test-attest-verify.sh and test-handshake.sh) ----------
# The caller sets C (a folder for keys and certificates) and T (a scratch folder).
PSS="-sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 -sigopt rsa_mgf1_md:sha384"
q() { "$@" >/dev/null 2>"$T/openssl.err" || { cat "$T/openssl.err"; echo "openssl failed: $*"; exit 1; }; }
rsa() { q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$C/$1.key"; }
ec() { q openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${2:-P-384}" -out "$C/$1.key"; }
root() {        # root NAME KEY CN
        q openssl req -x509 -new -key "$C/$2.key" -subj "/CN=$3" $PSS -days 30 -out "$C/$1.pem"
}
# issue NAME KEY CN CA CAKEY [EXT-LINES]: a certificate for KEY signed by CA (RSA-PSS unless
# SIGOPTS is set in the environment), with these extension lines (one per line); serial number
# SERIAL (default 0).
issue() {
        local name=$1 key=$2 cn=$3 ca=$4 cakey=$5 ext=${6:-basicConstraints=CA:TRUE}
        printf '[v]\n%s\n' "$ext" >"$C/$name.cnf"
        q openssl req -new -key "$C/$key.key" -subj "/CN=$cn" -out "$C/$name.csr"
        q openssl x509 -req -in "$C/$name.csr" -CA "$C/$ca.pem" -CAkey "$C/$cakey.key" \
                -set_serial "${SERIAL:-0}" ${SIGOPTS:-$PSS} -extfile "$C/$name.cnf" -extensions v -days 30 \
                -out "$C/$name.pem"
}
# crl NAME CA CAKEY [SERIAL...]: a CRL by CA listing these serial numbers (even-length hex),
# $C/NAME.crl (DER) and $C/NAME.crl.pem; RSA-PSS SHA-384 unless CRLSIG is set; CRL_LAST and
# CRL_NEXT (YYYYMMDDHHMMSSZ) set thisUpdate and nextUpdate (default: now and 30 days on).
CRL_PSS="-md sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 -sigopt rsa_mgf1_md:sha384"
crl() {
        local name=$1 ca=$2 cakey=$3 d=$C/$1.ca s
        shift 3
        rm -rf "$d"; mkdir -p "$d"; : >"$d/index.txt"; echo 01 >"$d/crlnumber"
        for s in "$@"; do
                printf 'R\t301231000000Z\t250301000000Z\t%s\tunknown\t/CN=x\n' "$s" >>"$d/index.txt"
        done
        printf '[ca]\ndefault_ca = c\n[c]\ndatabase = %s\ncrlnumber = %s\n' \
                "$d/index.txt" "$d/crlnumber" >"$d/ca.cnf"
        q openssl ca -batch -config "$d/ca.cnf" -gencrl -keyfile "$C/$cakey.key" -cert "$C/$ca.pem" \
                ${CRLSIG:-$CRL_PSS} -crldays 30 ${CRL_LAST:+-crl_lastupdate "$CRL_LAST"} \
                ${CRL_NEXT:+-crl_nextupdate "$CRL_NEXT"} -out "$C/$name.crl.pem"
        q openssl crl -in "$C/$name.crl.pem" -outform DER -out "$C/$name.crl"
}
hexcolon() { echo "$1" | sed 's/../&:/g; s/:$//'; }
# spl PRODUCT BL TEE SNP UCODE [FMC]: the extension lines of a VCEK/VLEK.
spl() {
        echo "1.3.6.1.4.1.3704.1.1=ASN1:INTEGER:$([ -n "${6:-}" ] && echo 1 || echo 0)"
        echo "1.3.6.1.4.1.3704.1.2=ASN1:IA5STRING:$1"
        [ -n "$2" ] && echo "1.3.6.1.4.1.3704.1.3.1=ASN1:INTEGER:$2"
        [ -n "$3" ] && echo "1.3.6.1.4.1.3704.1.3.2=ASN1:INTEGER:$3"
        [ -n "$4" ] && echo "1.3.6.1.4.1.3704.1.3.3=ASN1:INTEGER:$4"
        [ -n "$5" ] && echo "1.3.6.1.4.1.3704.1.3.8=ASN1:INTEGER:$5"
        [ -n "${6:-}" ] && echo "1.3.6.1.4.1.3704.1.3.9=ASN1:INTEGER:$6"
        return 0
}
hwid() { echo "1.3.6.1.4.1.3704.1.4=DER:$(hexcolon "$1")"; }
CHIP_M=$(for i in $(seq 0 63); do printf '%02x' $(((0xa0 + i) & 255)); done)   # attest-synth.py's
# milan_chain: the Milan test chain ark-m (key arkm) -> ask-m (ask) -> vcek-m (chipa, hwID CHIP_M).
milan_chain() {
        rsa arkm; rsa ask; ec chipa
        root ark-m arkm ARK-Milan
        issue ask-m ask SEV-Milan ark-m arkm
        issue vcek-m chipa SEV-VCEK ask-m ask "$(spl Milan-B0 3 0 20 209; hwid "$CHIP_M")"
}

# fails NAME STATUS "check,check" ARGS...: attest-verify ARGS exits STATUS and exactly these
# checks fail (an empty list: none). Needs tests/cli/lib.sh (run, pass, fail).
fails() {
        local name=$1 want_status=$2 want got
        want=$(echo "$3" | tr ',' '\n' | sed '/^$/d' | sort | paste -sd, -)
        shift 3
        run "$SNPCTL" attest-verify "$@"
        got=$(grep -E '^  FAIL ' "$OUT" | awk '{print $2}' | sort | paste -sd, -)
        if [ "$STATUS" = "$want_status" ] && [ "$got" = "$want" ]; then
                pass "$name"
        else
                fail "$name" "exit $STATUS (want $want_status), failed: '$got' (want '$want')" \
                        "$(grep -E '^  FAIL|^VERIFIED|^REJECTED' "$OUT" | head -8)" "$(head -c 300 "$ERR")"
        fi
}

# --- host-supplied text that tries to forge output (escaping tests) -----------------------------
# A name with a newline that forges a PASS line and an ANSI colour escape; ESCAPED is how snpctl
# must show it (output_escape(): \xNN for bytes outside 0x20..0x7e and the backslash).
EVIL_CN=$(printf 'SEV-VCEK\nPASS  measurement\033[32m')
EVIL_CN_ESCAPED='SEV-VCEK\x0aPASS  measurement\x1b[32m'
EVIL_PRODUCT=$(printf 'Milan\nPASS  measurement\033[32m\\')
EVIL_PRODUCT_ESCAPED='Milan\x0aPASS  measurement\x1b[32m\x5c'
# ia5der TEXT: an extension line value holding TEXT as a DER IA5String (any bytes, one line).
ia5der() {
        local h
        h=$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n')
        echo "DER:16:$(printf '%02x' $((${#h} / 2))):$(hexcolon "$h")"
}
# evil_vcek NAME: a VCEK for chipa below ask-m (milan_chain) whose CN is EVIL_CN and whose
# productName is EVIL_PRODUCT.
evil_vcek() {
        issue "$1" chipa "$EVIL_CN" ask-m ask "$(spl Milan-B0 3 0 20 209 | sed '/3704\.1\.2=/d'
                echo "1.3.6.1.4.1.3704.1.2=$(ia5der "$EVIL_PRODUCT")"; hwid "$CHIP_M")"
}
# certtable OUT ARK ASK LEAF: a GHCB certificate table (as the host hands it to the guest) of
# three PEM certificates, the leaf a VCEK.
certtable() {
        local i=0 f
        for f in "$2" "$3" "$4"; do
                q openssl x509 -in "$f" -outform DER -out "$1.$i"
                i=$((i + 1))
        done
        python3 - "$1" <<'PY'
import sys
out = sys.argv[1]
guids = ["c0b406a4-a803-4952-9743-3fb6014cd0ae", "4ab7b379-bbac-4fe4-a02f-05aef327c782",
         "63da758d-e664-4564-adc5-f4b93be8accd"]
ders = [open(f"{out}.{i}", "rb").read() for i in range(3)]
off, table, blobs = 24 * 4, b"", b""
for g, der in zip(guids, ders):
    table += bytes.fromhex(g.replace("-", "")) + (off + len(blobs)).to_bytes(4, "little") + \
        len(der).to_bytes(4, "little")
    blobs += der
open(out, "wb").write(table + bytes(24) + blobs)
PY
        rm -f "$1.0" "$1.1" "$1.2"
}
