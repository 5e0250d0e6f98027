#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What an unload destroys, on the real kernel: interfaces of a module's
# link kinds hold no reference, and the module's exit deletes them in every
# network namespace, with the vlan and macvlan interfaces stacked on them
# (in the same namespace or, moved away, in another).
# modctl unload refuses (exit 8) unless --delete-interfaces, for the whole
# plan; what it names must be exactly what the kernel deletes.
set -eu
. /vm/guest-lib.sh

has_if() { [ -e "/sys/class/net/$1" ]; }
in_blue() { nsenter --net=/run/netns/blue "$@"; }
blue_has() { in_blue ip link show "$1" >/dev/null 2>&1; }
pid_has() { nsenter -t "$nspid" -n ip link show "$1" >/dev/null 2>&1; }
ifs_here() { ls /sys/class/net | sort | tr '\n' ' '; }

"$MODPROBE" -a dummy veth bridge macvtap
ok "dummy's load created dummy0" has_if dummy0
ip link add nd0 type dummy
# a named namespace (as ip netns add makes it) and one only a process holds
mkdir -p /run/netns
touch /run/netns/blue
unshare --net=/run/netns/blue true
in_blue ip link add nd1 type dummy
rm -f /tmp/netif-ns.ready
unshare -n sh -c 'ip link add nd2 type dummy && touch /tmp/netif-ns.ready && exec sleep 600' &
nspid=$!
ok "a namespace only a process holds, with nd2 in it" wait_for 20 test -f /tmp/netif-ns.ready
# a veth pair, one end a bridge port, the other in that process's namespace
before=$(ifs_here)
ip link add nv0 type veth
peer=
for i in $(ifs_here); do
	case " $before nv0 " in *" $i "*) ;; *) peer=$i ;; esac
done
isnt "$peer" "" "the veth pair's other end is there ($peer)"
ip link add nbr0 type bridge
ip link set nv0 master nbr0
ip link set "$peer" netns "$nspid"
ok "the peer moved into the process's namespace" pid_has "$peer"
# stacked on nd0: a macvlan and a vlan (8021q comes through its rtnl-link alias)
ip link add link nd0 name nmv0 type macvlan
ip link add link nd0 name nd0.5 type vlan id 5

# --- refused -------------------------------------------------------------------
run "$MODCTL" unload dummy
is "$RC" 8 "unload dummy with interfaces exits 8"
like "$ERR" "refusing to unload dummy: it would delete the network interfaces dummy0 \(dummy\), nd0 \(dummy\), nd1 \(dummy, in netns blue\), nd2 \(dummy, in the netns of PID $nspid\), nmv0 \(macvlan\) and 1 more$" \
	"... naming them, their kinds and namespaces, a handful at most"
ok "dummy is still loaded" loaded dummy
ok "dummy0, nd0, nmv0 and nd0.5 are still there" sh -c 'for i in dummy0 nd0 nmv0 nd0.5; do [ -e /sys/class/net/$i ] || exit 1; done'
ok "nd1 is still in blue" blue_has nd1
ok "nd2 is still in the process's namespace" pid_has nd2

run "$MODCTL" unload -n dummy
is "$RC" 8 "unload -n dummy exits 8"
is "$OUT" "unload dummy
  delete interface dummy0 (dummy)
  delete interface nd0 (dummy)
  delete interface nd1 (dummy, in netns blue)
  delete interface nd2 (dummy, in the netns of PID $nspid)
  delete interface nmv0 (macvlan)
  delete interface nd0.5 (vlan)" "unload -n lists every interface the unload would delete"

run "$MODCTL" unload -n veth bridge
is "$OUT" "unload veth
  delete interface nv0 (veth)
  delete interface $peer (veth, in the netns of PID $nspid)
unload bridge
  delete interface nbr0 (bridge)" "veth: both ends, in both namespaces; bridge: the bridge, not its port"
run "$MODCTL" unload veth bridge
is "$RC" 8 "unload veth bridge exits 8"
ok "both are still loaded: nothing half done" sh -c 'grep -q "^veth " /proc/modules && grep -q "^bridge " /proc/modules'

run "$MODCTL" unload --kernel-force -t 0 dummy
is "$RC" 8 "--kernel-force does not accept the deletion"

run "$MODCTL" unload --with-deps macvtap
is "$RC" 8 "unload --with-deps macvtap exits 8: macvlan, its dependency, has nmv0"
like "$ERR" "refusing to unload macvlan \(a dependency --with-deps would unload\): it would delete the network interface nmv0 \(macvlan\)$" \
	"... naming the dependency and its interface"
ok "macvtap is still loaded" loaded macvtap

run "$MODCTL" status -J dummy
json() { printf '%s\n' "$OUT" | "$JQ" -c "$1"; }
is "$(json '[.modules[0].destroys[] | .name]')" '["dummy0","nd0","nd1","nd2","nmv0","nd0.5"]' "status -J lists them"
is "$(json '.modules[0].destroys[2] | [.type, .kind, .netns]')" '["interface","dummy","blue"]' "... with kind and namespace name"
is "$(json '.modules[0].destroys[3].netns_pid')" "$nspid" "... or a process in the namespace"
is "$(json '.modules[0].destroys_complete')" true "... having inspected every namespace"

# --- accepted: what was named is what the kernel deleted -------------------------------
run "$MODCTL" unload --delete-interfaces bridge
is "$RC" 0 "unload --delete-interfaces bridge exits 0"
ok "bridge is unloaded" not_loaded bridge
nok "nbr0 is gone" has_if nbr0
ok "nv0, its port, was released, not deleted" has_if nv0

run "$MODCTL" unload --delete-interfaces veth
is "$RC" 0 "unload --delete-interfaces veth exits 0"
nok "nv0 is gone" has_if nv0
nok "its peer in the other namespace is gone" pid_has "$peer"

run "$MODCTL" unload --with-deps --delete-interfaces macvtap
is "$RC" 0 "unload --with-deps --delete-interfaces macvtap exits 0"
ok "macvtap and macvlan are unloaded" sh -c '! grep -q "^macv" /proc/modules'
nok "nmv0 is gone" has_if nmv0
ok "nd0 is not" has_if nd0

run "$MODCTL" unload --delete-interfaces dummy
is "$RC" 0 "unload --delete-interfaces dummy exits 0"
like "$ERR" "unloading dummy deletes dummy0 \(dummy\), nd0 \(dummy\), nd1 \(dummy, in netns blue\)" "... saying what goes"
ok "dummy is unloaded" not_loaded dummy
ok "dummy0, nd0 and the vlan on nd0 are gone" sh -c 'for i in dummy0 nd0 nd0.5; do [ ! -e /sys/class/net/$i ] || exit 1; done'
nok "nd1 is gone from blue" blue_has nd1
nok "nd2 is gone from the process's namespace" pid_has nd2

# --- modules with no interfaces unload as before -----------------------------------------
"$MODPROBE" -a vxlan dummy
run "$MODCTL" unload vxlan
is "$RC" 0 "vxlan without interfaces unloads"
run "$MODCTL" unload dummy
is "$RC" 8 "dummy with only dummy0, which its load created, is refused too"
"$RMMOD" dummy

# --- a macvlan moved to another namespace goes with its lower interface here ------------
"$MODPROBE" -a dummy macvlan
ip link add xd0 type dummy
ip link add link xd0 name xmv0 type macvlan
ip link set xmv0 netns "$nspid"
ok "xmv0 moved into the process's namespace" pid_has xmv0
run "$MODCTL" unload -n dummy
is "$OUT" "unload dummy
  delete interface dummy0 (dummy)
  delete interface xd0 (dummy)
  delete interface xmv0 (macvlan, in the netns of PID $nspid)" \
	"a macvlan in another namespace, on a dummy here, is listed with it (IFLA_LINK_NETNSID)"
run "$MODCTL" unload --delete-interfaces dummy
is "$RC" 0 "unload --delete-interfaces dummy exits 0"
nok "xmv0 is gone from the process's namespace" pid_has xmv0
"$RMMOD" macvlan

# --- what else the kernel's modules create as they load ------------------------------
"$MODPROBE" -a bonding ipip
run "$MODCTL" unload -n bonding ipip
like "$OUT" "^  delete interface bond0 \(bond\)$" "bonding's load created bond0 (kind bond)"
like "$OUT" "^  delete interface tunl0 \(ipip, in netns blue\)$" "ipip: a fallback tunl0 in every namespace"
is "$RC" 8 "... so their unload is refused"
"$RMMOD" bonding ipip

kill "$nspid"
wait "$nspid" 2>/dev/null || :
umount /run/netns/blue
rm -f /run/netns/blue
unload_all
