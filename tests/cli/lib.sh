# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the CLI tests (toybox's testcmd idea): run the built snpctl, compare its exit
# status, stdout and stderr with what is expected, count the checks, and exit non-zero on any
# failure. Sourced by tests/cli/test-*.sh; meson sets SNPCTL and SNPCTL_TESTDATA (tests/data, plus
# the firmware images of -Dtestdata: tests/testdata-tree.py).
set -u

: "${SNPCTL:?SNPCTL must name the built snpctl binary}"
TESTDATA=${SNPCTL_TESTDATA:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/snpctl-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
checks_passed=0
checks_failed=0
OUT=$T/stdout
ERR=$T/stderr

pass() { checks_passed=$((checks_passed + 1)); echo "ok - $1"; }
fail() {
        checks_failed=$((checks_failed + 1))
        echo "not ok - $1"
        [ $# -gt 1 ] && printf '    %s\n' "${@:2}"
        return 0
}

# run CMD...: runs a command, keeping its stdout in $OUT, stderr in $ERR and status in $STATUS.
run() {
        "$@" >"$OUT" 2>"$ERR" </dev/null
        STATUS=$?
}

# testcmd NAME STATUS CMD...: runs CMD and checks its exit status.
testcmd() {
        local name=$1 want=$2
        shift 2
        run "$@"
        if [ "$STATUS" = "$want" ]; then
                pass "$name"
        else
                fail "$name" "exit status $STATUS, expected $want" "stderr: $(head -c 600 "$ERR")"
        fi
}

# expect_stdout NAME TEXT: stdout is exactly TEXT (plus the final newline).
expect_stdout() {
        if [ "$(cat "$OUT")" = "$2" ]; then
                pass "$1"
        else
                fail "$1" "stdout: $(head -c 600 "$OUT")" "expected: $2"
        fi
}

# expect_out NAME PATTERN / expect_err NAME PATTERN: stdout/stderr matches the extended regex.
expect_out() {
        if grep -Eq -- "$2" "$OUT"; then pass "$1"; else fail "$1" "stdout lacks /$2/:" "$(head -c 600 "$OUT")"; fi
}
expect_err() {
        if grep -Eq -- "$2" "$ERR"; then pass "$1"; else fail "$1" "stderr lacks /$2/:" "$(head -c 600 "$ERR")"; fi
}
expect_no_out() {
        if [ ! -s "$OUT" ]; then pass "$1"; else fail "$1" "stdout should be empty:" "$(head -c 600 "$OUT")"; fi
}

# link NAME: a symlink called NAME to the binary, in the test's folder; prints its path.
link() {
        mkdir -p "$T/bin"
        ln -sf "$SNPCTL" "$T/bin/$1"
        echo "$T/bin/$1"
}

# need_testdata SUBDIR: skip the whole test (status 77) when the public vectors are absent.
need_testdata() {
        if [ -z "$TESTDATA" ] || [ ! -d "$TESTDATA/$1" ]; then
                echo "skipped: no test data (looked for $TESTDATA/$1; set -Dtestdata=PATH)"
                exit 77
        fi
}

# use_test_qemu: QEMU for the boot tests is $SNPCTL_TEST_QEMU (meson -Dtest_qemu; default the
# bookworm-backports QEMU 10 that scripts/install-deps unpacks) when it runs, put first in PATH
# as qemu-system-x86_64 (snpctl launch runs that name); else the system's. Prints which.
use_test_qemu() {
        local q=${SNPCTL_TEST_QEMU:-}
        if [ -n "$q" ] && [ -x "$q" ] && "$q" -version >/dev/null 2>&1; then
                mkdir -p "$T/qemu-bin"
                ln -sf "$q" "$T/qemu-bin/qemu-system-x86_64"
                PATH=$T/qemu-bin:$PATH
        elif [ -n "$q" ]; then
                echo "# no QEMU at $q (scripts/install-deps unpacks bookworm-backports' QEMU 10 there); using the system's"
        fi
        q=$(command -v qemu-system-x86_64) && echo "# QEMU: $q: $(qemu-system-x86_64 -version 2>/dev/null | head -n 1)"
        return 0
}

has_applet() {
        case " ${SNPCTL_APPLETS:-} " in *" $1 "*) return 0 ;; esac
        return 1
}

finish() {
        echo "# $checks_passed passed, $checks_failed failed"
        [ "$checks_failed" -eq 0 ] || exit 1
        [ "$checks_passed" -gt 0 ] || { echo "no checks ran"; exit 1; }
        exit 0
}
