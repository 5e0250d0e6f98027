#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl wait against the fake kernel. The fake sends no uevents, so these
# tests also prove that loaded/unloaded are decided from sysfs.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup
fakectl add tun --refcnt 1
fakectl add udp_tunnel
fakectl add vxlan --deps udp_tunnel

run_modctl wait tun
is "$status" 0 "--for=loaded (the default) of a loaded module returns at once"
run_modctl wait --for=unloaded dummy
is "$status" 0 "--for=unloaded of an absent module returns at once"

fakectl later "$(slow 300)" remove tun
run_modctl wait --for=unloaded -t "$(slow 5)s" tun
is "$status" 0 "--for=unloaded returns when the module goes"
nok "tun is gone" loaded tun

fakectl later "$(slow 300)" add tun
run_modctl wait -t "$(slow 5)s" tun
is "$status" 0 "--for=loaded returns when the module comes"

fakectl set-refcnt tun 1
fakectl script tun refcnt-drop 300 probe
run_modctl wait --for=unused -t "$(slow 5)s" tun
is "$status" 0 "--for=unused returns when the reference is dropped"
is "$(sysfs tun refcnt)" 0 "and refcnt is 0 then"
run_modctl wait --for=unused -t 300ms udp_tunnel
is "$status" 4 "--for=unused times out while a holder remains: exit 4"
like "$err" "timed out after 300ms: udp_tunnel is still in use \(held by vxlan\)" "naming the holder"
is "$(calls delete_module)" 0 "waiting never asks the kernel to unload"

run_modctl wait -t 300ms tun nosuch
is "$status" 4 "--for=loaded times out: exit 4"
like "$err" "nosuch is not loaded" "naming what was missing"
unlike "$err" "tun is not" "and only that"
run_modctl wait --for=unused nosuch
is "$status" 3 "--for=unused of a module that is not loaded: exit 3"
run_modctl wait --for=sideways tun
is "$status" 2 "a bad --for is a usage error"
run_modctl wait -t 1x tun
is "$status" 2 "a bad duration is a usage error"

# Signal only once modctl says it waits (-v): its signals are handled by then.
# The message and the exit status come only from the handled path: the
# default action of the signal would kill modctl silently.
for sig in TERM:143 INT:130; do
	want=${sig#*:} sig=${sig%:*}
	start_in_fake "$MODCTL" -v wait --for=unloaded vxlan
	ok "wait -v says what it waits for (SIG$sig)" \
		wait_until "$(slow 30000)" grep -q 'waiting for vxlan to be unloaded' "$FAKE_TMP/err"
	kill -"$sig" "$bg_pid"
	wait_bg
	is "$status" "$want" "SIG$sig ends an infinite wait with $want"
	like "$err" "interrupted while waiting for vxlan to be unloaded" "... and says what it was waiting for"
	ok "... vxlan still loaded" loaded vxlan
done

done_testing
