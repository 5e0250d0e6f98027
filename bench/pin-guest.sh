#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest side of bench/pin.sh (busybox ash, run as the VM's only script by
# tests/vm/run.sh --bench). Not a test: it measures and asserts nothing.
#
# Loads every module of the image that loads here, then BENCH_RUNS times,
# each from no lock at all:
#   all nopin   modctl lockdown --all --no-pin   (registry only)
#   unall nopin modctl unlock --all              (after it)
#   all pin     modctl lockdown --all            (pins what it can)
#   unall pin   modctl unlock --all              (releases the pins)
#   one nopin / one pin / unone nopin / unone pin: the same for tun alone
# Then, with every module pinned: the BPF links the kernel lists (a link is
# a trampoline: a run-time cost), the function each pin targets, and why
# the others stayed registry-only.
# Input: /bench/env (BENCH_RUNS). Output: "@R ..." records for the host:
#   @R modules LOADED
#   @R TIME MODE RUN ELAPSED_NS STATUS PINNED   (TIME: all unall one unone)
#   @R links N            BPF links in the kernel with every module pinned
#   @R progs N            modctl_lock programs
#   @R pin NAME FUNCTION  one per pinned module
#   @R reason TEXT        why some locks stayed registry-only
set -eu
# shellcheck source=/dev/null
. /bench/env
# this build's run-state directory (MODCTL_RUNSTATEDIR)
# shellcheck source=/dev/null
. /vm/paths.sh
REGISTRY_FILE=$MODCTL_RUNSTATEDIR/modctl/locks

MODCTL=/usr/bin/modctl
MODPROBE=/usr/sbin/modprobe
BT=/bench/benchtool
mdir=/lib/modules/$(uname -r)

say() { printf '%s\n' "$*"; }
pins() { ls /sys/fs/bpf/modctl 2>/dev/null | grep -vc '^stale$' || :; }

say "guest: Linux $(uname -r), $(nproc) CPU(s); modctl: $($MODCTL --version | head -n 1)"

# every module of the image that loads without its hardware
sed -n 's/^\([^:]*\):.*/\1/p' "$mdir/modules.dep" | while read -r path; do
	n=${path##*/}
	printf '%s\n' "${n%%.ko*}"
done | while read -r m; do
	$MODPROBE "$m" 2>/dev/null || :
done
loaded=$(wc -l </proc/modules)
say "@R modules $loaded"
say "guest: $loaded modules loaded"

# timed MODE NAME ARGS...: one timed modctl run, recorded
timed() {
	_time=$1
	_mode=$2
	shift 2
	set -- $($BT time -- "$MODCTL" -q "$@")
	say "@R $_time $_mode $run $1 $2 $(pins)"
}

run=1
while [ "$run" -le "$BENCH_RUNS" ]; do
	timed all nopin lockdown --all --no-pin
	timed unall nopin unlock --all
	timed all pin lockdown --all
	timed unall pin unlock --all
	timed one nopin lockdown --no-pin tun
	timed unone nopin unlock tun
	timed one pin lockdown tun
	timed unone pin unlock tun
	say "guest: run $run of $BENCH_RUNS done"
	run=$((run + 1))
done

# the state with every module pinned
"$MODCTL" lockdown --all 2>/tmp/reasons || :
say "@R links $(bpftool link show -j | jq 'length')"
say "@R progs $(bpftool prog show -j | jq '[.[] | select(.name == "modctl_lock")] | length')"
sed -n 's/^lock \([^ ]*\) pin=\([^-].*\)$/\1 \2/p' "$REGISTRY_FILE" | while read -r n f; do
	say "@R pin $n $f"
done
sed -n 's/^modctl: warning: not kernel-enforced, locked for modctl and modprobe -r only: //p' /tmp/reasons |
	while read -r line; do
		say "@R reason $line"
	done
"$MODCTL" unlock --all
say "guest: done"
