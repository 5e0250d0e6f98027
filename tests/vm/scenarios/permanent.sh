#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# vm: own-boot
# A permanent module (vrf: an init, no exit). Once loaded, only a forced
# unload (which taints the kernel) removes it, so this gets its own boot.
set -eu
. /vm/guest-lib.sh

"$MODPROBE" vrf
"$MODPROBE" tun
like "$(grep '^vrf ' /proc/modules)" '\[permanent\]' "the kernel marks vrf [permanent] in /proc/modules"

run "$MODCTL" list -r -n -o NAME,PERMANENT vrf tun
is "$(printf '%s\n' "$OUT" | sed -e 's/ true$/ yes/' -e 's/ false$/ no/' | sort)" \
	"$(printf 'tun no\nvrf yes')" "PERMANENT column: yes for vrf, no for tun"
run "$MODCTL" status vrf
like "$OUT" '^[[:space:]]*Permanent:[[:space:]]*yes' "status vrf says Permanent: yes"
run "$MODCTL" status -J vrf
is "$(printf '%s\n' "$OUT" | "$JQ" -c '.modules[0].permanent')" true "status -J vrf: permanent is true"
run "$MODCTL" refcnt vrf
is "$OUT" "$(cat /sys/module/vrf/refcnt)" "refcnt vrf matches sysfs"

nok "kmod's rmmod cannot remove vrf" "$RMMOD" vrf
ok "vrf is still loaded" grep -q '^vrf ' /proc/modules

# A module without an exit function can be locked, and pinned like any
# other: the pin's function need not be the exit function (documented).
r0=$(cat /sys/module/vrf/refcnt)
run "$MODCTL" lockdown vrf
is "$RC" 0 "lockdown vrf (no exit function) exits 0"
if [ -e /sys/fs/bpf/modctl/vrf ]; then
	is "$(cat /sys/module/vrf/refcnt):$("$MODCTL" list -r -n -o LOCK vrf)" "$((r0 + 1)):pinned" \
		"vrf is pinned: refcnt $r0 -> $((r0 + 1))"
else
	like "$ERR" 'not kernel-enforced.*vrf' "vrf stayed registry-only, and lockdown said why: $ERR"
fi
diag "vrf: $("$MODCTL" status vrf | grep -E 'Lock:|Pin:' | tr -s ' ' | tr '\n' ' ')"
run "$MODCTL" unlock vrf
is "$RC:$(cat /sys/module/vrf/refcnt)" "0:$r0" "unlock vrf gives the reference back"
