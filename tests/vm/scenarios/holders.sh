#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# vm: own-boot timeout=480
# Who holds a module, on the real kernel: for each kind of object that
# takes references, create it, then check that modctl names it with the
# weight the kernel really counted (the weights add up to
# /sys/module/M/refcnt, nothing unattributed): /dev/net/tun held open by a
# process and by two processes sharing one open file, a persistent tap, a
# modctl lock pin, bound and opened and mapped loop devices, a mapped
# device-mapper device and an open of it, squashfs
# mounted on a loop device, mounted in another mount namespace only, and
# lazily unmounted but kept by a working directory, a CAN_RAW socket, an
# LLC socket, an AF_ALG pair on md4, ingress qdiscs, ptys with N_HDLC as their line
# discipline (n_hdlc), a sound
# card's node held open, a BPF link on tun's functions pinned (before 6.4,
# where modctl's lock is a link) and held by a process.
# Each answer twice: through the kernel's file iterator (the default) and
# through /proc (MODCTL_HOLDERS_SCAN=proc, what a build without BPF does).
# A boot of its own: it leaves mounts, namespaces and loop devices behind.
set -eu
. /vm/guest-lib.sh

# Generous: a slow machine must not make the answer incomplete.
export MODCTL_HOLDERS_BUDGET=60s
SQUASHFS_IMAGE=/vm/data/holders.squashfs
T=/tmp/holders
mkdir -p $T

hs() { "$MODCTL" status -J "$1"; }
refcnt() { cat "/sys/module/$1/refcnt"; }
# holder READY WHAT ARGS...: vm-holder in the background, once it holds
holder() {
	_ready=$1
	rm -f "$_ready"
	vm-holder "$@" &
	wait_for 20 test -e "$_ready"
}
# exact MODULE DESC: modctl's weights add up to the kernel's count
exact() {
	_j=$(hs "$1")
	_r=$(refcnt "$1")
	diag "kernel $KVER: $1 refcnt $_r: $(printf '%s' "$_j" | jq -c '[.modules[0].held_by[] | [.kind, .weight, .object]]')"
	is "$(printf '%s' "$_j" | jq '[.modules[0].held_by[].weight] | add // 0')" "$_r" \
		"$2: the weights add up to $1's refcnt"
	is "$(printf '%s' "$_j" | jq -c '[.modules[0].unattributed, .modules[0].overcounted, .modules[0].complete]')" \
		'[0,0,true]' "$2: nothing unattributed or overcounted, and complete"
	# the /proc scan (modctl without BPF) names the same holders
	is "$(MODCTL_HOLDERS_SCAN=proc "$MODCTL" status -J "$1" | jq -c "$_sorted")" \
		"$(printf '%s' "$_j" | jq -c "$_sorted")" "$2: the /proc scan names the same holders"
}
_sorted='.modules[0].held_by | sort_by(.kind, .pid, .fd, .object)'

# has MODULE FILTER DESC: a jq test over status -J's first module
has() {
	_j=$(hs "$1")
	if printf '%s' "$_j" | jq -e ".modules[0] | $2" >/dev/null; then
		pass "$3"
	else
		fail "$3"
		diag "filter: $2" "$_j"
	fi
}

# --- tun ----------------------------------------------------------------------
"$MODPROBE" tun
is "$(refcnt tun)" 0 "tun: nothing holds it at first"
has tun '.held_by == [] and .unattributed == 0 and .complete' "tun unused: no holders, complete"
holder $T/tun1 open /dev/net/tun
pid1=$!
is "$(refcnt tun)" 2 "tun: one open /dev/net/tun takes 2 references"
exact tun "/dev/net/tun open"
run "$MODCTL" -vv status tun
like "$ERR" "scanned [0-9]+ fds via the kernel's file iterator" "the process scan reads the kernel's file iterator"
run env MODCTL_HOLDERS_SCAN=proc "$MODCTL" -vv status tun
like "$ERR" "scanned [0-9]+ fds via /proc" "MODCTL_HOLDERS_SCAN=proc: it reads /proc"
has tun "[.held_by[] | select(.kind == \"open\" and .pid == $pid1 and .command == \"vm-holder\" and .fd != null
	and .object == \"/dev/net/tun\")] | length == 1" "the opener is named: pid, command, fd, node"
has tun '[.held_by[] | select(.kind == "open")][0].weight == 2' "weight 2 per open of /dev/net/tun"
run "$MODCTL" status tun
like "$OUT" "Held by: +\\[2\\] pid $pid1 \\(vm-holder\\) has /dev/net/tun open on fd [0-9]+" "status names the holder"
like "$OUT" '^ +0 unattributed$' "status: 0 unattributed"

# one open file shared by a shell and its child: one open, not two
rm -f $T/shared
sh -c "exec 3<>/dev/net/tun; sleep 1000 & echo \$! >$T/shared.child; : >$T/shared; wait" &
shared=$!
wait_for 20 test -e $T/shared
is "$(refcnt tun)" 4 "tun: a second open takes 2 more, its fork none"
exact tun "an open file shared by fork"
has tun '[.held_by[] | select(.kind == "open")] | length == 2' "the shared open file counts once"

# a persistent tap outlives its process
run tunctl -t mtap0
is "$RC" 0 "tunctl -t mtap0 makes a persistent tap"
is "$(refcnt tun)" 5 "tun: a persistent tap takes 1"
exact tun "a persistent tap"
has tun '[.held_by[] | select(.kind == "interface" and .object == "mtap0" and .weight == 1)] | length == 1' \
	"the persistent tap is named"

# modctl's own lock
run "$MODCTL" lockdown tun
is "$RC" 0 "lockdown tun"
if [ -e /sys/fs/bpf/modctl/tun ]; then
	is "$(refcnt tun)" 6 "tun: modctl's lock pin takes 1"
	exact tun "a lock pin"
	has tun '[.held_by[] | select(.kind == "lock-pin" and .weight == 1 and .object == "/sys/fs/bpf/modctl/tun")] | length == 1' \
		"the lock pin is named as modctl's"
	run "$MODCTL" status tun
	like "$OUT" "modctl's lock pin /sys/fs/bpf/modctl/tun" "status names modctl's lock pin"
else
	fail "lockdown tun pinned the lock"
fi
run "$MODCTL" unlock tun
is "$RC" 0 "unlock tun"

# a failed unload names them, once, at most five
run "$MODCTL" unload -t 0 tun
is "$RC" 4 "unload -t 0 of the held tun: exit 4"
like "$ERR" "held by: pid $pid1 \\(vm-holder\\) has /dev/net/tun open on fd [0-9]+ \\(2 references\\)" \
	"unload -t 0 names the opener"
like "$ERR" "held by: persistent tap interface mtap0 \\(1 reference\\)" "... and the persistent tap"
like "$ERR" "0 unattributed" "... and what is left"
run "$MODCTL" unload -t 300ms tun
is "$RC" 4 "unload that times out: exit 4"
like "$ERR" "timed out after .*tun is still in use" "... says it timed out"
like "$ERR" "held by: pid $pid1 \\(vm-holder\\)" "... and names the opener"
run "$MODCTL" -v wait --for=unused -t 300ms tun
is "$RC" 4 "wait --for=unused times out: exit 4"
is "$(printf '%s\n' "$ERR" | grep -c "held by: pid $pid1 ")" 1 "wait -v names the opener once"

kill "$pid1" "$shared" "$(cat $T/shared.child)" 2>/dev/null || :
tunctl -d mtap0 >/dev/null
ok "tun is free again" wait_for 20 sh -c '[ "$(cat /sys/module/tun/refcnt)" = 0 ]'

# --- loop ---------------------------------------------------------------------
"$MODPROBE" loop
dd if=/dev/zero of=$T/img bs=4096 count=16 2>/dev/null
loop0=/dev/loop0
run losetup $loop0 $T/img
is "$RC" 0 "losetup binds loop0"
is "$(refcnt loop)" 1 "loop: a bound device takes 1"
exact loop "a bound loop device"
has loop '[.held_by[] | select(.kind == "loop" and .object == "/dev/loop0")] | length == 1' "the bound device is named"
holder $T/loopopen open $loop0
lopen=$!
is "$(refcnt loop)" 2 "loop: an open takes 1"
exact loop "an open loop device"
has loop "[.held_by[] | select(.kind == \"open\" and .pid == $lopen and .object == \"/dev/loop0\")] | length == 1" \
	"the opener is named"
holder $T/loopmap mmap $loop0
lmap=$!
is "$(refcnt loop)" 3 "loop: a mapping whose fd is closed takes 1"
exact loop "a mapped loop device"
has loop "[.held_by[] | select(.kind == \"mapping\" and .pid == $lmap and .fd == null)] | length == 1" \
	"the mapping is named, without an fd"
holder $T/loopboth mmap-open $loop0
lboth=$!
is "$(refcnt loop)" 4 "loop: a mapping whose fd is open takes 1 in all"
exact loop "a mapped loop device, its fd open"
has loop "[.held_by[] | select(.pid == $lboth) | .kind] == [\"open\"]" "the open file is named, its mapping not again"

have_sq=no
if [ -r "$SQUASHFS_IMAGE" ] && "$MODPROBE" squashfs 2>/dev/null; then
	have_sq=yes
else
	fail "the image has a squashfs image and module ($SQUASHFS_IMAGE)"
fi
if [ "$have_sq" = yes ]; then
	run losetup /dev/loop1 "$SQUASHFS_IMAGE"
	is "$RC" 0 "losetup binds loop1 to a squashfs image"
	mkdir -p /mnt/a /mnt/b /mnt/c
	run mount -t squashfs -o ro /dev/loop1 /mnt/a
	is "$RC" 0 "mount squashfs on loop1"
	is "$(refcnt squashfs)" 1 "squashfs: a mounted superblock takes 1"
	exact squashfs "a mounted squashfs"
	has squashfs '[.held_by[] | select(.kind == "mount" and .object == "/mnt/a" and .weight == 1)] | length == 1' \
		"the mount point is named"
	is "$(refcnt loop)" 6 "loop: loop1 bound and mounted: 2 more"
	exact loop "a mounted loop device"
	run mount -o bind /mnt/a /mnt/b
	is "$(refcnt squashfs)" 1 "squashfs: a bind mount takes nothing"
	exact squashfs "a bind mount"
	umount /mnt/b
	umount /mnt/a
	is "$(refcnt squashfs)" 0 "squashfs: free once unmounted"

	# mounted in another mount namespace only
	rm -f $T/ns
	unshare -m sh -c "mount -t squashfs -o ro /dev/loop1 /mnt/b && : >$T/ns && exec sleep 1000" &
	nspid=$!
	ok "squashfs is mounted in a new mount namespace" wait_for 20 test -e $T/ns
	nok "... and not in this one" grep -q squashfs /proc/self/mountinfo
	is "$(refcnt squashfs)" 1 "squashfs: the other namespace's mount takes 1"
	exact squashfs "a mount in another namespace"
	ns=$(stat -L -c %i /proc/$nspid/ns/mnt)
	has squashfs "[.held_by[] | select(.kind == \"mount\" and .object == \"/mnt/b\" and .pid == $nspid
		and (.detail | test(\"namespace $ns\")))] | length == 1" "the mount is named with its namespace and a process in it"
	exact loop "loop1 mounted in another namespace"
	kill "$nspid"
	ok "squashfs is free once the namespace is gone" wait_for 20 sh -c '[ "$(cat /sys/module/squashfs/refcnt)" = 0 ]'

	# lazily unmounted, kept by a working directory
	mount -t squashfs -o ro /dev/loop1 /mnt/c
	rm -f $T/cwd
	sh -c "cd /mnt/c && : >$T/cwd && exec sleep 1000" &
	cwdpid=$!
	wait_for 20 test -e $T/cwd
	run umount -l /mnt/c
	is "$RC" 0 "umount -l of the busy squashfs"
	nok "... it is in no mount table" grep -q squashfs /proc/self/mountinfo
	is "$(refcnt squashfs)" 1 "squashfs: the detached superblock still takes 1"
	exact squashfs "a lazily unmounted squashfs"
	has squashfs "[.held_by[] | select(.kind == \"detached-mount\" and .pid == $cwdpid and .command == \"sleep\"
		and .detail == \"working directory\")] | length == 1" "the process whose cwd keeps it is named"
	exact loop "a lazily unmounted filesystem on loop1"
	kill "$cwdpid"
	ok "squashfs is free once the process is gone" wait_for 20 sh -c '[ "$(cat /sys/module/squashfs/refcnt)" = 0 ]'
	losetup -d /dev/loop1
fi
kill "$lopen" "$lmap" "$lboth"
losetup -d $loop0
ok "loop is free again" wait_for 20 sh -c '[ "$(cat /sys/module/loop/refcnt)" = 0 ]'

# --- device-mapper ------------------------------------------------------------------
# each target of a live table holds its type's module (error: dm_mod, zero:
# dm_zero), an open of the device holds dm_mod; dmsetup runs without udev
# (none in the image)
"$MODPROBE" -a dm_mod dm_zero
run dmsetup create --noudevsync mhold --table "0 8 error"
is "$RC" 0 "dmsetup creates mhold (one error target)"
dmdev=$(cd /sys/block && ls -d dm-* 2>/dev/null | head -n 1)
diag "kernel $KVER: dm_mod refcnt $(refcnt dm_mod) with $dmdev mapped"
exact dm_mod "a mapped device"
has dm_mod '[.held_by[] | select(.kind == "dm" and .object == "mhold" and .weight == 1)] | length == 1' \
	"the mapped device is named, 1 reference for its error target"
holder $T/dmopen open "/dev/$dmdev"
dmpid=$!
exact dm_mod "an open mapped device"
has dm_mod "[.held_by[] | select(.kind == \"open\" and .pid == $dmpid and .object == \"/dev/$dmdev\"
	and .weight == 1)] | length == 1" "the process holding it open is named"
kill "$dmpid"
wait "$dmpid" 2>/dev/null || :
printf '0 8 error\n8 8 zero\n8 8 zero\n' >$T/mixed
sed -i '3s/^8/16/' $T/mixed
run sh -c "dmsetup create --noudevsync mmix <$T/mixed"
is "$RC" 0 "dmsetup creates mmix (one error and two zero targets)"
diag "kernel $KVER: dm_mod refcnt $(refcnt dm_mod), dm_zero $(refcnt dm_zero) with mhold and mmix"
exact dm_mod "two mapped devices"
exact dm_zero "two zero targets"
has dm_zero '[.held_by[] | select(.kind == "dm" and .object == "mmix" and .weight == 2)] | length == 1' \
	"dm_zero: the device whose table has its two targets, 2 references"
run dmsetup remove --noudevsync mhold
is "$RC" 0 "dmsetup removes mhold"
run dmsetup remove --noudevsync mmix
is "$RC" 0 "dmsetup removes mmix"
ok "dm_mod is free once the devices are gone" wait_for 20 sh -c '[ "$(cat /sys/module/dm_mod/refcnt)" = 1 ]'

# --- a protocol's sockets ---------------------------------------------------------
# socket_held MODULE DOMAIN TYPE PROTO NAME WEIGHT: vm-holder holds one
# socket; modctl names its process and protocol (matching the regular
# expression NAME) with WEIGHT
socket_held() {
	if ! "$MODPROBE" "$1" 2>/dev/null; then
		fail "$1 is in the image"
		return 1
	fi
	holder "$T/$1" socket "$2" "$3" "$4"
	sockpid=$!
	exact "$1" "a $1 socket"
	has "$1" "[.held_by[] | select(.kind == \"socket\" and .pid == $sockpid and (.object | test(\"^$5\$\"))
		and .weight == $6)] | length == 1" "the $1 socket's process and protocol are named, weight $6"
}
# PF_CAN 29, SOCK_RAW 3, CAN_RAW 1
if socket_held can_raw 29 3 1 CAN_RAW 1; then
	exact can "can, under a CAN_RAW socket"
	kill "$sockpid"
fi
# llc2 is the address family (net-pf-26) and the protocol: 2 per socket
# (PF_LLC 26, SOCK_DGRAM 2)
if socket_held llc2 26 2 0 'LLC.*' 2; then
	kill "$sockpid"
	ok "llc2 is free once the process is gone" wait_for 20 sh -c '[ "$(cat /sys/module/llc2/refcnt)" = 0 ]'
fi

# --- a crypto algorithm's transforms ------------------------------------------------
# an AF_ALG socket bound to md4 and its operation socket: their transforms
# hold md4, and /proc/crypto counts them (whose they are is not exposed)
if "$MODPROBE" -a algif_hash md4 2>/dev/null; then
	holder $T/alg alg hash md4
	algpid=$!
	diag "kernel $KVER: md4 refcnt $(refcnt md4) with an AF_ALG pair; /proc/crypto's $(grep -A6 '^name *: md4$' /proc/crypto | grep refcnt)"
	exact md4 "an AF_ALG pair on md4"
	has md4 '[.held_by[] | select(.kind == "crypto" and .object == "md4")] | length == 1' "the algorithm in use is named"
	kill "$algpid"
	ok "md4 is free once the process is gone" wait_for 20 sh -c '[ "$(cat /sys/module/md4/refcnt)" = 0 ]'
else
	fail "algif_hash and md4 are in the image"
fi

# --- queueing disciplines -----------------------------------------------------------
# an ingress qdisc (sch_ingress) on an interface here and one on lo of
# another network namespace: 1 each
if "$MODPROBE" -a dummy sch_ingress 2>/dev/null; then
	ip link add qd0 type dummy
	holder $T/qd qdisc qd0 ingress
	kill $!
	rm -f $T/qdns
	unshare -n sh -c "exec vm-holder $T/qdns qdisc lo ingress" &
	qdns=$!
	wait_for 20 test -e $T/qdns
	diag "kernel $KVER: sch_ingress refcnt $(refcnt sch_ingress) with two ingress qdiscs"
	exact sch_ingress "ingress qdiscs in two namespaces"
	has sch_ingress '[.held_by[] | select(.kind == "qdisc" and .object == "ingress on qd0" and .weight == 1)] | length == 1' \
		"the qdisc here is named with its interface"
	has sch_ingress '[.held_by[] | select(.kind == "qdisc" and .object == "ingress on lo"
		and (.detail | test("in the netns of PID")))] | length == 1' "the other namespace's is named with its namespace"
	kill "$qdns"
	ip link del qd0
	ok "sch_ingress is free once they are gone" wait_for 20 sh -c '[ "$(cat /sys/module/sch_ingress/refcnt)" = 0 ]'
else
	fail "sch_ingress is in the image"
fi

# --- a hardware character device: a sound card's node ------------------------------
# snd owns the nodes' major (a register_chrdev device); snd_dummy drives
# the card they belong to (its platform device, two levels up in sysfs)
if "$MODPROBE" snd-dummy 2>/dev/null && wait_for 20 test -c /dev/snd/controlC0; then
	diag "kernel $KVER: before: snd_dummy refcnt $(refcnt snd_dummy), snd $(refcnt snd)"
	holder $T/snd open /dev/snd/controlC0
	sndpid=$!
	diag "kernel $KVER: controlC0 open: snd_dummy refcnt $(refcnt snd_dummy), snd $(refcnt snd)"
	exact snd_dummy "a sound card's node open"
	has snd_dummy "[.held_by[] | select(.kind == \"open\" and .pid == $sndpid and .weight == 1
		and .object == \"/dev/snd/controlC0\")] | length == 1" "the card's driver names the process holding its node"
	exact snd "snd, under an open node of its major"
	kill "$sndpid"
	ok "snd_dummy is free once the process is gone" wait_for 20 sh -c '[ "$(cat /sys/module/snd_dummy/refcnt)" = 0 ]'
else
	fail "snd-dummy is in the image and makes /dev/snd/controlC0"
fi

# --- line disciplines ------------------------------------------------------------
# A tty's line discipline holds its module once (tty_ldisc_get), whatever
# the files open on the tty. vm-holder opens a pty pair and sets N_HDLC (13)
# on one side; READY holds the slave's path.
# hdlc_now WANT HOW WHAT: n_hdlc's refcnt after HOW (logged, with the one
# before) is WANT
hdlc_was=0
hdlc_now() {
	hdlc_is=$(refcnt n_hdlc)
	diag "kernel $KVER: n_hdlc refcnt $hdlc_was -> $hdlc_is with $2"
	is "$hdlc_is" "$1" "n_hdlc: $3"
	hdlc_was=$hdlc_is
}
if "$MODPROBE" n_hdlc 2>/dev/null; then
	is "$(refcnt n_hdlc)" 0 "n_hdlc: nothing holds it at first"
	has n_hdlc '.held_by == [] and .unattributed == 0 and .complete' "n_hdlc unused: no holders, complete"
	holder $T/pty1 pty 13 slave
	ptypid=$!
	pts=$(cat $T/pty1)
	hdlc_now 1 "N_HDLC on one pty slave ($pts)" "a pty slave with N_HDLC takes 1"
	exact n_hdlc "a tty with N_HDLC"
	has n_hdlc "[.held_by[] | select(.kind == \"line-discipline\" and .weight == 1 and .pid == $ptypid
		and .command == \"vm-holder\" and .fd != null and .object == \"$pts\"
		and .detail == \"line discipline hdlc (13)\")] | length == 1" \
		"the tty, its discipline and the process are named, weight 1"
	run "$MODCTL" status n_hdlc
	like "$OUT" "Held by: +\\[1\\] $pts with line discipline hdlc \\(13\\), open in pid $ptypid \\(vm-holder\\) on fd [0-9]+" \
		"status names the tty, its discipline and the process"
	like "$OUT" '^ +0 unattributed$' "status: 0 unattributed"

	# the same tty opened twice more, by another process
	rm -f $T/pty1b
	sh -c "exec 3<>$pts 4<>$pts; : >$T/pty1b; exec sleep 1000" &
	ptyb=$!
	wait_for 20 test -e $T/pty1b
	hdlc_now 1 "two more open files of $pts in another process" \
		"more open files of the tty, in another process, take nothing"
	exact n_hdlc "one tty open three times in two processes"
	has n_hdlc '[.held_by[] | select(.kind == "line-discipline")] | length == 1' "one holder per tty"

	# a second tty
	holder $T/pty2 pty 13 slave
	pty2pid=$!
	hdlc_now 2 "N_HDLC on a second pty slave" "a second tty takes 1 more"
	exact n_hdlc "two ttys with N_HDLC"
	has n_hdlc "[.held_by[] | select(.kind == \"line-discipline\" and .pid == $pty2pid
		and .object == \"$(cat $T/pty2)\")] | length == 1" "the second tty is named"

	# the master side of a pty is a tty of its own
	holder $T/pty3 pty 13 master
	pty3pid=$!
	hdlc_now 3 "N_HDLC on a pty master" "N_HDLC on a pty master takes 1"
	exact n_hdlc "a pty master with N_HDLC"
	has n_hdlc "[.held_by[] | select(.kind == \"line-discipline\" and .pid == $pty3pid
		and .object == \"the pty master of $(cat $T/pty3)\")] | length == 1" "the master side is named as such"

	# a slave closed with N_HDLC, its master open: the slave tty keeps its
	# discipline, but no open file leads to it
	holder $T/pty4 pty 13 slave-closed
	pty4pid=$!
	hdlc_now 4 "N_HDLC on a pty slave closed again, its master open" \
		"a closed slave keeps its discipline while the master is open"
	has n_hdlc '.unattributed == 1 and .overcounted == 0' "... which no open file shows: 1 unattributed"
	kill "$pty4pid"
	ok "the pty pair gone, its slave's discipline is released" \
		wait_for 20 sh -c '[ "$(cat /sys/module/n_hdlc/refcnt)" = 3 ]'

	run "$MODCTL" status -J n_hdlc
	is "$(printf '%s' "$OUT" | jq "[.modules[0].held_by[] | select(.kind == \"line-discipline\") | .weight] | add")" 3 \
		"status -J: three line-discipline holders of weight 1"
	run "$MODCTL" unload -t 0 n_hdlc
	is "$RC" 4 "unload -t 0 of n_hdlc in use: exit 4"
	like "$ERR" "held by: $pts with line discipline hdlc \\(13\\), open in pid $ptypid \\(vm-holder\\) on fd [0-9]+ \\(1 reference\\)" \
		"unload -t 0 names the tty and its process"
	like "$ERR" "0 unattributed" "... and nothing left"
	kill "$ptypid" "$ptyb" "$pty2pid" "$pty3pid"
	ok "n_hdlc is free once the ttys are closed" wait_for 20 sh -c '[ "$(cat /sys/module/n_hdlc/refcnt)" = 0 ]'
	run "$MODCTL" unload -t 5s n_hdlc
	is "$RC" 0 "n_hdlc unloads then"
	nok "... and is gone" test -d /sys/module/n_hdlc
else
	fail "n_hdlc is in the image"
fi

# --- the process scan is skipped for a module that owns nothing to scan -------------
"$MODPROBE" dummy
has dummy '.held_by == [] and .unattributed == 0' "dummy: nothing to attribute"

# --- a BPF link on one of tun's functions that is not modctl's lock ---------------
# Before 6.4 modctl's lock is an fentry link: pinned elsewhere too, and
# modctl's pin removed, it is any BPF link on tun's functions.
"$MODPROBE" tun
run "$MODCTL" lockdown tun
is "$RC" 0 "lockdown tun (for a link of its own)"
if bpftool link show pinned /sys/fs/bpf/modctl/tun >/dev/null 2>&1; then
	run bpftool link pin pinned /sys/fs/bpf/modctl/tun /sys/fs/bpf/other-link
	is "$RC" 0 "the lock's link pinned elsewhere too"
	rm -f /sys/fs/bpf/modctl/tun
	is "$(refcnt tun)" 1 "tun: the link on one of its functions takes 1"
	exact tun "a BPF link no process has open"
	has tun '[.held_by[] | select(.kind == "bpf-link" and .weight == 1 and .pid == null)] | length == 1' \
		"the link is named, pinned"
	rm -f /sys/fs/bpf/other-link
	ok "tun is free once the link is unpinned" wait_for 20 sh -c '[ "$(cat /sys/module/tun/refcnt)" = 0 ]'
else
	diag "kernel $KVER: modctl's lock is a program, not a link: no BPF link to attribute"
	"$MODCTL" unlock tun >/dev/null 2>&1 || :
fi

# --- a BPF link on one of tun's functions that only a process holds ---------------
# modctl's lock pin lends the object: before 6.4 the pinned link itself,
# from 6.4 on a new link attaching the pinned program. Then the lock goes.
"$MODPROBE" tun
run "$MODCTL" lockdown tun
is "$RC" 0 "lockdown tun (for a link a process holds)"
holder $T/link bpf-link /sys/fs/bpf/modctl/tun
linkpid=$!
diag "kernel $KVER: tun refcnt $(refcnt tun) with the lock and the process's link"
run "$MODCTL" unlock tun
is "$RC" 0 "unlock tun: the process's link stays"
diag "kernel $KVER: tun refcnt $(refcnt tun) with the process's link only"
exact tun "a BPF link a process holds open"
has tun "[.held_by[] | select(.kind == \"bpf-link\" and .pid == $linkpid and .command == \"vm-holder\"
	and .fd != null)] | length == 1" "the link's process and fd are named"
kill "$linkpid"
ok "tun is free once the process is gone" wait_for 20 sh -c '[ "$(cat /sys/module/tun/refcnt)" = 0 ]'
