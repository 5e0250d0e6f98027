#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/unload: how long after a module's last reference goes does each tool
# take to unload it, and how many delete_module calls does it make on the way?
# Real kernel: the test VM of tests/vm (Debian's kernel under QEMU/TCG).
#
# Per trial, the same random delay (uniform, 0.1 s to 3 s) for each tool: a
# holder opens /dev/net/tun (a reference on tun), starts the unloader while
# holding it, releases it DELAY after the start, and waits for the unloader
# to exit. Latency = the unloader's exit - the holder's release, both read
# from CLOCK_MONOTONIC in the guest by a static helper (bench/benchtool.c).
# Tools:
#   modctl          modctl unload tun                 (defaults: -t 10s)
#   modprobe_wait   modprobe -r --wait 10000 tun      (kmod 30; MSEC)
#   rmmod_loop      sh -c 'until rmmod tun; do sleep 1; done'   (kmod's rmmod)
# delete_module calls are counted by the guest kernel (ftrace syscall
# events), which also says when tun was freed (module_free): the "kernel"
# columns are release -> freed.
#
# Prints a table; asserts nothing. Under TCG (no KVM) every syscall and
# process start is many times slower than on hardware: see the notes printed
# at the end.
#
# Environment: BENCH_TRIALS (30), BENCH_IDLE_RUNS (5: unloads of a free tun,
# for the cost of one run of each tool), BENCH_SEED (random delays; default:
# the time), CC (gcc; must link -static), plus tests/vm's knobs (MODCTL,
# top_srcdir, top_builddir, VM_*). Raw records: tests/vm/out/LINE/bench-unload.data.
set -eu
NAME=unload
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init
BENCH_TRIALS=${BENCH_TRIALS:-30}
BENCH_IDLE_RUNS=${BENCH_IDLE_RUNS:-5}
BENCH_SEED=${BENCH_SEED:-$(date +%s)}

delays=$(awk -v seed="$BENCH_SEED" -v n="$BENCH_TRIALS" 'BEGIN {
	srand(seed)
	for (i = 0; i < n; i++) printf "%d ", 100000 + int(rand() * 2900001)
}')
{
	printf 'BENCH_TRIALS=%s\n' "$BENCH_TRIALS"
	printf 'BENCH_IDLE_RUNS=%s\n' "$BENCH_IDLE_RUNS"
	printf "BENCH_DELAYS='%s'\n" "$delays"
} >"$work/root/bench/env"

# About 7 s per trial under TCG (4 min for 30); the timeout leaves a wide margin.
VM_SCENARIO_TIMEOUT=${VM_SCENARIO_TIMEOUT:-$((600 + 30 * BENCH_TRIALS))}
export VM_SCENARIO_TIMEOUT

echo "bench/unload: $BENCH_TRIALS trials (seed $BENCH_SEED), booting the VM..." >&2
bench_boot "$here/unload-guest.sh" held

echo
echo "bench/unload: release-to-unloaded latency of tun on Linux $(bench_guest_kernel) under QEMU/TCG"
echo "(seed $BENCH_SEED; the holder releases tun 0.1-3 s after the unloader starts;"
echo " latency = release -> unloader exit; p99 is nearest-rank: the max when under 100 trials)"
echo
awk "$bench_awk_sortn"'
# nearest-rank percentile of the values X[t, 1..n]
function pct(x, t, n, q,   i, k, v) {
	if (n == 0) return -1
	for (i = 1; i <= n; i++) v[i] = x[t, i]
	sortn(v, n)
	if (q >= 1) return v[n]
	k = int(q * n); if (k < q * n) k++
	if (k < 1) k = 1
	return v[k]
}
function ms(v) { return v < 0 ? "-" : sprintf("%.1f", v) }
function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.1fx", a / b) : "-" }
$1 == "held" {
	# TOOL TRIAL DELAY START RELEASE EXIT STATUS EARLY CALLS FAILED FREE ENTER RETURN FIRST STILL
	t = $2
	if (!(t in n)) { order[++nt] = t; n[t] = 0; bad[t] = 0; calls[t] = 0; np[t] = 0; late[t] = 0 }
	if ($8 != 0 || $9 != 0 || $16 != 0) { bad[t]++; next }
	# its first delete_module call came after the release: it was still
	# starting up (rmmod calls it only once it sees the module free)
	if (t != "rmmod_loop" && $15 > $6) late[t]++
	m = ++n[t]
	lat[t, m] = ($7 - $6) / 1e6
	sum[t] += lat[t, m]
	calls[t] += $10
	if ($13 > 0 && $14 > 0) {
		k = ++np[t]
		react[t, k] = ($13 - $6) / 1e6
		kern[t, k] = ($14 - $13) / 1e6
		leave[t, k] = ($7 - $14) / 1e6
	}
}
$1 == "idle" {
	t = $2
	if (!(t in ni)) ni[t] = 0
	if ($5 == 0 && $7 == 0) idle[t, ++ni[t]] = $4 / 1e6
}
END {
	printf "%-14s %6s %9s %9s %9s %9s %14s %7s\n", "tool", "trials", "p50 ms", "p99 ms", "max ms",
		"mean ms", "delete_module", "failed"
	printf "%-14s %6s %9s %9s %9s %9s %14s %7s\n", "", "", "", "", "", "", "calls/trial", ""
	for (i = 1; i <= nt; i++) {
		t = order[i]
		m = n[t]
		p50[t] = pct(lat, t, m, 0.5); p99[t] = pct(lat, t, m, 0.99)
		mc[t] = m ? calls[t] / m : -1
		printf "%-14s %6d %9s %9s %9s %9s %14.2f %7d\n", t, m, ms(p50[t]), ms(p99[t]),
			ms(pct(lat, t, m, 1)), ms(m ? sum[t] / m : -1), mc[t], bad[t]
	}
	for (i = 1; i <= nt; i++)
		if (late[order[i]])
			printf "(%s: in %d trial(s) the release came before its first delete_module call:\n still starting up; such a trial makes one call)\n", order[i], late[order[i]]
	print ""
	print "ratios (tool / modctl):"
	for (i = 1; i <= nt; i++) {
		t = order[i]
		if (t == "modctl") continue
		printf "  %-14s latency p50 %8s  p99 %8s;  reaction p99 %8s;  delete_module calls %8s\n", t,
			ratio(p50[t], p50["modctl"]), ratio(p99[t], p99["modctl"]),
			ratio(pct(react, t, np[t], 0.99), pct(react, "modctl", np["modctl"], 0.99)),
			ratio(mc[t], mc["modctl"])
	}
	print "  (reaction: release -> the successful delete_module call, see below)"
	print ""
	print "where the time goes (p50 / p99 ms; from the guest kernel trace):"
	printf "  %-14s %22s %22s %22s\n", "", "release -> successful", "delete_module call", "call returned ->"
	printf "  %-14s %22s %22s %22s\n", "tool", "delete_module call", "(kernel unload work)", "unloader exited"
	for (i = 1; i <= nt; i++) {
		t = order[i]
		k = np[t]
		printf "  %-14s %22s %22s %22s\n", t,
			ms(pct(react, t, k, 0.5)) " / " ms(pct(react, t, k, 0.99)),
			ms(pct(kern, t, k, 0.5)) " / " ms(pct(kern, t, k, 0.99)),
			ms(pct(leave, t, k, 0.5)) " / " ms(pct(leave, t, k, 0.99))
	}
	print ""
	print "targets (reported, not asserted):"
	if ("modctl" in p99) {
		printf "  modctl p99 <= 15 ms:                    %s ms (%s)\n", ms(p99["modctl"]),
			(p99["modctl"] <= 15 ? "met" : "missed")
		r = pct(react, "modctl", np["modctl"], 0.99)
		printf "    its reaction alone (release -> call): %s ms (%s)\n", ms(r),
			(r >= 0 && r <= 15 ? "within 15 ms" : "over 15 ms")
		if ("modprobe_wait" in p99)
			printf "  p99 >= 50x lower than modprobe --wait:  %s (%s)\n", ratio(p99["modprobe_wait"], p99["modctl"]),
				(p99["modprobe_wait"] >= 50 * p99["modctl"] ? "met" : "missed")
		if ("modprobe_wait" in mc)
			printf "  delete_module calls <= modprobe --wait: %.2f vs %.2f per trial (%s)\n", mc["modctl"],
				mc["modprobe_wait"], (mc["modctl"] <= mc["modprobe_wait"] ? "met" : "missed")
	}
	print ""
	print "one unload of a free tun, process start and exit included (median ms):"
	for (i = 1; i <= nt; i++) {
		t = order[i]
		printf "  %-14s %8s  (%d runs)\n", t, ms(pct(idle, t, ni[t], 0.5)), ni[t]
	}
}' "$data"
echo
echo "Notes: the guest runs under QEMU's TCG (no KVM): syscalls, sysfs reads and"
echo "process starts cost several times what they cost on hardware, so every"
echo "figure is inflated. modctl's latency is bounded by its poll interval (at most"
echo "--poll-max, 10 ms) plus one sysfs look, one delete_module and its exit;"
echo "modprobe --wait sleeps on an uncapped doubling schedule; the rmmod loop"
echo "sleeps 1 s between tries. What a tool's wait strategy decides is the first"
echo "column of \"where the time goes\"; the other two are the kernel's unload work"
echo "and the process exit, the same for every tool and inflated by TCG alike."
echo "Host: $(nproc) CPUs, load average $load0 before, $load1 after (anything else"
echo "running on the host slows the TCG guest and adds noise)."
echo "bench/unload: took $((end - start)) s (raw records: $data)"
