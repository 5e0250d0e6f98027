# SPDX-License-Identifier: LGPL-2.1-or-later
# What the benches (bench/load.sh, unload.sh, pin.sh) share: the work
# directory with the static helper (bench/benchtool.c) for the guest, one
# boot of the test VM of tests/vm that runs a guest script and brings its
# records back, and the reports' awk sort.
# Sourced (POSIX sh); the caller sets NAME (load, unload, pin) before.
#
# After bench_init: here, top_srcdir, top_builddir (exported), out, data
# (tests/vm/out/LINE/bench-NAME.data), work (removed on exit), $work/root/bench
# (copied into the guest as /bench) with benchtool in it.
# bench_boot GUEST_SCRIPT RECORD: boots, streams the guest's progress to
# stderr, keeps its "@R " lines in $data, and fails unless the guest ran to
# the end and sent at least one RECORD line. Sets start, end (seconds),
# load0, load1 (host load average before and after) and guest_out.

# An awk function the reports share: sortn(a, n) sorts a[1..n] in place,
# ascending (an insertion sort; the benches keep a few dozen values).
bench_awk_sortn='
function sortn(a, n,   i, j, v) {
	for (i = 2; i <= n; i++) {
		v = a[i]
		for (j = i - 1; j >= 1 && a[j] > v; j--) a[j + 1] = a[j]
		a[j + 1] = v
	}
}
'

bench_init() {
	here=$(cd "$(dirname "$0")" && pwd)
	top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
	top_builddir=${top_builddir:-$(pwd)}
	export top_srcdir top_builddir
	CC=${CC:-gcc}
	# the VM's output directory of the kernel line (VM_KERNEL_LINE)
	out=$top_builddir/tests/vm/out/${VM_KERNEL_LINE:-6.1}
	data=$out/bench-$NAME.data
	mkdir -p "$out"
	work=$(mktemp -d "${TMPDIR:-/tmp}/modctl-bench-$NAME.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	mkdir -p "$work/root/bench"
	"$CC" -static -O2 -o "$work/root/bench/benchtool" "$top_srcdir/bench/benchtool.c" || {
		echo "bench/$NAME: cannot build a static bench/benchtool.c with $CC (Debian: libc6-dev)" >&2
		exit 1
	}
}

bench_boot() {
	start=$(date +%s)
	load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || :)
	guest_out=$work/guest.out
	# stream progress to stderr, keep the records
	{
		rc=0
		"$top_srcdir/tests/vm/run.sh" --bench "bench-$NAME" "$1" "$work/root" || rc=$?
		echo "$rc" >"$work/rc"
	} | tee "$guest_out" | grep --line-buffered -v '^@R ' >&2 || :
	rc=$(cat "$work/rc")
	grep '^@R ' "$guest_out" | sed 's/^@R //' >"$data" || :
	end=$(date +%s)
	load1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || :)
	if [ "$rc" -ne 0 ]; then
		echo "bench/$NAME: the VM run failed (status $rc)" >&2
		exit "$rc"
	fi
	if ! grep -q '^guest: done' "$guest_out"; then
		echo "bench/$NAME: the guest script stopped before its end (console: $out/bench-$NAME.console)" >&2
		exit 1
	fi
	if ! grep -q "^$2 " "$data"; then
		echo "bench/$NAME: no results came back from the guest" >&2
		exit 1
	fi
}

# The guest kernel's Linux version, as the guest script reported it.
bench_guest_kernel() {
	sed -n 's/^guest: Linux \([^,]*\),.*/\1/p' "$guest_out"
}
