# SPDX-License-Identifier: Apache-2.0
# snpctl measure: every case of the shared vectors (measure-vectors.py), then the CLI contract.
. "$(dirname "$0")/lib.sh"

testcmd "measure --help exits 0" 0 "$SNPCTL" measure --help
if [ -n "$TESTDATA" ] && [ -f "$TESTDATA/measure/vectors.json" ]; then
        python3 "$(dirname "$0")/measure-vectors.py" >"$T/vectors.log" 2>&1
        st=$?
        grep -v '^ok' "$T/vectors.log"
        if [ $st -eq 0 ]; then pass "all shared measure vectors"; else fail "shared measure vectors"; fi
else
        echo "# shared vectors skipped: no test data"
fi
finish
