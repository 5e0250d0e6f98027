#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run libFuzzer targets for a while each; called by 'make fuzz'.
#   run-fuzz.sh SRCDIR BINDIR TARGET...
# Environment: FUZZ_SECONDS (default 60), FUZZ_JOBS (default: CPUs).
# Each target runs over tests/fuzz/work/TARGET/corpus, a copy of its seeds
# that keeps growing from run to run (the source tree is never written).
# Prints executions, corpus size and the result per target; exits 1 if any
# target crashed, timed out or ran out of memory.
set -u
srcdir=$1 bindir=$2
shift 2
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-}
[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 1)
work=$bindir/work
fuzzsrc=$srcdir/tests/fuzz

# Known, reported bugs do not stop a run (see tests/fuzz/known-bugs).
MODCTL_FUZZ_KNOWN_BUGS=$(sed -e 's/#.*//' -e 's/[[:space:]].*//' "$fuzzsrc/known-bugs" | tr '\n' ' ')
export MODCTL_FUZZ_KNOWN_BUGS

run_target() {
	t=$1
	dir=$work/$t
	mkdir -p "$dir/corpus" "$dir/artifacts" || return 1
	rm -f "$dir/artifacts"/*
	if [ -d "$fuzzsrc/corpus/$t" ]; then
		cp -f "$fuzzsrc/corpus/$t"/* "$dir/corpus/" 2>/dev/null
		chmod u+w "$dir/corpus"/* 2>/dev/null
	fi
	set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/"
	[ -f "$fuzzsrc/dict/$t.dict" ] && set -- "$@" -dict="$fuzzsrc/dict/$t.dict"
	# bootconf: longer inputs reach the "line too long" path (4096 bytes).
	[ "$t" = bootconf ] && set -- "$@" -max_len=9000
	"$bindir/fuzz-$t" "$@" "$dir/corpus" > "$dir/log" 2>&1
	echo $? > "$dir/status"
}

start=$(date +%s)
echo "make fuzz: $# targets, ${seconds}s each, $jobs at a time; logs in $work/TARGET/log"
running=0
for t in "$@"; do
	if [ ! -x "$bindir/fuzz-$t" ]; then
		echo "make fuzz: no such target: $t" >&2
		exit 1
	fi
	run_target "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

failed=0
printf '%-18s %12s %8s  %s\n' TARGET EXECUTIONS CORPUS RESULT
for t in "$@"; do
	dir=$work/$t
	status=$(cat "$dir/status" 2>/dev/null || echo '?')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	corpus=$(find "$dir/corpus" -type f | wc -l)
	case $status in
	0) result=ok ;;
	*)
		failed=$((failed + 1))
		artifact=$(ls "$dir/artifacts"/* 2>/dev/null | head -n 1)
		result="FAILED (exit $status) ${artifact:+reproducer $artifact}"
		;;
	esac
	printf '%-18s %12s %8s  %s\n' "$t" "${execs:-?}" "$corpus" "$result"
done
for t in "$@"; do
	dir=$work/$t
	[ "$(cat "$dir/status" 2>/dev/null)" = 0 ] && continue
	echo
	echo "--- $t: $dir/log"
	grep -a -A2 -E 'invariant failed|ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error|SUMMARY' "$dir/log" | head -n 20
done
echo "make fuzz: $(( $(date +%s) - start ))s in all; $failed of $# targets failed"
[ "$failed" -eq 0 ]
