# SPDX-License-Identifier: Apache-2.0
# Inside an SEV-SNP guest only (meson suite hw): report get through each guest interface present
# gives a report that carries the requested REPORT_DATA. Skipped elsewhere.
. "$(dirname "$0")/lib.sh"

providers=()
[ -d /sys/kernel/config/tsm/report ] && providers+=(tsm)
[ -e /dev/sev-guest ] && providers+=(ioctl)
if [ ${#providers[@]} = 0 ]; then
        echo "skipped: not an SEV-SNP guest (no configfs-tsm, no /dev/sev-guest)"
        exit 77
fi
for p in "${providers[@]}"; do
        RD=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')
        testcmd "report get --provider $p" 0 "$SNPCTL" report get --provider "$p" --report-data "$RD" -o "$T/$p.bin"
        run "$SNPCTL" report show --json "$T/$p.bin"
        python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["report_data"] == sys.argv[2]' \
                "$OUT" "$RD" && pass "$p: the report carries REPORT_DATA" || fail "$p: the report carries REPORT_DATA"
done
finish
