#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl load against the fake kernel: real libkmod resolution over a
# depmod'ed fixture tree, every kernel error, dry runs, locks.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup
MP=$FAKE_ROOT/etc/modprobe.d

# --- resolution -----------------------------------------------------------------------
run_modctl load -n vxlan udp_port=4789
is "$status" 0 "load -n exits 0"
is_golden load-dryrun-vxlan.txt "$out" "-n prints the plan in load order with options"
is "$(calls finit_module)" 0 "-n loads nothing"

run_modctl load -v vxlan
is "$status" 0 "a dependency chain loads"
is "$(cut -d' ' -f1 "$FAKE_ROOT/.fake/calls/finit_module" | sort | tr '\n' ' ')" "ip6_udp_tunnel udp_tunnel vxlan " "the chain was loaded"
is "$(cut -d' ' -f1 "$FAKE_ROOT/.fake/calls/finit_module" | tail -1)" vxlan "dependencies first, vxlan last"
like "$err" "loading udp_tunnel" "-v shows each step"
run_modctl load -v vxlan
is "$status" 0 "an already loaded module is success"
like "$err" "vxlan is already loaded" "with a note at -v"
run_modctl load -v unix
is "$status" 0 "a built-in module is success"
like "$err" "unix is built into the kernel" "with a note at -v"

run_modctl load char-major-10-200
is "$status" 0 "an alias loads"
ok "char-major-10-200 resolved to tun" loaded tun

run_modctl load libcrc32c
is "$(grep -o '^[a-z0-9_]*' "$FAKE_ROOT/.fake/calls/finit_module" | tail -2 | tr '\n' ' ')" "crc32c_generic libcrc32c " "a softdep loads first"

echo 'options dummy numdummies=4' >"$MP/dummy.conf"
run_modctl load dummy
is "$(sysfs dummy parameters/numdummies)" 4 "options from modprobe.d reach the module"
fakectl remove dummy
run_modctl load dummy numdummies=2 loop max_loop=8 max_part=2
is "$status" 0 "two modules with their parameters"
is "$(sysfs dummy parameters/numdummies),$(sysfs loop parameters/max_loop),$(sysfs loop parameters/max_part)" "2,8,2" "each PARAM=VALUE goes to the module before it (and wins over modprobe.d)"
run_modctl load "$FAKE_MODDIR/extra/fake_oot.ko" "message=hello world"
is "$status" 0 "a path loads that file"
is "$(sysfs fake_oot parameters/message)" "hello world" "a value with a space arrives whole"

# --- blacklist and install commands ----------------------------------------------------------
fakectl remove tun
echo 'blacklist tun' >"$MP/bl.conf"
run_modctl load char-major-10-200
is "$status" 1 "a blacklisted module is refused through its alias"
like "$err" "tun is blacklisted in modprobe.d" "and says so"
nok "tun not loaded" loaded tun
run_modctl load tun
is "$status" 0 "but loads when named outright (modprobe's semantics)"
rm "$MP/bl.conf"

fakectl remove loop
echo "install loop touch $FAKE_TMP/install-ran" >"$MP/inst.conf"
run_modctl load -n loop
like "$out" "^install loop touch $FAKE_TMP/install-ran" "-n shows the install command"
run_modctl load loop
ok "the install command ran" test -e "$FAKE_TMP/install-ran"
nok "instead of loading" loaded loop
rm -f "$FAKE_TMP/install-ran"
run_modctl load --ignore-install loop
ok "--ignore-install loads the module" loaded loop
nok "without the command" test -e "$FAKE_TMP/install-ran"
echo "install loop false" >"$MP/inst.conf"
fakectl remove loop
run_modctl load loop
is "$status" 1 "a failing install command: exit 1"
like "$err" "the install command of loop \(from modprobe.d\) failed" "says so"
rm "$MP/inst.conf"
fakectl remove dummy
run_modctl load -n dummy numdummies=1 firmware=/lib/x.ko
is "$status:$out" "0:load dummy /lib/modules/6.1.0-fake/kernel/drivers/net/dummy.ko numdummies=4 numdummies=1 firmware=/lib/x.ko" "a PARAM=VALUE word may hold a path"
run_modctl load -n dummy
is "$out" "load dummy /lib/modules/6.1.0-fake/kernel/drivers/net/dummy.ko numdummies=4" "modprobe.d options without a trailing blank"

# --- not found and bad input ---------------------------------------------------------------------
run_modctl load nosuch
is "$status" 3 "not found: exit 3"
like "$err" "module nosuch not found in /lib/modules/6.1.0-fake" "names the module directory"
run_modctl load /nonexistent/x.ko
is "$status" 3 "a missing file: exit 3"
run_modctl load /etc/hostname
is "$status" 2 "a path that is not a module file: exit 2"
like "$err" "not a kernel module file" "says so"
run_modctl load numdummies=1
is "$status" 2 "a parameter before any module: exit 2"
run_modctl load
is "$status" 2 "no module: exit 2"
run_modctl load nosuch tun2 dummy
is "$status" 3 "several modules: every one attempted, the first failure returned"

# --- the kernel's refusals -----------------------------------------------------------------------
k() { fakectl remove "$1" 2>/dev/null; fakectl script "$1" clear; fakectl script "$1" load-error "$2"; run_modctl load "$1"; fakectl script "$1" clear; }
fakectl modules-disabled 1
run_modctl load snd-dummy
is "$status" 6 "modules_disabled: exit 6"
like "$err" "cannot load snd-dummy|cannot load snd_dummy" "names the module"
like "$err" "kernel.modules_disabled=1" "and the cause"
fakectl modules-disabled 0
fakectl script snd_dummy load-error EPERM
run_in_fake setpriv --bounding-set=-sys_module --inh-caps=-sys_module "$MODCTL" load snd-dummy
is "$status" 6 "no CAP_SYS_MODULE: exit 6"
like "$err" "CAP_SYS_MODULE" "names the capability"
fakectl script snd_dummy clear
fakectl remove fake_oot
fakectl lockdown integrity
run_modctl load "$FAKE_MODDIR/extra/fake_oot.ko"
is "$status" 6 "an unsigned module under kernel lockdown: exit 6"
like "$err" "locked down" "says so"
fakectl lockdown none
fakectl sig-enforce Y
run_modctl load "$FAKE_MODDIR/extra/fake_oot.ko"
is "$status" 7 "an unsigned module under sig_enforce: EKEYREJECTED, exit 7"
like "$err" "signature" "names the signature"
fakectl sig-enforce N
k snd_dummy ENOEXEC
is "$status" 7 "ENOEXEC: exit 7"
like "$err" "not a valid module for this kernel" "in words"
k snd_dummy ENOENT
is "$status" 7 "unknown symbol (ENOENT from the kernel): exit 7"
like "$err" "unknown symbol" "in words, not 'not found'"
fakectl remove dummy
run_modctl load dummy numdummies=abc
is "$status" 7 "a bad parameter value: exit 7"
like "$err" "invalid parameter" "in words"
k snd_dummy EEXIST
is "$status" 0 "EEXIST (someone loaded it meanwhile) is success"
k snd_dummy EBUSY
is "$status" 7 "EBUSY that never ends live: exit 7"
fakectl script snd_dummy init-error ENODEV
run_modctl load snd_dummy
is "$status" 7 "the module's own init error: exit 7"
like "$err" "No such device; see the kernel log" "names the error and points to the kernel log"
nok "nothing is left loaded" loaded snd_dummy
fakectl script snd_dummy clear

fakectl remove vxlan; fakectl remove udp_tunnel
fakectl script udp_tunnel load-error ENOEXEC
run_modctl load vxlan
is "$status" 7 "a failing dependency: exit 7"
like "$err" "cannot load vxlan: its dependency udp_tunnel failed" "names the dependency"
fakectl script udp_tunnel clear

# A racing load: another loader is in init when modctl asks (EBUSY), and it ends live.
fakectl remove tun
# The other load must end within modctl's 5 s wait for it, even when slow.
delay=$(slow 400)
[ "$delay" -gt 3000 ] && delay=3000
fakectl script tun init-delay "$delay"
start_in_fake "$MODCTL" load tun
coming() { [ "$(sysfs tun initstate)" = coming ]; }
wait_until 30000 coming
run_modctl load -v tun
r=$status; e=$err
wait_bg
diag "$e"
is "$r" 0 "a load racing another load of the same module succeeds"
ok "tun is live" test "$(sysfs tun initstate)" = live
fakectl script tun clear

run_modctl load --no-deps vxlan
is "$status" 7 "--no-deps without the dependencies loaded: unknown symbol"
nok "no dependency was loaded" loaded udp_tunnel
echo 'options dummy numdummies=5' >"$MP/dummy.conf"
fakectl remove dummy 2>/dev/null
run_modctl load --no-deps dummy
is "$(sysfs dummy parameters/numdummies)" 5 "--no-deps still applies modprobe.d options"

# --- locks ------------------------------------------------------------------------------------------
fakectl remove dummy 2>/dev/null
run_modctl load --lockdown dummy
is "$status" 0 "load --lockdown"
like "$(cat "$FAKE_ROOT/run/modctl/locks")" "lock dummy" "locks the module"
like "$(cat "$FAKE_ROOT/run/modprobe.d/modctl-lockdown.conf")" "^remove dummy " "and guards it against modprobe -r"
printf 'mode all\n' >"$FAKE_ROOT/run/modctl/locks"
run_modctl load udp_tunnel
like "$(cat "$FAKE_ROOT/run/modctl/locks")" "lock udp_tunnel" "lockdown-all mode locks what modctl loads"

done_testing
