# SPDX-License-Identifier: Apache-2.0
# snpctl attest-server: option checks. The protocol itself is tested by test-handshake.sh
# (meson suite handshake).
. "$(dirname "$0")/lib.sh"

D=$(printf '5a%.0s' $(seq 48))     # an owner key digest
S() { "$SNPCTL" attest-server "$@"; }
testcmd "--help exits 0" 0 S --help
expect_out "--help documents --exec" '--exec'
testcmd "bad --provider is a usage error" 2 S --provider nosuch --exec true
expect_err "bad --provider is named" "bad --provider 'nosuch'"
testcmd "sim without a template is a usage error" 2 S --provider sim --exec true
testcmd "--sim-key without sim is a usage error" 2 S --sim-key k.pem --exec true
testcmd "bad --vmpl is a usage error" 2 S --vmpl 4 --exec true
testcmd "bad --timeout is a usage error" 2 S --timeout 0 --exec true
testcmd "stdout to a file is refused" 2 S --provider sim --sim-template t --sim-key k --owner-key-digest "$D"
expect_err "says stdout is not a pipe" 'stdout is not a pipe'
testcmd "no --owner-key-digest is a usage error" 2 S --exec true
expect_err "says the owner key is required" '--owner-key-digest is required'
testcmd "bad --owner-key-digest is a usage error" 2 S --exec true --owner-key-digest "${D}00"
expect_err "bad --owner-key-digest is named" "bad --owner-key-digest '${D}00'"
testcmd "--help exits 0" 0 S --help
expect_out "--help documents --owner-key-digest" "--owner-key-digest"
testcmd "bad --listen exits 2" 2 S --listen 127.0.0.1 --exec true --owner-key-digest "$D"
expect_err "bad --listen is named" "bad --listen '127.0.0.1'"
testcmd "bad --listen address exits 2" 2 S --listen 300.0.0.1:1 --exec true --owner-key-digest "$D"
finish
