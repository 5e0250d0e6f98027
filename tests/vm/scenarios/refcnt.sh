#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl refcnt against /sys/module/NAME/refcnt, with references really held.
set -eu
. /vm/guest-lib.sh

"$MODPROBE" tun
"$MODPROBE" loop
"$MODPROBE" vxlan

run "$MODCTL" refcnt tun
is "$RC" 0 "refcnt tun exits 0"
is "$OUT" "$(cat /sys/module/tun/refcnt)" "refcnt tun prints /sys/module/tun/refcnt ($(cat /sys/module/tun/refcnt))"
is "$ERR" "" "... and nothing on stderr"

# Hold /dev/net/tun open: the kernel takes references on tun.
( exec 3<>/dev/net/tun; exec sleep 600 ) &
holder=$!
if wait_for 10 sh -c '[ "$(cat /sys/module/tun/refcnt)" -gt 0 ]'; then
	pass "the kernel counts the open /dev/net/tun"
else
	fail "the kernel counts the open /dev/net/tun"
fi
held=$(cat /sys/module/tun/refcnt)
run "$MODCTL" refcnt tun
is "$OUT" "$held" "refcnt tun while /dev/net/tun is open prints the raised count ($held)"
run "$MODCTL" list -r -n -o REFCNT tun
is "$OUT" "$held" "list's REFCNT column shows it too"
run_as_user "$MODCTL" refcnt tun
is "$RC" 0 "refcnt tun as uid 65534 exits 0"
is "$OUT" "$held" "refcnt tun as uid 65534 prints the same count"

kill "$holder"
wait "$holder" 2>/dev/null || :
ok "tun's refcnt falls to 0 once the holder is killed" wait_for 20 grep -qx 0 /sys/module/tun/refcnt
run "$MODCTL" refcnt tun
is "$OUT" 0 "refcnt tun falls back to 0 once the holder exits"

# Several modules: NAME COUNT lines, in argument order.
run "$MODCTL" refcnt tun loop udp_tunnel
is "$RC" 0 "refcnt tun loop udp_tunnel exits 0"
is "$OUT" "$(for m in tun loop udp_tunnel; do echo "$m $(cat "/sys/module/$m/refcnt")"; done)" \
	"refcnt of several modules prints NAME COUNT lines matching sysfs"

# Not loaded, built in.
run "$MODCTL" refcnt veth
is "$RC" 3 "refcnt of a module that is not loaded (veth) exits 3"
is "$OUT" "" "... and prints no count"
like "$ERR" 'veth' "... and names it on stderr"
run "$MODCTL" refcnt no_such_module_xyz
is "$RC" 3 "refcnt of a module that does not exist exits 3"
ok "$BUILTIN is built into this kernel (taken from modules.builtin)" \
	grep -q "/$BUILTIN\.ko\$" "/lib/modules/$KVER/modules.builtin"
run "$MODCTL" refcnt "$BUILTIN"
is "$RC" 1 "refcnt of a built-in module ($BUILTIN) exits 1"
is "$OUT" "" "... and prints no count"
run "$MODCTL" refcnt tun veth
is "$RC" 3 "refcnt tun veth (one not loaded) exits 3"
like "$OUT" '^tun 0$' "... and still prints tun's count"

# After the kernel unloaded it.
"$RMMOD" tun
run "$MODCTL" refcnt tun
is "$RC" 3 "refcnt tun exits 3 after kmod's rmmod tun"
