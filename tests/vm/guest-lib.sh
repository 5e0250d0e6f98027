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
#   loaded NAME / not_loaded NAME whether NAME is (not) in /proc/modules
#   unload_all                    unloads every module (holders first) with
#                                 kmod's rmmod; fails if any is left
#   module_params NAME...         "NAME.PARAM=VALUE" for every readable file
#                                 in /sys/module/NAME/parameters, sorted
#   now_ns                        the monotonic clock in nanoseconds (from
#                                 /proc/timer_list: no fork of a date tool
#                                 with nanoseconds is needed)
#   ms_between NS1 NS2            NS2 - NS1 in whole milliseconds
#   run_tty CMD [ARG...]          like run, but CMD's stdin, stdout and
#                                 stderr are a pseudo-terminal (util-linux
#                                 script); OUT has both, with carriage
#                                 returns and erase-line sequences taken
#                                 out (OUT_RAW keeps them), ERR is script's
#   start_udevd / stop_udevd      systemd-udevd in the background (with
#                                 udev's rules; /etc/udev/rules.d is yours);
#                                 start_udevd fails if the image has none
#   udev_settle                   udevadm settle, failing on a timeout
#   hold_tun FILE [SECONDS|release]
#                                 background holder of /dev/net/tun: writes
#                                 its pid to FILE.pid, opens the device,
#                                 creates FILE.held, then holds it SECONDS
#                                 (default: until killed), or with
#                                 "release" until FILE.release exists
#                                 (release_tun FILE creates it), writes
#                                 now_ns to FILE.released just before it
#                                 closes the device, exits
#   load_compare, unload_compare, diff_setup, diff_state, DIFF_BENCH_SET
#                                 modctl against kmod (see below)
#
# Tools: busybox applets shadow kmod's in busybox sh, so always call kmod
# through these absolute paths: $MODPROBE $RMMOD $INSMOD $LSMOD $DEPMOD
# $MODINFO $KMOD. $MODCTL is the modctl under test, $JQ jq, $SETPRIV
# util-linux setpriv, $SCRIPT util-linux script, $UDEVD and $UDEVADM udev's
# (absent when the image has none: /etc/no-udevd says why); flock is
# util-linux's (busybox has none). $VM_SCENARIO is the scenario's name,
# $VM_SCENARIO_TIMEOUT the seconds it may run; the host's VM_GUEST_ENV
# variables are set too.
#
# Facts of this build and this kernel, learned, never assumed:
#   MODCTL_SYSCONFDIR, MODCTL_RUNSTATEDIR, MODCTL_PREFIX_LIBDIR
#                     the modctl build's install locations (/vm/paths.sh);
#                     LOCKDOWN_D is $MODCTL_SYSCONFDIR/modctl/lockdown.d,
#                     REGISTRY the lock registry in $MODCTL_RUNSTATEDIR
#   KVER              the running kernel's release; KVER_RE the same,
#                     quoted for a regular expression (6.12's has a '+')
#   BUILTIN           a module built into this kernel, from its
#                     modules.builtin (which ones differ between kernels)
#   re_quote STRING   STRING quoted for an extended regular expression

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

# shellcheck disable=SC1091 # generated by make
. /vm/paths.sh
LOCKDOWN_D=$MODCTL_SYSCONFDIR/modctl/lockdown.d
REGISTRY=$MODCTL_RUNSTATEDIR/modctl/locks

re_quote() {
	printf '%s' "$1" | sed 's/[].[\\*^$+?(){}|]/\\&/g'
}
KVER=$(uname -r)
KVER_RE=$(re_quote "$KVER")
# a familiar one when this kernel lists it, else the first short name
# without '-' (the kernel's '_' form is the same then)
BUILTIN=$(sed -n 's,^.*/\([a-z0-9_]*\)\.ko$,\1,p' "/lib/modules/$KVER/modules.builtin" |
	awk '$0 == "unix" { u = $0 } $0 == "af_packet" { p = $0 } NR == 1 { f = $0 }
		END { print (u != "" ? u : p != "" ? p : f) }')
export MODCTL_SYSCONFDIR MODCTL_RUNSTATEDIR MODCTL_PREFIX_LIBDIR LOCKDOWN_D REGISTRY KVER KVER_RE BUILTIN

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

loaded() {
	grep -q "^$1 " /proc/modules
}

not_loaded() {
	! grep -q "^$1 " /proc/modules
}

# Holders first: the modules nothing uses go in each pass (one rmmod each
# pass: every exec costs under TCG).
unload_all() {
	_p=0
	while grep -q . /proc/modules && [ "$_p" -lt 15 ]; do
		_free=
		while read -r _n _s _r _d _st _rest; do
			if [ "$_d" = "-" ] && [ "$_st" = Live ]; then
				_free="$_free $_n"
			fi
		done </proc/modules
		# shellcheck disable=SC2086 # a list of names
		[ -z "$_free" ] || "$RMMOD" $_free 2>/dev/null || :
		_p=$((_p + 1))
	done
	! grep -q . /proc/modules
}

# one grep for all the files: a cat per parameter costs seconds under TCG
module_params() {
	_files=
	for _m; do
		for _f in "/sys/module/$_m/parameters"/*; do
			[ -f "$_f" ] && _files="$_files $_f"
		done
	done
	[ -n "$_files" ] || return 0
	# shellcheck disable=SC2086 # a list of paths without blanks
	grep -H '' $_files 2>/dev/null |
		sed 's,^/sys/module/\([^/]*\)/parameters/\([^:]*\):,\1.\2=,' | sort
}

now_ns() {
	sed -n 's/^now at \([0-9]*\) nsecs$/\1/p;3q' /proc/timer_list
}

ms_between() {
	echo $((($2 - $1) / 1000000))
}

run_tty() {
	RC=0
	# script: -q no banner, -e the command's exit status, -f flush at once.
	# The command line goes through sh -c: quote each word.
	_c=
	for _a; do
		_c="$_c '$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")'"
	done
	"$SCRIPT" -qef -c "$_c" /dev/null </dev/null >"$_vm_tmp/out" 2>"$_vm_tmp/err" || RC=$?
	# shellcheck disable=SC2034 # for the scenarios
	OUT_RAW=$(cat "$_vm_tmp/out")
	OUT=$(tr -d '\r' <"$_vm_tmp/out" | sed "s/$(printf '\033')\\[K//g")
	ERR=$(cat "$_vm_tmp/err")
	return 0
}

UDEVD=/usr/lib/systemd/systemd-udevd
UDEVADM=/usr/bin/udevadm
SCRIPT=/usr/bin/script
export UDEVD UDEVADM SCRIPT

start_udevd() {
	if [ -e /etc/no-udevd ] || [ ! -x "$UDEVD" ]; then
		diag "no systemd-udevd in the image: $(cat /etc/no-udevd 2>/dev/null)"
		return 1
	fi
	mkdir -p /etc/udev/rules.d /run/udev
	"$UDEVD" --daemon || return 1
	wait_for 10 test -S /run/udev/control || return 1
	# The control socket appears before udevd listens to the kernel; an
	# answer to a ping comes from its event loop, when it listens to both.
	"$UDEVADM" control --ping -t 10
}

# udev_settle: udevadm settle; a timeout fails the scenario visibly
udev_settle() {
	"$UDEVADM" settle -t 30 || fail "udevadm settle -t 30 (udev's queue did not drain)"
}

stop_udevd() {
	"$UDEVADM" control --exit 2>/dev/null || :
	wait_for 10 sh -c '! pidof systemd-udevd' || killall -9 systemd-udevd 2>/dev/null || :
}

hold_tun() {
	rm -f "$1.held" "$1.released" "$1.pid" "$1.release"
	sh -c '
		echo $$ >"$1.pid"
		exec 3<>/dev/net/tun
		: >"$1.held"
		# only this shell holds the device, not its sleep
		if [ "$2" = release ]; then
			while [ ! -e "$1.release" ]; do sleep 0.01 3>&-; done
		elif [ -n "$2" ]; then
			sleep "$2" 3>&-
		else
			while :; do sleep 600 3>&-; done
		fi
		sed -n "s/^now at \([0-9]*\) nsecs\$/\1/p;3q" /proc/timer_list >"$1.released"
		exec 3>&-
	' hold_tun "$1" "${2:-}" &
	wait_for 10 test -e "$1.held"
}

release_tun() {
	: >"$1.release"
}

# --- differential checks: modctl against kmod (load-diff*.sh, unload-diff.sh) --

# modctl and modprobe must leave the same state: loaded modules, then every
# readable parameter of them
diff_state() {
	modules_loaded
	echo --
	# shellcheck disable=SC2046 # one word per module
	module_params $(modules_loaded)
}

# modprobe.d options and an alias that both tools must honour
diff_setup() {
	cat >/etc/modprobe.d/diff.conf <<-'EOF'
		options loop max_loop=6
		options bonding max_bonds=2 miimon=100
		options vxlan udp_port=4790
		alias diff-alias-bridge bridge
		softdep ifb pre: nlmon post: veth
		install ipip /usr/sbin/modprobe --ignore-install ipip log_ecn_error=0 $CMDLINE_OPTS
	EOF
}

# load_compare DESC MODCTL-LOAD-ARGS KMOD-SHELL-COMMANDS: from a clean
# state each, `modctl load ARGS` and the kmod commands ($M is
# $MODPROBE) must leave the same diff_state
load_compare() {
	_desc=$1
	_t0=$(now_ns)
	unload_all || fail "$_desc: clean state before modctl load"
	run sh -c "\"\$MODCTL\" load $2"
	_mrc=$RC
	_merr=$ERR
	_mstate=$(diff_state)
	unload_all || fail "$_desc: clean state before modprobe"
	run env M="$MODPROBE" sh -c "$3"
	_krc=$RC
	_kstate=$(diff_state)
	if [ "$_mrc" -ne 0 ] || [ "$_krc" -ne 0 ]; then
		fail "$_desc: both load (modctl exit $_mrc, modprobe exit $_krc)"
		diag "modctl: $_merr" "modprobe: $ERR"
	fi
	is "$_mstate" "$_kstate" "$_desc: modctl load $2 leaves what modprobe leaves ($(printf '%s\n' "$_mstate" | sed '/^--$/,$d' | wc -l) modules)"
	diag "$_desc: $(ms_between "$_t0" "$(now_ns)") ms"
}

# unload_compare DESC LOAD-ARGS MODCTL-UNLOAD-ARGS MODPROBE-R-ARGS
# modctl unload --with-deps takes holders first and every dependency left
# unused; kmod's modprobe -r tries the dependencies in modules.dep order and
# leaves those still in use at their turn (llc before stp is gone). So
# modctl must leave no more than modprobe -r does, the named modules must be
# gone, and whatever modctl unloaded beyond modprobe -r must be a dependency
# of the named modules (modprobe --show-depends), never one loaded on its own.
# modprobe -r deletes the interfaces the modules' loads created (bond0,
# tunl0, ...): modctl is told to accept that too (--delete-interfaces).
# shellcheck disable=SC2086 # $2, $3 and $4 are lists of words
unload_compare() {
	unload_all || fail "$1: clean state"
	"$MODPROBE" -a $2
	run "$MODCTL" unload --with-deps --delete-interfaces $3
	_mrc=$RC
	modules_loaded >"$_vm_tmp/diff.modctl"
	unload_all || fail "$1: clean state"
	"$MODPROBE" -a $2
	run "$MODPROBE" -r $4
	_krc=$RC
	modules_loaded >"$_vm_tmp/diff.kmod"
	is "$_mrc $_krc" "0 0" "$1: modctl unload --with-deps and modprobe -r exit 0"
	is "$(grep -vxF -f "$_vm_tmp/diff.kmod" "$_vm_tmp/diff.modctl")" "" \
		"$1: unload --with-deps leaves no module that modprobe -r unloads"
	printf '%s\n' $3 | sort >"$_vm_tmp/diff.named"
	is "$(grep -xF -f "$_vm_tmp/diff.named" "$_vm_tmp/diff.modctl")" "" "$1: the named modules are gone"
	for _m in $3; do
		"$MODPROBE" --show-depends "$_m"
	done | sed -n 's,^insmod .*/\([^/]*\)\.ko.*,\1,p' | tr - _ | sort -u >"$_vm_tmp/diff.deps"
	grep -vxF -f "$_vm_tmp/diff.modctl" "$_vm_tmp/diff.kmod" >"$_vm_tmp/diff.more" || :
	is "$(grep -vxF -f "$_vm_tmp/diff.deps" "$_vm_tmp/diff.more")" "" \
		"$1: modctl unloaded nothing but the named modules and their dependencies"
	[ ! -s "$_vm_tmp/diff.more" ] ||
		diag "$1: modctl also unloaded what modprobe -r left: $(paste -sd' ' "$_vm_tmp/diff.more")"
}

# The 20 names of modules.list's benchmark set
# shellcheck disable=SC2034 # for the scenarios
DIFF_BENCH_SET="vxlan geneve bridge macvtap veth wireguard bonding team ipip ip_gre ip6_gre sit l2tp_eth nlmon ifb mpls_iptunnel openvswitch xfrm_interface esp4 8021q"

# allow_kernel_warning TEXT: the kernel is expected to print a WARNING whose
# line contains TEXT (and its call trace); the boot's kernel log check lists
# it but does not fail. Oopses, BUGs and panics are never allowed.
allow_kernel_warning() {
	printf '@@VM@@ allow-warning %s\n' "$1"
}
