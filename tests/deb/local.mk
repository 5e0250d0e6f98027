# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package (debian/, README "Install").
#
# make deb        source and binary packages from make dist's tarball, in
#                 deb/ of the build tree (tools/make-deb)
EXTRA_DIST += \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/docs \
	debian/modctl.dirs \
	debian/rules \
	debian/source/format \
	tools/make-deb \
	tests/deb/local.mk

deb: modctl$(EXEEXT)
	$(MAKE) $(AM_MAKEFLAGS) dist
	$(SHELL) $(srcdir)/tools/make-deb $(PACKAGE)-$(VERSION).tar.xz deb

clean-local: clean-deb
clean-deb:
	-rm -rf deb

.PHONY: deb clean-deb
