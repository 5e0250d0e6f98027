#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/pin: what kernel-enforced locks cost. Real kernel: the test VM of
# tests/vm (Debian's kernel under QEMU/TCG), with every module of the image
# loaded.
#   - modctl lockdown --all with pins and with --no-pin, and unlock --all
#     after each: the difference, divided by the modules pinned, is what a
#     pin adds per module once the kernel's BTF has been read (once per
#     call); lockdown and unlock of tun alone show the cost of the first.
#   - at run time: the BPF links the kernel lists with every module pinned
#     (none on 6.4 and later: a never-attached program has no trampoline),
#     and the function each pin targets (before 6.4 each link patches it).
# Prints a table; asserts nothing.
#
# Environment: BENCH_RUNS (5), CC (must link -static), plus tests/vm's
# knobs (KERNEL/VM_KERNEL_LINE, MODCTL, top_srcdir, top_builddir, VM_*).
# Raw records: tests/vm/out/LINE/bench-pin.data.
set -eu
NAME=pin
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init
BENCH_RUNS=${BENCH_RUNS:-5}
printf 'BENCH_RUNS=%s\n' "$BENCH_RUNS" >"$work/root/bench/env"

echo "bench/pin: $BENCH_RUNS runs, booting the VM..." >&2
bench_boot "$here/pin-guest.sh" all

echo
echo "bench/pin: kernel-enforced locks on Linux $(bench_guest_kernel) under QEMU/TCG"
echo "(medians of $BENCH_RUNS runs, each from no lock; host load $load0 -> $load1)"
echo
awk "$bench_awk_sortn"'
function median(k,   i, v, n) {
	n = cnt[k]
	if (n == 0) return -1
	for (i = 1; i <= n; i++) v[i] = t[k, i]
	sortn(v, n)
	return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function ms(ns) { return ns < 0 ? "-" : sprintf("%.1f", ns / 1e6) }
$1 == "modules" { loaded = $2; next }
$1 ~ /^(all|unall|one|unone)$/ {
	k = $1 " " $2
	t[k, ++cnt[k]] = $4
	if ($5 != 0) bad = bad " " k "(exit " $5 ")"
	if ($1 == "all" && $2 == "pin") pinned = $6
	next
}
$1 == "links" { links = $2; next }
$1 == "progs" { progs = $2; next }
$1 == "pin" { funcs = funcs sprintf("  %-20s %s\n", $2, $3); next }
$1 == "reason" { $1 = ""; reasons = reasons "  registry-only:" $0 "\n"; next }
END {
	an = median("all nopin"); ap = median("all pin")
	un = median("unall nopin"); up = median("unall pin")
	on = median("one nopin"); op = median("one pin")
	uon = median("unone nopin"); uop = median("unone pin")
	printf "%-34s %12s %12s %12s\n", "", "--no-pin", "pinned", "added"
	printf "%-34s %12s %12s %12s\n", "lockdown --all (ms)", ms(an), ms(ap), ms(ap - an)
	printf "%-34s %12s %12s %12s\n", "unlock --all afterwards (ms)", ms(un), ms(up), ms(up - un)
	printf "%-34s %12s %12s %12s\n", "lockdown tun (ms)", ms(on), ms(op), ms(op - on)
	printf "%-34s %12s %12s %12s\n", "unlock tun (ms)", ms(uon), ms(uop), ms(uop - uon)
	print ""
	printf "modules loaded: %d; pinned by lockdown --all: %d\n", loaded, pinned
	if (pinned > 1) {
		printf "pin, per module after the first:   %.1f ms ((pinned - no-pin) / %d modules)\n", (ap - an) / 1e6 / pinned, pinned
		printf "unpin, per module:                  %.1f ms\n", (up - un) / 1e6 / pinned
	}
	printf "BPF links in the kernel with every module pinned: %d (modctl_lock programs: %d)\n", links, progs
	if (links == 0) print "  no trampoline: a pinned module costs nothing at run time"
	else print "  each link is a trampoline on the function below: one extra call when it runs"
	print ""
	print "function targeted by each pin:"
	printf "%s", funcs
	printf "%s", reasons
	if (bad != "") print "failed runs:" bad
}' "$data"
