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
	tests/vm/scenarios/kernel-force.sh
EXTRA_DIST += \
	$(vm_tests) \
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
	if test -n '$(SCENARIO)'; then \
	  tests=`$(vm_env) $(SHELL) $(srcdir)/tests/vm/run.sh --tests-for $(SCENARIO)`; \
	else \
	  tests='$(vm_tests)'; \
	fi; \
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS TESTS="$$tests" VM_SCENARIO='$(SCENARIO)'

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

.PHONY: check-vm demo clean-vm distclean-vm
