# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package (debian/, README "Install").
#
# make deb        source and binary packages from make dist's tarball, in
#                 deb/ of the build tree (tools/make-deb)
# make check-deb  builds them and checks them, as TAP tests whose .log and
#                 .trs files land in tests/deb/ of the build tree:
#   t-build.sh    tools/make-deb builds the five files; version, format and
#                 the Depends computed from the libraries
#   t-lintian.sh  lintian on the .changes: no error, no warning
#   t-contents.sh dpkg -c of the .deb against tests/deb/files.list
#   t-clean-build.sh  the binary package built again in a fresh Debian root
#                 with nothing but the Build-Depends
#   t-install.sh  apt install of the .deb into a fresh Debian root, the
#                 installed unit verified, the installed modctl run on the
#                 real kernel in the VM (guest-cycle.sh), then dpkg -r and
#                 dpkg -P leave none of its files behind
# A check that cannot run (a tool missing, not root, no network) is a
# loud SKIP, and under CI=true a failure. Not part of make check: it needs
# root, network and a few minutes.
EXTRA_DIST += \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/docs \
	debian/modctl.dirs \
	debian/rules \
	debian/source/format \
	tools/make-deb \
	tests/deb/local.mk \
	tests/deb/lib.sh \
	tests/deb/files.list \
	tests/deb/guest-cycle.sh \
	tests/deb/t-build.sh \
	tests/deb/t-lintian.sh \
	tests/deb/t-contents.sh \
	tests/deb/t-clean-build.sh \
	tests/deb/t-install.sh

deb_tests = \
	tests/deb/t-build.sh \
	tests/deb/t-lintian.sh \
	tests/deb/t-contents.sh \
	tests/deb/t-clean-build.sh \
	tests/deb/t-install.sh

deb: modctl$(EXEEXT)
	$(MAKE) $(AM_MAKEFLAGS) dist
	$(SHELL) $(srcdir)/tools/make-deb $(PACKAGE)-$(VERSION).tar.xz deb

# The tests run one after the other (each needs the previous one's
# results), each through Automake's TAP driver like the tests of make
# check; the summary counts their results.
check-deb: modctl$(EXEEXT)
	@set -e; \
	$(MAKE) $(AM_MAKEFLAGS) dist; \
	$(MKDIR_P) tests/deb; \
	rm -f tests/deb/*.log tests/deb/*.trs; \
	for t in $(deb_tests); do \
	  b=$${t%.sh}; \
	  $(TESTS_ENVIRONMENT) DEB_TARBALL='$(abs_top_builddir)/$(PACKAGE)-$(VERSION).tar.xz' \
	    DEB_VERSION='$(VERSION)' QEMU='$(QEMU)' \
	    $(LOG_DRIVER) --test-name $$t --log-file $$b.log --trs-file $$b.trs \
	    --color-tests no --expect-failure no --enable-hard-errors yes -- \
	    $(SHELL) $(srcdir)/$$t || exit 1; \
	done; \
	pass=`cat tests/deb/*.trs | grep -c '^:test-result: PASS' || :`; \
	fail=`cat tests/deb/*.trs | grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)' || :`; \
	skip=`cat tests/deb/*.trs | grep -c '^:test-result: SKIP' || :`; \
	echo "check-deb: $$pass passed, $$fail failed, $$skip skipped (TAP: tests/deb/*.log)"; \
	test "$$fail" -eq 0

clean-local: clean-deb
clean-deb:
	-rm -rf deb tests/deb/out
distclean-local: distclean-deb
distclean-deb:
	-rm -rf deb tests/deb/out tests/deb/cache

.PHONY: deb check-deb clean-deb distclean-deb
