# SPDX-License-Identifier: LGPL-2.1-or-later
# --- fuzzing: libFuzzer targets of the parsers, and their replay -----------
# Included by the top-level Makefile.am; paths are relative to the top dir.
# See tests/fuzz/README.md.
#
#   ./configure --enable-fuzzing CC=clang && make fuzz [FUZZ_SECONDS=60]
#       [FUZZ_JOBS=N] [FUZZ_TARGETS="registry bootconf"]
#   make check      replays tests/fuzz/regressions/ and the seed corpora
#                   (any compiler, fuzzing enabled or not)

# Every target: tests/fuzz/fuzz-NAME.c, seeds in tests/fuzz/corpus/NAME/,
# optional tests/fuzz/dict/NAME.dict. Adding one means adding NAME here, to
# FUZZ_REPLAY_TESTS and FUZZ_PROGS, and its two blocks of lines below.
FUZZ_TARGET_NAMES = procmodules procmodules-line sysfs-value duration module-name load-option bootconf registry cmdline dispatch

FUZZ_SECONDS = 60
FUZZ_JOBS =
FUZZ_TARGETS = $(FUZZ_TARGET_NAMES)

fuzz_cflags = $(AM_CFLAGS) $(LIBKMOD_CFLAGS) $(SMARTCOLS_CFLAGS)

# Replay: each target's LLVMFuzzerTestOneInput with a plain main(), as TAP.
FUZZ_REPLAY_TESTS = \
	tests/fuzz/replay-procmodules \
	tests/fuzz/replay-procmodules-line \
	tests/fuzz/replay-sysfs-value \
	tests/fuzz/replay-duration \
	tests/fuzz/replay-module-name \
	tests/fuzz/replay-load-option \
	tests/fuzz/replay-bootconf \
	tests/fuzz/replay-registry \
	tests/fuzz/replay-cmdline \
	tests/fuzz/replay-dispatch
check_PROGRAMS += $(FUZZ_REPLAY_TESTS)
TESTS += $(FUZZ_REPLAY_TESTS)
fuzz_replay_cflags = $(fuzz_cflags) -DFUZZ_SRCDIR='"$(abs_top_srcdir)"'

tests_fuzz_replay_procmodules_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-procmodules.c
tests_fuzz_replay_procmodules_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"procmodules"'
tests_fuzz_replay_procmodules_LDADD = libmodctl.la

tests_fuzz_replay_procmodules_line_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-procmodules-line.c
tests_fuzz_replay_procmodules_line_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"procmodules-line"'
tests_fuzz_replay_procmodules_line_LDADD = libmodctl.la

tests_fuzz_replay_sysfs_value_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-sysfs-value.c
tests_fuzz_replay_sysfs_value_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"sysfs-value"'
tests_fuzz_replay_sysfs_value_LDADD = libmodctl.la

tests_fuzz_replay_duration_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-duration.c
tests_fuzz_replay_duration_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"duration"'
tests_fuzz_replay_duration_LDADD = libmodctl.la

tests_fuzz_replay_module_name_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-module-name.c
tests_fuzz_replay_module_name_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"module-name"'
tests_fuzz_replay_module_name_LDADD = libmodctl.la

tests_fuzz_replay_load_option_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-load-option.c
tests_fuzz_replay_load_option_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"load-option"'
tests_fuzz_replay_load_option_LDADD = libmodctl.la

tests_fuzz_replay_bootconf_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-bootconf.c
tests_fuzz_replay_bootconf_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"bootconf"'
tests_fuzz_replay_bootconf_LDADD = libmodctl.la

tests_fuzz_replay_registry_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-registry.c
tests_fuzz_replay_registry_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"registry"'
tests_fuzz_replay_registry_LDADD = libmodctl.la

tests_fuzz_replay_cmdline_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-cmdline.c
tests_fuzz_replay_cmdline_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"cmdline"'
tests_fuzz_replay_cmdline_LDADD = libmodctl.la

tests_fuzz_replay_dispatch_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-dispatch.c
tests_fuzz_replay_dispatch_CFLAGS = $(fuzz_replay_cflags) -DFUZZ_TARGET='"dispatch"'
tests_fuzz_replay_dispatch_LDADD = libmodctl.la


# libFuzzer binaries: built by 'make fuzz' only, with clang.
FUZZ_PROGS = \
	tests/fuzz/fuzz-procmodules \
	tests/fuzz/fuzz-procmodules-line \
	tests/fuzz/fuzz-sysfs-value \
	tests/fuzz/fuzz-duration \
	tests/fuzz/fuzz-module-name \
	tests/fuzz/fuzz-load-option \
	tests/fuzz/fuzz-bootconf \
	tests/fuzz/fuzz-registry \
	tests/fuzz/fuzz-cmdline \
	tests/fuzz/fuzz-dispatch
EXTRA_PROGRAMS = $(FUZZ_PROGS)
CLEANFILES += $(FUZZ_PROGS)
fuzz_ldflags = $(AM_LDFLAGS) -fsanitize=fuzzer

tests_fuzz_fuzz_procmodules_SOURCES = tests/fuzz/fuzz-procmodules.c
tests_fuzz_fuzz_procmodules_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_procmodules_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_procmodules_LDADD = libmodctl.la

tests_fuzz_fuzz_procmodules_line_SOURCES = tests/fuzz/fuzz-procmodules-line.c
tests_fuzz_fuzz_procmodules_line_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_procmodules_line_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_procmodules_line_LDADD = libmodctl.la

tests_fuzz_fuzz_sysfs_value_SOURCES = tests/fuzz/fuzz-sysfs-value.c
tests_fuzz_fuzz_sysfs_value_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_sysfs_value_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_sysfs_value_LDADD = libmodctl.la

tests_fuzz_fuzz_duration_SOURCES = tests/fuzz/fuzz-duration.c
tests_fuzz_fuzz_duration_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_duration_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_duration_LDADD = libmodctl.la

tests_fuzz_fuzz_module_name_SOURCES = tests/fuzz/fuzz-module-name.c
tests_fuzz_fuzz_module_name_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_module_name_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_module_name_LDADD = libmodctl.la

tests_fuzz_fuzz_load_option_SOURCES = tests/fuzz/fuzz-load-option.c
tests_fuzz_fuzz_load_option_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_load_option_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_load_option_LDADD = libmodctl.la

tests_fuzz_fuzz_bootconf_SOURCES = tests/fuzz/fuzz-bootconf.c
tests_fuzz_fuzz_bootconf_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_bootconf_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_bootconf_LDADD = libmodctl.la

tests_fuzz_fuzz_registry_SOURCES = tests/fuzz/fuzz-registry.c
tests_fuzz_fuzz_registry_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_registry_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_registry_LDADD = libmodctl.la

tests_fuzz_fuzz_cmdline_SOURCES = tests/fuzz/fuzz-cmdline.c
tests_fuzz_fuzz_cmdline_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_cmdline_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_cmdline_LDADD = libmodctl.la

tests_fuzz_fuzz_dispatch_SOURCES = tests/fuzz/fuzz-dispatch.c
tests_fuzz_fuzz_dispatch_CFLAGS = $(fuzz_cflags)
tests_fuzz_fuzz_dispatch_LDFLAGS = $(fuzz_ldflags)
tests_fuzz_fuzz_dispatch_LDADD = libmodctl.la


if FUZZING
# Builds every target, then runs each for FUZZ_SECONDS over a copy of its
# seeds in the build tree (tests/fuzz/work/NAME/), FUZZ_JOBS at a time.
fuzz: $(FUZZ_PROGS)
	@FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_JOBS='$(FUZZ_JOBS)' \
	$(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh '$(srcdir)' tests/fuzz $(FUZZ_TARGETS)
else
fuzz:
	@echo "make fuzz: fuzzing is not enabled in this build."; \
	echo "  Configure a build with clang and libFuzzer (Debian: libclang-rt-14-dev):"; \
	echo "    ./configure --enable-fuzzing CC=clang && make fuzz FUZZ_SECONDS=60"; \
	echo "  'make check' replays the regression inputs in any build."; \
	exit 1
endif
.PHONY: fuzz

clean-local: clean-local-fuzz
clean-local-fuzz:
	-rm -rf tests/fuzz/work
.PHONY: clean-local-fuzz

EXTRA_DIST += \
	tests/fuzz/README.md \
	tests/fuzz/fuzz.h \
	tests/kernel-args.h \
	tests/fuzz/known-bugs \
	tests/fuzz/run-fuzz.sh \
	tests/fuzz/corpus \
	tests/fuzz/dict \
	tests/fuzz/regressions
