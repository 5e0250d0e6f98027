#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/lockdown: `modctl lockdown --all` over fake module trees of 100,
# 1,000 and 5,000 modules: wall time (median of RUNS, each from an empty
# registry) and registry writes per call (renames onto the registry, by
# path or relative to its directory, seen with strace). Runs natively in a private mount namespace: the fake
# /proc and /sys are bind-mounted and /run is a fresh tmpfs. Needs root.
set -eu
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
MODCTL=${MODCTL:-$top_builddir/modctl}
FAKECTL=${FAKECTL:-$top_builddir/tests/fake/fakectl}
FIXTURE=${FIXTURE:-$top_builddir/tests/fake/fixture-root.tar}
RUNS=${RUNS:-11}
SIZES=${SIZES:-100 1000 5000}
WORK=$(mktemp -d "${TMPDIR_BENCH:-/dev/shm}/modctl-bench-lockdown.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

for t in "$MODCTL" "$FAKECTL" "$FIXTURE" strace unshare; do
	command -v "$t" >/dev/null 2>&1 || [ -e "$t" ] || { echo "bench/lockdown: missing $t" >&2; exit 1; }
done

printf '%8s %12s %16s %12s\n' modules "time (ms)" "registry writes" "fsync calls"
for n in $SIZES; do
	root=$WORK/root-$n
	mkdir -p "$root"
	tar -C "$root" -xf "$FIXTURE"
	"$FAKECTL" "$root" gen "$n" >/dev/null
	RUNS=$RUNS WORK=$WORK MODCTL=$MODCTL N=$n unshare -m --propagation private bash -c '
		set -e
		mount --bind "'"$root"'/proc" /proc
		mount --bind "'"$root"'/sys" /sys
		mount -t tmpfs none /run
		times=""
		for ((i = 0; i < RUNS; i++)); do
			rm -rf /run/modctl /run/modprobe.d
			s=$EPOCHREALTIME; "$MODCTL" -q lockdown --all; e=$EPOCHREALTIME
			times="$times $(( ${e/./} - ${s/./} ))"
		done
		locked=$(grep -c "^lock " /run/modctl/locks)
		[ "$locked" -eq "$(wc -l </proc/modules)" ] || { echo "only $locked of $N locked" >&2; exit 1; }
		med=$(printf "%s\n" $times | sort -n | awk "{ a[NR] = \$1 } END { printf \"%.1f\", a[int((NR + 1) / 2)] / 1000 }")
		rm -rf /run/modctl /run/modprobe.d
		strace -f -qq -e trace=rename,renameat,renameat2,fsync -o "$WORK/trace" "$MODCTL" -q lockdown --all
		writes=$(grep -Ec "rename.*(/run/modctl/|\")locks\"\)" "$WORK/trace" || true)
		fsyncs=$(grep -c "^[0-9]* *fsync" "$WORK/trace" || true)
		printf "%8s %12s %16s %12s\n" "$N" "$med" "$writes" "$fsyncs"
	'
done
