#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest side of bench/unload.sh (busybox ash, run as the VM's only script by
# tests/vm/run.sh --bench). Not a test: it measures and asserts nothing.
#
# Per trial and per tool: load tun; a holder (benchtool hold-run) opens
# /dev/net/tun, starts the unloader while holding it, releases it DELAY µs
# after the start and waits for the unloader to exit. delete_module calls
# are counted by the kernel itself (ftrace syscall events), so nothing is
# traced from userspace and the tools run at full speed.
#
# Input: /bench/env (BENCH_TRIALS, BENCH_DELAYS: one delay in µs per trial,
# BENCH_IDLE_RUNS). Output lines "@R ..." are records for the host:
#   @R held TOOL TRIAL DELAY_US START_NS RELEASE_NS EXIT_NS STATUS EARLY
#          CALLS FAILED_CALLS FREE_NS ENTER_NS RETURN_NS FIRST_NS STILL_LOADED
#   @R idle TOOL RUN ELAPSED_NS STATUS CALLS STILL_LOADED
# (FREE_NS: when the kernel freed tun, from the module_free trace event;
# ENTER_NS, RETURN_NS: the successful delete_module call; FIRST_NS: the
# first delete_module call; 0 if not seen.)
# Other lines are progress for the human watching.
set -eu
# shellcheck source=/dev/null
. /bench/env

MODCTL=/usr/bin/modctl
MODPROBE=/usr/sbin/modprobe
RMMOD=/usr/sbin/rmmod
BT=/bench/benchtool
TR=/sys/kernel/tracing
TOOLS="modctl modprobe_wait rmmod_loop"
export BENCHTOOL_LOG=/tmp/unloader.log

# The three unloaders, exactly as a user would run them.
# run_tool TOOL WRAPPER...: runs WRAPPER... -- the tool's command
run_tool() {
	_t=$1
	shift
	case $_t in
	modctl) "$@" -- "$MODCTL" unload tun ;;
	modprobe_wait) "$@" -- "$MODPROBE" -r --wait 10000 tun ;;
	rmmod_loop) "$@" -- /bin/sh -c "until $RMMOD tun; do sleep 1; done" ;;
	esac
}

say() { printf '%s\n' "$*"; }

say "guest: Linux $(uname -r), $(nproc) CPU(s), clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
say "guest: $($MODPROBE --version | head -n 1); modctl: $($MODCTL --version | head -n 1)"
if $MODPROBE --help 2>&1 | grep -q -- '--wait <MSEC>'; then
	say "guest: kmod's modprobe has --wait, in milliseconds: $($MODPROBE --help 2>&1 | grep -- '--wait')"
else
	say "guest: WARNING: this modprobe has no --wait <MSEC> option"
fi

# --- ftrace: count delete_module calls, see when tun is freed -------------
[ -d "$TR/events" ] || mount -t tracefs nodev "$TR" 2>/dev/null || :
trace=0
if [ -d "$TR/events/syscalls/sys_enter_delete_module" ] && [ -d "$TR/events/module/module_free" ]; then
	echo mono >"$TR/trace_clock"
	echo 0 >"$TR/tracing_on"
	echo >"$TR/trace"
	for e in syscalls/sys_enter_delete_module syscalls/sys_exit_delete_module module/module_free; do
		echo 1 >"$TR/events/$e/enable"
	done
	echo 1 >"$TR/tracing_on"
	trace=1
	say "guest: counting delete_module calls with ftrace (syscalls:sys_enter/exit_delete_module, module:module_free; trace_clock mono)"
else
	say "guest: WARNING: no ftrace syscall events: delete_module calls are not counted"
fi

# trace_summary NAME: "CALLS FAILED FREE_NS ENTER_NS RETURN_NS FIRST_NS" from
# the trace since the last clear: delete_module calls, how many failed, when
# the kernel freed NAME, when the successful delete_module call was entered
# and when it returned, when the first call was entered (0 when not seen).
trace_summary() {
	if [ "$trace" -eq 0 ]; then
		echo "-1 -1 0 0 0 0"
		return
	fi
	awk -v name="$1" '
		# the timestamp ("SECONDS.MICROSECONDS:") comes right before the event
		function ts(   i, t, p) {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^[0-9]+\.[0-9]+:$/) {
					t = $i; sub(/:$/, "", t); split(t, p, ".")
					return p[1] p[2] "000"
				}
			return 0
		}
		BEGIN { free = 0; enter = 0; ret = 0; last = 0; first = 0 }
		/sys_delete_module\(/ { calls++; last = ts(); if (!first) first = last }
		/sys_delete_module -> / {
			if ($NF != "0x0") failed++
			else { enter = last; ret = ts() }
		}
		/module_free: / && $NF == name { free = ts() }
		END { printf "%d %d %s %s %s %s\n", calls, failed, free, enter, ret, first }
	' "$TR/trace"
}
trace_clear() {
	[ "$trace" -eq 0 ] || echo >"$TR/trace"
}

loaded() { [ -d /sys/module/tun ]; }
ensure_unloaded() {
	_n=0
	while loaded && [ $_n -lt 50 ]; do
		$RMMOD tun 2>/dev/null || sleep 0.1
		_n=$((_n + 1))
	done
}
fresh_tun() {
	ensure_unloaded
	$MODPROBE tun
	# the holder must find it idle
	[ "$(cat /sys/module/tun/refcnt)" = 0 ] || say "guest: WARNING: tun refcnt $(cat /sys/module/tun/refcnt) after loading"
}

# --- warm-up and idle cost: unloading a free tun (process start included) --
for t in $TOOLS; do
	fresh_tun
	run_tool "$t" "$BT" time >/dev/null
done
for r in $(seq 1 "$BENCH_IDLE_RUNS"); do
	for t in $TOOLS; do
		fresh_tun
		trace_clear
		res=$(run_tool "$t" "$BT" time)
		# shellcheck disable=SC2086 # split the fields
		set -- $res
		still=0
		loaded && still=1
		say "@R idle $t $r $1 $2 $(trace_summary tun | cut -d' ' -f1) $still"
	done
done
say "guest: idle runs done; $BENCH_TRIALS held trials follow (3 tools each)"

# --- held trials ------------------------------------------------------------
i=0
for d in $BENCH_DELAYS; do
	i=$((i + 1))
	[ "$i" -le "$BENCH_TRIALS" ] || break
	# rotate the order of the tools from one trial to the next
	case $((i % 3)) in
	0) order="modctl modprobe_wait rmmod_loop" ;;
	1) order="modprobe_wait rmmod_loop modctl" ;;
	2) order="rmmod_loop modctl modprobe_wait" ;;
	esac
	line="trial $i/$BENCH_TRIALS, release after $((d / 1000)) ms:"
	for t in $order; do
		fresh_tun
		trace_clear
		res=$(run_tool "$t" "$BT" hold-run "$d" /dev/net/tun)
		sum=$(trace_summary tun)
		still=0
		loaded && still=1
		say "@R held $t $i $d $res $sum $still"
		# shellcheck disable=SC2086 # split the fields
		set -- $res
		line="$line $t $((($3 - $2) / 1000000)) ms,"
		if [ "$4" != 0 ] || [ "$5" != 0 ] || [ $still != 0 ]; then
			say "guest: $t trial $i: status $4, exited early $5, still loaded $still; its output:"
			sed 's/^/    /' /tmp/unloader.log
		fi
	done
	say "${line%,}"
done
ensure_unloaded
[ "$trace" -eq 0 ] || echo 0 >"$TR/tracing_on"
say "guest: done"
