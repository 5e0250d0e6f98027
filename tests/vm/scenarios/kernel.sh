#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The VM itself: the kernel has module support and kmod's tools work on the
# image's modules. No modctl here: if this fails, the harness is broken,
# not modctl.
set -eu
. /vm/guest-lib.sh

is "$(modules_loaded)" "" "no module loaded at start"
ok "kernel has /sys/module" test -d /sys/module
ok "kmod modprobe tun" "$MODPROBE" tun
like "$(cat /proc/modules)" '^tun [0-9]+ 0 - Live ' "tun is Live in /proc/modules with refcnt 0"
is "$(cat /sys/module/tun/initstate)" live "sysfs initstate of tun is live"

# A held reference (an open /dev/net/tun makes refcnt read 2: the file's
# reference and the one of tun's socket).
( exec 3<>/dev/net/tun; sleep 60 ) &
holder=$!
if wait_for 10 sh -c '[ "$(cat /sys/module/tun/refcnt)" -gt 0 ]'; then
	pass "holding /dev/net/tun open raises tun's refcnt"
else
	fail "holding /dev/net/tun open raises tun's refcnt"
fi
diag "tun refcnt while /dev/net/tun is open: $(cat /sys/module/tun/refcnt)"
run "$RMMOD" tun
isnt "$RC" 0 "kmod rmmod tun fails while it is held"
like "$ERR" 'in use' "... saying it is in use"
ok "tun is still loaded" grep -q '^tun ' /proc/modules
kill "$holder"
wait "$holder" 2>/dev/null || :
ok "refcnt falls back to 0 after the holder exits" wait_for 10 grep -qx 0 /sys/module/tun/refcnt
ok "kmod rmmod tun succeeds" "$RMMOD" tun
ok "tun is gone from /proc/modules" sh -c '! grep -q "^tun " /proc/modules'

ok "kmod modprobe vxlan (with dependencies)" "$MODPROBE" vxlan
like "$(cat /proc/modules)" '^udp_tunnel [0-9]+ 1 vxlan, Live ' "udp_tunnel is held by vxlan"
ok "udp_tunnel's holders/ names vxlan" test -e /sys/module/udp_tunnel/holders/vxlan
ok "kmod modprobe -r vxlan removes the chain" "$MODPROBE" -r vxlan
is "$(modules_loaded)" "" "nothing left loaded"

run_as_user "$RMMOD" loop
isnt "$RC" 0 "the unprivileged user cannot use rmmod"
run_as_user id -u
is "$OUT" 65534 "run_as_user runs as uid 65534"
