#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# vm: own-boot
# modctl unload --kernel-force on Debian's kernel, which is built with
# CONFIG_MODULE_FORCE_UNLOAD=y: the kernel really drops a module whose
# reference count is not 0, and a module without an exit function, and
# taints itself 'R'. modctl must say what happened, not that the kernel
# ignores forced unloads. A forced unload leaves the kernel fragile (the
# module's code is gone while its users remain), so this scenario has a
# boot of its own and touches nothing the forced modules left behind:
#   - binfmt_misc is held by a read-only mount of its file system, which
#     nothing reads and nobody unmounts before the power-off (ro: sync
#     skips it, so no freed super_operations are called);
#   - vrf (init without exit) leaves its notifiers registered: no network
#     device is created or removed after it is forced out.
set -eu
. /vm/guest-lib.sh

kver=$(uname -r)
tainted_r() {
	[ $(($(cat /proc/sys/kernel/tainted) & 8)) -ne 0 ]
}

ok "the image has the kernel's config (/boot/config-$kver)" test -e "/boot/config-$kver"
ok "this kernel is built with CONFIG_MODULE_FORCE_UNLOAD=y" grep -qx 'CONFIG_MODULE_FORCE_UNLOAD=y' "/boot/config-$kver"
nok "the kernel is not tainted R at start" tainted_r

# --- a module with a reference held ---------------------------------------------------
"$MODPROBE" binfmt_misc
mkdir -p /tmp/bm
mount -t binfmt_misc -o ro binfmt_misc /tmp/bm
refcnt=$(cat /sys/module/binfmt_misc/refcnt)
diag "binfmt_misc refcnt with its file system mounted: $refcnt"
isnt "$refcnt" 0 "the mount holds a reference on binfmt_misc"

run "$MODCTL" unload -t 300ms binfmt_misc
is "$RC" 4 "without --kernel-force, unload -t 300ms binfmt_misc exits 4"
like "$ERR" 'refcnt [0-9]+' "... naming the refcnt"
ok "binfmt_misc is still loaded" loaded binfmt_misc
nok "the kernel is not tainted" tainted_r

run "$MODCTL" unload -n --kernel-force binfmt_misc
is "$RC:$OUT" "0:unload binfmt_misc" "unload -n --kernel-force prints the plan"
ok "... and unloads nothing" loaded binfmt_misc

run "$MODCTL" unload --kernel-force -t 2s binfmt_misc
is "$RC" 0 "unload --kernel-force binfmt_misc exits 0: the kernel honours the force"
like "$ERR" 'taint' "... after warning that it taints the kernel"
unlike "$ERR" 'ignores forced unloads|without CONFIG_MODULE_FORCE_UNLOAD' \
	"... without claiming that the kernel ignores forced unloads"
ok "binfmt_misc is gone from /proc/modules, its reference still held" not_loaded binfmt_misc
ok "/sys/module/binfmt_misc is gone" test ! -e /sys/module/binfmt_misc
ok "the kernel is now tainted R (/proc/sys/kernel/tainted bit 3)" tainted_r

# --- a permanent module (no exit function) -----------------------------------------------
"$MODPROBE" vrf
like "$(grep '^vrf ' /proc/modules)" '\[permanent\]' "vrf is [permanent] in /proc/modules"
run "$MODCTL" unload -t 1s vrf
is "$RC" 1 "without --kernel-force, unload vrf exits 1"
like "$ERR" 'permanent' "... saying it is permanent"
ok "vrf is still loaded" loaded vrf
run "$MODCTL" -v unload --kernel-force vrf
is "$RC" 0 "unload --kernel-force vrf exits 0: the kernel honours the force"
unlike "$ERR" 'ignores forced unloads' "... without claiming that the kernel ignores forced unloads"
ok "vrf is gone from /proc/modules" not_loaded vrf

run "$MODCTL" status
like "$OUT" 'modules loaded:[[:space:]]*[0-9]+' "status still works after the forced unloads"
