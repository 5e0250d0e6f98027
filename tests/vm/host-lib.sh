# SPDX-License-Identifier: LGPL-2.1-or-later
#
# host-lib.sh: shared by run.sh, demo.sh and tests/deb/t-install.sh (sourced;
# POSIX sh).
#
# Environment (all optional when run from the build tree's top directory;
# `make check` sets the first four):
#   top_srcdir, top_builddir   source and build trees
#   MODCTL                     the modctl to test ($top_builddir/modctl)
#   QEMU                       qemu-system-x86_64
#   VM_TIMEOUT                 seconds one boot may take before it is killed
#                              (default 90 + the scenario timeout + 10 per
#                              scenario)
#   VM_SCENARIO_TIMEOUT        seconds one scenario may take in the guest (120,
#                              or more where its header says timeout=N; 1800
#                              for run.sh --bench)
#   VM_APPEND                  extra kernel command line
#   VM_KERNEL_IMAGE=bzimage    boot vmlinuz even when a PVH vmlinux exists
#   VM_KERNEL_LINE             which kernel line to boot (see VM_KERNEL_LINES;
#                              default the first); run.sh takes it from the
#                              directory of the .vmtest instead
#   VM_KERNEL_PKG              kernel package to use (see fetch-kernel.sh)
#   VM_CPU                     qemu -cpu model (max)
#   VM_QEMU_LOCK               lock file serialising boots (tests/vm/out/.qemu.lock)
#   CI=true                    a tier that cannot run fails instead of skipping

vm_here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$vm_here/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
MODCTL=${MODCTL:-$top_builddir/modctl}
QEMU=${QEMU:-}
[ -n "$QEMU" ] || QEMU=$(command -v qemu-system-x86_64 2>/dev/null) || QEMU=
VM_SCENARIO_TIMEOUT=${VM_SCENARIO_TIMEOUT:-120}
vm_srcdir=$top_srcdir/tests/vm
vm_builddir=$top_builddir/tests/vm
export top_srcdir top_builddir MODCTL

# The kernel lines the tier boots, NAME=METAPACKAGE: Debian 12's default
# kernel and the newest 6.12 built for Debian 12 (both from its archive,
# each resolved through its metapackage at run time). Every boot group
# runs on each: tests/vm/NAME/GROUP.vmtest.
VM_KERNEL_LINES="6.1=linux-image-amd64 6.12=linux-image-6.12-amd64"

# vm_use_kernel NAME: select a kernel line; sets vm_line, vm_meta, and the
# line's own cache and output directories vm_cache, vm_out. Fails on an
# unknown NAME.
vm_use_kernel() {
	vm_meta=
	for _l in $VM_KERNEL_LINES; do
		[ "${_l%%=*}" = "$1" ] && vm_meta=${_l#*=}
	done
	if [ -z "$vm_meta" ]; then
		echo "unknown kernel line '$1' (known: $(vm_kernel_names))" >&2
		return 1
	fi
	vm_line=$1
	vm_cache=$vm_builddir/cache/$vm_line
	vm_out=$vm_builddir/out/$vm_line
}
vm_kernel_names() {
	for _l in $VM_KERNEL_LINES; do
		printf '%s ' "${_l%%=*}"
	done | sed 's/ $//'
}
vm_use_kernel "${VM_KERNEL_LINE:-${VM_KERNEL_LINES%%=*}}" || exit 2

# scenario_group FILE: the boot group a scenario runs in. A header line
#   # vm: own-boot        its own boot, group = the scenario's name
#   # vm: boot=NAME       group NAME (scenarios that may share that boot)
# within the first 20 lines; default: shared. "# vm: timeout=N" there lets
# the scenario take N seconds rather than VM_SCENARIO_TIMEOUT.
scenario_group() {
	_g=$(sed -n '1,20s/^#[[:space:]]*vm:[[:space:]]*//p' "$1" | tr ' \t' '\n\n' | sed -n \
		-e 's/^own-boot$/@own/p' -e 's/^boot=\([A-Za-z0-9_-]*\)$/\1/p' | head -n 1)
	case $_g in
	'') echo shared ;;
	@own) basename "$1" .sh ;;
	*) echo "$_g" ;;
	esac
}

# scenario_timeout FILE: the N of its "timeout=N" header, or nothing
scenario_timeout() {
	sed -n '1,20s/^#[[:space:]]*vm:[[:space:]]*//p' "$1" | tr ' \t' '\n\n' |
		sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' | head -n 1
}

# all scenario files, sorted
scenario_files() {
	for _f in "$vm_srcdir"/scenarios/*.sh; do
		[ -e "$_f" ] && printf '%s\n' "$_f"
	done
}

# vm_prepare: fetch the kernel; sets VM_KERNEL (image to boot) and VM_KDIR.
# Returns 77 when no kernel can be had, 1 on other errors; VM_WHY says why.
vm_prepare() {
	VM_WHY=
	if [ -z "$QEMU" ] || ! command -v "$QEMU" >/dev/null 2>&1; then
		VM_WHY="qemu-system-x86_64 not found (Debian package qemu-system-x86)"
		return 77
	fi
	if [ ! -x "$MODCTL" ]; then
		VM_WHY="MODCTL=$MODCTL is not built (run make)"
		return 1
	fi
	mkdir -p "$vm_cache" "$vm_out"
	_rc=0
	VM_KDIR=$("$vm_srcdir/fetch-kernel.sh" "$vm_cache" "$vm_meta" 2>"$vm_out/fetch-kernel.err") || _rc=$?
	if [ "$_rc" -ne 0 ]; then
		VM_WHY="no kernel: $(tail -n 1 "$vm_out/fetch-kernel.err") (log: $vm_out/fetch-kernel.err)"
		return "$_rc"
	fi
	_kver=$(ls "$VM_KDIR/lib/modules" | head -n 1)
	# "PACKAGE VERSION", for the logs
	VM_KERNEL_DESC="$vm_line: $(cat "$VM_KDIR/.package" 2>/dev/null || echo "$_kver")"
	VM_KERNEL=$VM_KDIR/boot/vmlinuz-$_kver
	if [ "${VM_KERNEL_IMAGE:-}" != bzimage ] && [ -e "$VM_KDIR/boot/vmlinux-$_kver" ]; then
		VM_KERNEL=$VM_KDIR/boot/vmlinux-$_kver
	fi
	return 0
}

# vm_build NAME MODE SCRIPT...: out/NAME.initrd. Returns mkinitramfs's status.
vm_build() {
	_name=$1
	_mode=$2
	shift 2
	"$vm_srcdir/mkinitramfs.sh" -k "$VM_KDIR" -o "$vm_out/$_name.initrd" \
		-m "$_mode" -t "$VM_SCENARIO_TIMEOUT" "$@" 2>"$vm_out/$_name.build.err"
}

# vm_add_tree NAME DIR: appends the files under DIR (a root-relative tree,
# e.g. DIR/bench/tool becomes /bench/tool) to out/NAME.initrd as one more
# uncompressed cpio archive, which the kernel unpacks after the others.
# For what only a benchmark needs (run.sh --bench).
vm_add_tree() {
	(cd "$2" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >>"$vm_out/$1.initrd"
}

# vm_boot NAME NSCENARIOS: boot out/NAME.initrd; the console goes to
# out/NAME.console (or, with VM_STREAM set, through that filter command to
# stdout as well). Sets BOOT_RC (124: killed on timeout), BOOT_SECS,
# BOOT_TIMEOUT.
vm_boot() {
	_name=$1
	BOOT_TIMEOUT=${VM_TIMEOUT:-$((90 + (VM_SCENARIO_TIMEOUT + 10) * $2))}
	_console=$vm_out/$_name.console
	# One qemu at a time: two TCG guests on a 2-core machine take longer
	# than one after the other (make -j check would start them together).
	# The lock is held (fd 8) until this boot ends; the timeout starts
	# only once it is ours. VM_QEMU_LOCK names another lock file, to
	# serialise the boots of several build trees on one machine.
	mkdir -p "$vm_builddir/out"
	exec 8>"${VM_QEMU_LOCK:-$vm_builddir/out/.qemu.lock}"
	if command -v flock >/dev/null 2>&1; then
		flock 8
	fi
	_start=$(date +%s.%N)
	set -- "$QEMU" -accel tcg -cpu "${VM_CPU:-max}" -m 512 -smp 2 -nographic -no-reboot \
		-nic none -kernel "$VM_KERNEL" -initrd "$vm_out/$_name.initrd" \
		-append "console=ttyS0 quiet panic=-1 oops=panic initcall_blacklist=crypto_kdf108_init,init_blk_tracer ${VM_APPEND:-}"
	BOOT_RC=0
	if [ -n "${VM_STREAM:-}" ]; then
		# the filter's status is what counts in a pipe; keep qemu's in a file
		{ timeout -k 10 "$BOOT_TIMEOUT" "$@" </dev/null 2>&1 || echo $? >"$_console.rc"; } |
			tee "$_console" | sh -c "$VM_STREAM"
		[ ! -e "$_console.rc" ] || BOOT_RC=$(cat "$_console.rc")
		rm -f "$_console.rc"
	else
		timeout -k 10 "$BOOT_TIMEOUT" "$@" </dev/null >"$_console" 2>&1 || BOOT_RC=$?
	fi
	BOOT_SECS=$(echo "$(date +%s.%N) $_start" | awk '{ printf "%.1f", $1 - $2 }')
	exec 8>&-
}

# vm_console_tap NAME "SCENARIO..." PRE [POST]: TAP on stdout from the console
# of the last boot of NAME (out/NAME.console; vm_boot's BOOT_* variables):
# every "@@TAP@@" line of the guest, numbered, and per scenario "finished"
# (exit status 0 and at least one result), per boot "guest ran to the end
# and powered off" and "kernel log has no oops, BUG, WARNING or panic"; on
# a failure the last console lines as diagnostics; then the plan. The
# "ok - ..." and "not ok - ..." lines of the file PRE (host-side checks)
# come first, those of the file POST (optional) last; other lines of them
# are copied as they are.
vm_console_tap() {
	tr -d '\r' <"$vm_out/$1.console" | awk \
	-v names="$2" -v group="$1" -v boot_rc="$BOOT_RC" \
	-v boot_secs="$BOOT_SECS" -v boot_timeout="$BOOT_TIMEOUT" \
	-v console="$vm_out/$1.console" -v kernel="$VM_KERNEL" -v pre="$3" -v post="${4:-}" \
	-v kdesc="$VM_KERNEL_DESC" '
function emit(ok, desc) {
	n++
	if (!ok) failed++
	printf "%s %d - %s\n", (ok ? "ok" : "not ok"), n, desc
}
BEGIN {
	n = 0; failed = 0; done = 0; cur = ""; indmesg = 0; ng = 0; nk = 0; nc = 0
	while ((getline line < pre) > 0) {
		if (line ~ /^ok /) emit(1, substr(line, 6))
		else if (line ~ /^not ok /) emit(0, substr(line, 10))
		else print line
	}
	printf "# kernel %s; boot group %s: %s\n", kdesc, group, names
}
/@@TAP@@ / {
	line = $0
	sub(/^.*@@TAP@@ /, "", line)
	if (line ~ /^ok( |$)/) { emit(1, substr(line, 6)); results[cur]++ }
	else if (line ~ /^not ok( |$)/) { emit(0, substr(line, 10)); results[cur]++ }
	else if (line ~ /^#/) print line
	else print "# (unrecognised guest line) " line
	next
}
/@@VM@@ begin / { cur = $NF; begun[cur] = 1; results[cur] += 0; next }
/@@VM@@ end / {
	line = $0
	sub(/^.*@@VM@@ end /, "", line)
	split(line, f, " ")
	ended[f[1]] = f[2]; secs[f[1]] = f[3]; cur = ""; next
}
/@@VM@@ done/ { done = 1; next }
# a scenario expects one kernel WARNING (allow_kernel_warning in guest-lib.sh)
/@@VM@@ allow-warning / {
	line = $0
	sub(/^.*@@VM@@ allow-warning /, "", line)
	allowpat[++nallowpat] = line
	next
}
/^----- dmesg -----$/ { indmesg = 1; next }
/^----- end of dmesg -----$/ { indmesg = 0; next }
# kernel trouble, wherever it shows; a WARNING a scenario declared, with
# its call trace, is listed but not counted (an oops never is allowed)
/WARNING:/ {
	inallowed = 0
	for (i = 1; i <= nallowpat; i++)
		if (index($0, allowpat[i])) inallowed = 1
}
/---\[ end trace/ { inallowed = 0 }
/(Oops|BUG:|WARNING:|Kernel panic|Call Trace:|general protection fault)/ {
	if (inallowed && $0 !~ /(Oops|BUG:|Kernel panic|general protection fault)/)
		allowed[++nallowed] = $0
	else
		trouble[++ntrouble] = $0
}
indmesg { nk++; ktail[nk % 15] = $0; next }
/^\[ *[0-9]+\.[0-9]+\] / { nc++; ctail[nc % 15] = $0; next }
{ ng++; gtail[ng % 25] = $0 }
END {
	split(names, list, " ")
	for (i = 1; i in list; i++) {
		s = list[i]
		if (!(s in begun)) emit(0, s ": scenario started")
		else if (!(s in ended)) emit(0, s ": scenario finished (it did not: hang, crash or timeout)")
		else if (ended[s] != 0) emit(0, s ": scenario finished (exit status " ended[s] (ended[s] == 137 ? ", killed by the guest timeout" : "") ")")
		else if (results[s] == 0) emit(0, s ": scenario finished (but reported no result)")
		else emit(1, s ": scenario finished (" secs[s] " s)")
	}
	if (done && boot_rc == 0)
		emit(1, group ": guest ran to the end and powered off (" boot_secs " s)")
	else if (boot_rc == 124 || boot_rc == 137)
		emit(0, group ": guest ran to the end and powered off (killed after " boot_timeout " s: hung)")
	else
		emit(0, group ": guest ran to the end and powered off (qemu exit status " boot_rc ", end marker " (done ? "seen" : "missing: panic or crash?") ")")
	emit(ntrouble == 0, group ": kernel log has no oops, BUG, WARNING or panic")
	for (i = 1; i <= ntrouble && i <= 20; i++) print "#   " trouble[i]
	for (i = 1; i <= nallowed; i++) print "#   expected by a scenario: " allowed[i]
	while (post != "" && (getline line < post) > 0) {
		if (line ~ /^ok /) emit(1, substr(line, 6))
		else if (line ~ /^not ok /) emit(0, substr(line, 10))
		else print line
	}
	if (failed) {
		printf "# console log: %s\n", console
		printf "# kernel: %s\n", kernel
		print "# last guest output lines (not TAP):"
		for (i = ng - 24; i <= ng; i++) if (i > 0) print "#   " gtail[i % 25]
		if (nk) {
			print "# last kernel log lines (dmesg):"
			for (i = nk - 14; i <= nk; i++) if (i > 0) print "#   " ktail[i % 15]
		} else {
			print "# last kernel lines on the console (no dmesg dump: the guest did not get there):"
			for (i = nc - 14; i <= nc; i++) if (i > 0) print "#   " ctail[i % 15]
		}
	}
	printf "# boot took %s s\n", boot_secs
	printf "1..%d\n", n
}'
}
