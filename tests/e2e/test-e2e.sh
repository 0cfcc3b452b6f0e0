#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End to end, on one machine, without SNP hardware: Debian's kernel and the snpctl initramfs boot
# under QEMU's TCG with `snpctl launch --mode plain --accel tcg`, with a real Debian root file
# system (mmdebstrap, openssh-server, no merged /usr; cached, tests/e2e/rootfs.sh) and the
# command line of a VM config (`config show`'s measured cmdline).
# Encrypted: `snpctl disk encrypt --config` makes the LUKS2 root; the guest's agent (snpctl
# attest-server, sim provider, test chain made here) proves the guest to the owner (snpctl
# attest-verify --url on 127.0.0.1, through a QEMU hostfwd), receives the LUKS key, unlocks the
# disk, switches root, and the root's init prints a marker that exists only inside the encrypted
# disk. A second boot meets an owner expecting another measurement: the owner exits 3, the agent
# sees no secret request, the disk stays locked and no marker appears; then the host plays owner
# (issue 12's attack): it verifies the genuine report itself and sends a key signed with its own
# key: the agent refuses it (403), the disk stays locked (forgeries and replays are in the
# handshake suite); the same boot then unlocks for the right owner, showing the refusals were the
# measurement's and the owner key's doing. Four more boots: the host's disks and command lines
# the init refuses before any key is asked for. (The sim provider signs a fixed template, so here
# the owner digest on the command line is not in the reported measurement; on hardware it is, and
# tests/cli/test-config.sh shows the config's digest covers it.)
# Verity + SSH: `snpctl disk verity --config` appends the hash tree and puts the root hash on the
# command line; the init makes an SSH host key and leaves the host key agent running; the owner
# checks its fresh report (attest-verify --ssh-host-key-out), writes known_hosts and logs in with
# ssh -o StrictHostKeyChecking=yes; another guest's key beside the genuine report and a wrong
# known_hosts line are refused; a changed byte in the root's init stops the boot by name.
# Every wait is bounded; QEMU is killed on exit. Needs root (the root file system's owners and
# device nodes), QEMU, a Debian kernel package (tests/initramfs/lib.sh), openssl, python3
# (attest-synth.py), and for the Debian root mmdebstrap and Debian's archive once (else a busybox
# root, and no SSH flow), ssh and debugfs.
. "$(dirname "$0")/../initramfs/lib.sh"
# shellcheck source=../cli/attest-lib.sh
. "$(dirname "$0")/../cli/attest-lib.sh"
# shellcheck source=rootfs.sh
. "$(dirname "$0")/rootfs.sh"

if ldd "$SNPCTL" 2>/dev/null | grep -q 'libasan\|libubsan'; then
        skip "snpctl is a sanitizer build: the guest would carry libasan; the handshake suite runs the same code sanitized on loopback"
fi
[ "$(id -u)" = 0 ] || skip "needs root: the Debian root file system keeps its owners and device nodes (run the suite as root)"
use_test_qemu
command -v qemu-system-x86_64 >/dev/null || skip "QEMU is not installed (Debian: qemu-system-x86)"
cs=$(PATH=$PATH:/usr/sbin:/sbin command -v cryptsetup || true)
[ -n "$cs" ] || skip "cryptsetup is not installed (Debian: cryptsetup-bin)"
mkfs=$(PATH=$PATH:/usr/sbin:/sbin command -v mke2fs || true)
[ -n "$mkfs" ] || skip "mke2fs is not installed (e2fsprogs)"
for tool in cpio gzip dpkg modinfo depmod xz timeout openssl python3; do
        command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps)"
done
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || skip "no static /bin/busybox (busybox-static)"
deb=$(kernel_deb)
tree=$(unpack_deb "$deb") || skip "cannot unpack $deb"
vmlinuz=$(ls "$tree"/boot/vmlinuz-* | head -n1)
[ -r "$vmlinuz" ] || skip "no readable vmlinuz in $deb"
echo "# kernel: $vmlinuz"
BOOT_TIMEOUT=${SNPCTL_BOOT_TIMEOUT:-300}   # seconds per boot, start to unlock (or to giving up)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
SYN="$(dirname "$0")/../cli/attest-synth.py"

qpid=
cleanup() {
        # timeout(1) passes the TERM on to QEMU (snpctl launch execs it).
        [ -z "$qpid" ] || { kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; }
        rm -rf "$T"
}
trap cleanup EXIT

# --- the root: a real Debian root file system, whose init prints the marker ---------------------
# Built with mmdebstrap from Debian's packages and cached (tests/e2e/rootfs.sh); without it (no
# mmdebstrap, no archive) a busybox root stands in and the SSH flow is skipped, which is said.
marker=e2e-marker-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat >"$T/rootfs-init" <<'ROOTINIT'
#!/bin/sh
# /sbin/init of the e2e root: says where it runs; with an SSH host key (boot=verity made one)
# it serves SSH, else it powers the guest off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "rootfs-init: running from the root disk, marker $(cat /etc/e2e-marker)"
echo "rootfs-init: root is $(awk '$2 == "/" { print $1 }' /proc/mounts | tail -n 1)"
if [ -f /etc/ssh/ssh_host_ed25519_key ] && [ -x /usr/sbin/sshd ]; then
        mkdir -p /run/sshd
        echo "rootfs-init: starting sshd"
        /usr/sbin/sshd -D -e &
        while :; do wait; sleep 1; done
fi
echo o >/proc/sysrq-trigger
sleep 30
ROOTINIT
ROOT_TAR=$(debian_rootfs_tar 2>"$T/rootfs.err")
if [ -n "$ROOT_TAR" ]; then
        rootfs_unpack "$ROOT_TAR" "$T/rootfs" || fail "unpacking $ROOT_TAR"
        pass "a Debian root file system (mmdebstrap, cached in $(dirname "$ROOT_TAR"))"
        [ -d "$T/rootfs/bin" ] && [ ! -L "$T/rootfs/bin" ] && pass "the root has no merged /usr (/bin is a folder)" ||
                fail "the root has no merged /usr"
else
        echo "# no Debian root file system ($(tail -n 1 "$T/rootfs.err")): a busybox root instead; the SSH flow is skipped"
        mkdir -p "$T/rootfs"/{bin,sbin,dev,proc,sys,run,tmp,etc}
        cp /bin/busybox "$T/rootfs/bin/busybox"
        for a in sh cat awk tail mkdir sleep; do ln -s busybox "$T/rootfs/bin/$a"; done
fi
# No SSH host key in an image: openssh-server's postinst made some; the verity guest makes its own.
rm -f "$T/rootfs"/etc/ssh/ssh_host_*
printf '%s\n' "$marker" >"$T/rootfs/etc/e2e-marker"
install -m 0755 "$T/rootfs-init" "$T/rootfs/sbin/init"
rootfs_mkfs "$T/rootfs" "$T/root.img" >"$T/mkfs.log" 2>&1 || skip "mke2fs -d failed: $(cat "$T/mkfs.log")"
echo "# root image: $(( $(stat -c %s "$T/root.img") / 1048576 )) MiB"

# --- test chain and sim template ---------------------------------------------------------------
C=$T/chains
mkdir -p "$C"
milan_chain
python3 "$SYN" new "$T/template.bin" milan 3 || fail "attest-synth.py new"
MEAS=$(od -An -v -tx1 -j $((0x90)) -N 48 "$T/template.bin" | tr -d ' \n')   # the template's measurement
WRONG=$(printf '23%.0s' $(seq 48))
[ "$MEAS" != "$WRONG" ] || fail "wrong measurement differs from the template's"
CHAIN=(--ark "$C/ark-m.pem" --ask "$C/ask-m.pem" --vcek "$C/vcek-m.pem" --trust-ark "$C/ark-m.pem"
       --min-tcb bl=3,tee=0,snp=20,ucode=209)   # the template's TCB: --url needs a floor

# --- the initramfs, with the sim provider's template and key ------------------------------------
# The small initramfs: Debian's dynamic busybox (the busybox package, unpacked, not installed:
# it conflicts with busybox-static) and xz; the default static busybox when it cannot be had.
SMALL=(--compress xz)
bbdeb=$(fetch_pkg busybox)
if [ -n "$bbdeb" ] && bbdir=$(unpack_deb "$bbdeb") && [ -x "$bbdir/bin/busybox" ]; then
        SMALL+=(--busybox "$bbdir/bin/busybox")
else
        echo "# no busybox package: the initramfs packs the static busybox"
fi
testcmd "build the initramfs with the sim provider files" 0 "$BUILDER" --snpctl "$GUEST" "${SMALL[@]}" \
        --kernel-deb "$deb" -o "$T/initramfs.img" \
        --add-file "$T/template.bin:/etc/snpctl/sim-template.bin" \
        --add-file "$C/chipa.key:/etc/snpctl/sim-key.pem"
grep ' bytes ' "$OUT" | sed 's/^/# initramfs: /'
[ -f "$T/initramfs.img" ] || finish
xz -dc "$T/initramfs.img" | cpio --quiet -t | sed 's|^\./||' | grep -qx 'etc/snpctl/sim-template.bin' &&
        pass "initramfs holds the sim template" || fail "initramfs holds the sim template"

# --- the LUKS2 disk: snpctl disk encrypt, the binding into the config -----------------------------
# The owner key: its digest goes into the config (owner_key_digest), so onto the command line.
"$SNPCTL" idblock keygen -o "$T/owner.pem" >"$T/owner.out" 2>&1 || fail "idblock keygen (owner)" "$(cat "$T/owner.out")"
OWNER_DIGEST=$(sed -n 's/^key digest: //p' "$T/owner.out")
"$SNPCTL" idblock keygen -o "$T/host.pem" >/dev/null 2>&1 || fail "idblock keygen (host)"
[ ${#OWNER_DIGEST} = 96 ] && pass "owner key made; its digest goes on the measured command line" ||
        fail "owner key made; its digest goes on the measured command line" "$(cat "$T/owner.out")"
"$SNPCTL" config init -o "$T/vm-enc.json" >/dev/null 2>&1 || fail "config init"
# config_set FILE KEY=JSON...: sets fields of a config (the e2e fills what config init leaves).
config_set() {
        python3 - "$@" <<'PY'
import json, sys
path = sys.argv[1]
c = json.load(open(path))
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    c[json.loads(k)] = json.loads(v)
json.dump(c, open(path, "w"), indent=2)
PY
}
# measured_cmdline FILE: the command line the config measures (kernel_cmdline, then snpctl.owner=
# and snpctl.luks= when set), as config show prints it.
measured_cmdline() {
        local show
        show=$("$SNPCTL" config show --no-file-checks "$1" 2>/dev/null)
        echo "$show" | sed -n 's/^measured cmdline *"\(.*\)"$/\1/p' | grep . ||
                echo "$show" | sed -n 's/^kernel_cmdline *"\(.*\)"$/\1/p'
}
# The AmdSev OVMF's footer stands for the firmware (the config wants one that can measure a
# kernel); the plain TCG boot below uses none.
OVMF_STANDIN=$SNPCTL_SOURCE_ROOT/tests/data/measure/ovmf_AmdSev_suffix.bin
config_set "$T/vm-enc.json" '"host_cpu_family"="Milan"' "\"ovmf_file\"=\"$OVMF_STANDIN\"" \
        "\"owner_key_digest\"=\"$OWNER_DIGEST\"" "\"kernel_file\"=\"$vmlinuz\"" \
        "\"initrd_file\"=\"$T/initramfs.img\"" '"disks"=[]' '"forwards"=[]' \
        '"min_committed_tcb"={"bootloader": 3, "tee": 0, "snp": 20, "microcode": 209}' \
        '"kernel_cmdline"="console=ttyS0 panic=-1 boot=encrypted root=/dev/sda rootfstype=ext4 rootdelay=20 ip=dhcp snpctl.listen=0.0.0.0:7700 snpctl.provider=sim snpctl.sim_template=/etc/snpctl/sim-template.bin snpctl.sim_key=/etc/snpctl/sim-key.pem"' ||
        fail "config_set vm-enc.json"
t0=$(date +%s.%N)
run "$SNPCTL" disk encrypt --key-file "$T/disk.key" --config "$T/vm-enc.json" "$T/root.img" "$T/disk.img"
ENC_BINDING=$(cat "$OUT")
[ "$STATUS" = 0 ] && pass "owner encrypts the root: snpctl disk encrypt ($(elapsed "$t0") s for $(( $(stat -c %s "$T/root.img") / 1048576 )) MiB)" ||
        skip "snpctl disk encrypt failed: $(cat "$ERR")"
[ "$(stat -c %a "$T/disk.key")" = 600 ] && [ "$(stat -c %s "$T/disk.key")" = 64 ] && pass "key file: 64 bytes, mode 0600" ||
        fail "key file: 64 bytes, mode 0600" "$(stat -c '%a %s' "$T/disk.key")"
"$cs" isLuks "$T/disk.img" && pass "test disk is LUKS" || fail "test disk is LUKS"
# The owner binds the disk; the binding goes on the measured command line (snpctl.luks=).
run "$SNPCTL" disk bind "$T/disk.img"
BINDING=$(cat "$OUT")
[ "$STATUS" = 0 ] && [ -n "$BINDING" ] && pass "owner binds the disk: $BINDING" ||
        fail "owner binds the disk (snpctl disk bind)" "exit $STATUS" "$(cat "$ERR")"
[ "$BINDING" = "$ENC_BINDING" ] && pass "disk encrypt printed the binding disk bind computes" ||
        fail "disk encrypt printed the binding disk bind computes" "$ENC_BINDING"
grep -q "\"luks_binding\": \"$BINDING\"" "$T/vm-enc.json" && pass "disk encrypt --config wrote luks_binding" ||
        fail "disk encrypt --config wrote luks_binding" "$(grep luks "$T/vm-enc.json")"
DISK_UUID=${BINDING%%:*}
grep -aq "$marker" "$T/disk.img" && fail "marker not readable in the encrypted image" ||
        pass "marker not readable in the encrypted image"
cp "$T/disk.img" "$T/disk.pristine"

# --- the host's disks ----------------------------------------------------------------------------
# (a) a LUKS2 volume the host made itself, with a key it knows: a good header, the wrong volume.
truncate -s 48M "$T/host.img"
head -c 64 /dev/urandom >"$T/host.key"
"$cs" luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
        --key-file "$T/host.key" "$T/host.img" >"$T/luks.log" 2>&1 || fail "luksFormat the host's disk" "$(cat "$T/luks.log")"
HOST_UUID=$("$cs" luksUUID "$T/host.img")
# (b) the owner's disk with its segment switched to cipher_null (opens with any key, data in
# clear), and (c) with its keyslot switched to cipher_null (keyslots are not bound: the binding
# still matches, the policy alone refuses), edited as a host would (tests/cli/luks-edit.py).
EDIT="$(dirname "$0")/../cli/luks-edit.py"
cp "$T/disk.pristine" "$T/null-seg.img"
python3 "$EDIT" "$T/null-seg.img" 'segments.0.encryption="cipher_null-ecb"' || fail "luks-edit.py null-seg"
cp "$T/disk.pristine" "$T/null-ks.img"
python3 "$EDIT" "$T/null-ks.img" 'keyslots.0.area.encryption="cipher_null-ecb"' || fail "luks-edit.py null-ks"
run "$SNPCTL" disk bind "$T/host.img"
[ "$STATUS" = 0 ] && [ "$(cat "$OUT")" != "$BINDING" ] && pass "the host's disk passes the policy, with another binding" ||
        fail "the host's disk passes the policy, with another binding" "exit $STATUS" "$(cat "$OUT" "$ERR")"


free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# The command line is the config's measured one: kernel_cmdline, snpctl.owner=, snpctl.luks=.
config_set "$T/vm-enc.json" "\"owner_key_digest\"=\"$OWNER_DIGEST\"" || fail "config_set owner_key_digest"
APPEND=$(measured_cmdline "$T/vm-enc.json")
case $APPEND in
*" snpctl.owner=$OWNER_DIGEST snpctl.luks=$BINDING") pass "the guest boots the config's measured command line" ;;
*) fail "the guest boots the config's measured command line" "$APPEND" ;;
esac

# start_guest NAME [DISK]: boots a copy of DISK (default: the owner's pristine disk) in the
# background with the console in $T/NAME.log; sets qpid, PORT (the host end of the agent's port)
# and START (epoch seconds).
start_guest() {
        local name=$1
        cp "${2:-$T/disk.pristine}" "$T/disk.img"
        PORT=$(free_port)
        START=$(date +%s.%N)
        timeout -k 10 "$BOOT_TIMEOUT" "$SNPCTL" launch --mode plain --accel tcg --memory 512 \
                --kernel "$vmlinuz" --initrd "$T/initramfs.img" --append "$APPEND" \
                --disk "$T/disk.img" --forward "127.0.0.1:$PORT:7700" \
                >"$T/$name.log" 2>&1 </dev/null &
        qpid=$!
}
# console_has NAME PATTERN: the console of boot NAME (without CRs) has a line matching PATTERN.
console_has() { tr -d '\r' <"$T/$1.log" | grep -Eq -- "$2"; }
# wait_console NAME PATTERN SECONDS: waits until the console shows PATTERN; 1 when the time is
# up or QEMU ended first.
wait_console() {
        local i
        for i in $(seq $(($3 * 5))); do
                console_has "$1" "$2" && return 0
                kill -0 "$qpid" 2>/dev/null || { console_has "$1" "$2"; return; }
                sleep 0.2
        done
        return 1
}
stop_guest() {
        [ -z "$qpid" ] || { kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; }
        qpid=
}
last_lines() { tr -d '\r' <"$T/$1.log" | grep -v '^\[' | tail -n "${2:-10}"; }
owner() {
        run timeout 120 "$SNPCTL" attest-verify --url "http://127.0.0.1:$PORT" \
                --secret-file "$T/disk.key" --owner-key "$T/owner.pem" "${CHAIN[@]}" "$@"
}
# The host as owner: it can verify the guest's genuine report as well as anyone, and it has a key
# of its own (host.key, a passphrase it wants the guest to take), just not the owner's.
host_owner() {
        head -c 32 /dev/urandom >"$T/host.key"
        run timeout 120 "$SNPCTL" attest-verify --url "http://127.0.0.1:$PORT" \
                --secret-file "$T/host.key" --owner-key "$T/host.pem" "${CHAIN[@]}" "$@"
}
AGENT_UP='listening on 0\.0\.0\.0:7700'

# --- boot 1: the right owner unlocks the disk ------------------------------------------------
start_guest good
if wait_console good "$AGENT_UP" "$BOOT_TIMEOUT"; then
        pass "good: the agent listens in the guest ($(elapsed "$START") s after launch)"
        owner --measurement "$MEAS"
        [ "$STATUS" = 0 ] && pass "good: owner verifies and delivers (exit 0)" ||
                fail "good: owner verifies and delivers (exit 0)" "exit $STATUS" "$(head -c 800 "$ERR")"
        expect_out "good: owner says DELIVERED" "^DELIVERED secret to http://127\\.0\\.0\\.1:$PORT"
        if [ "$STATUS" = 0 ] && wait_console good "^rootfs-init: running from the root disk" 120; then
                unlock_wall=$(elapsed "$START")
                wait "$qpid" 2>/dev/null
                qstatus=$?
                qpid=
                [ "$qstatus" != 124 ] && [ "$qstatus" != 137 ] && pass "good: the guest powered off by itself" ||
                        fail "good: the guest powered off by itself" "timeout(1) status $qstatus"
        fi
        stop_guest
else
        fail "good: the agent listens in the guest" "no '$AGENT_UP' on the console; last lines:" "$(last_lines good)"
        stop_guest
fi
console_has good "^snpctl-init: header of /dev/sda is the bound volume $DISK_UUID \\(aes-xts-plain64, 512-bit key, 1 keyslot\\)" &&
        pass "good: the init checked the disk against the binding first" ||
        fail "good: the init checked the disk against the binding first" "$(last_lines good)"
console_has good "^snpctl-init: network: eth0 10\\.0\\.2\\.15/24" && pass "good: network up by DHCP" ||
        fail "good: network up by DHCP"
console_has good "attestation request from 10\\.0\\.2\\.2: report sent \\(provider sim" &&
        pass "good: the agent answered with a sim report" || fail "good: the agent answered with a sim report"
console_has good "secret from 10\\.0\\.2\\.2 delivered" && pass "good: the agent received the secret" ||
        fail "good: the agent received the secret" "$(last_lines good)"
console_has good "^snpctl-init: unlocked /dev/sda as /dev/mapper/root after [0-9.]+ s" &&
        pass "good: the disk is unlocked" || fail "good: the disk is unlocked" "$(last_lines good)"
console_has good "^rootfs-init: running from the root disk, marker $marker\$" &&
        pass "good: switched root; the disk's marker is printed" || fail "good: switched root; the disk's marker is printed" "$(last_lines good)"
console_has good "^rootfs-init: root is /dev/mapper/root" && pass "good: root is the LUKS mapping" ||
        fail "good: root is the LUKS mapping" "$(last_lines good)"
console_has good "FAILED" && fail "good: no failure on the console" "$(tr -d '\r' <"$T/good.log" | grep FAILED)" ||
        pass "good: no failure on the console"
t_unlock=$(tr -d '\r' <"$T/good.log" | sed -n 's/^snpctl-init: unlocked .* after \([0-9.]*\) s$/\1/p')
echo "# boot-to-unlock under TCG: ${t_unlock:-?} s after kernel start (guest uptime);" \
        "${unlock_wall:-?} s wall clock from launch to the marker, owner included"

# --- boot 2: an owner expecting another measurement gets nothing through ------------------------
start_guest wrong
if wait_console wrong "$AGENT_UP" "$BOOT_TIMEOUT"; then
        pass "wrong: the agent listens in the guest"
        owner --measurement "$WRONG"
        [ "$STATUS" = 3 ] && pass "wrong measurement: owner exits 3" ||
                fail "wrong measurement: owner exits 3" "exit $STATUS" "$(head -c 800 "$ERR")"
        expect_out "wrong measurement: the measurement check failed" 'FAIL +measurement'
        grep -q '^DELIVERED' "$OUT" && fail "wrong measurement: nothing delivered" || pass "wrong measurement: nothing delivered"
        # The agent answered the attestation; give a delivery that should not happen time to show.
        wait_console wrong "attestation request from 10\\.0\\.2\\.2: report sent" 30 &&
                pass "wrong: the agent answered the attestation" || fail "wrong: the agent answered the attestation"
        sleep 10
        kill -0 "$qpid" 2>/dev/null && pass "wrong: the guest still waits for an owner" ||
                fail "wrong: the guest still waits for an owner" "$(last_lines wrong)"
        console_has wrong "secret from|/snpctl/v1/secret" && fail "wrong: the guest saw no secret request" "$(last_lines wrong)" ||
                pass "wrong: the guest saw no secret request"
        console_has wrong "unlocked|rootfs-init|$marker" && fail "wrong: the disk stays locked, no marker" "$(last_lines wrong)" ||
                pass "wrong: the disk stays locked, no marker"
        # The host plays owner: its report checks pass (it is the genuine guest), but its key is
        # not the one the guest was measured with.
        host_owner --measurement "$MEAS"
        [ "$STATUS" = 1 ] && grep -q 'refused the secret (HTTP 403): not signed by the owner key' "$ERR" &&
                pass "host as owner, own key: the agent refuses the secret (403)" ||
                fail "host as owner, own key: the agent refuses the secret (403)" "exit $STATUS" "$(head -c 800 "$ERR")"
        wait_console wrong "refused \(403\): not signed by the owner key this guest was launched with" 30 &&
                pass "host as owner: the guest logs the refusal" || fail "host as owner: the guest logs the refusal" "$(last_lines wrong)"
        console_has wrong "secret from .* delivered|unlocked|rootfs-init" &&
                fail "host as owner: nothing delivered, the disk stays locked" "$(last_lines wrong)" ||
                pass "host as owner: nothing delivered, the disk stays locked"
        # The same guest, still waiting, unlocks for the right owner: the refusals above came
        # from the measurement and the owner key, not from a broken guest.
        owner --measurement "$MEAS"
        [ "$STATUS" = 0 ] && pass "wrong, then right owner: delivered" ||
                fail "wrong, then right owner: delivered" "exit $STATUS" "$(head -c 800 "$ERR")"
        [ "$STATUS" = 0 ] && wait_console wrong "^rootfs-init: running from the root disk, marker $marker" 120 &&
                pass "wrong, then right owner: the disk unlocks" || fail "wrong, then right owner: the disk unlocks" "$(last_lines wrong)"
else
        fail "wrong: the agent listens in the guest" "no '$AGENT_UP' on the console; last lines:" "$(last_lines wrong)"
fi
stop_guest

# --- boots 3-6: the host attaches another disk; the init refuses it before the agent starts -----
# refused_boot NAME DISK REASON: the init fails with REASON (an ERE, after "FAILED: ") before the
# network and the agent, no key is requested, and the guest powers off by itself.
refused_boot() {
        local name=$1 qstatus t_refused=
        start_guest "$name" "$2"
        if wait_console "$name" "^snpctl-init: FAILED: " "$BOOT_TIMEOUT"; then
                t_refused=$(elapsed "$START")
                pass "$name: the init refuses the disk ($t_refused s after launch)"
        else
                fail "$name: the init refuses the disk" "no FAILED line; last lines:" "$(last_lines "$name")"
        fi
        console_has "$name" "^snpctl-init: FAILED: $3" &&
                pass "$name: the reason is named" || fail "$name: the reason is named" "$(last_lines "$name")"
        # Bounded: poweroff -f follows the FAILED line at once.
        for _ in $(seq 300); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$qpid" 2>/dev/null; then
                fail "$name: the guest powers off" "still running 60 s after the refusal"
        else
                wait "$qpid" 2>/dev/null
                qstatus=$?
                [ "$qstatus" != 124 ] && [ "$qstatus" != 137 ] && pass "$name: the guest powers off by itself" ||
                        fail "$name: the guest powers off by itself" "timeout(1) status $qstatus"
        fi
        qpid=
        stop_guest
        console_has "$name" "$AGENT_UP|waiting for the owner|snpctl-init: network:" &&
                fail "$name: no network, no agent, no key requested" "$(last_lines "$name")" ||
                pass "$name: no network, no agent, no key requested"
        console_has "$name" "unlocked|rootfs-init|$marker" && fail "$name: nothing unlocked" "$(last_lines "$name")" ||
                pass "$name: nothing unlocked"
        echo "# $name: refused ${t_refused:-?} s after launch (wall clock; the guest uptime is on the console)"
}
REFUSED='disk refused, no key will be requested: '
refused_boot host-disk "$T/host.img" \
        "${REFUSED}header of /dev/sda is not the bound volume: UUID $HOST_UUID is not $DISK_UUID\$"
refused_boot null-segment "$T/null-seg.img" \
        "${REFUSED}header of /dev/sda refused: segment 0 uses cipher_null-ecb with a 512-bit key, not in the allow-list"
refused_boot null-keyslot "$T/null-ks.img" \
        "${REFUSED}header of /dev/sda refused: keyslot 0 uses cipher_null-ecb with a 512-bit key, not in the allow-list"
# The owner's own disk, but a command line without snpctl.luks=: the init fails closed.
APPEND_BOUND=$APPEND
APPEND=${APPEND/ snpctl.luks=$BINDING/}
[ "$APPEND" != "$APPEND_BOUND" ] && pass "a command line without snpctl.luks=" || fail "a command line without snpctl.luks="
refused_boot no-binding "$T/disk.pristine" \
        "boot=encrypted needs snpctl\\.luks=UUID:HEX on the kernel command line \\(snpctl disk bind\\)\$"
# Nor without snpctl.owner=: no agent without the key that may talk to it.
APPEND=${APPEND_BOUND/ snpctl.owner=$OWNER_DIGEST/}
[ "$APPEND" != "$APPEND_BOUND" ] && pass "a command line without snpctl.owner=" || fail "a command line without snpctl.owner="
refused_boot no-owner "$T/disk.pristine" \
        "boot=encrypted needs snpctl\\.owner=HEX, the owner key digest, on the kernel command line"
APPEND=$APPEND_BOUND

# --- boot=verity + SSH: a verity root, the host key proven by a report, ssh with known_hosts --------
if [ -z "$ROOT_TAR" ]; then
        echo "# skipped: boot=verity + SSH needs the Debian root (openssh-server); see above"
        finish
fi
for tool in ssh ssh-keygen debugfs; do
        command -v "$tool" >/dev/null || PATH=$PATH:/sbin:/usr/sbin command -v "$tool" >/dev/null ||
                { echo "# skipped: boot=verity + SSH needs $tool (scripts/install-deps)"; finish; }
done
# The owner's SSH login key, in the root's authorized_keys; another guest's host key.
ssh-keygen -q -t ed25519 -N '' -C owner -f "$T/owner_ssh" || fail "ssh-keygen (owner)"
ssh-keygen -q -t ed25519 -N '' -C other-guest -f "$T/other_host" || fail "ssh-keygen (other guest)"
install -d -m 0700 "$T/rootfs/root/.ssh"
install -m 0600 "$T/owner_ssh.pub" "$T/rootfs/root/.ssh/authorized_keys"
rootfs_mkfs "$T/rootfs" "$T/verity.img" >"$T/mkfs.log" 2>&1 || fail "mke2fs (verity root)" "$(cat "$T/mkfs.log")"
# Where the root's init sits, to tamper with it later (before the hash tree is appended).
INIT_BLOCK=$(PATH=$PATH:/sbin:/usr/sbin debugfs -R "bmap /sbin/init 0" "$T/verity.img" 2>/dev/null | tail -n 1)
"$SNPCTL" config init -o "$T/vm-ver.json" >/dev/null 2>&1 || fail "config init (verity)"
config_set "$T/vm-ver.json" '"host_cpu_family"="Milan"' "\"ovmf_file\"=\"$OVMF_STANDIN\"" "\"kernel_file\"=\"$vmlinuz\"" \
        "\"initrd_file\"=\"$T/initramfs.img\"" '"disks"=[]' '"forwards"=[]' \
        '"min_committed_tcb"={"bootloader": 3, "tee": 0, "snp": 20, "microcode": 209}' \
        '"kernel_cmdline"="console=ttyS0 panic=-1 rootfstype=ext4 rootdelay=20 ip=dhcp snpctl.listen=0.0.0.0:7700 snpctl.provider=sim snpctl.sim_template=/etc/snpctl/sim-template.bin snpctl.sim_key=/etc/snpctl/sim-key.pem"' ||
        fail "config_set vm-ver.json"
t0=$(date +%s.%N)
run "$SNPCTL" disk verity --config "$T/vm-ver.json" "$T/verity.img"
[ "$STATUS" = 0 ] && pass "owner formats the verity root: snpctl disk verity --config ($(elapsed "$t0") s)" ||
        fail "snpctl disk verity --config" "exit $STATUS" "$(cat "$ERR")"
APPEND_V=$(measured_cmdline "$T/vm-ver.json")
ROOTHASH=$(echo "$APPEND_V" | grep -o 'roothash=[0-9a-f]*' | cut -d= -f2)
case $APPEND_V in
*"boot=verity root=/dev/sda roothash=$ROOTHASH snpctl.verity_hashoffset="*)
        [ ${#ROOTHASH} = 64 ] && pass "the config's measured command line names the verity root ($ROOTHASH)" ||
                fail "root hash on the command line" "$APPEND_V" ;;
*) fail "the config's measured command line names the verity root" "$APPEND_V" ;;
esac
SSH=(ssh -F /dev/null -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null -o BatchMode=yes
     -o IdentitiesOnly=yes -o ConnectTimeout=60 -i "$T/owner_ssh")

# start_verity NAME DISK: boots DISK with the verity command line; PORT (agent), SSH_PORT, START.
start_verity() {
        PORT=$(free_port)
        SSH_PORT=$(free_port)
        START=$(date +%s.%N)
        timeout -k 10 "$BOOT_TIMEOUT" "$SNPCTL" launch --mode plain --accel tcg --memory 512 \
                --kernel "$vmlinuz" --initrd "$T/initramfs.img" --append "$APPEND_V" \
                --disk "$2" --forward "127.0.0.1:$PORT:7700" --forward "127.0.0.1:$SSH_PORT:22" \
                >"$T/$1.log" 2>&1 </dev/null &
        qpid=$!
}
start_verity verity "$T/verity.img"
if wait_console verity "Server listening on 0\.0\.0\.0 port 22" "$BOOT_TIMEOUT"; then
        pass "verity: the Debian root serves SSH ($(elapsed "$START") s after launch)"
        console_has verity "^snpctl-init: SSH host key agent running" && pass "verity: the host key agent runs" ||
                fail "verity: the host key agent runs" "$(last_lines verity)"
        console_has verity "^rootfs-init: root is /dev/mapper/vroot" && pass "verity: root is the dm-verity mapping" ||
                fail "verity: root is the dm-verity mapping" "$(last_lines verity)"
        # Before the owner trusts the key, ssh refuses the guest.
        run "${SSH[@]}" -o UserKnownHostsFile="$T/known_hosts" -p "$SSH_PORT" root@127.0.0.1 true
        [ "$STATUS" = 255 ] && grep -q 'Host key verification failed' "$ERR" &&
                pass "verity: without a known_hosts line ssh refuses the guest" ||
                fail "verity: without a known_hosts line ssh refuses the guest" "exit $STATUS" "$(cat "$ERR")"
        # The host answers with another guest's key beside this guest's genuine report.
        python3 "$(dirname "$0")/../cli/hostkey-peer.py" swap "$PORT" "$T/other_host.pub" >"$T/swap.out" 2>&1 &
        swap_pid=$!
        for _ in $(seq 50); do [ -s "$T/swap.out" ] && break; sleep 0.1; done
        run timeout 120 "$SNPCTL" attest-verify --url "http://127.0.0.1:$(head -n 1 "$T/swap.out")" "${CHAIN[@]}" \
                --measurement "$MEAS" --ssh-host-key-out "$T/known_hosts" --ssh-address "127.0.0.1:$SSH_PORT"
        kill "$swap_pid" 2>/dev/null
        [ "$STATUS" = 3 ] && grep -q 'SSH host key not trusted: report-data' "$ERR" && [ ! -e "$T/known_hosts" ] &&
                pass "verity: another guest's key with this guest's report is refused (exit 3), nothing written" ||
                fail "verity: another guest's key is refused" "exit $STATUS" "$(cat "$ERR")"
        # The owner: every check on a fresh report binding its nonce and the key, then known_hosts.
        run timeout 120 "$SNPCTL" attest-verify --url "http://127.0.0.1:$PORT" "${CHAIN[@]}" --measurement "$MEAS" \
                --ssh-host-key-out "$T/known_hosts" --ssh-address "127.0.0.1:$SSH_PORT"
        [ "$STATUS" = 0 ] && pass "verity: owner verifies the host key report, writes known_hosts" ||
                fail "verity: owner verifies the host key report" "exit $STATUS" "$(cat "$ERR")"
        expect_out "verity: report-data checked" '^  PASS  report-data '
        grep -q "^\[127\.0\.0\.1\]:$SSH_PORT ssh-ed25519 " "$T/known_hosts" && pass "verity: known_hosts line for the forwarded port" ||
                fail "verity: known_hosts line" "$(cat "$T/known_hosts")"
        run "${SSH[@]}" -o UserKnownHostsFile="$T/known_hosts" -p "$SSH_PORT" root@127.0.0.1 \
                'cat /etc/e2e-marker; awk '"'"'$2 == "/" { print $1 }'"'"' /proc/mounts | tail -n 1'
        ssh_wall=$(elapsed "$START")
        [ "$STATUS" = 0 ] && [ "$(head -n 1 "$OUT")" = "$marker" ] &&
                pass "verity: ssh -o StrictHostKeyChecking=yes into the guest ($ssh_wall s after launch)" ||
                fail "verity: ssh -o StrictHostKeyChecking=yes into the guest" "exit $STATUS" "$(cat "$OUT" "$ERR")"
        [ "$(sed -n 2p "$OUT")" = /dev/mapper/vroot ] && pass "verity: the SSH session runs on the verity root" ||
                fail "verity: the SSH session runs on the verity root" "$(cat "$OUT")"
        # A wrong host key in known_hosts (another guest's): ssh refuses to connect.
        echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$T/other_host.pub")" >"$T/known_hosts.wrong"
        run "${SSH[@]}" -o UserKnownHostsFile="$T/known_hosts.wrong" -p "$SSH_PORT" root@127.0.0.1 true
        [ "$STATUS" = 255 ] && grep -q 'REMOTE HOST IDENTIFICATION HAS CHANGED\|Host key verification failed' "$ERR" &&
                pass "verity: a wrong host key is refused by ssh" || fail "verity: a wrong host key is refused by ssh" "exit $STATUS" "$(cat "$ERR")"
else
        fail "verity: the Debian root serves SSH" "no sshd on the console; last lines:" "$(last_lines verity 15)"
fi
stop_guest
t_root=$(tr -d '\r' <"$T/verity.log" | sed -n 's/^snpctl-init: boot=verity: root reached after \([0-9.]*\) s.*/\1/p')
echo "# boot-to-ssh under TCG: root reached ${t_root:-?} s after kernel start (guest uptime);" \
        "${ssh_wall:-?} s wall clock from launch to the owner's first ssh command, attestation included"

# A data block of the verity root changed (the root's init): the boot fails, by name.
if [ -n "$INIT_BLOCK" ] && [ "$INIT_BLOCK" -gt 0 ] 2>/dev/null; then
        cp "$T/verity.img" "$T/tampered.img"
        printf 'X' | dd of="$T/tampered.img" bs=1 seek=$((INIT_BLOCK * 4096 + 20)) conv=notrunc status=none
        start_verity tampered "$T/tampered.img"
        wait_console tampered "^snpctl-init: FAILED: " "$BOOT_TIMEOUT" &&
                pass "tampered: the init fails ($(elapsed "$START") s after launch)" ||
                fail "tampered: the init fails" "$(last_lines tampered)"
        console_has tampered "^snpctl-init: FAILED: dm-verity: /sbin/init on /dev/sda does not match roothash=$ROOTHASH" &&
                pass "tampered: the failure names dm-verity and the file" || fail "tampered: the failure names dm-verity" "$(last_lines tampered)"
        console_has tampered "verity.*data block $INIT_BLOCK is corrupted" &&
                pass "tampered: the kernel names the changed block ($INIT_BLOCK)" ||
                fail "tampered: the kernel names the changed block" "$(tr -d '\r' <"$T/tampered.log" | grep -i verity | head -n 5)"
        console_has tampered "rootfs-init|Server listening|SSH host key agent running" &&
                fail "tampered: nothing of the root ran" "$(last_lines tampered)" || pass "tampered: nothing of the root ran"
        stop_guest
else
        fail "the block of /sbin/init in the verity image (debugfs bmap)" "'$INIT_BLOCK'"
fi
finish
