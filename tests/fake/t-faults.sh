#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault injection: full disks and I/O errors while writing the registry and
# the modprobe guard, short and interrupted reads from the kernel's files,
# and allocations failing one at a time on the main paths.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
FAULTS=$(dirname "$FAKE_SHIM")/libfaults.so
need "$FAULTS"
fake_setup
REG=$FAKE_ROOT/run/modctl/locks
GUARD=$FAKE_ROOT/run/modprobe.d/modctl-lockdown.conf

# run_faulty FAULT ARGS...: modctl with MODCTL_FAULT=FAULT ("" for none)
run_faulty() {
	local f=$1
	shift
	set +e
	LD_PRELOAD="$FAULTS $FAKE_SHIM" MODCTL_FAKE_ROOT=$FAKE_ROOT MODCTL_FAKE_PREFIXES=${FAKE_PREFIXES:-} \
		MODCTL_FAULT=$f "$MODCTL" "$@" >"$FAKE_TMP/out" 2>"$FAKE_TMP/err" </dev/null
	status=$?
	out=$(cat "$FAKE_TMP/out")
	err=$(cat "$FAKE_TMP/err")
}
asan=$(ldd "$MODCTL" | grep -c libasan)

fakectl add udp_tunnel
fakectl add vxlan --deps udp_tunnel
fakectl add tun --refcnt 2
fakectl add loop

# tools/check-hardening leaves this test out of its sanitizer and valgrind
# passes; run by hand in such a build, it says why it does nothing.
if [ "$asan" -ne 0 ]; then
	plan_skip_all "fault injection replaces malloc and I/O calls that ASan intercepts: runs in the plain build"
fi
run_faulty "" lockdown tun
is "$status" 0 "lockdown tun (no fault)"
old_reg=$(cat "$REG") old_guard=$(cat "$GUARD")

for f in write:run/modctl/locks.:ENOSPC fsync:run/modctl/locks.:EIO \
	write:run/modprobe.d/modctl-lockdown.conf.:ENOSPC fsync:run/modprobe.d/modctl-lockdown.conf.:EIO \
	rename:run/modctl/locks:EIO; do
	run_faulty "$f" lockdown loop
	is "$status" 1 "$f: lockdown fails"
	like "$err" "cannot (write|replace) .*: (No space left on device|Input/output error)" "$f: names the file and the error"
	like "$err" "nothing was changed" "$f: says nothing was changed"
	is "$(cat "$REG")" "$old_reg" "$f: the registry is intact"
	is "$(cat "$GUARD")" "$old_guard" "$f: the guard is intact"
	is "$(ls "$FAKE_ROOT/run/modctl" "$FAKE_ROOT/run/modprobe.d" | grep -c '\.[A-Za-z0-9]\{6\}$')" 0 "$f: no temporary file is left"
done

# --- reads ------------------------------------------------------------
run_faulty "" list -r
normal=$out
run_faulty shortread:/proc/modules:7 list -r
is "$status:$out" "0:$normal" "/proc/modules read 7 bytes at a time: the same table"
run_faulty read:/sys/module/tun/refcnt:EINTR:1 refcnt tun
is "$status:$out" "0:2" "an interrupted read of refcnt is retried"
run_faulty read:/sys/module/tun/refcnt:EIO refcnt tun
is "$status" 1 "an I/O error reading refcnt: exit 1"
like "$err" "cannot read /sys/module/tun/refcnt: Input/output error" "and says so"
run_faulty read:/proc/modules:EIO list
is "$status" 1 "an I/O error reading /proc/modules: exit 1"
like "$err" "cannot read /proc/modules: Input/output error" "and says so"

# --- allocation failures: every allocation of each command, one at a time --
# kmod 30 itself crashes or loops forever when one of its own
# allocations fails (seen in kmod_module_get_path, reached by status and
# load); for those two commands only the allocations modctl makes
# directly are failed (MODCTL_FAIL_MALLOC_SCOPE=self).
sweep() {  # SCOPE MAX TIMEOUT CMD...
	local scope=$1 max=$2 limit=$3 n=1 rc
	shift 3
	crashes=0 hangs=0 silent=0
	while [ "$n" -le "$max" ]; do
		set +e
		LD_PRELOAD="$FAULTS $FAKE_SHIM" MODCTL_FAKE_ROOT=$FAKE_ROOT MODCTL_FAIL_MALLOC=$n \
			MODCTL_FAIL_MALLOC_SCOPE=$scope \
			timeout -s KILL "$limit" "$MODCTL" "$@" >/dev/null 2>"$FAKE_TMP/err" </dev/null
		rc=$?
		if [ "$rc" -eq 137 ]; then
			hangs=$((hangs + 1))
		elif [ "$rc" -ge 128 ]; then
			crashes=$((crashes + 1))
			diag "MODCTL_FAIL_MALLOC=$n $*: exit $rc"
		elif [ "$rc" -ne 0 ] && [ ! -s "$FAKE_TMP/err" ]; then
			silent=$((silent + 1))
		fi
		n=$((n + 1))
	done
}
for cmd in "list -o NAME,HOLDERS,VERSION,PARAMETERS" "refcnt tun vxlan" "lockdown loop" "unlock loop" \
	"unload -t 0 tun"; do
	# shellcheck disable=SC2086
	sweep all 250 10 $cmd
	is "$crashes:$hangs" "0:0" "$cmd: no crash and no hang when any one of its first 250 allocations fails"
	note "$cmd: $silent of 250 failures exited non-zero without a message"
	run_faulty "" unlock loop
done
for cmd in "status tun" "load -n vxlan"; do
	# shellcheck disable=SC2086
	sweep self 100 10 $cmd
	is "$crashes:$hangs" "0:0" "$cmd: no crash and no hang when any one of modctl's own first 100 allocations fails"
	note "$cmd: $silent of 100 failures exited non-zero without a message"
done
run_faulty "" list -o NAME,LOCK
is "$status" 0 "the registry still parses after all that"

done_testing
