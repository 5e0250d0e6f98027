#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# vm: own-boot
# modctl lockdown --all --seal on the real kernel: the preload list of
# lockdown.d first, udev's queue waited for (with systemd-udevd running and
# a slow rule, the seal waits or gives up at -t, sealing nothing), then
# kernel.modules_disabled=1 read back; afterwards load, unload and unlock
# exit 6 explaining the seal, and status shows it.
set -eu
. /vm/guest-lib.sh

confdir=$LOCKDOWN_D

"$MODPROBE" -a tun vxlan
mkdir -p "$confdir"
printf 'preload veth\npreload dummy numdummies=2\n' >"$confdir/90-seal.conf"

run "$MODCTL" lockdown --all --seal -n
is "$RC" 0 "lockdown --all --seal -n exits 0"
like "$OUT" '^load veth ' "... plans the preload list (veth)"
like "$OUT" 'seal: write 1 to /proc/sys/kernel/modules_disabled' "... and the seal"
is "$(cat /proc/sys/kernel/modules_disabled)" 0 "... and seals nothing"
ok "... and loads nothing" not_loaded veth

run "$MODCTL" lockdown --seal
is "$RC" 2 "--seal without --all is a usage error (exit 2)"

# --- udev's queue ------------------------------------------------------------------
if start_udevd; then
	pass "systemd-udevd runs"
	# a slow rule: udev takes 3 s over the event of loading ifb
	cat >/etc/udev/rules.d/90-slow.rules <<'EOF'
ACTION=="add", SUBSYSTEM=="module", KERNEL=="ifb", RUN+="/bin/sh -c 'sleep 3; touch /tmp/udev-done-ifb'"
EOF
	"$UDEVADM" control --reload
	"$MODPROBE" ifb
	# let udevd pick the event up (the seal's race with that is tested below)
	ok "udevd has queued ifb's event (/run/udev/queue)" wait_for 5 test -e /run/udev/queue
	run "$MODCTL" lockdown --all --seal -t 1s
	is "$RC" 4 "seal -t 1s while udev still runs a rule for ifb exits 4"
	like "$ERR" 'udev' "... saying udev is still busy"
	is "$(cat /proc/sys/kernel/modules_disabled)" 0 "... and does not seal"
	ok "... though it loaded the preload list (veth)" loaded veth
	ok "udev's rule has not finished yet" test ! -e /tmp/udev-done-ifb
	udev_settle
	ok "udev's rule for ifb has finished now" test -e /tmp/udev-done-ifb
	# udevd slow to read the kernel's next event (stopped for 3 s, as on a
	# busy machine; longer than the seal's first steps take, so the outcome
	# does not depend on timing): the seal must still wait until udev has
	# processed it, or a module that udev loads for it would be locked out
	# for good
	cat >/etc/udev/rules.d/91-slow.rules <<'EOF'
ACTION=="add", SUBSYSTEM=="module", KERNEL=="nlmon", RUN+="/bin/sh -c 'sleep 2; touch /tmp/udev-done-nlmon'"
EOF
	"$UDEVADM" control --reload
	main=
	for p in $(pidof systemd-udevd); do
		[ "$(cut -d' ' -f4 "/proc/$p/stat")" = 1 ] && main=$p
	done
	kill -STOP "$main"
	( sleep 3; kill -CONT "$main" ) &
	"$MODPROBE" nlmon
	run "$MODCTL" -v lockdown --all --seal -t 20s
	log=$ERR
	done_at_seal=no
	[ ! -e /tmp/udev-done-nlmon ] || done_at_seal=yes
	is "$RC" 0 "seal -t 20s exits 0 once udev has finished"
	is "$done_at_seal" yes "udev had processed nlmon's event (a 2 s rule, udevd stopped for 3 s) when the seal was written"
	ERR=$log
else
	fail "systemd-udevd runs (the seal's udev wait is not tested for real)"
	run "$MODCTL" -v lockdown --all --seal
	is "$RC" 0 "lockdown --all --seal exits 0"
	like "$ERR" 'udevd is not running' "... saying udevd is not running"
fi
like "$ERR" 'sealed' "... and says it sealed"
is "$(cat /proc/sys/kernel/modules_disabled)" 1 "/proc/sys/kernel/modules_disabled reads 1"
nok "the kernel refuses kmod's modprobe bridge now" "$MODPROBE" bridge
for m in veth dummy; do
	ok "the preload list's $m was loaded before the seal" loaded "$m"
done
ok "dummy got numdummies=2 from the preload line" test -e /sys/class/net/dummy1
run "$MODCTL" list -r -n -o LOCK
is "$(printf '%s\n' "$OUT" | sort -u)" sealed "list -o LOCK: every module is sealed"
run "$MODCTL" list -r -n -o NAME
is "$(printf '%s\n' "$OUT" | sort)" "$(modules_loaded)" "... every module in /proc/modules is listed"
ok "the registry locks every module (lockdown-all)" grep -qx 'mode all' "$REGISTRY"

# --- afterwards -------------------------------------------------------------------------
run "$MODCTL" status
like "$OUT" 'kernel\.modules_disabled:[[:space:]]*1' "status shows kernel.modules_disabled: 1"
run "$MODCTL" status -J
is "$(printf '%s\n' "$OUT" | "$JQ" -c '.policy[0].modules_disabled')" true "status -J: modules_disabled is true"

run "$MODCTL" load bridge
is "$RC" 6 "load bridge after the seal exits 6"
like "$ERR" 'sealed' "... explaining the seal"
ok "bridge is not loaded" not_loaded bridge
run "$MODCTL" load tun
is "$RC" 0 "load tun (already loaded) after the seal exits 0"

run "$MODCTL" unload -f tun
is "$RC" 6 "unload -f tun after the seal exits 6"
like "$ERR" 'sealed|modules_disabled' "... explaining the seal"
ok "tun is still loaded" loaded tun
run "$MODCTL" unload tun
is "$RC" 6 "unload tun (locked too) after the seal exits 6"
like "$ERR" 'sealed|modules_disabled' "... explaining the seal"

run "$MODCTL" unlock tun
is "$RC" 6 "unlock tun after the seal exits 6"
like "$ERR" 'sealed' "... explaining that a seal cannot be undone"
run "$MODCTL" unlock --all
is "$RC" 6 "unlock --all after the seal exits 6"

run "$MODCTL" lockdown --all --seal
is "$RC" 0 "sealing again exits 0 (already sealed)"
is "$(cat /proc/sys/kernel/modules_disabled)" 1 "modules_disabled still reads 1"

if [ -x "$UDEVD" ]; then
	stop_udevd
fi
