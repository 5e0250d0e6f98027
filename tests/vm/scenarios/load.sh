#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl load on the real kernel: dependencies, aliases, modprobe.d options
# and blacklist, PARAM=VALUE words, dry runs, errors and their exit status,
# privilege, --lockdown. Checked against /proc/modules and /sys/module.
set -eu
. /vm/guest-lib.sh

kver=$(uname -r)

# --- dependencies ------------------------------------------------------------
run "$MODCTL" load -n vxlan
is "$RC" 0 "load -n vxlan exits 0"
is "$(printf '%s\n' "$OUT" | cut -d' ' -f1,2)" "$(printf 'load udp_tunnel\nload ip6_udp_tunnel\nload vxlan')" \
	"load -n vxlan plans udp_tunnel, ip6_udp_tunnel, then vxlan"
is "$(printf '%s\n' "$OUT" | sed -n 's/^load vxlan \([^ ]*\).*/\1/p')" "$("$MODINFO" -n vxlan)" \
	"load -n names the file kmod's modinfo -n names"
is "$(modules_loaded)" "" "load -n loaded nothing"

run "$MODCTL" load vxlan
is "$RC" 0 "load vxlan exits 0"
is "$ERR" "" "... and says nothing"
for m in vxlan udp_tunnel ip6_udp_tunnel; do
	ok "$m is in /proc/modules" loaded "$m"
	is "$(cat "/sys/module/$m/initstate")" live "$m is live"
done
ok "udp_tunnel is held by vxlan (its holders/)" test -e /sys/module/udp_tunnel/holders/vxlan

run "$MODCTL" load vxlan
is "$RC" 0 "load of an already loaded module exits 0"
is "$ERR" "" "... quietly"
run "$MODCTL" -v load vxlan
like "$ERR" 'vxlan is already loaded' "... and -v says it is already loaded"

run "$MODCTL" load bridge
is "$RC" 0 "load bridge exits 0"
ok "bridge brought stp and llc" sh -c 'grep -q "^stp " /proc/modules && grep -q "^llc " /proc/modules'
is "$(ls /sys/module/llc/holders | sort | paste -sd, -)" bridge,stp "llc is held by bridge and stp"
unload_all

# several modules at once, with a parameter for one of them
run "$MODCTL" load macvtap dummy numdummies=2 veth
is "$RC" 0 "load macvtap dummy numdummies=2 veth exits 0"
is "$(modules_loaded)" "$(printf '%s\n' dummy macvlan macvtap tap veth | sort)" \
	"... loads exactly those, with macvtap's dependencies macvlan and tap"
# (numdummies has no sysfs file: its effect, dummy0 and dummy1, is the proof)
ok "... and dummy got numdummies=2: the kernel made dummy0 and dummy1, no dummy2" \
	sh -c 'test -e /sys/class/net/dummy1 && test ! -e /sys/class/net/dummy2'
unload_all

# --- aliases -----------------------------------------------------------------
run "$MODCTL" load -n char-major-10-200
like "$OUT" "^load tun /" "load -n char-major-10-200 plans tun"
run "$MODCTL" load char-major-10-200
is "$RC" 0 "load char-major-10-200 exits 0"
ok "the alias loaded tun" loaded tun
ok "/dev/net/tun appeared" test -c /dev/net/tun
unload_all

echo "alias my-tunnel-alias vxlan" >/etc/modprobe.d/alias.conf
run "$MODCTL" load my-tunnel-alias
is "$RC" 0 "load of an alias defined in /etc/modprobe.d exits 0"
ok "... and loads the module it names (vxlan)" loaded vxlan
rm /etc/modprobe.d/alias.conf
unload_all

# --- options -----------------------------------------------------------------
echo "options loop max_loop=5" >/etc/modprobe.d/loop.conf
run "$MODCTL" load -n loop
like "$OUT" '^load loop [^ ]+ max_loop=5 ?$' "load -n loop shows the option from /etc/modprobe.d"
run "$MODCTL" load loop
is "$RC" 0 "load loop exits 0"
is "$(cat /sys/module/loop/parameters/max_loop)" 5 \
	"/etc/modprobe.d's options loop max_loop=5 reaches /sys/module/loop/parameters/max_loop"
unload_all
run "$MODCTL" load loop max_loop=7
is "$RC" 0 "load loop max_loop=7 exits 0"
is "$(cat /sys/module/loop/parameters/max_loop)" 7 \
	"a PARAM=VALUE word wins over modprobe.d (max_loop reads 7)"
rm /etc/modprobe.d/loop.conf
unload_all

run "$MODCTL" load dummy numdummies=3
is "$RC" 0 "load dummy numdummies=3 exits 0"
ok "numdummies=3 reaches the kernel: it made dummy0, dummy1 and dummy2, no dummy3" \
	sh -c 'test -e /sys/class/net/dummy2 && test ! -e /sys/class/net/dummy3'
unload_all

# a value the kernel rejects
run "$MODCTL" load loop max_loop=notanumber
is "$RC" 7 "load loop max_loop=notanumber exits 7 (rejected by the kernel)"
like "$ERR" 'loop' "... naming the module"
like "$ERR" 'parameter' "... and saying a parameter is bad"
ok "loop is not loaded" not_loaded loop

# --- blacklist ---------------------------------------------------------------
echo "blacklist tun" >/etc/modprobe.d/bl.conf
run "$MODCTL" load char-major-10-200
is "$RC" 1 "load of an alias of a blacklisted module exits 1"
like "$ERR" 'tun.*blacklisted' "... saying tun is blacklisted"
ok "tun is not loaded" not_loaded tun
run "$MODPROBE" char-major-10-200
ok "kmod's modprobe does not load it through the alias either" not_loaded tun
run "$MODCTL" load tun
is "$RC" 0 "load of the blacklisted module named outright exits 0"
ok "... and loads it (as modprobe does)" loaded tun
rm /etc/modprobe.d/bl.conf
unload_all

# --- softdeps and install commands -------------------------------------------
echo "softdep ifb pre: nlmon post: veth" >/etc/modprobe.d/softdep.conf
run "$MODCTL" load ifb
is "$RC" 0 "load ifb with 'softdep ifb pre: nlmon post: veth' exits 0"
is "$(modules_loaded)" "$(printf 'ifb\nnlmon\nveth')" "... and loads nlmon and veth with it"
rm /etc/modprobe.d/softdep.conf
unload_all

echo "install dummy /usr/sbin/modprobe --ignore-install dummy numdummies=3 && touch /tmp/installed" \
	>/etc/modprobe.d/install.conf
run "$MODCTL" load dummy
is "$RC" 0 "load dummy with an install command in modprobe.d exits 0"
ok "... and ran the command (it left its file)" test -e /tmp/installed
ok "... which loaded dummy with its own numdummies=3 (dummy2 exists)" test -e /sys/class/net/dummy2
unload_all
rm -f /tmp/installed
run "$MODCTL" load --ignore-install dummy
is "$RC" 0 "load --ignore-install dummy exits 0"
ok "... without running the command" test ! -e /tmp/installed
ok "... loading dummy itself (default numdummies=1: no dummy1)" \
	sh -c 'test -e /sys/class/net/dummy0 && test ! -e /sys/class/net/dummy1'
unload_all
echo "install dummy /bin/false" >/etc/modprobe.d/install.conf
run "$MODCTL" load dummy
isnt "$RC" 0 "load dummy whose install command fails exits non-zero ($RC)"
like "$ERR" 'install command of dummy' "... saying the install command of dummy failed"
ok "dummy is not loaded" not_loaded dummy
rm /etc/modprobe.d/install.conf

# --- concurrent loads of the same chain -----------------------------------------
# the kernel answers EEXIST or EBUSY to all but one; each must end in success
for i in 1 2 3; do
	( rc=0; "$MODCTL" load openvswitch 2>"/tmp/par$i.err" || rc=$?; echo "$rc" >"/tmp/par$i.rc" ) &
done
( rc=0; "$MODPROBE" openvswitch 2>/tmp/par4.err || rc=$?; echo "$rc" >/tmp/par4.rc ) &
wait
is "$(cat /tmp/par1.rc /tmp/par2.rc /tmp/par3.rc | paste -sd' ' -)" "0 0 0" \
	"three modctl load openvswitch at once (and a modprobe) all exit 0"
is "$(cat /tmp/par1.err /tmp/par2.err /tmp/par3.err)" "" "... and none complains"
ok "openvswitch is live" grep -qx live /sys/module/openvswitch/initstate
unload_all

# --- no deps, paths ----------------------------------------------------------
run "$MODCTL" load --no-deps vxlan
is "$RC" 7 "load --no-deps vxlan (dependencies missing) exits 7"
like "$ERR" 'unknown symbol' "... saying unknown symbol"
is "$(modules_loaded)" "" "... and nothing is loaded"

tunko=$("$MODINFO" -n tun)
run "$MODCTL" load "$tunko"
is "$RC" 0 "load of a path ($tunko) exits 0"
ok "... and loads tun" loaded tun
unload_all
run "$MODCTL" load /nonexistent/tun.ko
is "$RC" 3 "load of a path that does not exist exits 3"

# --- not found ---------------------------------------------------------------
run "$MODCTL" load no_such_module_xyz
is "$RC" 3 "load of a module that does not exist exits 3"
like "$ERR" "no_such_module_xyz.*/lib/modules/$KVER_RE" "... naming the module and the module directory"
run "$MODCTL" load dummy no_such_module_xyz veth
is "$RC" 3 "load dummy no_such_module_xyz veth exits 3"
ok "... but still loads dummy and veth" sh -c 'grep -q "^dummy " /proc/modules && grep -q "^veth " /proc/modules'
unload_all

# --- built in ----------------------------------------------------------------
run "$MODCTL" load "$BUILTIN"
is "$RC" 0 "load of a built-in module ($BUILTIN, from modules.builtin) exits 0"

# --- unprivileged ------------------------------------------------------------
run_as_user "$MODCTL" load tun
is "$RC" 6 "load tun as uid 65534 without capabilities exits 6"
like "$ERR" 'CAP_SYS_MODULE' "... naming CAP_SYS_MODULE"
ok "tun is not loaded" not_loaded tun
run_as_user "$MODCTL" load -n vxlan
is "$RC" 0 "load -n vxlan as uid 65534 exits 0 (a dry run needs no privilege)"

# --- --lockdown --------------------------------------------------------------
run "$MODCTL" load -n --lockdown tun
like "$OUT" '^lock tun$' "load -n --lockdown tun plans the lock"
ok "... and writes no registry" test ! -e "$REGISTRY"
run "$MODCTL" load --lockdown vxlan
is "$RC" 0 "load --lockdown vxlan exits 0"
ok "vxlan is loaded" loaded vxlan
run "$MODCTL" list -r -n -o NAME,LOCK vxlan udp_tunnel ip6_udp_tunnel
is "$(printf '%s\n' "$OUT" | sed 's/ pinned$/ locked/' | sort)" "$(printf 'ip6_udp_tunnel locked\nudp_tunnel locked\nvxlan locked')" \
	"vxlan and the dependencies it loaded are locked (list -o NAME,LOCK)"
ok "the registry names vxlan" grep -Eqx 'lock vxlan( pin=.*)?' "$REGISTRY"
run "$MODCTL" unload vxlan
is "$RC" 5 "unload of the locked vxlan exits 5"
ok "vxlan is still loaded" loaded vxlan
run "$MODPROBE" -r vxlan
isnt "$RC" 0 "kmod's modprobe -r vxlan fails too"
ok "vxlan is still loaded" loaded vxlan
ok "unlock --all exits 0" "$MODCTL" unlock --all
"$MODPROBE" tun
run "$MODCTL" load --lockdown tun
is "$RC" 0 "load --lockdown of tun, already loaded by modprobe, exits 0"
is "$("$MODCTL" list -r -n -o LOCK tun | sed 's/^pinned$/locked/')" locked "... and locks it (documented: already loaded or not)"
"$MODCTL" unlock --all
unload_all
