#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Kernel-enforced locks under races on the real kernel: concurrent lockdown
# and unlock of one module leave one pin with its lock or neither (the
# registry's flock covers the pins), and a lockdown killed at any point
# never leaves a pin modctl cannot name: status reports it as an orphan
# and unlock removes it.
set -eu
. /vm/guest-lib.sh

refcnt() { cat "/sys/module/$1/refcnt"; }
pinned() { test -e "/sys/fs/bpf/modctl/$1"; }
dmesg_before=$(dmesg | wc -l)

# --- concurrent lockdown and unlock: one pin or none -----------------------------------
"$MODPROBE" tun
r0=$(refcnt tun)
round=0
bad=0
while [ $round -lt 5 ]; do
	i=0
	pids=
	while [ $i -lt 12 ]; do
		if [ $((i % 2)) -eq 0 ]; then
			"$MODCTL" lockdown tun 2>>/tmp/conc.err &
		else
			"$MODCTL" unlock tun 2>>/tmp/conc.err &
		fi
		pids="$pids $!"
		i=$((i + 1))
	done
	for p in $pids; do
		wait "$p" || bad=$((bad + 1))
	done
	locked=$(grep -c '^lock tun' "$REGISTRY" || :)
	if pinned tun; then npin=1; else npin=0; fi
	if [ "$locked:$npin:$(refcnt tun)" != "1:1:$((r0 + 1))" ] && [ "$locked:$npin:$(refcnt tun)" != "0:0:$r0" ]; then
		fail "round $round: registry locks=$locked, pin=$npin, refcnt=$(refcnt tun) (base $r0)"
		bad=$((bad + 1))
	fi
	"$MODCTL" unlock tun
	round=$((round + 1))
done
is "$bad" 0 "5 rounds of 12 concurrent lockdown/unlock of tun: every call exited 0, and each round left one pin with its lock or neither"
is "$(cat /tmp/conc.err)" "" "... and none said anything"
is "$(ls /sys/fs/bpf/modctl | grep -vc '^stale$')" 0 "no pin is left"

# --- SIGKILL at random points: no pin modctl does not know about ------------------------
"$MODPROBE" -a dummy veth
# the kill points are spread over one whole run: measure one first
t0=$(now_ns)
"$MODCTL" lockdown tun dummy veth
span=$(ms_between "$t0" "$(now_ns)")
"$MODCTL" unlock tun dummy veth
diag "lockdown tun dummy veth takes $span ms here"
round=0
orphans=0
locked_rounds=0
kbad=0
while [ $round -lt 16 ]; do
	"$MODCTL" lockdown tun dummy veth &
	pid=$!
	if [ $((round % 2)) -eq 0 ]; then
		# a random point in the run (a kill point, not a wait for anything)
		d=$(( $(head -c 2 /dev/urandom | od -An -tu2 | tr -d ' ') % (span + 1) ))
		sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
		d="after $d ms"
	else
		# the moment the first pin exists, before the registry is written
		while [ ! -e /sys/fs/bpf/modctl/tun ]; do
			st=Z
			read -r _ _ st _ <"/proc/$pid/stat" 2>/dev/null || :
			[ "$st" != Z ] || break
		done
		d="once tun's pin appeared"
	fi
	kill -9 "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	st=$("$MODCTL" status)
	for f in /sys/fs/bpf/modctl/*; do
		m=${f##*/}
		case $m in stale | '*') continue ;; esac
		if grep -q "^lock $m" "$REGISTRY" 2>/dev/null; then
			locked_rounds=$((locked_rounds + 1))
		elif printf '%s\n' "$st" | grep -q "^orphan pins: .*[( ]$m[ :]"; then
			orphans=$((orphans + 1))
		else
			fail "round $round: the pin of $m is neither in the registry nor reported by status"
			kbad=$((kbad + 1))
			diag "$st" "$(cat "$REGISTRY" 2>/dev/null)"
		fi
	done
	run "$MODCTL" unlock tun dummy veth
	if [ "$RC" -ne 0 ] || [ "$(ls /sys/fs/bpf/modctl | grep -vc '^stale$')" -ne 0 ]; then
		fail "round $round: unlock exits $RC ($ERR) and leaves: $(ls /sys/fs/bpf/modctl)"
		kbad=$((kbad + 1))
	fi
	round=$((round + 1))
done
diag "16 killed lockdowns left $locked_rounds pins recorded in the registry and $orphans orphans, all reported by status"
is "$(refcnt tun)" "$r0" "after 16 killed lockdowns and their unlocks, tun's refcnt is back to $r0"
is "$kbad" 0 "every pin a killed lockdown left was in the registry or reported as an orphan, and unlock removed it"

# --- the kernel log -------------------------------------------------------------------
newlog=$(dmesg | tail -n +"$((dmesg_before + 1))")
unlike "$newlog" 'Oops|BUG|WARNING|Call Trace' "the kernel logged no Oops, BUG or WARNING"
