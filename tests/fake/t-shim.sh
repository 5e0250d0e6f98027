#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Tests of the fake kernel itself, driven by the real kmod tools (and the
# raw-syscall client fksys): the fake must behave as the real kernel does
# (the order of delete_module's checks, its errnos, the sysfs and
# /proc/modules it leaves; see tests/fake/README) before modctl's tests can
# trust it.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"

MODPROBE=/usr/sbin/modprobe
INSMOD=/usr/sbin/insmod
RMMOD=/usr/sbin/rmmod
LSMOD=/usr/sbin/lsmod
need "$MODPROBE" "$INSMOD" "$RMMOD" "$LSMOD" "$FKSYS"
fake_setup

O_NONBLOCK=0x800
O_TRUNC=0x200

# --- the world before anything is loaded -----------------------------------
run_in_fake uname -r
is "$out" "$FAKE_RELEASE" "uname -r reports the fake release"
run_in_fake cat /proc/modules
is "$status:$out" "0:" "/proc/modules starts empty"
run_in_fake ls /sys/module
is "$out" "module" "/sys/module has only the built-in 'module' directory"
run_in_fake readlink /proc/self/exe
like "$out" '/(ls|readlink)$' "/proc/self is not redirected"
run_in_fake "$FKSYS" passthrough
is "$status:$out" "0:ok" "syscall() forwards other numbers with their arguments"

# --- modprobe: a dependency chain ---------------------------------------------
run_in_fake "$MODPROBE" -v vxlan
is "$status" 0 "modprobe vxlan succeeds"
like "$out" 'insmod .*/udp_tunnel.ko' "modprobe inserted udp_tunnel"
is "$(tail -n1 "$FAKE_ROOT/.fake/calls/finit_module" | cut -d' ' -f1)" vxlan "vxlan was loaded after its dependencies"
is "$(calls finit_module)" 3 "three finit_module calls for the chain"
is_golden shim-chain.proc "$(proc_modules)" "/proc/modules after modprobe vxlan"
is "$(sysfs udp_tunnel refcnt)" 1 "a dependency's refcnt counts its holder"
is "$(readlink "$FAKE_ROOT/sys/module/udp_tunnel/holders/vxlan")" ../../vxlan "holders/ has a ../../NAME symlink"
is "$(sysfs vxlan initstate)" live "initstate is live"
is "$(sysfs vxlan srcversion)" 5D3F1CB8E3A5B7E9E1C2F0A "srcversion comes from .modinfo"
run_in_fake "$LSMOD"
like "$out" '^udp_tunnel +4096 +1 vxlan$' "lsmod shows the holder"
run_in_fake realpath /sys/module/vxlan
is "$out" /sys/module/vxlan "realpath() answers in the caller's name space"

# --- aliases, options, soft dependencies, names -----------------------------------
run_in_fake "$MODPROBE" char-major-10-200
ok "modprobe char-major-10-200 loads tun" loaded tun
is "$(sysfs tun version)" 1.6 "tun's version attribute"
echo 'options loop max_loop=8 max_part=3' >"$FAKE_ROOT/etc/modprobe.d/loop.conf"
run_in_fake "$MODPROBE" loop
is "$(sysfs loop parameters/max_loop),$(sysfs loop parameters/max_part)" "8,3" "options from /etc/modprobe.d reach parameters/"
run_in_fake "$MODPROBE" dummy numdummies=0x3
is "$(sysfs dummy parameters/numdummies)" 3 "command line parameters are parsed as the kernel does"
run_in_fake "$INSMOD" "$FAKE_MODDIR/extra/fake_oot.ko" 'message="hello world"'
is "$status:$(sysfs fake_oot parameters/message)" "0:hello world" "quoted parameter values keep their spaces"
like "$(grep '^fake_oot ' "$FAKE_ROOT/proc/modules")" ' Live 0x0+ \(OE\)$' "an unsigned out-of-tree module is tainted (OE)"
is "$(sysfs fake_oot taint)" OE "sysfs taint"
run_in_fake "$MODPROBE" -v libcrc32c
like "$(echo "$out" | tr '\n' ' ')" 'crc32c_generic\.ko .*libcrc32c\.ko' "softdep pre: loads crc32c_generic first"
run_in_fake "$MODPROBE" snd-dummy
ok "snd-dummy.ko loads as snd_dummy" loaded snd_dummy
run_in_fake "$MODPROBE" unix
is "$status:$(calls finit_module unix)" "0:0" "a built-in module needs no finit_module"

# --- unloading in the kernel's order ------------------------------------------
run_in_fake "$RMMOD" udp_tunnel
like "$err" 'in use by: vxlan' "rmmod refuses a module with holders"
run_in_fake "$FKSYS" delete_module udp_tunnel "$O_TRUNC"
is "$out" EAGAIN "delete_module with holders: EWOULDBLOCK even with O_TRUNC"
run_in_fake "$FKSYS" delete_module no-such_mod
is "$out" ENOENT "delete_module of an unknown module: ENOENT"
run_in_fake "$FKSYS" delete_module snd-dummy
is "$out" ENOENT "the kernel does not map - to _"
run_in_fake "$FKSYS" delete_module unix
is "$out" ENOENT "a built-in module gives ENOENT"
fakectl set-refcnt tun 2
run_in_fake "$RMMOD" tun
like "$err" 'Module tun is in use' "kmod's rmmod checks refcnt before the syscall"
run_in_fake "$FKSYS" delete_module tun
is "$out" EAGAIN "delete_module of a referenced module: EAGAIN"
fakectl force-unload off
run_in_fake "$FKSYS" delete_module tun $((O_TRUNC | O_NONBLOCK))
is "$out" EAGAIN "O_TRUNC is ignored without CONFIG_MODULE_FORCE_UNLOAD"
fakectl force-unload on
run_in_fake "$RMMOD" -f tun
is "$status" 0 "rmmod -f forces a referenced module out"
is "$(cat "$FAKE_ROOT/proc/sys/kernel/tainted")" 8 "a forced unload taints the kernel (R)"
run_in_fake "$MODPROBE" fake_perm
like "$(proc_modules)" '^fake_perm 4096 0 \[permanent\], Live' "init without exit shows [permanent],"
run_in_fake "$RMMOD" fake_perm
like "$err" 'Device or resource busy' "a permanent module cannot be unloaded (EBUSY)"
run_in_fake "$MODPROBE" -r vxlan
ok "modprobe -r removes vxlan" eval '! loaded vxlan && ! loaded udp_tunnel && ! loaded ip6_udp_tunnel'
ok "holders are gone from sysfs" test ! -e "$FAKE_ROOT/sys/module/udp_tunnel"
before=$(calls delete_module)
run_in_fake "$FKSYS" libc-delete_module dummy
is "$out:$(calls delete_module)" "0:$((before + 1))" "every delete_module call is counted"
is "$(tail -n1 "$FAKE_ROOT/.fake/calls/delete_module")" "dummy 0x800 0" "call log line: NAME FLAGS ERRNO"

# --- loading errors --------------------------------------------------------------------
run_in_fake "$FKSYS" finit_module "$FAKE_MODDIR/kernel/drivers/block/loop.ko"
is "$out" EEXIST "loading a live module: EEXIST"
run_in_fake "$FKSYS" finit_module "$FAKE_MODDIR/kernel/drivers/net/vxlan/vxlan.ko"
is "$out" ENOENT "missing dependency: ENOENT (unknown symbol)"
run_in_fake "$FKSYS" finit_module "$FAKE_MODDIR/kernel/drivers/net/dummy.ko" "" 8
is "$out" EINVAL "unknown finit_module flag: EINVAL"
run_in_fake "$FKSYS" finit_module "$FAKE_MODDIR/kernel/drivers/net/dummy.ko" "numdummies=many"
is "$out" EINVAL "bad parameter value: EINVAL"
run_in_fake "$FKSYS" init_module "$FAKE_MODDIR/kernel/drivers/net/dummy.ko" "numdummies=1"
is "$status:$(sysfs dummy parameters/numdummies)" "0:1" "init_module works too"
run_in_fake "$FKSYS" delete_module dummy
fakectl uname-r 6.2.0-other
run_in_fake "$FKSYS" finit_module "$FAKE_MODDIR/kernel/drivers/net/dummy.ko"
is "$out" ENOEXEC "vermagic mismatch: ENOEXEC"
run_in_fake "$FKSYS" finit_module "$FAKE_MODDIR/kernel/drivers/net/dummy.ko" "" 2
is "$out" 0 "MODULE_INIT_IGNORE_VERMAGIC forces it"
like "$(proc_modules)" '^dummy .*\(F\)$' "a forced load taints the module (F)"
run_in_fake "$FKSYS" delete_module dummy
fakectl uname-r "$FAKE_RELEASE"
fakectl sig-enforce
run_in_fake "$FKSYS" finit_module "$FAKE_MODDIR/extra/fake_oot.ko"
is "$out" EKEYREJECTED "the signature is checked before the name (even a loaded module)"
run_in_fake "$RMMOD" fake_oot
run_in_fake "$INSMOD" "$FAKE_MODDIR/extra/fake_oot.ko"
like "$err" 'Key was rejected by service' "sig_enforce rejects an unsigned module (EKEYREJECTED)"
run_in_fake "$MODPROBE" dummy
is "$status" 0 "sig_enforce accepts a signed module"
fakectl sig-enforce N

# --- scripted behaviour --------------------------------------------------------------------
fakectl script tun load-error EKEYREJECTED 1
run_in_fake "$MODPROBE" tun
like "$err" 'Key was rejected by service' "scripted load error reaches modprobe"
run_in_fake "$MODPROBE" tun
is "$status" 0 "a counted load error is used up"
fakectl script tun unload-error EPERM
run_in_fake "$RMMOD" tun
like "$err" 'Operation not permitted' "scripted unload error reaches rmmod"
fakectl script tun clear
fakectl script snd_dummy init-error ENODEV
run_in_fake "$RMMOD" snd_dummy
run_in_fake "$MODPROBE" snd-dummy
like "$err" 'No such device' "a failing init returns its error"
ok "nothing is left of a module whose init failed" eval '! loaded snd_dummy && test ! -e "$FAKE_ROOT/sys/module/snd_dummy"'

# Timed behaviour is checked on the call log (CLOCK_MONOTONIC ms), not on
# sleeps, so a loaded machine cannot make it flaky.
# until_unloaded NAME: retry delete_module(NAME) every 50 ms, up to 10 s
until_unloaded() {
	local i
	for ((i = 0; i < 200; i++)); do
		run_in_fake "$FKSYS" delete_module "$1"
		[ "$out" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}
# waited NAME: ms between the first and the last delete_module(NAME)
waited() {
	awk -v n="$1" '$3 == "delete_module" && $4 == n { if (!f) f = $1; l = $1 } END { print l - f }' \
		"$FAKE_ROOT/.fake/calls/log"
}
# first_result NAME: result of the first delete_module(NAME)
first_result() { awk -v n="$1" '$1 == n { print $3; exit }' "$FAKE_ROOT/.fake/calls/delete_module"; }

fakectl add busy1 --refcnt 1
fakectl script busy1 refcnt-drop 300
ok "refcnt-drop: retried until it unloads" until_unloaded busy1
is "$(first_result busy1)" EAGAIN "refcnt-drop: EAGAIN before the reference goes"
ok "refcnt-drop: not before 300 ms ($(waited busy1) ms)" test "$(waited busy1)" -ge 300

fakectl add slowpoke --state coming
is "$(sysfs slowpoke refcnt):$(grep '^slowpoke' "$FAKE_ROOT/proc/modules" | awk '{print $5}')" "1:Loading" "a coming module: refcnt 1, Loading"
fakectl script slowpoke live-after 300
ok "live-after: unloadable once live" until_unloaded slowpoke
is "$(first_result slowpoke)" EBUSY "delete_module of a coming module: EBUSY"
ok "live-after: not before 300 ms ($(waited slowpoke) ms)" test "$(waited slowpoke)" -ge 300

fakectl add held1
fakectl add user --deps held1
fakectl script held1 holders-drop 300
ok "holders-drop: unloadable once the holder is gone" until_unloaded held1
is "$(first_result held1)" EAGAIN "holders-drop: EWOULDBLOCK while held"
ok "holders-drop: not before 300 ms ($(waited held1) ms)" test "$(waited held1)" -ge 300
ok "holders-drop: the holder was unloaded" eval '! loaded user'

fakectl add tun2 --refcnt 2
t0=$(date +%s%N)
fakectl later 1000 set-refcnt tun2 0
r=$(sysfs tun2 refcnt)
if [ $((($(date +%s%N) - t0) / 1000000)) -lt 900 ]; then
	is "$r" 2 "later: nothing changes at once"
else
	skip 1 "machine too slow to look before the timer"
fi
ok "later: a background sleeper applies the change (nobody polls)" wait_until 10000 eval 'test "$(cat "$FAKE_ROOT/sys/module/tun2/refcnt")" = 0'

fakectl script libcrc32c exit-delay 1500
start_in_fake "$FKSYS" delete_module libcrc32c
ok "exit-delay: the module is Unloading meanwhile" wait_until 5000 eval 'grep -q "^libcrc32c 4096 -1 - Unloading" "$FAKE_ROOT/proc/modules"'
is "$(sysfs libcrc32c initstate)" going "exit-delay: initstate going"
wait_bg
is "$out" 0 "exit-delay: delete_module returns 0 afterwards"
ok "exit-delay: the module is gone" eval '! loaded libcrc32c'

fakectl script crc32c_generic vanish-on-list
run_in_fake cat /proc/modules
like "$out" '^crc32c_generic ' "vanish-on-list: the read still lists the module"
ok "vanish-on-list: sysfs is gone right after the read" test ! -e "$FAKE_ROOT/sys/module/crc32c_generic"
ok "vanish-on-list: and so is the line" eval '! loaded crc32c_generic'

fakectl add half
fakectl vanish half
like "$(proc_modules)" '^half 16384 -1 - Unloading' "vanish: Unloading with refcnt -1 while sysfs is gone"
fakectl remove half

# --- global locks ------------------------------------------------------------------------------
run_in_fake "$FKSYS" write /proc/sys/kernel/modules_disabled 1
is "$out:$(cat "$FAKE_ROOT/proc/sys/kernel/modules_disabled")" "0:1" "writing 1 to modules_disabled"
run_in_fake "$FKSYS" write /proc/sys/kernel/modules_disabled 0
is "$out" EINVAL "writing 0 to modules_disabled: EINVAL"
run_in_fake "$MODPROBE" snd-dummy
like "$err" 'Operation not permitted' "modules_disabled: loads fail with EPERM"
run_in_fake "$FKSYS" delete_module tun
is "$out" EPERM "modules_disabled: unloads fail with EPERM"
fakectl modules-disabled 0

fakectl add nounl --refcnt 1
fakectl add nounl_user --deps nounl
fakectl no-unload
like "$(grep '^nounl ' "$FAKE_ROOT/proc/modules")" '^nounl 16384 - - Live 0x0+$' "no CONFIG_MODULE_UNLOAD: refcnt and deps print -"
ok "no CONFIG_MODULE_UNLOAD: no refcnt attribute, no holders/" eval 'test ! -e "$FAKE_ROOT/sys/module/nounl/refcnt" && test ! -e "$FAKE_ROOT/sys/module/nounl/holders"'
run_in_fake "$FKSYS" delete_module nounl_user
is "$out" ENOSYS "no CONFIG_MODULE_UNLOAD: delete_module is ENOSYS"
fakectl kernel unload=1

# --- scale ------------------------------------------------------------------------------------
fakectl gen 1000
run_in_fake "$LSMOD"
is "$(echo "$out" | grep -c '^gen_')" 1000 "gen 1000: lsmod lists all of them"
bad=0
for d in "$FAKE_ROOT"/sys/module/gen_0000*; do
	n=$(basename "$d")
	h=$(find "$d/holders" -mindepth 1 | wc -l)
	p=$(awk -v n="$n" '$1 == n { c = split($4, a, ","); print (c ? c - 1 : 0) }' "$FAKE_ROOT/proc/modules")
	[ "$h" = "$p" ] || bad=$((bad + 1))
done
is "$bad" 0 "gen: holders/ agrees with /proc/modules"
done_testing
