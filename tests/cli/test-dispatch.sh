# SPDX-License-Identifier: Apache-2.0
# Dispatch: top-level --help/--version, unknown names, links named after applets and the
# documented compatibility names.
. "$(dirname "$0")/lib.sh"

testcmd "--help exits 0" 0 "$SNPCTL" --help
expect_out "--help shows usage" '^Usage: snpctl APPLET'
expect_out "--help documents exit status 3" '3 evidence examined and rejected'
for a in ${SNPCTL_APPLETS:-}; do
        expect_out "--help lists $a" "^  $a +[A-Z]"
done
listed=$(sed -n '/^Applets:/,/^$/p' "$OUT" | awk 'NF && !/^Applets:/ {print $1}' | xargs)
if [ "$listed" = "$(echo ${SNPCTL_APPLETS:-})" ]; then
        pass "--help lists exactly the built applets, sorted"
else
        fail "--help lists exactly the built applets" "listed: $listed" "built: ${SNPCTL_APPLETS:-}"
fi

testcmd "--version exits 0" 0 "$SNPCTL" --version
expect_out "--version prints the version" '^snpctl [0-9]+\.[0-9]+\.[0-9]+$'

testcmd "no arguments is a usage error" 2 "$SNPCTL"
expect_err "no arguments prints usage" '^Usage: snpctl'
expect_no_out "no arguments prints nothing on stdout"

testcmd "unknown applet exits 2" 2 "$SNPCTL" nosuch
expect_err "unknown applet is named" "^snpctl: unknown applet 'nosuch'"
expect_err "unknown applet lists the known ones" '^Applets:'
expect_no_out "unknown applet prints nothing on stdout"

testcmd "unknown top-level option exits 2" 2 "$SNPCTL" --bogus
expect_err "unknown option is named" "unknown option '--bogus'"

testcmd "no prefix matching of applet names" 2 "$SNPCTL" m
testcmd "snpctl-nosuch link exits 2" 2 "$(link snpctl-nosuch)"
expect_err "snpctl-nosuch names the applet" "unknown applet 'nosuch'"

# Each applet: reached by subcommand and by snpctl-<applet>, --help names it.
for a in ${SNPCTL_APPLETS:-}; do
        testcmd "snpctl $a --help exits 0" 0 "$SNPCTL" "$a" --help
        expect_out "snpctl $a --help names the applet" "^Usage: snpctl $a "
        testcmd "snpctl-$a --help exits 0" 0 "$(link "snpctl-$a")" --help
        expect_out "snpctl-$a --help names the applet" "^Usage: snpctl $a "
        testcmd "snpctl $a --bogus-option exits 2" 2 "$SNPCTL" "$a" --bogus-option
        expect_err "snpctl $a --bogus-option is named" "bogus-option"
        testcmd "snpctl $a --version exits 0" 0 "$SNPCTL" "$a" --version
        expect_out "snpctl $a --version prints the version" '^snpctl [0-9]'
done

# Compatibility names reach their applet, or say which applet is missing from this build.
while read -r name applet usage; do
        if has_applet "$applet"; then
                testcmd "$name --help exits 0" 0 "$(link "$name")" --help
                expect_out "$name reaches $applet" "$usage"
        else
                testcmd "$name without applet $applet exits 2" 2 "$(link "$name")" --help
                expect_err "$name names the missing applet" "needs applet '$applet'"
        fi
done <<'LIST'
config-generator config ^Usage: config-generator
idblock-generator idblock ^Usage: idblock-generator
launch-qemu.sh launch ^Usage: launch-qemu.sh
sev-snp-measure measure ^Usage: sev-snp-measure
LIST

# -h is --help everywhere: the top level, every applet, subcommand and compatibility name
# (sev-snp-measure and the original scripts take -h). No applet uses -h for anything else.
same_help() {   # same_help NAME CMD...: CMD -h prints exactly what CMD --help prints, exit 0
        local name=$1
        shift
        run "$@" --help
        cp "$OUT" "$T/help.long"
        testcmd "$name -h exits 0" 0 "$@" -h
        if [ -s "$OUT" ] && cmp -s "$OUT" "$T/help.long"; then
                pass "$name -h = --help"
        else
                fail "$name -h = --help" "$(head -c 300 "$OUT")"
        fi
}
same_help "snpctl" "$SNPCTL"
for a in ${SNPCTL_APPLETS:-}; do
        same_help "snpctl $a" "$SNPCTL" "$a"
done
has_applet idblock && same_help "idblock keygen" "$SNPCTL" idblock keygen
has_applet idblock && same_help "idblock verify" "$SNPCTL" idblock verify
has_applet disk && same_help "disk bind" "$SNPCTL" disk bind
has_applet disk && same_help "disk check" "$SNPCTL" disk check
for pair in config-generator:config idblock-generator:idblock launch-qemu.sh:launch \
            sev-snp-measure:measure; do
        has_applet "${pair#*:}" && same_help "${pair%%:*}" "$(link "${pair%%:*}")"
done
testcmd "-h with other options still helps" 0 "$SNPCTL" measure --vcpus 1 -h
expect_out "usage line" '^Usage: snpctl measure '
run "$SNPCTL" measure --help
expect_out "--help lists -h" '^  -h +Same as --help$'

finish
