#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# /init of the modctl test VM (PID 1, busybox ash). Installed by
# mkinitramfs.sh; not run on the host.
#
# Reads /vm/plan (written per boot by mkinitramfs.sh):
#   mode tap|demo        tap: run scenarios, report with @@TAP@@ lines
#                        demo: run one script, every output line @@OUT@@
#   timeout SECONDS      per-scenario limit (the host has its own per boot)
#   scenario NAME        /vm/scenarios/NAME.sh, in order (repeatable)
# and sources /vm/env (export NAME='VALUE' lines from the host's
# VM_GUEST_ENV) so that every scenario sees those variables, as well as
# VM_SCENARIO (its name) and VM_SCENARIO_TIMEOUT (its time limit, seconds);
# and talks to the host on the console (ttyS0) with line prefixes:
#   @@VM@@ begin NAME / @@VM@@ end NAME STATUS SECONDS / @@VM@@ done
#   @@TAP@@ ok - ... / @@TAP@@ not ok - ... / @@TAP@@ # ...  (guest-lib.sh)
# Everything else on the console (kernel messages, stray output) is noise
# to the host, but kept in tests/vm/out/NAME.console.

# No set -e here: PID 1 must not die (that panics the guest) before it has
# reported and powered off.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022

# The kernel opens /dev/console before running us; the image may have no
# such node (built without root), so mount devtmpfs and reopen it.
mount -t devtmpfs -o mode=0755 devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts 2>/dev/null
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null
# bpffs, where modctl pins its kernel-enforced locks (systemd mounts it too)
mount -t bpf -o mode=0700 bpf /sys/fs/bpf 2>/dev/null

# Only emergencies and alerts go to the console from now on, so kernel
# messages cannot split our lines; the whole log is dumped at the end.
echo "2 4 1 7" > /proc/sys/kernel/printk

hostname modctl-vm

MODE=tap
TIMEOUT=60
SCENARIOS=
while read -r key val; do
	case $key in
	mode) MODE=$val ;;
	timeout) TIMEOUT=$val ;;
	scenario) SCENARIOS="$SCENARIOS $val" ;;
	esac
done < /vm/plan
# shellcheck disable=SC1091 # written by mkinitramfs.sh
[ ! -r /vm/env ] || . /vm/env
# shellcheck disable=SC1091 # this build's install locations, from make
. /vm/paths.sh

# Kill every process but us (scenario leftovers such as a holder of
# /dev/net/tun) and reap them.
kill_leftovers() {
	kill -9 -1 2>/dev/null
	wait 2>/dev/null
}

# Unload every module (several passes: holders first), empty /run and /tmp
# (only scenarios write there: /run/modprobe.d, /run/modctl, /run/udev), reset
# module, modctl and udev configuration (udev.sh and seal.sh start
# systemd-udevd with rules of their own; kill_leftovers has stopped it).
# Prints the modules it could not remove.
clean_modules() {
	# modctl's lock pins hold their modules: drop the live ones (stale/ is a
	# directory, which rm -f leaves: releasing a stale pin would oops)
	rm -f /sys/fs/bpf/modctl/* 2>/dev/null
	rm -rf /run/* /run/.[!.]* /tmp/* /tmp/.[!.]* /etc/modprobe.d /etc/udev/rules.d \
		"$MODCTL_SYSCONFDIR/modctl" "$MODCTL_RUNSTATEDIR/modctl" "$MODCTL_PREFIX_LIBDIR/modctl" 2>/dev/null
	mkdir -p /etc/modprobe.d /etc/udev/rules.d
	pass=0
	# (test -s is no use: files in /proc have size 0)
	while grep -q . /proc/modules && [ $pass -lt 10 ]; do
		while read -r name _size _ref deps state _rest; do
			[ "$deps" = "-" ] && [ "$state" = "Live" ] &&
				/usr/sbin/rmmod "$name" 2>/dev/null
		done < /proc/modules
		pass=$((pass + 1))
	done
	while read -r name rest; do printf '%s ' "$name"; done < /proc/modules
}

case $MODE in
tap)
	for s in $SCENARIOS; do
		kill_leftovers
		left=$(clean_modules)
		t0=$(cut -d' ' -f1 /proc/uptime)
		echo "@@VM@@ begin $s"
		if [ -n "$left" ]; then
			echo "@@TAP@@ not ok - $s: clean state: modules still loaded: $left"
		fi
		cd /tmp || :
		VM_SCENARIO=$s VM_SCENARIO_TIMEOUT=$TIMEOUT timeout -s KILL "$TIMEOUT" /bin/sh -eu "/vm/scenarios/$s.sh" </dev/null
		rc=$?
		cd /
		t1=$(cut -d' ' -f1 /proc/uptime)
		echo "@@VM@@ end $s $rc $(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')"
	done
	kill_leftovers
	;;
demo)
	for s in $SCENARIOS; do
		cd /tmp || :
		VM_SCENARIO=$s VM_SCENARIO_TIMEOUT=$TIMEOUT timeout -s KILL "$TIMEOUT" /bin/sh -eu "/vm/scenarios/$s.sh" </dev/null 2>&1 |
			sed 's/^/@@OUT@@ /'
		cd /
	done
	;;
*)
	echo "@@TAP@@ not ok - unknown mode '$MODE' in /vm/plan"
	;;
esac

# The kernel log, for the console file (the host ignores it).
echo "----- dmesg -----"
dmesg
echo "----- end of dmesg -----"
echo "@@VM@@ done"
sync
poweroff -f
# not reached; if poweroff failed, PID 1 exiting panics and, with
# panic=-1 -no-reboot, qemu exits.
exit 1
