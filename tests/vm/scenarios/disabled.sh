#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# vm: own-boot
# kernel.modules_disabled=1 written by hand (not by modctl's seal): the
# kernel refuses every load and unload with EPERM until reboot, and modctl
# must say so in words and exit 6, at once, leaving the modules as they are.
set -eu
. /vm/guest-lib.sh

"$MODPROBE" -a tun vxlan
echo 1 >/proc/sys/kernel/modules_disabled
is "$(cat /proc/sys/kernel/modules_disabled)" 1 "kernel.modules_disabled reads 1"
nok "the kernel refuses kmod's modprobe dummy" "$MODPROBE" dummy

run "$MODCTL" load dummy
is "$RC" 6 "load dummy exits 6"
like "$ERR" 'dummy' "... naming the module"
like "$ERR" 'modules_disabled=1' "... and the cause: kernel.modules_disabled=1"
ok "dummy is not loaded" not_loaded dummy
run "$MODCTL" load bridge
is "$RC" 6 "load bridge (a chain) exits 6"
ok "... nothing of the chain is loaded" sh -c '! grep -qE "^(llc|stp|bridge) " /proc/modules'
run "$MODCTL" load tun
is "$RC" 0 "load tun, already loaded, still exits 0 (nothing to do)"

t0=$(now_ns)
run "$MODCTL" unload -t 5s tun
t1=$(now_ns)
is "$RC" 6 "unload tun exits 6"
like "$ERR" 'tun' "... naming the module"
like "$ERR" 'modules_disabled=1' "... and the cause: kernel.modules_disabled=1"
ok "tun is still loaded" loaded tun
ok "it failed at once, without waiting out -t 5s ($(ms_between "$t0" "$t1") ms)" \
	test "$(ms_between "$t0" "$t1")" -lt 2000
run "$MODCTL" unload --with-deps vxlan
is "$RC" 6 "unload --with-deps vxlan exits 6"
ok "vxlan, udp_tunnel and ip6_udp_tunnel are still loaded" \
	sh -c 'grep -q "^vxlan " /proc/modules && grep -q "^udp_tunnel " /proc/modules && grep -q "^ip6_udp_tunnel " /proc/modules'

# the cause wins over the missing capability: both are true for nobody
run_as_user "$MODCTL" load dummy
is "$RC" 6 "load dummy as uid 65534 exits 6"
like "$ERR" 'modules_disabled|CAP_SYS_MODULE' "... naming a true cause"

run "$MODCTL" status
like "$OUT" 'kernel\.modules_disabled:[[:space:]]*1' "status shows kernel.modules_disabled: 1"
run "$MODCTL" list -r -n -o NAME,LOCK tun
is "$OUT" "tun sealed" "list -o LOCK shows tun as sealed"
run "$MODCTL" unlock tun
is "$RC" 6 "unlock exits 6 on a sealed kernel"
like "$ERR" 'sealed' "... saying the kernel is sealed"
