#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run.sh tests/vm/LINE/GROUP.vmtest
#     Boot the test VM on kernel line LINE (VM_KERNEL_LINES in host-lib.sh)
#     once, run every scenario of boot group GROUP in it
#     (tests/vm/scenarios/*.sh, see scenario_group in host-lib.sh), print TAP
#     for Automake's tap-driver.sh on stdout. VM_SCENARIO="a b" (or a,b)
#     restricts the run to those scenarios. The full console of the boot is
#     kept in tests/vm/out/LINE/GROUP.console (build tree).
# run.sh --tests-for NAME...
#     Print the .vmtest files (relative to the top directory) whose boot
#     groups hold the scenarios NAME..., for the kernel line VM_KERNEL_LINE
#     or, when it is empty, for every line; fails on an unknown name.
# run.sh --bench NAME SCRIPT [DIR]
#     Benchmark mode (bench/*.sh): boot once and run SCRIPT (any guest
#     script, not a scenario) as the guest's only script, with the files of
#     DIR added to the image (see vm_add_tree). What SCRIPT prints, stdout
#     and stderr, is streamed to stdout as it comes; no TAP, no scenario
#     checks. SCRIPT may run VM_SCENARIO_TIMEOUT seconds (default 1800 here),
#     the boot VM_TIMEOUT (default that + 120). The kernel line is
#     VM_KERNEL_LINE's. Console: tests/vm/out/LINE/NAME.console. Exit status: 0 the guest ran SCRIPT to the
#     end and powered off, 77 the VM cannot run here, 1 anything else.
#
# Every scenario result becomes a TAP line; the harness adds, per scenario,
# "finished" (exit status 0, at least one result) and per boot "guest
# powered off" (no hang, panic or timeout) and "no kernel oops or warning".
# A tier that cannot run (no qemu, no kernel package) prints a SKIP plan,
# or, under CI=true, a failure.
set -eu
if [ "${1:-}" = --bench ]; then
	VM_SCENARIO_TIMEOUT=${VM_SCENARIO_TIMEOUT:-1800}
fi
# tests/vm/LINE/GROUP.vmtest: the kernel line is the directory's name
case ${1:-} in
*/*/*.vmtest) VM_KERNEL_LINE=$(basename "$(dirname "$1")") ;;
esac
. "$(cd "$(dirname "$0")" && pwd)/host-lib.sh"

if [ "${1:-}" = --bench ]; then
	[ $# -eq 3 ] || [ $# -eq 4 ] || {
		echo "usage: run.sh --bench NAME SCRIPT [DIR]" >&2
		exit 2
	}
	name=$2
	rc=0
	vm_prepare || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "run.sh: cannot run the VM: $VM_WHY" >&2
		[ "$rc" -eq 77 ] && exit 77
		exit 1
	fi
	if ! vm_build "$name" demo "$3"; then
		cat "$vm_out/$name.build.err" >&2
		exit 1
	fi
	if [ $# -eq 4 ]; then
		vm_add_tree "$name" "$4"
	fi
	VM_TIMEOUT=${VM_TIMEOUT:-$((VM_SCENARIO_TIMEOUT + 120))}
	# demo mode of guest-init.sh: every output line of SCRIPT comes as
	# "@@OUT@@ LINE"
	VM_STREAM="sed -u -n -e 's/\\r\$//' -e 's/^.*@@OUT@@ //p'"
	vm_boot "$name" 1
	console=$vm_out/$name.console
	if grep -Eq '(Oops|BUG:|WARNING:|Kernel panic|general protection fault)' "$console"; then
		echo "run.sh: the kernel log has an oops, BUG, WARNING or panic: see $console" >&2
	fi
	if [ "$BOOT_RC" -ne 0 ] || ! grep -q '@@VM@@ done' "$console"; then
		echo "run.sh: the VM did not finish (qemu status $BOOT_RC, after $BOOT_SECS s of at most $BOOT_TIMEOUT); console: $console" >&2
		exit 1
	fi
	echo "run.sh: $name: boot and run took $BOOT_SECS s on $VM_KERNEL_DESC (console: $console)" >&2
	exit 0
fi

if [ "${1:-}" = --tests-for ]; then
	shift
	tests=
	for n in $(printf '%s\n' "$@" | tr ',' ' '); do
		f=$vm_srcdir/scenarios/$n.sh
		if [ ! -e "$f" ]; then
			echo "run.sh: no scenario '$n' (tests/vm/scenarios/$n.sh)" >&2
			exit 1
		fi
		for l in ${VM_KERNEL_LINE:-$(vm_kernel_names)}; do
			t=tests/vm/$l/$(scenario_group "$f").vmtest
			case " $tests " in *" $t "*) ;; *) tests="$tests $t" ;; esac
		done
	done
	printf '%s\n' "${tests# }"
	exit 0
fi

[ $# -eq 1 ] || { echo "usage: run.sh tests/vm/LINE/GROUP.vmtest | --tests-for NAME..." >&2; exit 2; }
group=$(basename "$1" .vmtest)
case $1 in
*/"$vm_line"/"$group".vmtest) ;;
*) echo "usage: run.sh tests/vm/LINE/GROUP.vmtest (LINE one of: $(vm_kernel_names))" >&2; exit 2 ;;
esac

# The tier cannot run at all: fail under CI, skip loudly elsewhere.
unavailable() {
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - $vm_line $group: the VM tier cannot run: $1"
		echo "# CI=true: a missing VM tier is a failure, not a skip"
	else
		echo "1..0 # SKIP VM TIER NOT RUN: $1"
		printf '\n*** VM TIER SKIPPED (%s on %s): %s ***\n\n' "$group" "$vm_line" "$1" >&2
	fi
	exit 0
}

# --- which scenarios --------------------------------------------------------
sel=$(printf '%s' "${VM_SCENARIO:-}" | tr ',' ' ')
scripts=
names=
for f in $(scenario_files); do
	[ "$(scenario_group "$f")" = "$group" ] || continue
	n=$(basename "$f" .sh)
	if [ -n "$sel" ]; then
		case " $sel " in *" $n "*) ;; *) continue ;; esac
	fi
	scripts="$scripts $f"
	names="$names $n"
	t=$(scenario_timeout "$f")
	if [ -n "$t" ] && [ "$t" -gt "$VM_SCENARIO_TIMEOUT" ]; then
		VM_SCENARIO_TIMEOUT=$t
	fi
done
if [ -z "$names" ]; then
	if [ -n "$sel" ]; then
		echo "1..0 # SKIP no scenario of boot group $group selected (VM_SCENARIO=$sel)"
		exit 0
	fi
	echo "1..1"
	echo "not ok 1 - $group: boot group has no scenario (no tests/vm/scenarios/*.sh in it)"
	exit 0
fi
nscen=$(echo $names | wc -w)

# Host-side checks, printed before the boot's results.
pre=$vm_out/$group.pre-tap
mkdir -p "$vm_out"
: >"$pre"
if [ "$group" = shared ] && [ -z "$sel" ]; then
	# every scenario must be reachable through a TESTS entry, and be
	# distributed
	bad=
	undist=
	for f in $(scenario_files); do
		n=$(basename "$f" .sh)
		g=$(scenario_group "$f")
		for l in $(vm_kernel_names); do
			if [ ! -e "$vm_srcdir/$l/$g.vmtest" ] ||
				! grep -q "tests/vm/$l/$g\.vmtest" "$vm_srcdir/local.mk"; then
				bad="$bad $n->$l/$g"
			fi
		done
		grep -q "tests/vm/scenarios/$n\.sh" "$vm_srcdir/local.mk" || undist="$undist $n"
	done
	if [ -z "$bad" ]; then
		echo "ok - every scenario's boot group has a tests/vm/LINE/GROUP.vmtest listed in local.mk, for every kernel line" >>"$pre"
	else
		echo "not ok - every scenario's boot group has a tests/vm/LINE/GROUP.vmtest listed in local.mk, for every kernel line" >>"$pre"
		echo "# missing:$bad" >>"$pre"
	fi
	if [ -z "$undist" ]; then
		echo "ok - every scenario is listed in vm_scenarios in local.mk" >>"$pre"
	else
		echo "not ok - every scenario is listed in vm_scenarios in local.mk" >>"$pre"
		echo "# not listed:$undist" >>"$pre"
	fi
fi

# --- kernel, image, boot ----------------------------------------------------
rc=0
vm_prepare || rc=$?
case $rc in
0) ;;
77) unavailable "$VM_WHY" ;;
*)
	echo "1..1"
	echo "not ok 1 - $group: prepare the VM: $VM_WHY"
	exit 0
	;;
esac

rc=0
# shellcheck disable=SC2086
vm_build "$group" tap $scripts || rc=$?
if [ "$rc" -ne 0 ]; then
	[ "$rc" -ne 77 ] || unavailable "$(tail -n 1 "$vm_out/$group.build.err")"
	echo "1..1"
	echo "not ok 1 - $group: build the initramfs"
	sed 's/^/# /' "$vm_out/$group.build.err"
	exit 0
fi

vm_boot "$group" "$nscen"

# --- console -> TAP ---------------------------------------------------------
vm_console_tap "$group" "$names" "$pre"
rm -f "$pre"
