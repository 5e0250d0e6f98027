#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# With systemd-udevd really running: modctl load --settle waits until udev
# has processed the events of the load (a rule that takes 2 s must have
# finished when modctl returns) or times out with exit 4; monitor shows
# udev's copy of each kernel event. Without udevd, --settle says so (-v)
# and returns at once.
set -eu
. /vm/guest-lib.sh

if ! start_udevd; then
	fail "systemd-udevd runs in the VM (the udev tests need it)"
	exit 0
fi
pass "systemd-udevd runs in the VM"

# Rules that take their time over a module's event, and leave a trace.
cat >/etc/udev/rules.d/90-modctl-test.rules <<'EOF'
ACTION=="add", SUBSYSTEM=="module", KERNEL=="dummy", RUN+="/bin/sh -c 'sleep 2; touch /tmp/udev-done-dummy'"
ACTION=="add", SUBSYSTEM=="module", KERNEL=="veth", RUN+="/bin/sh -c 'sleep 4; touch /tmp/udev-done-veth'"
EOF
"$UDEVADM" control --reload

"$MODCTL" -v monitor >/tmp/mon.txt 2>/tmp/mon.err &
mon=$!
ok "monitor -v says it listens" wait_for 20 grep -q 'monitoring module events' /tmp/mon.err

# --- --settle ------------------------------------------------------------------------
# settle_check DESC: after a load --settle that returned (RC, t0, t1), udev's
# 2 s rule for dummy must have run, and its queue be empty
settle_check() {
	_took=$(ms_between "$t0" "$t1")
	_queue=no
	[ ! -e /run/udev/queue ] || _queue=yes
	_rule=no
	[ ! -e /tmp/udev-done-dummy ] || _rule=yes
	diag "$1: took $_took ms; udev's queue non-empty at its exit: $_queue; the 2 s rule done: $_rule"
	is "$RC" 0 "$1: exits 0"
	ok "$1: dummy is loaded" loaded dummy
	is "$_rule" yes "$1: when it returns, udev's 2 s rule for dummy has finished"
	is "$_queue" no "$1: ... and udev's queue is empty (no /run/udev/queue)"
	ok "$1: ... so it took at least ${2:-2000} ms ($_took ms)" test "$_took" -ge "${2:-2000}"
}

t0=$(now_ns)
run "$MODCTL" load --settle=10s dummy
t1=$(now_ns)
settle_check "load --settle=10s dummy"
udev_settle
"$RMMOD" dummy
udev_settle
rm -f /tmp/udev-done-dummy

# udevd slow to read the kernel's event (here: stopped for 3 s, as on a busy
# machine; longer than the load takes, so the outcome does not depend on timing): the event is not in udev's queue yet when the load returns, but
# udev has not processed it either. Settling must wait for it, as
# udevadm settle does (it pings udevd, which first reads its pending events).
udevd_main() {
	for _p in $(pidof systemd-udevd); do
		[ "$(cut -d' ' -f4 "/proc/$_p/stat")" = 1 ] && echo "$_p"
	done
}
main=$(udevd_main)
kill -STOP "$main"
( sleep 3; kill -CONT "$main" ) &
"$MODPROBE" dummy
t0=$(now_ns)
udev_settle
t1=$(now_ns)
ok "control: udevadm settle, udevd stopped for 3 s during a load, waits for the 2 s rule ($(ms_between "$t0" "$t1") ms)" \
	test -e /tmp/udev-done-dummy
"$RMMOD" dummy
udev_settle
rm -f /tmp/udev-done-dummy

kill -STOP "$main"
( sleep 3; kill -CONT "$main" ) &
t0=$(now_ns)
run "$MODCTL" load --settle=10s dummy
t1=$(now_ns)
settle_check "load --settle=10s dummy, udevd stopped for 3 s" 5000
udev_settle

t0=$(now_ns)
run "$MODCTL" load --settle=1s veth
t1=$(now_ns)
took=$(ms_between "$t0" "$t1")
is "$RC" 4 "load --settle=1s veth, with a 4 s rule, exits 4"
like "$ERR" 'udev.*after 1s' "... saying udev has not finished after 1s"
ok "veth is loaded all the same" loaded veth
ok "it gave up after about 1 s ($took ms)" test "$took" -ge 1000 -a "$took" -lt 3000
udev_settle

run "$MODCTL" load --settle=0 ifb
is "$RC" 2 "--settle=0 is a usage error (exit 2)"
ok "... and loads nothing" not_loaded ifb

# --- monitor sees udev's copies -------------------------------------------------------
"$MODPROBE" tun
udev_settle
ok "monitor prints udev's copy of tun's event" wait_for 20 grep -q ' udev  *loaded  *tun ' /tmp/mon.txt
kill -TERM "$mon"
rc=0
wait "$mon" || rc=$?
is "$rc" 143 "monitor ends with exit 143 on SIGTERM"
diag "monitor printed:" "$(cat /tmp/mon.txt)"
like "$(cat /tmp/mon.txt)" ' kernel +loaded +tun ' "monitor shows the kernel's event for tun"
like "$(cat /tmp/mon.txt)" ' udev +loaded +tun ' "... and, with udevd running, udev's copy"
is "$(awk '$4 == "tun" { print $2 }' /tmp/mon.txt | paste -sd' ' -)" "kernel udev" \
	"... the kernel's first, udev's after"
is "$(awk '$4 == "dummy" { print $2, $3 }' /tmp/mon.txt | sort | uniq -c | awk '{ print $1, $2, $3 }' | paste -sd, -)" \
	"3 kernel loaded,2 kernel unloaded,3 udev loaded,2 udev unloaded" \
	"dummy, loaded 3 times and unloaded twice: each event from both sources"

# --- without udevd ----------------------------------------------------------------------
stop_udevd
ok "udevd has stopped" sh -c '! pidof systemd-udevd'
rm -f /run/udev/control
t0=$(now_ns)
run "$MODCTL" -v load --settle=10s ifb
t1=$(now_ns)
took=$(ms_between "$t0" "$t1")
is "$RC" 0 "without udevd, load --settle=10s ifb exits 0"
like "$ERR" 'udevd is not running' "... and -v says udevd is not running"
ok "... returning at once ($took ms)" test "$took" -lt 1500
ok "ifb is loaded" loaded ifb
unload_all
rm -f /etc/udev/rules.d/90-modctl-test.rules
