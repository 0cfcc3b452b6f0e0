# SPDX-License-Identifier: Apache-2.0
. "$(dirname "$0")/lib.sh"
testcmd "--help" 0 "$SNPCTL" report --help
finish
