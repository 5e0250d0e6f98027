#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl list against the fake kernel: columns, formats, edge cases.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup

# A world with a chain, taint, every state, a permanent module.
fakectl add ip6_udp_tunnel --size 16384
fakectl add udp_tunnel --size 32768
fakectl add vxlan --size 106496 --deps udp_tunnel,ip6_udp_tunnel --version 7.0 --srcversion ABCDEF
fakectl add tun --size 61440 --refcnt 2 --taint OE --version 1.6 --param debug=0
fakectl add loop --size 40960 --state coming
fakectl add dummy --size 16384 --state going
fakectl add fake_perm --size 12288 --permanent

run_modctl list
is "$status" 0 "list exits 0"
is_golden list-default.txt "$out" "default table"
run_modctl list -r
is_golden list-raw.txt "$out" "raw output"
run_modctl list -J
is "$status" 0 "list -J exits 0"
json_valid "$out" "list -J is JSON"
is_golden list-default.json "$out" "JSON output"
json_is "$out" '.modules[] | select(.name=="udp_tunnel") | .refcnt' 1 "refcnt is a JSON number"
json_is "$out" '.modules[] | select(.name=="udp_tunnel") | .holders | length' 1 "holders is an array"
json_is "$out" '.modules[] | select(.name=="tun") | .holders' '[]' "no holders is an empty array"
json_is "$out" '.modules[] | select(.name=="dummy") | .refcnt' -1 "a going module reads -1"
json_is "$out" '.modules[] | select(.name=="dummy") | .state' '"going"' "going state"
json_is "$out" '.modules[] | select(.name=="loop") | .state' '"coming"' "coming state"
json_is "$out" '[.modules[] | .size | type] | unique' '["number"]' "sizes are numbers"

run_modctl list -n -o NAME,PERMANENT,TAINT
like "$out" "fake_perm +yes" "PERMANENT shows [permanent]"
like "$out" "tun +no +OE" "TAINT shows the letters"
unlike "$out" "^NAME" "-n drops the heading"
run_modctl list -J -o NAME,PERMANENT
json_is "$out" '.modules[] | select(.name=="fake_perm") | .permanent' true "permanent is a JSON boolean (true)"
json_is "$out" '.modules[] | select(.name=="tun") | .permanent' false "permanent is a JSON boolean (false)"

run_modctl list -o +TAINT -n tun
like "$out" "^tun +61440 +2 +live +0 +no +OE$" "-o +COL appends to the defaults"
run_modctl list --output-all -r tun
like "$out" "tun 61440 2 live 0  no OE no 1.6  /lib/modules/6.1.0-fake/kernel/drivers/net/tun.ko debug=0" "--output-all: VERSION, PATH (libkmod) and PARAMETERS (sysfs)"
MODCTL_COLUMNS=NAME,USED
export MODCTL_COLUMNS
run_modctl list -n udp_tunnel
is "$out" "udp_tunnel    1" "MODCTL_COLUMNS sets the default columns"
run_modctl list -n -o NAME udp_tunnel
is "$out" "udp_tunnel" "-o wins over MODCTL_COLUMNS"
MODCTL_COLUMNS=NAME,BOGUS
run_modctl list
is "$status" 2 "an unknown column in MODCTL_COLUMNS is a usage error"
like "$err" "unknown column 'BOGUS' in MODCTL_COLUMNS" "and says where it came from"
unset MODCTL_COLUMNS
run_modctl list -o NAME,NOPE
is "$status" 2 "unknown column: exit 2"
like "$err" "unknown column 'NOPE'" "names the column"
run_modctl list -H
is "$status" 0 "-H exits 0"
like "$out" "^HOLDERS +<string list> +modules using it" "-H lists columns with types"
is "$(printf '%s\n' "$out" | wc -l)" 18 "-H lists all 18 columns"

# --- cost: the default columns come from one read of /proc/modules -----------
need strace
# LeakSanitizer cannot run under ptrace; the other checks of a sanitizer
# build still apply.
export ASAN_OPTIONS=detect_leaks=0:exitcode=99:verify_asan_link_order=0
run_in_fake strace -f -qq -e trace=open,openat,stat,newfstatat,statx,access -o "$FAKE_TMP/trace" "$MODCTL" list
is "$status" 0 "list under strace"
is "$(grep -c '/proc/modules' "$FAKE_TMP/trace")" 1 "/proc/modules is opened once"
is "$(grep -c '/sys/module/' "$FAKE_TMP/trace")" 0 "no per-module sysfs access for the default columns"
is "$(grep -c 'modules\.\(dep\|alias\|symbols\|builtin\)' "$FAKE_TMP/trace")" 0 "no libkmod index is loaded"
run_in_fake strace -f -qq -e trace=open,openat -o "$FAKE_TMP/trace" "$MODCTL" list -o NAME,VERSION
isnt "$(grep -c '/sys/module/' "$FAKE_TMP/trace")" 0 "VERSION does read sysfs (so the count above can fail)"
run_in_fake strace -f -qq -e trace=open,openat -o "$FAKE_TMP/trace" "$MODCTL" list -o NAME,PATH
isnt "$(grep -c 'modules\.dep' "$FAKE_TMP/trace")" 0 "PATH does use libkmod's index"
unset ASAN_OPTIONS

# --- selecting modules; names ---------------------------------------------------
run_modctl list -n -o NAME ip6-udp-tunnel
is "$status:$out" "0:ip6_udp_tunnel" "dash and underscore spell the same module"
run_modctl list -n -o NAME tun nosuch
is "$status" 3 "a module that is not loaded: exit 3"
is "$out" "tun" "the loaded ones are still shown"
like "$err" "module nosuch is not loaded" "names the missing module"
run_modctl list a/b
is "$status" 2 "a name with a slash is a usage error"
like "$err" "invalid module name 'a/b'" "and says so"
run_modctl list aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
is "$status" 2 "a 56-character name is a usage error"
like "$err" "at most 55 characters" "and says why"

# --- locks --------------------------------------------------------------------
mkdir -p "$FAKE_ROOT/run/modctl"
printf 'lock tun\n' >"$FAKE_ROOT/run/modctl/locks"
run_modctl list -n -o NAME,LOCK tun vxlan
is "$out" "$(printf 'tun   locked\nvxlan no')" "LOCK column from the registry"
fakectl modules-disabled 1
run_modctl list -n -o NAME,LOCK tun vxlan
is "$out" "$(printf 'tun   sealed\nvxlan sealed')" "modules_disabled=1 shows sealed"
fakectl modules-disabled 0
chmod 0666 "$FAKE_ROOT/run/modctl/locks"
run_modctl list -J -o NAME,LOCK tun
is "$status" 1 "an untrusted registry fails the command"
like "$err" "refusing to trust .*/run/modctl/locks: writable by group or others" "and says why"
json_is "$out" '.modules[0].lock' null "the lock state is unknown, not guessed"
chmod 0644 "$FAKE_ROOT/run/modctl/locks"
rm "$FAKE_ROOT/run/modctl/locks"
ln -s /etc/passwd "$FAKE_ROOT/run/modctl/locks"
run_modctl list -o NAME,LOCK
is "$status" 1 "a symlinked registry is refused"
like "$err" "symbolic link" "and called a symlink"
rm "$FAKE_ROOT/run/modctl/locks"
head -c 5000 /dev/urandom >"$FAKE_ROOT/run/modctl/locks"
run_modctl list -o NAME,LOCK
is "$status" 1 "a garbage registry is refused"
like "$err" "refusing to trust|NUL bytes" "with a clear message"
rm "$FAKE_ROOT/run/modctl/locks"
run_modctl list -n -o NAME,REFCNT tun
is "$status:$out" "0:tun       2" "without a registry there are no locks and no error"

# --- kernels and races --------------------------------------------------------------
fakectl script vxlan vanish-on-list
run_modctl list -r -n -o NAME,VERSION,PARAMETERS
is "$status" 0 "a module vanishing between two reads is no error"
like "$out" "^vxlan  $" "its sysfs columns are simply empty"
fakectl add vxlan --deps udp_tunnel,ip6_udp_tunnel

fakectl no-unload
run_modctl list -J -o NAME,REFCNT,USED
json_is "$out" '.modules[] | select(.name=="tun") | .refcnt' null "no CONFIG_MODULE_UNLOAD: refcnt is null"
is "$status" 0 "and list still works"

rm -f "$FAKE_ROOT/proc/modules"
run_modctl list
is "$status" 1 "no /proc/modules: exit 1"
like "$err" "built without loadable module support" "with a clear message"

rm -rf "$FAKE_TMP"
fake_setup
run_modctl list
is "$status:$out" "0:NAME SIZE REFCNT STATE USED LOCK HOLDERS" "an empty module list prints the heading"
run_modctl list -J
json_is "$out" '.modules' '[]' "and an empty JSON array"

done_testing
