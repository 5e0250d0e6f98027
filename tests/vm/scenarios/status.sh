#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl status: one module in detail, and the policy summary, against the
# kernel's own files.
set -eu
. /vm/guest-lib.sh

"$MODPROBE" tun
"$MODPROBE" vxlan

# field VALUE of "  Field:  value" lines in $OUT
field() {
	printf '%s\n' "$OUT" | sed -n "s/^[[:space:]]*$1:[[:space:]]*//p"
}

# --- one module --------------------------------------------------------------
( exec 3<>/dev/net/tun; exec sleep 600 ) &
holder=$!
ok "the holder raised tun's refcnt" wait_for 20 sh -c '[ "$(cat /sys/module/tun/refcnt)" -gt 0 ]'
run "$MODCTL" status tun
is "$RC" 0 "status tun exits 0"
is "$(printf '%s\n' "$OUT" | head -n 1)" tun "status tun starts with the module's name"
is "$(field State)" "$(cat /sys/module/tun/initstate)" "State is /sys/module/tun/initstate (live)"
is "$(field Refcnt)" "$(cat /sys/module/tun/refcnt)" "Refcnt is the held count in /sys/module/tun/refcnt"
is "$(field Size) " "$(cat /sys/module/tun/coresize) bytes " "Size is /sys/module/tun/coresize in bytes"
is "$(field Permanent)" no "tun is not permanent"
is "$(field Path)" "$("$MODINFO" -n tun)" "Path is the file kmod's modinfo -n names"

run "$MODCTL" status -J tun
printf '%s\n' "$OUT" >/tmp/status.json
run "$JQ" -r '.modules[0] |
	"fields \(.name) \(.state) \(.refcnt) \(.size)",
	"numbers \((.refcnt|type) == "number" and (.size|type) == "number")",
	"permanent \(.permanent | tojson)"' /tmp/status.json
is "$RC" 0 "status -J tun is valid JSON"
facts=$OUT
fact() { printf '%s\n' "$facts" | sed -n "s/^$1 //p"; }
is "$(fact fields)" "tun live $(cat /sys/module/tun/refcnt) $(cat /sys/module/tun/coresize)" \
	"status -J tun: name, state, refcnt and size match sysfs"
is "$(fact numbers)" true "status -J tun: refcnt and size are JSON numbers"
is "$(fact permanent)" false "status -J tun: permanent is false"
kill "$holder"
wait "$holder" 2>/dev/null || :

run "$MODCTL" status vxlan
is "$(field Version)" "$(cat /sys/module/vxlan/version)" "status vxlan: Version is /sys/module/vxlan/version"
is "$(field Srcversion)" "$(cat /sys/module/vxlan/srcversion)" "status vxlan: Srcversion is /sys/module/vxlan/srcversion"
run "$MODCTL" status udp_tunnel
like "$(field Holders)" '^vxlan$' "status udp_tunnel: Holders is vxlan"
run "$MODCTL" status -J udp_tunnel
is "$(printf '%s\n' "$OUT" | "$JQ" -c '.modules[0].holders')" '["vxlan"]' \
	"status -J udp_tunnel: holders is [\"vxlan\"]"

run "$MODCTL" status veth
is "$RC" 3 "status of a module that is not loaded exits 3"

run_as_user "$MODCTL" status tun
is "$RC" 0 "status tun as uid 65534 exits 0"
is "$(field State)" live "... and shows State live"

# --- the policy summary ------------------------------------------------------
run "$MODCTL" status
is "$RC" 0 "status (no module) exits 0"
like "$(field kernel.modules_disabled)" "^$(cat /proc/sys/kernel/modules_disabled)( |$)" \
	"status: kernel.modules_disabled is /proc/sys/kernel/modules_disabled"
is "$(field 'modules loaded')" "$(wc -l </proc/modules)" "status: modules loaded counts /proc/modules"
lockdown=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown)
is "$(field 'kernel lockdown')" "$lockdown" "status: kernel lockdown is /sys/kernel/security/lockdown's [$lockdown]"

run "$MODCTL" status -J
printf '%s\n' "$OUT" >/tmp/policy.json
run "$JQ" -r '.policy[0] |
	"modules_disabled \(.modules_disabled | tojson)",
	"sig_enforce \(.sig_enforce | tojson)",
	"loaded \(.loaded | tojson)"' /tmp/policy.json
is "$RC" 0 "status -J is valid JSON"
facts=$OUT
is "$(fact modules_disabled)" false "status -J: modules_disabled is false (the file reads 0)"
is "$(fact sig_enforce)" \
	"$([ "$(cat /sys/module/module/parameters/sig_enforce)" = Y ] && echo true || echo false)" \
	"status -J: sig_enforce matches /sys/module/module/parameters/sig_enforce"
is "$(fact loaded)" "$(wc -l </proc/modules)" "status -J: loaded is a number equal to /proc/modules' line count"
