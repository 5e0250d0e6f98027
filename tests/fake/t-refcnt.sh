#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl refcnt against the fake kernel.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup

fakectl add udp_tunnel
fakectl add vxlan --deps udp_tunnel
fakectl add tun --refcnt 3
fakectl add dummy --state going
fakectl add snd_dummy
fakectl builtin unix --param debug=0

run_modctl refcnt tun
is "$status:$out" "0:3" "one module: just the number"
run_modctl refcnt tun udp_tunnel vxlan
is "$status" 0 "several modules: exit 0"
is "$out" "$(printf 'tun 3\nudp_tunnel 1\nvxlan 0')" "several modules: NAME COUNT lines"
run_modctl refcnt dummy
is "$status:$out" "0:going" "-1 is reported as going"
run_modctl refcnt snd-dummy
is "$status:$out" "0:0" "dash spelling of an underscore name"
fakectl set-refcnt tun 7
run_modctl refcnt tun
is "$out" 7 "the count is read from sysfs each time"

run_modctl refcnt nosuch
is "$status" 3 "not loaded: exit 3"
like "$err" "module nosuch is not loaded" "says it is not loaded"
is "$out" "" "prints no number"
run_modctl refcnt unix
is "$status" 1 "built in: exit 1"
like "$err" "unix is built into the kernel" "says it is built in"
run_modctl refcnt nosuch tun
is "$status:$out" "3:tun 7" "the first failure decides the exit, the others still print"

fakectl vanish udp_tunnel
run_modctl refcnt udp_tunnel
is "$status" 3 "a module whose sysfs vanished mid-unload: not loaded"
unlike "$out" "-" "no negative garbage"

run_modctl refcnt a/b
is "$status" 2 "a slash: usage error"
run_modctl refcnt aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
is "$status" 2 "56 characters: usage error"
run_modctl refcnt
is "$status" 2 "no module: usage error"
like "$err" "Try .modctl refcnt --help" "with a one-line hint"

fakectl no-unload
run_modctl refcnt tun
is "$status" 1 "no refcnt file: exit 1"
like "$err" "CONFIG_MODULE_UNLOAD" "says why there is no count"

rm -rf "$FAKE_ROOT/proc/modules" "$FAKE_ROOT/sys/module"
run_modctl refcnt tun
is "$status" 3 "no module support at all: not loaded"

done_testing
