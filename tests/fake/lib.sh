# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# TAP library for the fake kernel tier.  Source it from a bash test:
#
#   #!/bin/bash
#   . "${top_srcdir:-$(dirname "$0")/../..}/tests/fake/lib.sh"
#   fake_setup                       # fresh ROOT from the fixture
#   plan 3
#   fakectl add tun --refcnt 2
#   run_modctl refcnt tun
#   is "$status" 0 "refcnt exits 0"
#   is "$out" "2" "refcnt prints the count"
#   is_golden refcnt-tun.out "$out" "output matches the golden file"
#
# See tests/fake/README for the whole API.  Everything prints TAP on stdout;
# diagnostics go to stderr prefixed with '#'.

# --- locations ----------------------------------------------------------
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
FAKE_SRCDIR=$top_srcdir/tests/fake
FAKE_BUILDDIR=$top_builddir/tests/fake
: "${MODCTL:=$top_builddir/modctl}"
: "${FAKECTL:=$FAKE_BUILDDIR/fakectl}"
: "${FKSYS:=$FAKE_BUILDDIR/fksys}"
: "${FAKE_SHIM:=$FAKE_BUILDDIR/.libs/libfakekernel.so}"
# FAKE_KERNEL=6.12: the fixture tree as Debian's 6.12 ships it (mkfixture.sh)
FAKE_KERNEL=${FAKE_KERNEL:-6.1}
case $FAKE_KERNEL in
6.1) : "${FAKE_FIXTURE:=$FAKE_BUILDDIR/fixture-root.tar}"; FAKE_RELEASE=6.1.0-fake ;;
*) : "${FAKE_FIXTURE:=$FAKE_BUILDDIR/fixture-root-$FAKE_KERNEL.tar}"; FAKE_RELEASE=6.12.0-fake+deb12 ;;
esac
: "${JQ:=$(command -v jq || true)}"
: "${DEPMOD:=$(PATH=$PATH:/usr/sbin:/sbin command -v depmod || true)}"
export DEPMOD FAKE_KERNEL
# installation directories of this build (sysconfdir, runstatedir, ...);
# written by make, used so the shim also redirects configure-time paths
if [ -f "$FAKE_BUILDDIR/paths.sh" ]; then
	. "$FAKE_BUILDDIR/paths.sh"
fi

# --- TAP ------------------------------------------------------------------
_tap_n=0
_tap_failed=0
_tap_planned=

plan() { _tap_planned=$1; echo "1..$1"; }
# plan_skip_all REASON: skip the whole test (fails under CI=true, see need)
plan_skip_all() { echo "1..0 # SKIP $*"; _tap_planned=0; exit 0; }
done_testing() { [ -n "$_tap_planned" ] || { echo "1..$_tap_n"; _tap_planned=$_tap_n; }; }
diag() { local l; for l in "$@"; do printf '# %s\n' "$l" >&2; done; }
note() { local l; for l in "$@"; do printf '# %s\n' "$l"; done; }
bail_out() { echo "Bail out! $*"; exit 255; }

_tap_result() {                  # _tap_result OK(0/1) DESC
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# ok DESC COMMAND...: passes when COMMAND exits 0
ok() { local d=$1; shift; if "$@"; then _tap_result 0 "$d"; else _tap_result 1 "$d"; diag "command failed: $*"; return 1; fi; }
# nok DESC COMMAND...: passes when COMMAND exits non-zero
nok() { local d=$1; shift; if "$@"; then _tap_result 1 "$d"; diag "command succeeded: $*"; return 1; else _tap_result 0 "$d"; fi; }
pass() { _tap_result 0 "$1"; }
fail() { _tap_result 1 "$1"; shift; [ $# -gt 0 ] && diag "$@"; return 1; }
# is GOT EXPECTED DESC
is() {
	if [ "$1" = "$2" ]; then _tap_result 0 "$3"; return 0; fi
	_tap_result 1 "$3"
	diag "got:      '$1'" "expected: '$2'"
	return 1
}
isnt() { if [ "$1" != "$2" ]; then _tap_result 0 "$3"; else _tap_result 1 "$3"; diag "got '$1', expected anything else"; return 1; fi; }
# like GOT ERE DESC / unlike GOT ERE DESC  (grep -E on the whole text)
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then _tap_result 0 "$3"; return 0; fi
	_tap_result 1 "$3"; diag "got: '$1'" "does not match: /$2/"; return 1
}
unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then _tap_result 1 "$3"; diag "got: '$1'" "matches: /$2/"; return 1; fi
	_tap_result 0 "$3"
}
# skip COUNT REASON: record COUNT skipped tests
skip() { local i; for ((i = 0; i < $1; i++)); do _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $2"; done; }

# need TOOL...: every TOOL must be an executable path or command.  Missing:
# the whole test fails under CI=true, and is skipped loudly elsewhere.
need() {
	local t
	for t in "$@"; do
		if [ -z "$t" ] || { [ ! -x "$t" ] && ! command -v "$t" >/dev/null 2>&1; }; then
			if [ "${CI:-}" = true ]; then
				echo "1..1"
				echo "not ok 1 - required tool missing: '${t:-<empty>}' (CI=true)"
				exit 1
			fi
			diag "*** SKIPPING: required tool missing: '${t:-<empty>}' ***"
			plan_skip_all "required tool missing: ${t:-<empty>}"
		fi
	done
}

# have_bpf: this build has kernel-enforced locks (configure found libbpf
# and was not given --without-bpf)
have_bpf() { grep -q '^#define HAVE_BPF 1$' "$top_builddir/config.h" 2>/dev/null; }

_fake_exit() {
	local rc=$?
	if [ -n "$_tap_planned" ] && [ "$_tap_n" -ne "$_tap_planned" ] && [ "$_tap_planned" -ne 0 ]; then
		diag "planned $_tap_planned tests but ran $_tap_n"
		rc=1
	fi
	[ "$_tap_failed" -gt 0 ] && rc=1
	if [ -n "${FAKE_TMP:-}" ] && [ -d "$FAKE_TMP" ]; then
		if [ "$rc" -eq 0 ] && [ -z "${FAKE_KEEP:-}" ]; then
			rm -rf "$FAKE_TMP"
		else
			diag "fake root kept for inspection: $FAKE_ROOT"
		fi
	fi
	exit "$rc"
}

# --- the fake world -------------------------------------------------------

# fake_setup: build a private world for this test (below $FAKE_TMPDIR,
# default $top_builddir/tests/fake/tmp; use a tmpfs such as /dev/shm for
# big worlds: "gen 5000" takes ~1 s there, ~20 s on this VM's ext4).
# Sets and exports
#   FAKE_TMP   per-test scratch dir (removed on success unless FAKE_KEEP=1)
#   FAKE_ROOT  the fake root (a fresh copy of the fixture tree)
#   FAKE_MODDIR $FAKE_ROOT/lib/modules/$FAKE_RELEASE
fake_setup() {
	local name
	need "$FAKECTL" "$FAKE_SHIM"
	if [ ! -f "$FAKE_FIXTURE" ]; then
		need "$DEPMOD" "${CC:-cc}"
		_fake_build_fixture || bail_out "cannot build the fixture tree"
	fi
	name=$(basename "$0" .sh)
	mkdir -p "${FAKE_TMPDIR:-$FAKE_BUILDDIR/tmp}"
	FAKE_TMP=$(mktemp -d "${FAKE_TMPDIR:-$FAKE_BUILDDIR/tmp}/$name.XXXXXX") || bail_out "mktemp failed"
	FAKE_ROOT=$FAKE_TMP/root
	FAKE_MODDIR=$FAKE_ROOT/lib/modules/$FAKE_RELEASE
	mkdir "$FAKE_ROOT" && tar -C "$FAKE_ROOT" -xf "$FAKE_FIXTURE" || bail_out "cannot unpack $FAKE_FIXTURE"
	# parents of configure-time locations (e.g. ROOT/usr/local/var/run)
	local IFS=: p
	for p in ${FAKE_PREFIXES:-}; do
		[ -n "$p" ] && mkdir -p "$FAKE_ROOT$(dirname "$p")"
	done
	unset IFS
	export FAKE_TMP FAKE_ROOT FAKE_MODDIR FAKE_PREFIXES
	trap _fake_exit EXIT
}

# fixture built on demand when a test runs outside "make check"
_fake_build_fixture() {
	(
		flock 9
		[ -f "$FAKE_FIXTURE" ] && exit 0
		CC=${CC:-cc} FAKECTL=$FAKECTL FK_KERNEL=$FAKE_KERNEL sh "$FAKE_SRCDIR/mkfixture.sh" "$FAKE_SRCDIR/modules" "$FAKE_FIXTURE"
	) 9>"$FAKE_FIXTURE.lock"
}

# fakectl ARGS...: fakectl on this test's root
fakectl() { "$FAKECTL" "$FAKE_ROOT" "$@"; }

# The LD_PRELOAD value for PROGRAM: the shim, after the sanitizer runtime
# when PROGRAM was linked with one.
fake_preload_for() {
	local asan
	asan=$(ldd "$1" 2>/dev/null | awk '/libasan\.so/ { print $3; exit }')
	if [ -n "$asan" ]; then echo "$asan $FAKE_SHIM"; else echo "$FAKE_SHIM"; fi
}

# Sanitizer builds: a wrapper (setpriv, sh, env, strace, script) is not
# linked with libasan, so modctl started through it finds the shim first in
# LD_PRELOAD; ASan works then, but would refuse by default.
# Tests that race a scripted delay against modctl's start-up scale their
# delays by FAKE_SLOW (tools/check-hardening sets it for valgrind runs).
FAKE_SLOW=${FAKE_SLOW:-1}
slow() { echo $(($1 * FAKE_SLOW)); }
FAKE_ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99:verify_asan_link_order=0
[ -n "${ASAN_OPTIONS:-}" ] && ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0

# fake_env: print the env assignments that put a command in the fake world
fake_env() {
	echo "LD_PRELOAD=$FAKE_SHIM MODCTL_FAKE_ROOT=$FAKE_ROOT${FAKE_PREFIXES:+ MODCTL_FAKE_PREFIXES=$FAKE_PREFIXES} ASAN_OPTIONS=${ASAN_OPTIONS:-$FAKE_ASAN_OPTIONS}"
}

# run_in_fake COMMAND...: run any command in the fake world.  Sets
#   status  exit status
#   out     stdout (trailing newlines stripped), also in $FAKE_TMP/out
#   err     stderr, also in $FAKE_TMP/err
# The shim comes after libasan when COMMAND uses it (sanitizer builds).
run_in_fake() {
	local preload
	preload=$(fake_preload_for "$(command -v "$1" || echo "$1")")
	set +e
	LD_PRELOAD=$preload MODCTL_FAKE_ROOT=$FAKE_ROOT MODCTL_FAKE_PREFIXES=${FAKE_PREFIXES:-} \
		ASAN_OPTIONS=${ASAN_OPTIONS:-$FAKE_ASAN_OPTIONS} \
		"$@" >"$FAKE_TMP/out" 2>"$FAKE_TMP/err" </dev/null
	status=$?
	out=$(cat "$FAKE_TMP/out")
	err=$(cat "$FAKE_TMP/err")
	export status out err
	if [ "$status" -eq 99 ] && grep -qE 'Sanitizer|^==[0-9]+==' "$FAKE_TMP/err"; then
		fail "sanitizer report from: $*" "$(head -40 "$FAKE_TMP/err")"
	fi
	return 0
}

# run_modctl ARGS...: "$MODCTL" ARGS in the fake world (see run_in_fake)
run_modctl() { need "$MODCTL"; run_in_fake "$MODCTL" "$@"; }

# start_in_fake COMMAND...: like run_in_fake but in the background; the
# pid is in $bg_pid.  wait_bg then fills status/out/err.
start_in_fake() {
	local preload
	preload=$(fake_preload_for "$(command -v "$1" || echo "$1")")
	LD_PRELOAD=$preload MODCTL_FAKE_ROOT=$FAKE_ROOT MODCTL_FAKE_PREFIXES=${FAKE_PREFIXES:-} \
		"$@" >"$FAKE_TMP/out" 2>"$FAKE_TMP/err" </dev/null &
	bg_pid=$!
}
wait_bg() {
	set +e
	wait "$bg_pid"
	status=$?
	out=$(cat "$FAKE_TMP/out")
	err=$(cat "$FAKE_TMP/err")
	export status out err
}

# --- checks on the fake kernel ------------------------------------------------

# calls SYSCALL [NAME [ERRNO]]: number of emulated calls (delete_module,
# finit_module, init_module), optionally only for NAME / with result ERRNO
# ("0" for success, or EAGAIN, EBUSY, ...)
calls() { "$FAKECTL" "$FAKE_ROOT" count "$@"; }
# proc_modules: the fake /proc/modules
proc_modules() { cat "$FAKE_ROOT/proc/modules"; }
# loaded NAME: true when NAME is in the fake /proc/modules
loaded() { grep -q "^$1 " "$FAKE_ROOT/proc/modules"; }
# sysfs NAME ATTR: content of /sys/module/NAME/ATTR
sysfs() { cat "$FAKE_ROOT/sys/module/$1/$2" 2>/dev/null; }

# --- golden files ---------------------------------------------------------------

# is_golden NAME TEXT DESC: TEXT equals tests/fake/expected/NAME.
# MODCTL_UPDATE_GOLDEN=1 rewrites the file in the source tree instead.
# "@ROOT@" in the golden file stands for $FAKE_ROOT.
is_golden() {
	local f=$FAKE_SRCDIR/expected/$1 got
	got=$(printf '%s\n' "$2" | sed "s|$FAKE_ROOT|@ROOT@|g")
	if [ -n "${MODCTL_UPDATE_GOLDEN:-}" ]; then
		mkdir -p "$FAKE_SRCDIR/expected"
		printf '%s\n' "$got" >"$f"
		diag "updated $f"
	fi
	if [ ! -f "$f" ]; then fail "$3" "missing golden file $f (MODCTL_UPDATE_GOLDEN=1 creates it)"; return 1; fi
	if printf '%s\n' "$got" | diff -u "$f" - >"$FAKE_TMP/golden.diff"; then
		pass "$3"
	else
		fail "$3" "$(cat "$FAKE_TMP/golden.diff")"
	fi
}

# --- JSON -------------------------------------------------------------------------

# json_valid TEXT DESC
json_valid() { need "$JQ"; if printf '%s' "$1" | "$JQ" -e . >/dev/null 2>&1; then pass "$2"; else fail "$2" "not JSON: $1"; fi; }
# json_is TEXT FILTER EXPECTED DESC: jq -c FILTER on TEXT equals EXPECTED,
# compact JSON: strings quoted ('"going"'), numbers bare (2), '[]', '["a"]',
# true, null.  Several results are compared one per line.
json_is() {
	local got
	need "$JQ"
	if ! got=$(printf '%s' "$1" | "$JQ" -c "$2" 2>&1); then fail "$4" "jq '$2' failed: $got"; return 1; fi
	is "$got" "$3" "$4"
}
# json_str TEXT FILTER EXPECTED DESC: the same with jq -r (raw strings)
json_str() {
	local got
	need "$JQ"
	if ! got=$(printf '%s' "$1" | "$JQ" -r "$2" 2>&1); then fail "$4" "jq '$2' failed: $got"; return 1; fi
	is "$got" "$3" "$4"
}
# json_ok TEXT FILTER DESC: jq -e FILTER on TEXT is true
json_ok() {
	need "$JQ"
	if printf '%s' "$1" | "$JQ" -e "$2" >/dev/null 2>&1; then pass "$3"; else fail "$3" "jq -e '$2' is false on: $1"; fi
}

# --- misc ---------------------------------------------------------------------------

# re_quote STRING: STRING quoted for an extended regular expression
re_quote() { printf '%s' "$1" | sed 's/[].[\\*^$+?(){}|]/\\&/g'; }

# wait_until TIMEOUT_MS COMMAND...: poll COMMAND every 20 ms until it succeeds
wait_until() {
	local ms=$1 t=0
	shift
	while ! "$@"; do
		[ "$t" -ge "$ms" ] && return 1
		sleep 0.02
		t=$((t + 20))
	done
}
