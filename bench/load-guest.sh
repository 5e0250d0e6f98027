#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest side of bench/load.sh (busybox ash, run as the VM's only script by
# tests/vm/run.sh --bench). Not a test: it measures and asserts nothing.
#
# Picks up to BENCH_LOAD_COUNT modules: those of BENCH_LOAD_MODULES that the
# image has and that can be unloaded again (a module with an init but no exit
# function, like vrf, stays for good and would spoil the clean state), then,
# if that is not enough, any other such module of the image. Then, BENCH_RUNS
# times, from a clean state each time (every module unloaded), times:
#   modctl        modctl load M1 ... Mn                 (one process)
#   modprobe_x20  for m in M1 ... Mn; do modprobe $m; done  (n processes, one sh)
#   modprobe_a    modprobe -a M1 ... Mn                 (one process)
# Input: /bench/env. Output: "@R ..." records for the host:
#   @R modules N NAME...          the modules given to every tool
#   @R load TOOL RUN ELAPSED_NS STATUS LOADED   (LOADED: modules in
#                                               /proc/modules afterwards)
#   @R sh RUN ELAPSED_NS          the cost of starting one sh (for the loop)
#   @R sys TOOL SYSCALLS INSERTS LOST   system calls of one more (untimed) run,
#                                 counted by ftrace; INSERTS: finit_module and
#                                 init_module calls; LOST 1 if the trace
#                                 buffer overflowed
set -eu
# shellcheck source=/dev/null
. /bench/env

MODCTL=/usr/bin/modctl
MODPROBE=/usr/sbin/modprobe
RMMOD=/usr/sbin/rmmod
BT=/bench/benchtool
export BENCHTOOL_LOG=/tmp/loader.log
mdir=/lib/modules/$(uname -r)

say() { printf '%s\n' "$*"; }

say "guest: Linux $(uname -r), $(nproc) CPU(s); $($MODPROBE --version | head -n 1); modctl: $($MODCTL --version | head -n 1)"

# --- which modules ---------------------------------------------------------
# (picking test-loads each module; the first clean() below unloads them)
# name -> path (relative to $mdir) of every module in the image
sed -n 's/^\([^:]*\):.*/\1/p' "$mdir/modules.dep" | while read -r path; do
	n=${path##*/}
	n=${n%%.ko*}
	printf '%s %s\n' "$(printf '%s' "$n" | tr - _)" "$path"
done >/tmp/image-modules

# can_unload PATH: the module has an exit function (module_exit() defines
# the symbol cleanup_module); else it is permanent once loaded
can_unload() {
	case $1 in
	*.ko) grep -q cleanup_module "$mdir/$1" ;;
	*.ko.xz) xzcat "$mdir/$1" | grep -q cleanup_module ;;
	*.ko.gz) zcat "$mdir/$1" | grep -q cleanup_module ;;
	*) return 1 ;; # cannot look inside (zstd): do not risk it
	esac
}

picked=
npicked=0
skipped=
pick() { # NAME
	_n=$(printf '%s' "$1" | tr - _)
	[ "$npicked" -lt "$BENCH_LOAD_COUNT" ] || return 0
	case " $picked " in *" $_n "*) return 0 ;; esac
	_p=$(awk -v n="$_n" '$1 == n { print $2; exit }' /tmp/image-modules)
	if [ -z "$_p" ]; then
		skipped="$skipped $_n(not-in-image)"
		return 0
	fi
	if ! can_unload "$_p"; then
		skipped="$skipped $_n(permanent)"
		return 0
	fi
	# it must load here (a driver without its hardware may not)
	if ! $MODPROBE "$_n" 2>/dev/null || ! grep -q "^$_n " /proc/modules; then
		skipped="$skipped $_n(does-not-load)"
		return 0
	fi
	picked="$picked $_n"
	npicked=$((npicked + 1))
}
for m in $(printf '%s' "$BENCH_LOAD_MODULES" | tr ',' ' '); do
	pick "$m"
done
from_list=$npicked
while read -r n _p; do
	pick "$n"
done </tmp/image-modules
picked=${picked# }
say "guest: $from_list of BENCH_LOAD_MODULES usable here; $((npicked - from_list)) added from the image; skipped:${skipped:- none}"
if [ "$npicked" -lt "$BENCH_LOAD_COUNT" ]; then
	say "guest: NOTE: the image has only $npicked modules that can be unloaded again: loading $npicked, not $BENCH_LOAD_COUNT"
fi
say "@R modules $npicked $picked"

# --- clean state -----------------------------------------------------------
# Unload every module that is not in use, holders first, until none is left.
clean() {
	_pass=0
	while grep -q ' Live' /proc/modules && [ $_pass -lt 20 ]; do
		while read -r name _size _ref deps state _rest; do
			if [ "$deps" = "-" ] && [ "$state" = "Live" ]; then
				$RMMOD "$name" 2>/dev/null || :
			fi
		done </proc/modules
		_pass=$((_pass + 1))
	done
	if grep -q . /proc/modules; then
		say "guest: WARNING: not a clean state, still loaded: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
	fi
}
nloaded() { grep -c . /proc/modules || :; }

# run_tool TOOL WRAPPER...
run_tool() {
	_t=$1
	shift
	# shellcheck disable=SC2086,SC2016 # $picked: one word per module
	case $_t in
	modctl) "$@" -- "$MODCTL" load $picked ;;
	modprobe_x20) "$@" -- /bin/sh -c 'rc=0; for m; do '"$MODPROBE"' "$m" || rc=$?; done; exit $rc' sh $picked ;;
	modprobe_a) "$@" -- "$MODPROBE" -a $picked ;;
	esac
}

TOOLS="modctl modprobe_x20 modprobe_a"
# warm-up (untimed), and a check that every tool loads them all
for t in $TOOLS; do
	clean
	res=$(run_tool "$t" "$BT" time)
	say "guest: warm-up $t: status ${res#* }, $(nloaded) modules loaded"
	[ "${res#* }" = 0 ] || sed 's/^/    /' /tmp/loader.log
done
clean
for r in $(seq 1 "$BENCH_RUNS"); do
	case $((r % 3)) in
	0) order="modctl modprobe_x20 modprobe_a" ;;
	1) order="modprobe_x20 modprobe_a modctl" ;;
	2) order="modprobe_a modctl modprobe_x20" ;;
	esac
	line="run $r/$BENCH_RUNS:"
	for t in $order; do
		clean
		res=$(run_tool "$t" "$BT" time)
		n=$(nloaded)
		say "@R load $t $r $res $n"
		line="$line $t $((${res% *} / 1000000)) ms,"
	done
	res=$("$BT" time -- /bin/sh -c :)
	say "@R sh $r ${res% *}"
	say "${line%,}"
done
# One more run of each tool, untimed, with every system call counted by
# the kernel (ftrace raw_syscalls:sys_enter; finit_module/init_module apart).
TR=/sys/kernel/tracing
[ -d "$TR/events" ] || mount -t tracefs nodev "$TR" 2>/dev/null || :
if [ -d "$TR/events/raw_syscalls/sys_enter" ] && [ -d "$TR/events/syscalls/sys_enter_finit_module" ]; then
	echo 0 >"$TR/tracing_on"
	echo 8192 >"$TR/buffer_size_kb"
	for e in raw_syscalls/sys_enter syscalls/sys_enter_finit_module syscalls/sys_enter_init_module; do
		echo 1 >"$TR/events/$e/enable"
	done
	for t in $TOOLS; do
		clean
		echo >"$TR/trace"
		echo 1 >"$TR/tracing_on"
		run_tool "$t" "$BT" time >/dev/null
		echo 0 >"$TR/tracing_on"
		# "# entries-in-buffer/entries-written: IN/WRITTEN   #P:N"
		total=$(sed -n 's,^# entries-in-buffer/entries-written: [0-9]*/\([0-9]*\).*,\1,p' "$TR/trace")
		lost=$(sed -n 's,^# entries-in-buffer/entries-written: \([0-9]*\)/\([0-9]*\).*,\1 \2,p' "$TR/trace" |
			awk '{ print ($1 != $2) }')
		ins=$(grep -Ec 'sys_f?init_module\(' "$TR/trace" || :)
		# the raw sys_enter events count every call, the finit ones twice
		say "@R sys $t $((total - ins)) $ins $lost"
	done
	for e in raw_syscalls/sys_enter syscalls/sys_enter_finit_module syscalls/sys_enter_init_module; do
		echo 0 >"$TR/events/$e/enable"
	done
else
	say "guest: no ftrace syscall events: system calls not counted"
fi
clean
say "guest: done"
