#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl list against what the kernel says: /proc/modules and /sys/module.
set -eu
. /vm/guest-lib.sh

for m in tun loop dummy vxlan bridge; do
	"$MODPROBE" "$m"
done
ok "kmod loaded tun, loop, dummy, vxlan, bridge (and their dependencies)" \
	grep -q '^udp_tunnel ' /proc/modules

# NAME SIZE REFCNT from /proc/modules, sorted
proc_triples() {
	while read -r n s r rest; do printf '%s %s %s\n' "$n" "$s" "$r"; done </proc/modules | sort
}
# holders of $1 per sysfs, sorted, comma-separated
sysfs_holders() {
	ls "/sys/module/$1/holders" | sort | paste -sd, -
}

# --- the table -------------------------------------------------------------
run "$MODCTL" list -r -n -o NAME,SIZE,REFCNT
is "$RC" 0 "list -r -n -o NAME,SIZE,REFCNT exits 0"
is "$(printf '%s\n' "$OUT" | sort)" "$(proc_triples)" "... and prints exactly /proc/modules' names, sizes and refcnts"
is "$ERR" "" "... and says nothing on stderr"

run "$MODCTL" list -r
is "$(printf '%s\n' "$OUT" | head -n 1)" "NAME SIZE REFCNT STATE USED LOCK HOLDERS" \
	"list -r: the heading names the default columns"
is "$(printf '%s\n' "$OUT" | sed 1d | wc -l)" "$(wc -l </proc/modules)" \
	"list -r: one line per module in /proc/modules"

run "$MODCTL" list -n -r -o NAME,STATE
is "$(printf '%s\n' "$OUT" | cut -d' ' -f2 | sort -u)" live "every module's STATE is live"

# holders: udp_tunnel is used by vxlan only; llc by bridge and stp
for m in udp_tunnel ip6_udp_tunnel llc stp; do
	run "$MODCTL" list -r -n -o NAME,HOLDERS,USED "$m"
	want_h=$(sysfs_holders "$m")
	got_h=$(printf '%s\n' "$OUT" | cut -d' ' -f2 | tr ',' '\n' | sort | paste -sd, -)
	is "$got_h" "$want_h" "HOLDERS of $m matches /sys/module/$m/holders/ ($want_h)"
	is "$(printf '%s\n' "$OUT" | cut -d' ' -f3)" "$(ls "/sys/module/$m/holders" | wc -l)" \
		"USED of $m is the number of its holders"
done
run "$MODCTL" list -r -n -o HOLDERS udp_tunnel
is "$OUT" vxlan "udp_tunnel is held by vxlan alone"

# MODULE arguments select rows
run "$MODCTL" list -r -n -o NAME llc udp_tunnel
is "$(printf '%s\n' "$OUT" | sort)" "$(printf 'llc\nudp_tunnel')" "list MODULE...: only the named modules"
run "$MODCTL" list veth
is "$RC" 3 "list of a module that is not loaded exits 3"

# the other columns, against sysfs and kmod
run "$MODCTL" list -r -n -o NAME,VERSION,SRCVERSION vxlan
is "$OUT" "vxlan $(cat /sys/module/vxlan/version) $(cat /sys/module/vxlan/srcversion)" \
	"VERSION and SRCVERSION of vxlan match /sys/module/vxlan/"
run "$MODCTL" list -r -n -o PATH tun
is "$OUT" "$("$MODINFO" -n tun)" "PATH of tun is the file kmod's modinfo -n names"
run "$MODCTL" list -r -n -o PARAMETERS loop
like "$OUT" "max_loop=$(cat /sys/module/loop/parameters/max_loop)" \
	"PARAMETERS of loop shows max_loop as in sysfs"
run "$MODCTL" list --output-all -r
is "$(printf '%s\n' "$OUT" | head -n 1 | wc -w)" "$("$MODCTL" list -H | wc -l)" \
	"--output-all shows every column that -H lists"

# --- JSON --------------------------------------------------------------------
run "$MODCTL" list -J -o NAME,SIZE,REFCNT,USED,HOLDERS,STATE
is "$RC" 0 "list -J exits 0"
printf '%s\n' "$OUT" >/tmp/list.json
# one jq run (jq takes half a second to start under TCG), one fact a line
run "$JQ" -r '
	"numbers \(.modules | length > 0 and all(.[]; (.size|type) == "number" and
		(.refcnt|type) == "number" and (.used|type) == "number"))",
	(.modules[] | select(.name == "llc") | "llc \(.holders | sort | tojson)"),
	(.modules[] | select(.name == "tun") | "tun \(.holders | tojson)"),
	(.modules[] | "row \(.name) \(.size) \(.refcnt)")' /tmp/list.json
is "$RC" 0 "list -J is valid JSON (jq parses it)"
facts=$OUT
fact() { printf '%s\n' "$facts" | sed -n "s/^$1 //p"; }
is "$(fact numbers)" true "size, refcnt and used are JSON numbers"
is "$(fact row | sort)" "$(proc_triples)" "list -J: names, sizes and refcnts are /proc/modules'"
is "$(fact llc)" '["bridge","stp"]' "list -J: llc's holders are the array [\"bridge\",\"stp\"]"
is "$(fact tun)" '[]' "list -J: tun's holders are an empty array"

# --- unprivileged ------------------------------------------------------------
run "$MODCTL" list -r -n -o NAME,SIZE,REFCNT,HOLDERS
root_out=$OUT
run_as_user "$MODCTL" list -r -n -o NAME,SIZE,REFCNT,HOLDERS
is "$RC" 0 "list as uid 65534 exits 0"
is "$OUT" "$root_out" "list as uid 65534 prints what root sees"

# --- after an unload ---------------------------------------------------------
"$RMMOD" tun
run "$MODCTL" list -r -n -o NAME
unlike "$OUT" '^tun$' "tun is gone from list after kmod's rmmod"
is "$(printf '%s\n' "$OUT" | sort)" "$(modules_loaded)" "list names exactly the modules in /proc/modules"
