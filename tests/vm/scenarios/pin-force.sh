#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# vm: own-boot
# A module forced out (rmmod -f) while the kernel held its lock through a
# pin: the pin now refers to a module that is gone, and releasing it would
# put a reference the kernel no longer has (an oops). modctl must never
# release such a stale pin (unlock, unlock --all, lockdown of the module
# loaded again), keep it aside until reboot, say what happened, and lock
# the new instance normally. A boot of its own: the kernel is tainted
# afterwards, and the stale pins stay until the power-off.
set -eu
. /vm/guest-lib.sh

refcnt() { cat "/sys/module/$1/refcnt"; }
lock_of() { "$MODCTL" list -r -n -o LOCK "$1"; }
stale_count() { ls /sys/fs/bpf/modctl/stale 2>/dev/null | wc -l; }
kmajor=${KVER%%.*}
kminor=${KVER#*.}
kminor=${kminor%%.*}
link_mode=no
if [ "$kmajor" -lt 6 ] || { [ "$kmajor" -eq 6 ] && [ "$kminor" -lt 4 ]; }; then
	link_mode=yes
fi
trouble='Oops|BUG|WARNING|Call Trace|general protection'

# kernel_quiet DESC: the kernel logged no trouble since the last call
mark=$(dmesg | wc -l)
kernel_quiet() {
	_new=$(dmesg | tail -n +"$((mark + 1))")
	mark=$(dmesg | wc -l)
	unlike "$_new" "$trouble" "$1: no Oops, BUG or WARNING in the kernel log"
}
# reload MODULE: load a module forced out under a pin again. Before 6.4 the
# stale link's trampoline still covers the old instance's address in
# ftrace, and the kernel warns in ftrace_module_enable when the new
# instance's text lands on it: the kernel's doing, at modprobe's load,
# before modctl is involved (documented in modctl(8)).
reload() {
	"$MODPROBE" "$1"
	_new=$(dmesg | tail -n +"$((mark + 1))")
	mark=$(dmesg | wc -l)
	if printf '%s\n' "$_new" | grep -q 'WARNING:.*ftrace_module_enable'; then
		diag "kernel $KVER warned in ftrace_module_enable when $1 was loaded again over the stale link"
		_new=$(printf '%s\n' "$_new" | sed '/WARNING:.*ftrace_module_enable/,/---\[ end trace/d')
	fi
	unlike "$_new" "$trouble" "modprobe $1 over a stale pin: no Oops or BUG (nor any other WARNING)"
}
if [ "$link_mode" = yes ]; then
	allow_kernel_warning ftrace_module_enable
fi

"$MODCTL" -v monitor -J >/tmp/monitor.out 2>/tmp/monitor.err &
monitor=$!
# monitor is ready once it says it listens; an event before that is lost
ok "monitor -v -J says it listens" wait_for 20 grep -q 'monitoring module events' /tmp/monitor.err

# --- the forced removal ------------------------------------------------------
"$MODPROBE" tun
"$MODCTL" lockdown tun
ok "tun is pinned" test -e /sys/fs/bpf/modctl/tun
r0=$(refcnt tun)
run "$RMMOD" -f tun
is "$RC" 0 "rmmod -f tun forces the pinned tun out (the kernel allows it)"
ok "tun is gone" not_loaded tun
wait_for 20 grep -q '"stale-pin".*"tun"' /tmp/monitor.out
like "$(cat /tmp/monitor.out)" '"event":"stale-pin","module":"tun"' "monitor reports a stale-pin event for tun"

kernel_quiet "rmmod -f of the pinned tun"
run "$MODCTL" status
is "$RC" 0 "status exits 0"
like "$OUT" '^stale pins: +1 ' "status counts the stale pin"
run "$MODCTL" status -J
is "$(printf '%s' "$OUT" | jq '.policy[0].stale_pins')" 1 "status -J: stale_pins 1"

run "$MODCTL" unlock tun
is "$RC" 0 "unlock tun exits 0 (the lock goes)"
like "$ERR" 'tun was removed by force while it was locked' "... telling what happened"
like "$ERR" 'kept in /sys/fs/bpf/modctl/stale until reboot' "... and that the pin stays until reboot"
nok "the stale pin is no longer in the way" test -e /sys/fs/bpf/modctl/tun
is "$(stale_count)" 1 "... it waits in /sys/fs/bpf/modctl/stale"
run "$MODCTL" unlock tun
is "$RC:$ERR" "0:" "unlock tun again: nothing to do, nothing said"
kernel_quiet "status and unlock of the force-removed tun"

# --- loaded again, locked again ------------------------------------------------
reload tun
r1=$(refcnt tun)
run "$MODCTL" lockdown tun
is "$RC" 0 "lockdown of the reloaded tun exits 0"
is "$(refcnt tun)" "$((r1 + 1))" "the new instance is pinned: refcnt $r1 -> $((r1 + 1))"
is "$(lock_of tun)" pinned "list -o LOCK: pinned"
nok "rmmod of the new instance is refused" "$RMMOD" tun
run "$MODCTL" status tun
like "$OUT" 'Pin: +live: BPF (program|link) on ' "status tun: a live pin"
kernel_quiet "lockdown and status of the reloaded tun"

# forced out again, then loaded and locked without an unlock in between
run "$RMMOD" -f tun
is "$RC" 0 "rmmod -f of the re-pinned tun"
reload tun
run "$MODCTL" lockdown tun
is "$RC" 0 "lockdown of tun, loaded again over a stale pin, exits 0"
like "$ERR" 'removed by force while it was locked' "... saying the old pin was stale"
is "$(stale_count)" 2 "... which joins the other in /sys/fs/bpf/modctl/stale"
ok "... and the new instance is pinned" test -e /sys/fs/bpf/modctl/tun
nok "rmmod is refused" "$RMMOD" tun

# unlock --all: the live pin goes, the stale ones stay
run "$MODCTL" unlock --all
is "$RC" 0 "unlock --all exits 0"
is "$(refcnt tun)" "$r1" "... releasing the live pin (refcnt $r1)"
is "$(stale_count)" 2 "... and keeping both stale pins"
ok "rmmod tun works" "$RMMOD" tun
kernel_quiet "lockdown over a stale pin, unlock --all"

# --- a stale pin nobody told modctl about, in lockdown --all ---------------------
reload tun
"$MODCTL" lockdown tun
"$RMMOD" -f tun
kernel_quiet "rmmod -f of the pinned tun, once more"
run "$MODCTL" unlock --all
is "$RC" 0 "unlock --all over a stale pin exits 0"
like "$ERR" 'tun was removed by force' "... and says so"
is "$(stale_count)" 3 "... the pin joins the stale ones"

kill "$monitor" 2>/dev/null || :
wait "$monitor" 2>/dev/null || :

kernel_quiet "unlock --all over a stale pin"
