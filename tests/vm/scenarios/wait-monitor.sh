#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl monitor and modctl wait on the real kernel (no udevd here: see
# udev.sh): the kernel's module uevents in the order the kernel sent them,
# lock changes, the end of a monitor whose reader goes away; wait returning
# when another process loads, unloads or releases a module, and timing out.
set -eu
. /vm/guest-lib.sh

# --- monitor -----------------------------------------------------------------------
# -v: a monitor says when it listens
"$MODCTL" -v monitor >/tmp/mon.txt 2>/tmp/mon.err &
mon=$!
"$MODCTL" -v monitor -J >/tmp/mon.json 2>/tmp/monj.err &
monj=$!
ok "monitor -v says it listens" wait_for 20 grep -q 'monitoring module events' /tmp/mon.err
ok "monitor -v -J says it listens" wait_for 20 grep -q 'monitoring module events' /tmp/monj.err

"$MODPROBE" tun
"$MODCTL" load vxlan
# the monitor compares registry snapshots: let it see the lock before the unlock
"$MODCTL" lockdown tun
ok "monitor shows the lock" wait_for 20 grep -q ' locked  *tun' /tmp/mon.txt
"$MODCTL" unlock tun
ok "monitor shows the unlock" wait_for 20 grep -q ' unlocked  *tun' /tmp/mon.txt
"$MODCTL" unload tun
"$MODCTL" unload --with-deps vxlan
ok "monitor shows the four unloads" wait_for 20 sh -c 'grep -c " unloaded " /tmp/mon.txt | grep -qx 4'
ok "monitor -J shows them too" wait_for 20 sh -c 'grep -c "\"unloaded\"" /tmp/mon.json | grep -qx 4'
kill -TERM "$mon"
kill -INT "$monj"
rc=0
wait "$mon" || rc=$?
is "$rc" 143 "monitor ends with exit 143 on SIGTERM"
rc=0
wait "$monj" || rc=$?
is "$rc" 130 "monitor -J ends with exit 130 on SIGINT"
# only the handled signal says so: SIGTERM's default action is silent
like "$(cat /tmp/mon.err)" 'stopped by SIGTERM' "... monitor -v says SIGTERM stopped it"
like "$(cat /tmp/monj.err)" 'stopped by SIGINT' "... monitor -v -J says SIGINT stopped it"
diag "monitor printed:" "$(cat /tmp/mon.txt)"

# SOURCE EVENT MODULE of each line; a module's dependencies unload in an
# order modctl picks, so those two lines are compared sorted
events=$(awk '{ print $2, $3, $4 }' /tmp/mon.txt)
is "$(printf '%s\n' "$events" | sed -n '1,8p')" "$(cat <<'EOF'
kernel loaded tun
kernel loaded udp_tunnel
kernel loaded ip6_udp_tunnel
kernel loaded vxlan
modctl locked tun
modctl unlocked tun
kernel unloaded tun
kernel unloaded vxlan
EOF
)" "monitor: every event in order, from the right source (the kernel's, modctl's): dependencies loaded first, vxlan unloaded before its dependencies"
is "$(printf '%s\n' "$events" | sed '1,8d' | sort)" "$(printf 'kernel unloaded ip6_udp_tunnel\nkernel unloaded udp_tunnel')" \
	"monitor: then udp_tunnel and ip6_udp_tunnel unloaded, and nothing else"
like "$(head -n 1 /tmp/mon.txt)" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2} kernel +loaded +tun refcnt=[0-9]+ holders=-$' \
	"monitor: a line is TIME SOURCE EVENT MODULE refcnt=N holders=LIST"
like "$(grep ' loaded  *udp_tunnel' /tmp/mon.txt)" 'refcnt=[0-9]+ holders=(vxlan|-)$' \
	"monitor: udp_tunnel's loaded line carries its refcnt and holders"
unlike "$(grep ' unloaded ' /tmp/mon.txt)" 'refcnt=' "monitor: unloaded lines carry no refcnt"

run "$JQ" -r '"\(.source) \(.event) \(.module)"' /tmp/mon.json
is "$RC" 0 "monitor -J prints valid JSON lines"
is "$OUT" "$events" "monitor -J: the same events in the same order"
run "$JQ" -r 'select(.event == "loaded") | "\(.refcnt | type) \(.holders | type) \(.time | type)"' /tmp/mon.json
is "$(printf '%s\n' "$OUT" | sort -u)" "number array string" "monitor -J: refcnt is a number, holders an array, time a string"
is "$(cat /tmp/mon.err /tmp/monj.err | grep -v -e 'monitoring module events' -e 'udevd is not running' -e 'stopped by')" "" \
	"the monitors said nothing on stderr but -v's notes"
unload_all

# monitor | head -n 3: the monitor ends once head has its 3 lines
rm -f /tmp/head.rc
( { "$MODCTL" -v monitor 2>/tmp/head.err; echo $? >/tmp/head.rc; } | head -n 3 >/tmp/head.out ) &
ok "monitor | head: monitor -v says it listens" wait_for 20 grep -q 'monitoring module events' /tmp/head.err
for m in tun dummy veth ifb; do
	"$MODPROBE" "$m"
done
ok "monitor | head -n 3: the monitor exits once head is gone" wait_for 10 test -e /tmp/head.rc
is "$(cat /tmp/head.rc 2>/dev/null)" 0 "... with exit status 0"
is "$(awk '{ print $3, $4 }' /tmp/head.out)" "$(printf 'loaded tun\nloaded dummy\nloaded veth')" \
	"... after printing the first 3 events"
unload_all

run "$MODCTL" monitor extra
is "$RC" 2 "monitor with an argument is a usage error (exit 2)"

# --- wait --for=loaded ----------------------------------------------------------------
"$MODCTL" -v wait -t 30s dummy 2>/tmp/w.err &
w=$!
ok "wait -v says it waits for dummy" wait_for 20 grep -q 'waiting for dummy to be loaded' /tmp/w.err
ok "wait is still waiting while dummy is not loaded" kill -0 "$w"
"$MODPROBE" dummy
t0=$(now_ns)
rc=0
wait "$w" || rc=$?
t1=$(now_ns)
is "$rc" 0 "wait (--for=loaded) exits 0 once another process loaded dummy"
is "$(cat /sys/module/dummy/initstate)" live "... and dummy is live"
diag "wait returned $(ms_between "$t0" "$t1") ms after modprobe returned"
ok "... promptly (within 1 s of the load)" test "$(ms_between "$t0" "$t1")" -lt 1000

run "$MODCTL" wait -t 0 dummy
is "$RC" 0 "wait -t 0 of a loaded module exits 0"
run "$MODCTL" wait --for=loaded -t 500ms veth
is "$RC" 4 "wait --for=loaded -t 500ms veth, which nobody loads, exits 4"
like "$ERR" 'veth is not loaded' "... naming veth"
ok "veth is still not loaded (wait loads nothing)" not_loaded veth

# --- wait --for=unloaded ---------------------------------------------------------------
"$MODCTL" -v wait --for=unloaded -t 30s dummy 2>/tmp/w.err &
w=$!
ok "wait -v says it waits for dummy to go" wait_for 20 grep -q 'waiting for dummy to be unloaded' /tmp/w.err
ok "wait --for=unloaded is still waiting while dummy is loaded" kill -0 "$w"
"$RMMOD" dummy
rc=0
wait "$w" || rc=$?
is "$rc" 0 "wait --for=unloaded exits 0 once another process unloaded dummy"
ok "... and dummy is gone" test ! -e /sys/module/dummy
"$MODPROBE" dummy
run "$MODCTL" wait --for=unloaded -t 500ms dummy
is "$RC" 4 "wait --for=unloaded -t 500ms of a module nobody unloads exits 4"
ok "dummy is still loaded (wait unloads nothing)" loaded dummy
run "$MODCTL" wait --for=unloaded -t 0 veth
is "$RC" 0 "wait --for=unloaded of a module that is not loaded exits 0"

# --- wait --for=unused -------------------------------------------------------------------
"$MODPROBE" tun
hold_tun /tmp/wh release
"$MODCTL" -v wait --for=unused -t 30s tun 2>/tmp/w.err &
w=$!
ok "wait -v says it waits for tun to be unused" wait_for 20 grep -q 'waiting for tun to be unused' /tmp/w.err
ok "wait --for=unused is still waiting while /dev/net/tun is held" kill -0 "$w"
release_tun /tmp/wh
rc=0
wait "$w" || rc=$?
t1=$(now_ns)
is "$rc" 0 "wait --for=unused exits 0 once the holder closed /dev/net/tun"
ok "the holder had released it" test -s /tmp/wh.released
if [ -s /tmp/wh.released ]; then
	gap=$(ms_between "$(cat /tmp/wh.released)" "$t1")
	diag "wait --for=unused returned $gap ms after the release"
	ok "... within 500 ms of the release ($gap ms)" test "$gap" -lt 500
fi
ok "tun is still loaded (wait unloads nothing)" loaded tun
is "$(cat /sys/module/tun/refcnt)" 0 "tun's refcnt is 0"

hold_tun /tmp/wh2
run "$MODCTL" wait --for=unused -t 500ms tun
is "$RC" 4 "wait --for=unused -t 500ms of a held tun exits 4"
like "$ERR" 'refcnt [0-9]+' "... naming the refcnt that remained"
kill "$(cat /tmp/wh2.pid)"
"$MODPROBE" vxlan
run "$MODCTL" wait --for=unused -t 300ms udp_tunnel
is "$RC" 4 "wait --for=unused -t 300ms udp_tunnel while vxlan uses it exits 4"
like "$ERR" 'held by vxlan' "... naming its holder vxlan"
run "$MODCTL" wait --for=unused -t 1s veth
is "$RC" 3 "wait --for=unused of a module that is not loaded exits 3"

# built in (from this kernel's modules.builtin): a built-in module is as
# loaded as a module can be (modctl.8, wait --for)
run "$MODCTL" wait -t 300ms "$BUILTIN"
is "$RC" 0 "wait -t 300ms $BUILTIN (built in) exits 0: a built-in module counts as loaded"

# names with "-" are the kernel's "_"
run "$MODCTL" wait -t 1s ip6-udp-tunnel
is "$RC" 0 "wait -t 1s ip6-udp-tunnel (loaded as ip6_udp_tunnel) exits 0"

# several modules: all must be loaded
"$MODCTL" -v wait -t 30s veth ifb 2>/tmp/w.err &
w=$!
ok "wait -v says it waits for veth and ifb" \
	wait_for 20 sh -c 'grep -q "waiting for veth to be loaded" /tmp/w.err && grep -q "waiting for ifb to be loaded" /tmp/w.err'
"$MODPROBE" veth
ok "wait -v sees veth loaded" wait_for 20 grep -q 'veth is loaded' /tmp/w.err
ok "wait veth ifb is still waiting with only veth loaded" kill -0 "$w"
"$MODPROBE" ifb
rc=0
wait "$w" || rc=$?
is "$rc" 0 "wait veth ifb exits 0 once both are loaded"

# a signal ends a wait
"$MODCTL" -v wait -t 1m nlmon 2>/tmp/w.err &
w=$!
ok "wait -v says it waits for nlmon" wait_for 20 grep -q 'waiting for nlmon to be loaded' /tmp/w.err
kill -TERM "$w"
rc=0
wait "$w" || rc=$?
is "$rc" 143 "SIGTERM ends a wait with exit 143"
like "$(cat /tmp/w.err)" 'interrupted while waiting for nlmon to be loaded' "... saying what it was waiting for (the handled path)"
unload_all
