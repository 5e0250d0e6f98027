#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/load: loading 20 real modules (with their dependencies) with one
# `modctl load M1 ... M20`, with 20 separate kmod `modprobe M` calls, and
# with one `modprobe -a M1 ... M20`, each from a clean state (every module
# unloaded), on a real kernel: the test VM of tests/vm (Debian's kernel under
# QEMU/TCG). Wall time measured in the guest (CLOCK_MONOTONIC, static helper
# bench/benchtool.c). Prints a table of medians; asserts nothing.
#
# Environment:
#   BENCH_RUNS           repetitions per tool (5)
#   BENCH_LOAD_MODULES   the modules to load, space or comma separated; those
#                        the image lacks, and permanent ones (no exit
#                        function: they could not be unloaded between runs),
#                        are skipped, and the list is filled up to
#                        BENCH_LOAD_COUNT from the other modules of the image
#   BENCH_LOAD_COUNT     how many modules (20)
#   CC (gcc; must link -static), and tests/vm's knobs (MODCTL, top_srcdir,
#   top_builddir, VM_*). Raw records: tests/vm/out/LINE/bench-load.data.
set -eu
NAME=load
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_LOAD_COUNT=${BENCH_LOAD_COUNT:-20}
# Leaves first (each pulls its dependency chain: vxlan -> udp_tunnel,
# ip6_udp_tunnel; bridge -> stp -> llc; macvtap -> macvlan, tap), then
# common modules a bigger image may have.
BENCH_LOAD_MODULES=${BENCH_LOAD_MODULES:-tun loop dummy veth vxlan geneve bridge macvtap \
bonding team ifb nlmon ipvlan macsec wireguard gtp vcan can_raw nbd zram}

{
	printf 'BENCH_RUNS=%s\n' "$BENCH_RUNS"
	printf 'BENCH_LOAD_COUNT=%s\n' "$BENCH_LOAD_COUNT"
	printf "BENCH_LOAD_MODULES='%s'\n" "$(printf '%s' "$BENCH_LOAD_MODULES" | tr -cd 'A-Za-z0-9_, -')"
} >"$work/root/bench/env"

VM_SCENARIO_TIMEOUT=${VM_SCENARIO_TIMEOUT:-$((600 + 60 * BENCH_RUNS))}
export VM_SCENARIO_TIMEOUT

echo "bench/load: $BENCH_RUNS runs per tool, booting the VM..." >&2
bench_boot "$here/load-guest.sh" load

n=$(awk '$1 == "modules" { print $2 }' "$data")
echo
echo "bench/load: loading $n modules from a clean state, Linux $(bench_guest_kernel) under QEMU/TCG"
echo "modules: $(awk '$1 == "modules" { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' "$data")"
echo
awk "$bench_awk_sortn"'
function med(x, t, n,   i, v) {
	if (n == 0) return -1
	for (i = 1; i <= n; i++) v[i] = x[t, i]
	sortn(v, n)
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function lo(x, t, n,   i, m) { m = x[t, 1]; for (i = 2; i <= n; i++) if (x[t, i] < m) m = x[t, i]; return m }
function hi(x, t, n,   i, m) { m = x[t, 1]; for (i = 2; i <= n; i++) if (x[t, i] > m) m = x[t, i]; return m }
$1 == "modules" { nmods = $2 }
$1 == "load" {
	t = $2
	if (!(t in n)) { order[++nt] = t; n[t] = 0; bad[t] = 0 }
	if ($5 != 0) { bad[t]++; next }
	k = ++n[t]
	ms[t, k] = $4 / 1e6
	loaded[t] = $6
}
$1 == "sh" { sh["sh", ++nsh] = $3 / 1e6 }
$1 == "sys" { sys[$2] = $3; ins[$2] = $4; lost[$2] = $5 }
END {
	label["modctl"] = "modctl load (1 call)"
	label["modprobe_x20"] = "modprobe x" nmods " (" nmods " calls)"
	label["modprobe_a"] = "modprobe -a (1 call)"
	printf "%-26s %5s %10s %8s %8s %9s %8s %9s %9s %6s\n", "tool", "runs", "median ms", "min ms", "max ms",
		"vs modctl", "modules", "syscalls", "f/init_", "failed"
	printf "%-26s %5s %10s %8s %8s %9s %8s %9s %9s %6s\n", "", "", "", "", "", "", "loaded", "", "module", ""
	for (i = 1; i <= nt; i++) {
		t = order[i]
		m[t] = med(ms, t, n[t])
	}
	for (i = 1; i <= nt; i++) {
		t = order[i]
		printf "%-26s %5d %10.1f %8.1f %8.1f %9s %8d %9s %9s %6d\n", (t in label ? label[t] : t), n[t], m[t],
			lo(ms, t, n[t]), hi(ms, t, n[t]),
			(m["modctl"] > 0 ? sprintf("%.2fx", m[t] / m["modctl"]) : "-"), loaded[t],
			(t in sys ? sys[t] (lost[t] ? "+" : "") : "-"), (t in ins ? ins[t] : "-"), bad[t]
	}
	print ""
	printf "(modules loaded: /proc/modules afterwards, dependencies included. syscalls:\n"
	printf "every system call of one more, untimed run, counted by the guest kernel\n"
	printf "(ftrace; \"+\": the trace buffer overflowed, a lower bound). The modprobe loop\n"
	printf "runs in one sh; starting a sh costs %.1f ms here (median), included.)\n", med(sh, "sh", nsh)
}' "$data"
echo
echo "Notes: the guest runs under QEMU's TCG (no KVM), so absolute times are several"
echo "times what hardware gives; the ratios are the figures to compare. Most of a"
echo "load is the kernel's own work (relocation, init), the same for every tool."
echo "Host: $(nproc) CPUs, load average $load0 before, $load1 after (anything else"
echo "running on the host slows the TCG guest and adds noise)."
echo "bench/load: took $((end - start)) s (raw records: $data)"
