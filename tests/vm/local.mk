# SPDX-License-Identifier: LGPL-2.1-or-later
# Tier 3: the built modctl on a real Debian kernel in QEMU (tests/vm/README).
#
# One TESTS entry per boot group: GROUP.vmtest boots the VM once and runs
# every scenario of that group (tests/vm/scenarios/*.sh; a "# vm: own-boot"
# header line gives a scenario a group, and so a boot, of its own). The
# .vmtest files are small executable scripts calling run.sh, so they need
# no TEST_EXTENSIONS entry: the default LOG_DRIVER (tap-driver) reads them.
vm_tests = \
	tests/vm/shared.vmtest \
	tests/vm/permanent.vmtest \
	tests/vm/disabled.vmtest \
	tests/vm/seal.vmtest \
	tests/vm/kernel-force.vmtest
if VM_TESTS
TESTS += $(vm_tests)
endif
# The soak has a boot of its own too, but runs only in make check-soak.
vm_soak_tests = tests/vm/soak.vmtest

vm_scenarios = \
	tests/vm/scenarios/kernel.sh \
	tests/vm/scenarios/list.sh \
	tests/vm/scenarios/refcnt.sh \
	tests/vm/scenarios/status.sh \
	tests/vm/scenarios/permanent.sh \
	tests/vm/scenarios/load.sh \
	tests/vm/scenarios/load-diff.sh \
	tests/vm/scenarios/load-diff-opts.sh \
	tests/vm/scenarios/load-diff-set.sh \
	tests/vm/scenarios/unload-diff.sh \
	tests/vm/scenarios/unload.sh \
	tests/vm/scenarios/lockdown.sh \
	tests/vm/scenarios/wait-monitor.sh \
	tests/vm/scenarios/udev.sh \
	tests/vm/scenarios/disabled.sh \
	tests/vm/scenarios/seal.sh \
	tests/vm/scenarios/kernel-force.sh \
	tests/vm/scenarios/soak.sh
EXTRA_DIST += \
	$(vm_tests) \
	$(vm_soak_tests) \
	$(vm_scenarios) \
	tests/vm/README \
	tests/vm/run.sh \
	tests/vm/host-lib.sh \
	tests/vm/fetch-kernel.sh \
	tests/vm/mkinitramfs.sh \
	tests/vm/modules.list \
	tests/vm/guest-init.sh \
	tests/vm/guest-lib.sh \
	tests/vm/demo.sh \
	tests/vm/demo-guest.sh

vm_env = \
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	MODCTL='$(abs_top_builddir)/modctl$(EXEEXT)' QEMU='$(QEMU)' JQ='$(JQ)'

# make check-vm                 the VM tier alone (even with --disable-vm-tests;
#                               check-TESTS still builds check_PROGRAMS)
# make check-vm SCENARIO=NAME   one scenario (or "A B"), in its boot group
check-vm: modctl$(EXEEXT)
	@set -e; \
	case ' $(SCENARIO) ' in *' soak '*) \
	  echo "check-vm: the soak runs with make check-soak (see tests/vm/README)" >&2; exit 2;; \
	esac; \
	if test -n '$(SCENARIO)'; then \
	  tests=`$(vm_env) $(SHELL) $(srcdir)/tests/vm/run.sh --tests-for $(SCENARIO)`; \
	else \
	  tests='$(vm_tests)'; \
	fi; \
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS="$$tests" VM_SCENARIO='$(SCENARIO)'

# make check-soak: the soak on the real kernel (tests/vm/scenarios/soak.sh),
# in a boot of its own; not part of make check or check-vm. Settings, as
# make or environment variables:
#   SOAK_SECONDS   how long the workers run (600)
#   SOAK_WORKERS   concurrent workers (8)
#   SOAK_PACE      seconds each worker pauses between operations (0)
#   SOAK_GRACE     seconds a modctl may run past its timeout before the
#                  watchdog calls it hung (20)
#   SOAK_SABOTAGE  all, or some of force,rmmod,registry,hang,model: break
#                  each invariant once; passes only if every check caught it
# They reach the guest through VM_GUEST_ENV; the guest's time limit for the
# scenario and qemu's for the boot grow with SOAK_SECONDS. The TAP goes to
# tests/vm/soak.vmtest.log through Automake's TAP driver (soak.vmtest is not
# in TESTS, so no check-TESTS rule knows it); the soak's report (its
# "# soak:" lines) is printed at the end. A soak that could not run fails.
check-soak: modctl$(EXEEXT)
	@set -e; \
	secs='$(SOAK_SECONDS)'; secs=$${secs:-600}; \
	workers='$(SOAK_WORKERS)'; workers=$${workers:-8}; \
	grace='$(SOAK_GRACE)'; grace=$${grace:-20}; \
	pace='$(SOAK_PACE)'; sabotage='$(SOAK_SABOTAGE)'; \
	for v in "SOAK_SECONDS=$$secs" "SOAK_WORKERS=$$workers" "SOAK_GRACE=$$grace"; do \
	  case $${v#*=} in ''|*[!0-9]*) echo "check-soak: $$v: a whole number is needed" >&2; exit 2;; esac; \
	done; \
	env="SOAK_SECONDS=$$secs SOAK_WORKERS=$$workers SOAK_GRACE=$$grace"; \
	test -z "$$pace" || env="$$env SOAK_PACE=$$pace"; \
	test -z "$$sabotage" || env="$$env SOAK_SABOTAGE=$$sabotage"; \
	limit=$$((secs + grace + 300)); \
	t=tests/vm/soak.vmtest; \
	$(MKDIR_P) tests/vm; \
	rm -f $$t.log $$t.trs; \
	echo "check-soak: $$env (the guest may take $$limit s; TAP: $$t.log)"; \
	$(TESTS_ENVIRONMENT) VM_GUEST_ENV="$$env$${VM_GUEST_ENV:+ $$VM_GUEST_ENV}" \
	VM_SCENARIO_TIMEOUT=$$limit VM_TIMEOUT=$$((limit + 180)) VM_SCENARIO= \
	  $(LOG_DRIVER) --test-name $$t --log-file $$t.log --trs-file $$t.trs \
	  --color-tests no --expect-failure no --enable-hard-errors yes -- \
	  $(SHELL) $(srcdir)/$$t; \
	sed -n 's/^# soak: /soak: /p' $$t.log; \
	result=`sed -n 's/^:global-test-result: //p' $$t.trs`; \
	echo "check-soak: $$result (TAP: $$t.log)"; \
	test "$$result" = PASS

# make demo: every modctl command, run on the real kernel, as a user sees it
demo: modctl$(EXEEXT)
	@$(vm_env) $(SHELL) $(srcdir)/tests/vm/demo.sh

# tests/vm/out: images and console logs of the last boots (small);
# tests/vm/cache: the extracted kernel package (~470 MB), kept by `make
# clean` so the next run does not download it again.
clean-local: clean-vm
clean-vm:
	-rm -rf tests/vm/out
distclean-local: distclean-vm
distclean-vm:
	-rm -rf tests/vm/out tests/vm/cache

.PHONY: check-vm check-soak demo clean-vm distclean-vm
