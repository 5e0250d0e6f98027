# SPDX-License-Identifier: LGPL-2.1-or-later
# Tier 1: cmocka unit tests of the pure parts, reporting TAP.
unit_tests = \
	tests/unit/test-util \
	tests/unit/test-procmodules \
	tests/unit/test-registry \
	tests/unit/test-backoff \
	tests/unit/test-bootconf \
	tests/unit/test-btf-lite
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
unit_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBKMOD_CFLAGS) $(SMARTCOLS_CFLAGS)
unit_ldadd = libmodctl.la $(CMOCKA_LIBS)
EXTRA_DIST += tests/unit/unit.h

tests_unit_test_util_SOURCES = tests/unit/test-util.c
tests_unit_test_util_CFLAGS = $(unit_cflags)
tests_unit_test_util_LDADD = $(unit_ldadd)
tests_unit_test_procmodules_SOURCES = tests/unit/test-procmodules.c
tests_unit_test_procmodules_CFLAGS = $(unit_cflags)
tests_unit_test_procmodules_LDADD = $(unit_ldadd)
tests_unit_test_registry_SOURCES = tests/unit/test-registry.c
tests_unit_test_registry_CFLAGS = $(unit_cflags)
tests_unit_test_registry_LDADD = $(unit_ldadd)
tests_unit_test_backoff_SOURCES = tests/unit/test-backoff.c
tests_unit_test_backoff_CFLAGS = $(unit_cflags)
tests_unit_test_backoff_LDADD = $(unit_ldadd)
tests_unit_test_bootconf_SOURCES = tests/unit/test-bootconf.c
tests_unit_test_bootconf_CFLAGS = $(unit_cflags)
tests_unit_test_bootconf_LDADD = $(unit_ldadd)
tests_unit_test_btf_lite_SOURCES = tests/unit/test-btf-lite.c
tests_unit_test_btf_lite_CFLAGS = $(unit_cflags)
tests_unit_test_btf_lite_LDADD = $(unit_ldadd)
