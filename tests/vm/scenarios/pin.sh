#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Kernel-enforced locks on the real kernel: modctl lockdown pins a BPF
# object in bpffs that holds a reference on the module, so rmmod, modprobe
# -r -i and delete_module(2) itself are refused, not only modctl and
# modprobe -r; unlock gives the reference back. Kernels 6.4 and later hold
# it with a loaded program, earlier ones with an fentry link on a
# teardown-only function, which must never run while the system works.
set -eu
. /vm/guest-lib.sh

refcnt() { cat "/sys/module/$1/refcnt"; }
lock_of() { "$MODCTL" list -r -n -o LOCK "$1"; }
pinned() { test -e "/sys/fs/bpf/modctl/$1"; }
kmajor=${KVER%%.*}
kminor=${KVER#*.}
kminor=${kminor%%.*}
if [ "$kmajor" -gt 6 ] || { [ "$kmajor" -eq 6 ] && [ "$kminor" -ge 4 ]; }; then
	mech=program
else
	mech=link
fi
diag "kernel $KVER: a lock pin is a BPF $mech"
dmesg_before=$(dmesg | wc -l)

# --- one module: every tool is refused ---------------------------------------
"$MODPROBE" tun
r0=$(refcnt tun)
run "$MODCTL" lockdown tun
is "$RC:$ERR" "0:" "lockdown tun exits 0 and says nothing (the kernel holds it)"
is "$(refcnt tun)" "$((r0 + 1))" "the pin holds one reference: refcnt $r0 -> $((r0 + 1))"
is "$(lock_of tun)" pinned "list -o LOCK: tun is pinned"
ok "the pin is /sys/fs/bpf/modctl/tun" pinned tun
like "$(cat "$REGISTRY")" '^lock tun pin=[A-Za-z0-9_.]+$' "the registry records the lock and the pinned function"
is "$(stat -c '%a %u' /sys/fs/bpf/modctl)" "700 0" "the pin directory is root's and closed to others"

run "$RMMOD" tun
isnt "$RC" 0 "rmmod tun is refused"
like "$ERR" 'in use' "... as 'in use'"
run "$MODPROBE" -r tun
isnt "$RC" 0 "modprobe -r tun is refused"
run "$MODPROBE" -r -i tun
isnt "$RC" 0 "modprobe -r -i tun (no modprobe.d) is refused"
run delete-module tun nonblock
is "$RC" 1 "delete_module(tun, O_NONBLOCK) is refused"
like "$OUT" 'errno 11' "... with EAGAIN/EWOULDBLOCK: $OUT"
run delete-module tun block
is "$RC" 1 "delete_module(tun, 0) is refused too: $OUT"
run "$MODCTL" unload tun
is "$RC" 5 "modctl unload tun exits 5 (locked)"
ok "tun is still loaded after all that" loaded tun
is "$(refcnt tun)" "$((r0 + 1))" "... and its pin still holds it"

# --- privilege -----------------------------------------------------------------
"$MODPROBE" dummy
run_as_user "$MODCTL" lockdown dummy
is "$RC" 6 "an unprivileged lockdown exits 6"
nok "... and pins nothing" pinned dummy
run_as_user "$MODCTL" unlock tun
is "$RC" 6 "an unprivileged unlock exits 6"
ok "... and the pin stays" pinned tun

# --- unlock ---------------------------------------------------------------------
run "$MODCTL" unlock tun
is "$RC:$ERR" "0:" "unlock tun exits 0"
is "$(refcnt tun)" "$r0" "the reference is given back: refcnt $r0"
nok "the pin is gone" pinned tun
is "$(lock_of tun)" no "list -o LOCK: tun is not locked"
ok "rmmod tun works again" "$RMMOD" tun
ok "tun is gone" not_loaded tun

# --- --no-pin: a lock for modctl and modprobe -r only --------------------------
"$MODPROBE" tun
run "$MODCTL" lockdown --no-pin tun
is "$RC:$ERR" "0:" "lockdown --no-pin tun exits 0 quietly (asked for)"
nok "... pins nothing" pinned tun
is "$(lock_of tun)" locked "list -o LOCK: locked (registry only)"
ok "the registry says it was asked for" grep -qx 'lock tun pin=-' "$REGISTRY"
run "$MODCTL" lockdown tun
is "$RC" 0 "lockdown tun, already locked without a pin, exits 0"
ok "... and pins it now" pinned tun
is "$(lock_of tun)" pinned "list -o LOCK: pinned"
run "$MODCTL" lockdown --no-pin tun
is "$RC" 0 "lockdown --no-pin of a pinned tun exits 0"
nok "... and releases the pin" pinned tun
is "$(refcnt tun)" "$r0" "... giving the reference back"
"$MODCTL" unlock tun

# --- unload -f releases modctl's own pin first -----------------------------------
"$MODCTL" lockdown tun
run "$MODCTL" unload -f tun
is "$RC" 0 "unload -f of the pinned tun exits 0"
ok "tun is gone" not_loaded tun
nok "the pin went first" pinned tun
ok "the lock stays in the registry" grep -qx 'lock tun' "$REGISTRY"
"$MODPROBE" tun
is "$(lock_of tun)" locked "tun loaded again is locked again (registry)"
run "$MODCTL" lockdown tun
ok "lockdown pins the new instance" pinned tun
"$MODCTL" unlock tun

# --- dependencies ------------------------------------------------------------------
"$MODPROBE" -a bridge vxlan
for m in bridge stp llc vxlan udp_tunnel ip6_udp_tunnel; do
	r=$(refcnt $m)
	run "$MODCTL" lockdown $m
	is "$RC" 0 "lockdown $m exits 0"
	if pinned $m; then
		is "$(refcnt $m):$(lock_of $m)" "$((r + 1)):pinned" "$m: pinned, refcnt $r -> $((r + 1))"
		run "$RMMOD" $m
		isnt "$RC" 0 "rmmod $m is refused"
	else
		is "$(refcnt $m):$(lock_of $m)" "$r:locked" "$m: registry-only, refcnt unchanged"
		like "$ERR" "not kernel-enforced.*$m" "... and lockdown said why: $ERR"
	fi
done
ok "bridge stp llc vxlan are all still loaded" sh -c 'grep -c "^\(bridge\|stp\|llc\|vxlan\) " /proc/modules | grep -qx 4'
run "$MODCTL" unlock bridge stp llc vxlan udp_tunnel ip6_udp_tunnel
is "$RC" 0 "unlock of all six exits 0"
ok "no pin is left" sh -c '! ls /sys/fs/bpf/modctl | grep -v "^stale$" | grep -q .'
ok "unload --with-deps vxlan bridge works again" "$MODCTL" unload --with-deps vxlan bridge

# --- a module without BTF: the lock stays registry-only, and says why --------------
# (the image's dummy-nobtf.ko is dummy.ko with its .BTF section removed, as
# an out-of-tree module built without BTF is)
"$RMMOD" dummy 2>/dev/null || :
"$INSMOD" /usr/lib/modctl-test/dummy-nobtf.ko
ok "the BTF-less dummy is loaded without /sys/kernel/btf/dummy" sh -c 'grep -q "^dummy " /proc/modules && test ! -e /sys/kernel/btf/dummy'
r=$(refcnt dummy)
run "$MODCTL" lockdown dummy
is "$RC" 0 "lockdown of the BTF-less dummy exits 0"
is "$ERR" "modctl: warning: not kernel-enforced, locked for modctl and modprobe -r only: dummy (the module has no BTF (built without it, or its BTF does not match the kernel))" \
	"... saying, in one line, that the lock is registry-only and why"
nok "... pins nothing" pinned dummy
is "$(refcnt dummy):$(lock_of dummy)" "$r:locked" "... refcnt unchanged, LOCK locked"
run "$MODCTL" status dummy
like "$OUT" 'Pin: +none' "status dummy: Pin: none"
like "$OUT" 'no BTF' "... and why"
run "$MODCTL" unload dummy
is "$RC" 5 "modctl unload of the registry-locked dummy exits 5"
ok "rmmod is not stopped by a registry-only lock (documented)" "$RMMOD" dummy
"$MODCTL" unlock dummy

# --- lockdown --all ------------------------------------------------------------------
"$MODPROBE" -a tun dummy veth
run "$MODCTL" lockdown --all
is "$RC" 0 "lockdown --all exits 0"
npinned=0
nrefused=0
for f in /sys/fs/bpf/modctl/*; do
	m=${f##*/}
	[ "$m" != stale ] || continue
	npinned=$((npinned + 1))
	if ! "$RMMOD" "$m" 2>/dev/null && loaded "$m"; then
		nrefused=$((nrefused + 1))
	fi
done
diag "lockdown --all pinned $npinned of $(wc -l </proc/modules) modules"
isnt "$npinned" 0 "lockdown --all pinned modules"
is "$nrefused" "$npinned" "rmmod of every pinned module is refused"
run "$MODCTL" unlock --all
is "$RC" 0 "unlock --all exits 0"
ok "... and releases every pin" sh -c '! ls /sys/fs/bpf/modctl | grep -v "^stale$" | grep -q .'
ok "rmmod dummy works again" "$RMMOD" dummy

# --- load --lockdown, lockdown-all mode and the boot configuration pin too --------------
unload_all
run "$MODCTL" load --lockdown tun
is "$RC:$(lock_of tun)" "0:pinned" "load --lockdown tun pins it"
run "$MODCTL" lockdown --all
run "$MODCTL" load dummy
is "$RC:$(lock_of dummy)" "0:pinned" "in lockdown-all mode, modctl load dummy pins it as it loads"
nok "... and rmmod dummy is refused" "$RMMOD" dummy
"$MODCTL" unlock --all
unload_all
mkdir -p "$LOCKDOWN_D"
printf 'preload tun\npreload dummy\nlock tun dummy\n' >"$LOCKDOWN_D/50-pin.conf"
run "$MODCTL" lockdown --boot
is "$RC" 0 "lockdown --boot exits 0"
is "$(lock_of tun):$(lock_of dummy)" "pinned:pinned" "... and pins what the boot configuration locks (bpffs starts empty at boot)"
"$MODCTL" unlock --all
unload_all
printf 'no-pin\n' >"$LOCKDOWN_D/60-nopin.conf"
run "$MODCTL" lockdown --boot
is "$RC:$ERR" "0:" "lockdown --boot with a no-pin directive exits 0 quietly"
is "$(lock_of tun):$(lock_of dummy)" "locked:locked" "... and its locks are registry-only"
nok "... no pin exists" sh -c 'ls /sys/fs/bpf/modctl | grep -qv "^stale$"'
"$MODCTL" unlock --all
rm -f "$LOCKDOWN_D/50-pin.conf" "$LOCKDOWN_D/60-nopin.conf"
unload_all

# --- the pinned functions are not on a data path ------------------------------------
# Before 6.4 the pin is a link: a trampoline runs the program on every call
# of the function it is attached to. With BPF statistics on, traffic through
# every pinned module must not run any modctl program once.
echo 1 >/proc/sys/kernel/bpf_stats_enabled
"$MODPROBE" -a tun dummy veth bridge vxlan
"$MODCTL" lockdown tun dummy veth bridge stp llc vxlan udp_tunnel ip6_udp_tunnel
diag "pinned functions: $(grep '^lock ' "$REGISTRY" | sed 's/^lock //' | tr '\n' ' ')"
# (busybox ip cannot name the peer: the kernel calls it vethN)
ip link add vtA type veth
vtB=$(cd /sys/class/net && ls -d veth* | head -n 1)
ip link add br9 type bridge
ip link set "$vtB" master br9
ip addr add 10.9.0.1/24 dev vtA
ip link set vtA up
ip link set "$vtB" up
ip link set br9 up
ip link add vx9 type vxlan id 42 dstport 4789 local 10.9.0.1 remote 10.9.0.2 dev vtA
ip addr add 10.19.0.1/24 dev vx9
ip link set vx9 up
ip link add dm9 type dummy
ip addr add 10.29.0.1/24 dev dm9
ip link set dm9 up
hold_tun /tmp/pin-tun release
ping -c 3 -W 1 10.9.0.2 >/dev/null 2>&1 || :
ping -c 3 -W 1 10.19.0.2 >/dev/null 2>&1 || :
ping -c 3 -W 1 10.29.0.2 >/dev/null 2>&1 || :
release_tun /tmp/pin-tun
wait_for 10 test -e /tmp/pin-tun.released
txs=
for d in vtA "$vtB" br9 vx9 dm9; do
	txs="$txs $d:$(cat /sys/class/net/$d/statistics/tx_packets)/$(cat /sys/class/net/$d/statistics/tx_dropped)/$(cat /sys/class/net/$d/statistics/rx_packets)"
done
diag "packets sent/dropped/received:$txs"
ok "traffic went through veth and the bridge" test "$(cat /sys/class/net/br9/statistics/rx_packets)" -gt 0
# (busybox ip sets no vxlan remote: vxlan's transmit path runs and drops)
ok "... and through vxlan's transmit path (sent or dropped)" \
	test "$(($(cat /sys/class/net/vx9/statistics/tx_packets) + $(cat /sys/class/net/vx9/statistics/tx_dropped)))" -gt 0
ok "... and dummy's" test "$(cat /sys/class/net/dm9/statistics/tx_packets)" -gt 0
runs=$(bpftool prog show -j | jq '[.[] | select(.name == "modctl_lock") | (.run_cnt // 0)] | add // 0')
nprogs=$(bpftool prog show -j | jq '[.[] | select(.name == "modctl_lock")] | length')
is "$nprogs" "$(ls /sys/fs/bpf/modctl | grep -vc '^stale$')" "one modctl_lock program per pin ($nprogs)"
is "$runs" 0 "no modctl program ran during the traffic (run_cnt 0)"
if [ "$mech" = program ]; then
	is "$(bpftool link show -j | jq 'length')" 0 "kernel $KVER: no BPF link exists, so no trampoline (no runtime cost)"
else
	is "$(bpftool link show -j | jq '[.[] | select(.type == "tracing")] | length')" "$nprogs" \
		"kernel $KVER: one tracing link per pin"
fi
echo 0 >/proc/sys/kernel/bpf_stats_enabled
ip link del vx9
ip link del dm9
ip link del br9
ip link del vtA
"$MODCTL" unlock --all
unload_all

# --- the kernel log -------------------------------------------------------------------
newlog=$(dmesg | tail -n +"$((dmesg_before + 1))")
unlike "$newlog" 'Oops|BUG|WARNING|Call Trace' "the kernel logged no Oops, BUG or WARNING"
