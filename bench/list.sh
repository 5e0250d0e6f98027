#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/list: modctl list against kmod's lsmod and cat /proc/modules over
# fake module trees of 100, 1,000 and 5,000 modules.
#
# The trees are made by the fake tier's fakectl, then bind-mounted over
# /proc and /sys in a private mount namespace, so every tool runs natively
# (no LD_PRELOAD shim adding calls of its own). Measures wall time (median
# of RUNS runs) and system calls (strace -f -c). Prints a table; asserts
# nothing. Needs root (mount namespace), strace, kmod's lsmod.
set -eu
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
MODCTL=${MODCTL:-$top_builddir/modctl}
FAKECTL=${FAKECTL:-$top_builddir/tests/fake/fakectl}
FIXTURE=${FIXTURE:-$top_builddir/tests/fake/fixture-root.tar}
LSMOD=${LSMOD:-/usr/sbin/lsmod}
RUNS=${RUNS:-15}
SIZES=${SIZES:-100 1000 5000}
WORK=$(mktemp -d "${TMPDIR_BENCH:-/dev/shm}/modctl-bench-list.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

for t in "$MODCTL" "$FAKECTL" "$FIXTURE" "$LSMOD" strace unshare; do
	command -v "$t" >/dev/null 2>&1 || [ -e "$t" ] || { echo "bench/list: missing $t" >&2; exit 1; }
done

# Run inside the namespace: measure one command. Bash's $EPOCHREALTIME
# reads the clock without starting a process, so only the tool is timed.
measure='
run() {  # label, command...
	local label=$1 times="" i s e
	shift
	"$@" >/dev/null 2>&1 || { echo "$label failed" >&2; exit 1; }
	for ((i = 0; i < RUNS; i++)); do
		s=$EPOCHREALTIME; "$@" >/dev/null 2>&1; e=$EPOCHREALTIME
		times="$times $(( (${e/./} - ${s/./}) ))"
	done
	med=$(printf "%s\n" $times | sort -n | awk "{ a[NR] = \$1 } END { print a[int((NR + 1) / 2)] }")
	strace -f -c -o "$WORK/strace" "$@" >/dev/null 2>&1
	echo "$label $med $(awk "/total/ { print \$4 }" "$WORK/strace")"
}
'

printf '%8s  %-22s %10s %10s\n' modules tool "time (us)" syscalls
for n in $SIZES; do
	root=$WORK/root-$n
	mkdir -p "$root"
	tar -C "$root" -xf "$FIXTURE"
	"$FAKECTL" "$root" gen "$n" >/dev/null
	results=$(RUNS=$RUNS WORK=$WORK unshare -m --propagation private bash -c "
		set -e${BENCH_TRACE:+x}
		mount --bind '$root/proc' /proc
		mount --bind '$root/sys' /sys
		$measure
		run modctl_list '$MODCTL' list
		run lsmod '$LSMOD'
		run cat_proc_modules cat /proc/modules
	")
	echo "$results" | while read -r label med calls; do
		printf '%8s  %-22s %10s %10s\n' "$n" "$label" "$med" "$calls"
	done
	echo "$results" | awk -v n="$n" '
		{ t[$1] = $2; c[$1] = $3 }
		END {
			printf "%8s  ratios: lsmod/modctl syscalls %.1fx, time %.1fx; modctl/cat time %.2fx\n",
				n, c["lsmod"] / c["modctl_list"], t["lsmod"] / t["modctl_list"],
				t["modctl_list"] / t["cat_proc_modules"]
		}'
done
