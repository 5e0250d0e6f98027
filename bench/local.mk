# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmarks: they measure and print tables, never pass or fail, and are not
# part of `make check`.
#
#   make bench          all five, one after the other
#   make bench-list     modctl list vs lsmod and /proc/modules over fake trees
#                       of 100-5,000 modules (fake tier; needs root; ~15 s)
#   make bench-unload   release-to-unloaded latency and delete_module calls:
#                       modctl unload vs modprobe -r --wait vs an rmmod loop,
#                       real kernel in the test VM (~4 min under TCG, 30 trials)
#   make bench-load     loading 20 modules: modctl load vs 20 modprobe calls
#                       vs modprobe -a, real kernel in the test VM (~4.5 min, 5 runs)
#   make bench-lockdown modctl lockdown --all over fake trees of 100-5,000
#                       modules: time, registry writes (fake tier; needs root)
#   make bench-pin      kernel-enforced locks: lockdown --all and unlock --all
#                       with and without pins, per-module pin and unpin cost,
#                       BPF links at run time; real kernel in the test VM
#                       (~3 min under TCG, 5 runs)
#   make bench-holders  who holds a module: the process scan over farms of 200
#                       and 2,000 processes holding 10 files each, through
#                       the kernel's file iterator and through /proc,
#                       against fuser and lsof on the same node (host, as
#                       root for the iterator; needs psmisc and lsof; ~1 min)
#
# Knobs (make VAR=... or environment): BENCH_TRIALS, BENCH_IDLE_RUNS,
# BENCH_SEED (bench-unload); BENCH_RUNS, BENCH_LOAD_MODULES,
# BENCH_LOAD_COUNT (bench-load); BENCH_RUNS (bench-pin); RUNS, SIZES (bench-list); RUNS, SIZES, FDS,
# NODE (bench-holders); KERNEL=6.12 (the
# VM benchmarks on the other kernel line; default 6.1); the VM tier's VM_*
# (tests/vm/README). Raw records of the VM benchmarks:
# tests/vm/out/LINE/bench-*.data.
bench_vm_env = \
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	MODCTL='$(abs_top_builddir)/modctl$(EXEEXT)' QEMU='$(QEMU)' JQ='$(JQ)' \
	VM_PATHS='$(abs_top_builddir)/tests/vm/paths.sh' VM_KERNEL_LINE='$(KERNEL)'

# one after the other, even under make -j: they would skew each other
bench:
	@$(MAKE) $(AM_MAKEFLAGS) bench-list
	@$(MAKE) $(AM_MAKEFLAGS) bench-lockdown
	@$(MAKE) $(AM_MAKEFLAGS) bench-unload
	@$(MAKE) $(AM_MAKEFLAGS) bench-load
	@$(MAKE) $(AM_MAKEFLAGS) bench-pin
	@$(MAKE) $(AM_MAKEFLAGS) bench-holders

bench-list: modctl$(EXEEXT) tests/fake/fakectl$(EXEEXT) tests/fake/fixture-root.tar
	@top_builddir='$(abs_top_builddir)' MODCTL='$(abs_top_builddir)/modctl$(EXEEXT)' \
	FAKECTL='$(abs_top_builddir)/tests/fake/fakectl$(EXEEXT)' \
	FIXTURE='$(abs_top_builddir)/tests/fake/fixture-root.tar' \
	bash $(srcdir)/bench/list.sh

bench-lockdown: modctl$(EXEEXT) tests/fake/fakectl$(EXEEXT) tests/fake/fixture-root.tar
	@top_builddir='$(abs_top_builddir)' MODCTL='$(abs_top_builddir)/modctl$(EXEEXT)' \
	FAKECTL='$(abs_top_builddir)/tests/fake/fakectl$(EXEEXT)' \
	FIXTURE='$(abs_top_builddir)/tests/fake/fixture-root.tar' \
	bash $(srcdir)/bench/lockdown.sh

bench-unload: modctl$(EXEEXT) tests/vm/paths.sh
	@$(bench_vm_env) CC='$(CC)' $(SHELL) $(srcdir)/bench/unload.sh

bench-load: modctl$(EXEEXT) tests/vm/paths.sh
	@$(bench_vm_env) CC='$(CC)' $(SHELL) $(srcdir)/bench/load.sh

bench-pin: modctl$(EXEEXT) tests/vm/paths.sh tests/vm/delete-module$(EXEEXT)
	@$(bench_vm_env) CC='$(CC)' $(SHELL) $(srcdir)/bench/pin.sh

# the scan engine alone, linked from the library (built with the tests, so
# that it keeps building)
check_PROGRAMS += bench/holders-scan
bench_holders_scan_SOURCES = bench/holders-scan.c
bench_holders_scan_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
bench_holders_scan_CFLAGS = $(AM_CFLAGS) $(SMARTCOLS_CFLAGS)
bench_holders_scan_LDADD = libmodctl.la

bench-holders: bench/holders-scan$(EXEEXT)
	@top_builddir='$(abs_top_builddir)' bash $(srcdir)/bench/holders.sh

EXTRA_DIST += \
	bench/holders.sh \
	bench/pin.sh \
	bench/pin-guest.sh \
	bench/list.sh \
	bench/lockdown.sh \
	bench/lib.sh \
	bench/unload.sh \
	bench/unload-guest.sh \
	bench/load.sh \
	bench/load-guest.sh \
	bench/benchtool.c

.PHONY: bench bench-list bench-lockdown bench-unload bench-load bench-pin bench-holders
