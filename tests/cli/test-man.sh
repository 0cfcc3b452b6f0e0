# SPDX-License-Identifier: Apache-2.0
# Every applet has a man page with the required sections, and every --long-option its --help
# shows appears in that page.
. "$(dirname "$0")/lib.sh"

man=${SNPCTL_MAN_DIR:?}
check_page() {
        local page=$1
        if [ ! -f "$man/$page.1.scd" ]; then
                fail "$page.1.scd exists"
                return
        fi
        pass "$page.1.scd exists"
        if command -v scdoc >/dev/null; then
                if scdoc <"$man/$page.1.scd" >/dev/null 2>"$T/scdoc.err"; then
                        pass "$page.1.scd renders"
                else
                        fail "$page.1.scd renders" "$(cat "$T/scdoc.err")"
                fi
        fi
        for s in NAME SYNOPSIS OPTIONS "EXIT STATUS" EXAMPLES; do
                if grep -q "^# $s\$" "$man/$page.1.scd"; then pass "$page has $s"; else fail "$page has $s"; fi
        done
}

check_page snpctl
for a in ${SNPCTL_APPLETS:-}; do
        check_page "snpctl-$a"
        run "$SNPCTL" "$a" --help
        for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' "$OUT" | sort -u); do
                case $opt in --help|--usage|--version) continue ;; esac
                if grep -q -- "\*$opt" "$man/snpctl-$a.1.scd"; then
                        pass "snpctl-$a(1) documents $opt"
                else
                        fail "snpctl-$a(1) documents $opt"
                fi
        done
done
# What the page says the code writes: measure --dump-vmsa's file names (tests/cli/test-measure.sh
# checks the code writes exactly these).
if has_applet measure; then
        if grep -q '\*vmsa0\.bin\*' "$man/snpctl-measure.1.scd" && grep -q '\*vmsa1\.bin\*' "$man/snpctl-measure.1.scd"; then
                pass "snpctl-measure(1) names vmsa0.bin, vmsa1.bin"
        else
                fail "snpctl-measure(1) names vmsa0.bin, vmsa1.bin"
        fi
fi
finish
