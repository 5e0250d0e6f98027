#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl status against the fake kernel: one module in detail, and the policy.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup

fakectl add udp_tunnel --size 32768
fakectl add vxlan --size 106496 --deps udp_tunnel --version 7.0 --param udp_port=4789
fakectl add tun --size 61440 --refcnt 2 --taint OE
fakectl builtin unix --param debug=1

run_modctl status udp_tunnel
is "$status" 0 "status MODULE exits 0"
is_golden status-udp_tunnel.txt "$out" "status of a module held by another"
run_modctl status vxlan
like "$out" "Parameters: +udp_port=4789" "parameters from sysfs"
like "$out" "Version: +7.0" "version"
like "$out" "Path: +/lib/modules/6.1.0-fake/kernel/drivers/net/vxlan/vxlan.ko" "the file, through libkmod"
run_modctl status tun
like "$out" "Taint: +OE" "taint letters"
like "$out" "Refcnt: +2" "refcnt"
run_modctl status unix
is "$status" 0 "a built-in module has a status"
like "$out" "State: +builtin" "shown as built in"
run_modctl status nosuch
is "$status" 3 "not loaded: exit 3"
like "$err" "nosuch is not loaded" "says so"
run_modctl status -J vxlan udp_tunnel
json_valid "$out" "status -J is JSON"
json_is "$out" '.modules[0].parameters' '["udp_port=4789"]' "parameters as a list"
json_is "$out" '.modules[1].holders' '["vxlan"]' "holders as a list"
json_is "$out" '.modules[1].refcnt' 1 "refcnt as a number"
fakectl set-state tun going --refcnt -1
run_modctl status tun
like "$out" "Refcnt: +going" "a going module's refcnt reads going"

# --- the policy summary -----------------------------------------------------
run_modctl status
is "$status" 0 "status without modules exits 0"
is_golden status-policy.txt "$out" "policy summary"
fakectl modules-disabled 1
fakectl sig-enforce Y
fakectl lockdown integrity
mkdir -p "$FAKE_ROOT/run/modctl"
printf 'mode all\nlock tun\nlock vxlan\n' >"$FAKE_ROOT/run/modctl/locks"
run_modctl status
like "$out" "kernel.modules_disabled: 1 \(sealed" "sealed"
like "$out" "kernel lockdown: +integrity" "lockdown level"
like "$out" "module.sig_enforce: +yes" "sig_enforce"
like "$out" "lockdown-all mode: +on" "lockdown-all mode"
like "$out" "modules locked: +2" "locked count"
run_modctl status -J
json_valid "$out" "status -J (policy) is JSON"
json_is "$out" '.policy[0] | [.modules_disabled, .lockdown, .sig_enforce, .lockdown_all, .loaded, .locked]' \
	'[true,"integrity",true,true,3,2]' "policy JSON has the right types"
run_modctl status tun
like "$out" "Lock: +sealed" "a module's lock shows the seal"

done_testing
