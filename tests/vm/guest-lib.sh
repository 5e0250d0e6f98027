# SPDX-License-Identifier: LGPL-2.1-or-later
#
# guest-lib.sh: TAP helpers for scenarios that run inside the test VM.
# Sourced by tests/vm/scenarios/*.sh (busybox ash; POSIX sh only):
#
#   . /vm/guest-lib.sh
#
# Results go to the console as "@@TAP@@ ok - SCENARIO: DESCRIPTION" lines;
# the host harness (run.sh) numbers them and writes the plan. A scenario
# that exits non-zero (set -eu tripped) or prints no result fails as well.
#
#   pass DESC / fail DESC         an unconditional result
#   ok DESC CMD [ARG...]          passes when CMD exits 0
#   nok DESC CMD [ARG...]         passes when CMD exits non-zero
#   is GOT WANT DESC              string equality (diff shown on failure)
#   isnt GOT UNWANTED DESC
#   like GOT ERE DESC             some line of GOT matches the extended regex
#   unlike GOT ERE DESC
#   diag MSG...                   "# MSG" lines (each line of MSG)
#   run CMD [ARG...]              runs CMD; sets RC, OUT (stdout), ERR (stderr)
#                                 (trailing newlines stripped); never trips -e
#   run_as_user CMD [ARG...]      like run, as the unprivileged user
#                                 (nobody, uid/gid 65534, no capabilities)
#   wait_for SECONDS CMD [ARG...] retries CMD every 0.1 s until it succeeds;
#                                 returns 1 on timeout
#   modules_loaded                names in /proc/modules, one per line, sorted
#
# Tools: busybox applets shadow kmod's in busybox sh, so always call kmod
# through these absolute paths: $MODPROBE $RMMOD $INSMOD $LSMOD $DEPMOD
# $MODINFO $KMOD. $MODCTL is the modctl under test, $JQ jq, $SETPRIV
# util-linux setpriv. $VM_SCENARIO is the scenario's name.

MODCTL=/usr/bin/modctl
KMOD=/usr/bin/kmod
MODPROBE=/usr/sbin/modprobe
RMMOD=/usr/sbin/rmmod
INSMOD=/usr/sbin/insmod
LSMOD=/usr/sbin/lsmod
DEPMOD=/usr/sbin/depmod
MODINFO=/usr/sbin/modinfo
JQ=/usr/bin/jq
SETPRIV=/usr/bin/setpriv
VM_USER_UID=65534
VM_USER_GID=65534
VM_SCENARIO=${VM_SCENARIO:-$(basename "$0" .sh)}
export MODCTL KMOD MODPROBE RMMOD INSMOD LSMOD DEPMOD MODINFO JQ SETPRIV VM_SCENARIO

_vm_tmp=/tmp/.guest-lib.$$
mkdir -p "$_vm_tmp"

# A description must not look like a TAP directive.
_vm_desc() {
	printf '%s' "$*" | tr '\n' ' ' | sed 's/#/\\#/g'
}

diag() {
	printf '%s\n' "$*" | sed 's/^/@@TAP@@ # /'
}

pass() {
	printf '@@TAP@@ ok - %s: %s\n' "$VM_SCENARIO" "$(_vm_desc "$*")"
}

fail() {
	printf '@@TAP@@ not ok - %s: %s\n' "$VM_SCENARIO" "$(_vm_desc "$*")"
}

# run CMD...: RC, OUT, ERR; never trips set -e.
run() {
	RC=0
	"$@" >"$_vm_tmp/out" 2>"$_vm_tmp/err" || RC=$?
	OUT=$(cat "$_vm_tmp/out")
	ERR=$(cat "$_vm_tmp/err")
	return 0
}

run_as_user() {
	run "$SETPRIV" --reuid="$VM_USER_UID" --regid="$VM_USER_GID" \
		--clear-groups --inh-caps=-all --bounding-set=-all -- "$@"
}

ok() {
	_d=$1
	shift
	run "$@"
	if [ "$RC" -eq 0 ]; then
		pass "$_d"
	else
		fail "$_d"
		diag "command: $*" "exit status: $RC" "stdout: $OUT" "stderr: $ERR"
	fi
}

nok() {
	_d=$1
	shift
	run "$@"
	if [ "$RC" -ne 0 ]; then
		pass "$_d"
	else
		fail "$_d"
		diag "command (expected to fail): $*" "stdout: $OUT" "stderr: $ERR"
	fi
}

is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		printf '%s\n' "$2" >"$_vm_tmp/want"
		printf '%s\n' "$1" >"$_vm_tmp/got"
		diag "--- expected" "+++ got"
		diag "$(diff "$_vm_tmp/want" "$_vm_tmp/got" | sed '1,2d')"
	fi
}

isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "got, but did not want: '$1'"
	fi
}

like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3"
		diag "no line matches /$2/ in:" "$1"
	fi
}

unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3"
		diag "a line matches /$2/ in:" "$1"
	else
		pass "$3"
	fi
}

wait_for() {
	_t=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		_t=$((_t - 1))
		[ "$_t" -gt 0 ] || return 1
		sleep 0.1
	done
	return 0
}

modules_loaded() {
	while read -r _n _rest; do
		printf '%s\n' "$_n"
	done </proc/modules | sort
}
