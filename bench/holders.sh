#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/holders.sh: how long modctl's process scan (who holds a module)
# takes to find every open file of one device node, against fuser and lsof
# on the same node, over farms of N processes holding M open files each.
# modctl is timed twice: as it runs (the kernel's task_file iterator when
# BPF is usable) and reading /proc only (MODCTL_HOLDERS_SCAN=proc, what it
# does without BPF). On the host: the build machines have no modules, so
# bench/holders-scan runs the scan engine on the node directly. Prints a
# table; never fails on a figure.
#
# Knobs: SIZES ("200 2000"), FDS (files per process, 10), RUNS (3),
# NODE (/dev/zero).
set -eu
top_builddir=${top_builddir:-$(pwd)}
SCAN=${SCAN:-$top_builddir/bench/holders-scan}
SIZES=${SIZES:-200 2000}
FDS=${FDS:-10}
RUNS=${RUNS:-3}
NODE=${NODE:-/dev/zero}
for t in fuser lsof; do
	command -v $t >/dev/null || { echo "bench/holders: $t is missing (Debian: psmisc, lsof)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/modctl-bench-holders.XXXXXX")
farm=
trap '[ -z "$farm" ] || kill "$farm" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

now_us() { echo $(($(date +%s%N) / 1000)); }
# time_us CMD...: microseconds one run of CMD takes (its output dropped)
time_us() {
	local t0 t1
	t0=$(now_us)
	"$@" >/dev/null 2>&1 || :
	t1=$(now_us)
	echo $((t1 - t0))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

printf '%-12s %-8s %-6s %11s %11s %10s %10s %8s %8s %8s\n' processes fds/proc opens "modctl ms" "/proc ms" "fuser ms" \
	"lsof ms" fuser/x lsof/x lsof/p
via=
for n in $SIZES; do
	rm -f "$work/ready"
	"$SCAN" farm "$n" "$FDS" "$NODE" "$work/ready" &
	farm=$!
	while [ ! -e "$work/ready" ]; do sleep 0.05; done
	procs=$(ls -d /proc/[0-9]* | wc -l)
	found=
	for _ in $(seq "$RUNS"); do
		# the engine's own clock, without the exec
		set -- $("$SCAN" scan "$NODE")
		echo "$1" >>"$work/m.$n"
		found=$2
		via=$5
		set -- $(MODCTL_HOLDERS_SCAN=proc "$SCAN" scan "$NODE")
		echo "$1" >>"$work/p.$n"
		[ "$2" = "$found" ] || echo "bench/holders: the /proc scan found $2 open files, the iterator $found" >&2
		time_us fuser "$NODE" >>"$work/f.$n"
		time_us lsof -n "$NODE" >>"$work/l.$n"
	done
	kill "$farm"
	wait "$farm" 2>/dev/null || :
	farm=
	m=$(median <"$work/m.$n")
	p=$(median <"$work/p.$n")
	f=$(median <"$work/f.$n")
	l=$(median <"$work/l.$n")
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
	printf '%-12s %-8s %-6s %11s %11s %10s %10s %8s %8s %8s\n' "$n ($procs)" "$FDS" "$found" "$(ms "$m")" "$(ms "$p")" \
		"$(ms "$f")" "$(ms "$l")" "$(ratio "$f" "$m")" "$(ratio "$l" "$m")" "$(ratio "$l" "$p")"
done
echo "median of $RUNS runs; processes: the farm (all processes); modctl: scanned via $via"
echo "/proc: modctl reading /proc only; fuser/x, lsof/x: how many times modctl's time; lsof/p: lsof over /proc"
