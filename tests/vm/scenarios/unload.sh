#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl unload on the real kernel: waiting out a reference that is
# released, timeouts, holders, --with-deps, the order of several modules,
# privilege, the progress line on a terminal, --kernel-force against
# holders, signals. Checked against /proc/modules and /sys/module.
set -eu
. /vm/guest-lib.sh

tainted_r() {
	# bit 3 of kernel.tainted: TAINT_FORCED_RMMOD ('R')
	[ $(($(cat /proc/sys/kernel/tainted) & 8)) -ne 0 ]
}

# --- a reference released while modctl waits ----------------------------------
"$MODPROBE" tun
hold_tun /tmp/h1 release
held=$(cat /sys/module/tun/refcnt)
diag "tun refcnt while /dev/net/tun is open: $held"
isnt "$held" 0 "the holder raised tun's refcnt"
t0=$(now_ns)
"$MODCTL" -v unload -t 30s tun 2>/tmp/unload.err &
pid=$!
# release only once modctl says it waits (-v)
ok "unload -v says it waits for tun" wait_for 20 grep -q 'waiting for tun' /tmp/unload.err
ok "... and still runs" kill -0 "$pid"
ok "... and tun is still loaded" loaded tun
release_tun /tmp/h1
rc=0
wait "$pid" || rc=$?
t1=$(now_ns)
is "$rc" 0 "unload tun started while /dev/net/tun is held exits 0 once it is released"
ok "tun is gone from /proc/modules" not_loaded tun
ok "/sys/module/tun is gone" test ! -e /sys/module/tun
ok "the holder really released it first (it wrote its release time)" test -s /tmp/h1.released
if [ -s /tmp/h1.released ]; then
	gap=$(ms_between "$(cat /tmp/h1.released)" "$t1")
	waited=$(ms_between "$t0" "$t1")
	diag "unload waited ${waited} ms; from the release to modctl's exit: ${gap} ms"
	ok "modctl exited after the release, within 500 ms of it (${gap} ms)" test "$gap" -ge 0 -a "$gap" -lt 500
fi
like "$(cat /tmp/unload.err)" 'waiting for tun: refcnt [0-9]+' "-v says what it waits for (the refcnt)"
like "$(cat /tmp/unload.err)" 'unloaded tun' "-v says it unloaded tun"

# --- a reference never released -------------------------------------------------
"$MODPROBE" tun
hold_tun /tmp/h2
t0=$(now_ns)
run "$MODCTL" unload -t 1s tun
t1=$(now_ns)
is "$RC" 4 "unload -t 1s of a tun held for good exits 4"
like "$ERR" 'tun' "... naming tun"
like "$ERR" 'refcnt [0-9]+' "... and the refcnt that remained"
ok "tun is still loaded" loaded tun
is "$(cat /sys/module/tun/initstate)" live "... and live"
waited=$(ms_between "$t0" "$t1")
ok "it waited about the timeout (${waited} ms, at least 1000)" test "$waited" -ge 1000
ok "... and not much longer (${waited} ms < 2500)" test "$waited" -lt 2500

run "$MODCTL" unload -t 0 tun
is "$RC" 4 "unload -t 0 of the held tun exits 4 at once"
ok "tun is still loaded" loaded tun

# --- progress: on a terminal, and not in a pipe --------------------------------
run_tty "$MODCTL" unload -t 1s tun
is "$RC" 4 "unload -t 1s tun under a pseudo-terminal exits 4"
like "$OUT" '^tun: refcnt [0-9]+.*/1s' "under a pseudo-terminal, the progress line shows module, refcnt and elapsed/timeout"
like "$OUT_RAW" "$(printf '\r\033')\\[K" "... rewritten in place (carriage return, erase line)"
run sh -c '"$MODCTL" unload -t 1s tun 2>&1 | cat'
unlike "$OUT" "$(printf '\033')" "in a pipe, no progress line (no escape sequence)"
unlike "$OUT" '/1s$' "... and no elapsed/timeout text"
like "$OUT" 'timed out' "... only the timeout message"
run_tty "$MODCTL" -q unload -t 500ms tun
unlike "$OUT_RAW" "$(printf '\033')" "with -q, no progress line even on a terminal"

# --- signals -------------------------------------------------------------------
# -v: modctl says when it waits; the signal comes after that
"$MODCTL" -v unload -t 1m tun 2>/tmp/term.err &
pid=$!
ok "unload -v says it waits for tun" wait_for 20 grep -q 'waiting for tun' /tmp/term.err
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
is "$rc" 143 "SIGTERM during the wait: exit 143"
ok "tun is still loaded after the SIGTERM" loaded tun
is "$(cat /sys/module/tun/initstate)" live "... and live"
like "$(cat /tmp/term.err)" 'interrupted.*tun.*still loaded' "... and modctl says it was interrupted and tun is still loaded"

# (a background job of a script ignores SIGINT; modctl blocks it and reads
# it from a signalfd, so it still gets it)
"$MODCTL" -v unload -t 1m tun 2>/tmp/int.err &
pid=$!
ok "unload -v says it waits for tun" wait_for 20 grep -q 'waiting for tun' /tmp/int.err
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
is "$rc" 130 "SIGINT during the wait: exit 130"
ok "tun is still loaded after the SIGINT" loaded tun
like "$(cat /tmp/int.err)" 'interrupted.*tun.*still loaded' "... and modctl says it was interrupted"

# several modules, interrupted on the busy one: the free one before it is gone
# (dummy's load creates dummy0, which its unload deletes: accepted here)
"$MODPROBE" dummy
"$MODCTL" -v unload -t 1m --delete-interfaces dummy tun 2>/tmp/term2.err &
pid=$!
ok "unload -v says it waits for tun" wait_for 20 grep -q 'waiting for tun' /tmp/term2.err
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
is "$rc" 143 "unload dummy tun, SIGTERM while waiting for tun: exit 143"
ok "dummy was unloaded" not_loaded dummy
like "$(cat /tmp/term2.err)" 'interrupted.*tun.*still loaded' "... and modctl says it was interrupted"
ok "tun was not" loaded tun

kill "$(cat /tmp/h2.pid)"
ok "tun's refcnt falls to 0 once the holder is killed" wait_for 10 grep -qx 0 /sys/module/tun/refcnt
run "$MODCTL" unload tun
is "$RC" 0 "unload tun, now free, exits 0"
ok "tun is gone" not_loaded tun

# --- not loaded, built in -------------------------------------------------------
run "$MODCTL" unload tun
is "$RC" 3 "unload of a module that is not loaded exits 3"
like "$ERR" 'tun is not loaded' "... saying so"
run "$MODCTL" unload "$BUILTIN"
is "$RC" 1 "unload of a built-in module ($BUILTIN) exits 1"
like "$ERR" 'built into the kernel' "... saying it is built in"

# --- holders -----------------------------------------------------------------------
"$MODPROBE" vxlan
run "$MODCTL" unload -t 500ms udp_tunnel
is "$RC" 4 "unload -t 500ms udp_tunnel while vxlan uses it exits 4"
like "$ERR" 'held by vxlan' "... saying it is held by vxlan"
ok "udp_tunnel is still loaded" loaded udp_tunnel

# a holder that goes away while modctl waits: vxlan removed once modctl
# says it waits for it
"$MODCTL" -v unload -t 30s udp_tunnel 2>/tmp/holder.err &
pid=$!
ok "unload -v udp_tunnel says it waits for its holder vxlan" \
	wait_for 20 grep -q 'waiting for udp_tunnel: held by vxlan' /tmp/holder.err
ok "... and udp_tunnel is still loaded" loaded udp_tunnel
"$RMMOD" vxlan
rc=0
wait "$pid" || rc=$?
is "$rc" 0 "unload udp_tunnel exits 0 once vxlan, its holder, is unloaded by another process"
ok "udp_tunnel is gone" not_loaded udp_tunnel
"$RMMOD" ip6_udp_tunnel
"$MODPROBE" vxlan

run "$MODCTL" unload -n --with-deps vxlan
is "$RC" 0 "unload -n --with-deps vxlan exits 0"
is "$(printf '%s\n' "$OUT" | head -n 1)" "unload vxlan" "... and plans vxlan first"
is "$(printf '%s\n' "$OUT" | sed 1d | sort)" \
	"$(printf '%s\n' 'unload ip6_udp_tunnel (dependency left unused)' 'unload udp_tunnel (dependency left unused)')" \
	"... then udp_tunnel and ip6_udp_tunnel, as dependencies left unused"
ok "... and unloads nothing" sh -c 'grep -q "^vxlan " /proc/modules && grep -q "^udp_tunnel " /proc/modules'
run "$MODCTL" -v unload --with-deps vxlan
is "$RC" 0 "unload --with-deps vxlan exits 0"
log=$ERR
for m in vxlan udp_tunnel ip6_udp_tunnel; do
	ok "$m is gone" not_loaded "$m"
done
order=$(printf '%s\n' "$log" | sed -n 's/^modctl: unloaded \([^ ]*\) .*/\1/p' | paste -sd' ' -)
like "$order" '^vxlan (udp_tunnel ip6_udp_tunnel|ip6_udp_tunnel udp_tunnel)$' "... vxlan first, then its dependencies ($order)"

"$MODPROBE" -a vxlan geneve
run "$MODCTL" unload --with-deps vxlan
is "$RC" 0 "unload --with-deps vxlan while geneve is loaded exits 0"
ok "vxlan is gone" not_loaded vxlan
ok "udp_tunnel stays (geneve uses it)" loaded udp_tunnel
ok "ip6_udp_tunnel stays (geneve uses it)" loaded ip6_udp_tunnel
is "$(ls /sys/module/udp_tunnel/holders)" geneve "udp_tunnel is now held by geneve alone"
"$MODPROBE" -r geneve

# several modules in one call: holders first, whatever the order given.
# -t 0: one attempt each, so a wrong order would fail.
"$MODPROBE" -a vxlan bridge
run "$MODCTL" unload -t 0 llc udp_tunnel stp ip6_udp_tunnel vxlan bridge
is "$RC" 0 "unload -t 0 llc udp_tunnel stp ip6_udp_tunnel vxlan bridge exits 0"
is "$(modules_loaded)" "" "... and unloads all six"
"$MODPROBE" -a vxlan bridge
run "$MODCTL" unload -n llc udp_tunnel stp ip6_udp_tunnel vxlan bridge
pos() { printf '%s\n' "$OUT" | grep -n "^unload $1\$" | cut -d: -f1; }
ok "unload -n: bridge before stp before llc, vxlan before udp_tunnel and ip6_udp_tunnel" \
	test "$(pos bridge)" -lt "$(pos stp)" -a "$(pos stp)" -lt "$(pos llc)" -a \
	"$(pos vxlan)" -lt "$(pos udp_tunnel)" -a "$(pos vxlan)" -lt "$(pos ip6_udp_tunnel)"
run "$MODCTL" unload vxlan vxlan
is "$RC" 0 "a module named twice is unloaded once (exit 0)"
run "$MODCTL" unload udp_tunnel nosuchmod_xyz ip6_udp_tunnel
is "$RC" 3 "unload udp_tunnel nosuchmod_xyz ip6_udp_tunnel exits 3"
ok "... and still unloads the other two" sh -c '! grep -qE "^(udp_tunnel|ip6_udp_tunnel) " /proc/modules'

# --- --kernel-force cannot beat holders ------------------------------------------
"$MODPROBE" vxlan
run "$MODCTL" unload --kernel-force -t 500ms udp_tunnel
is "$RC" 4 "unload --kernel-force -t 500ms udp_tunnel while vxlan uses it exits 4"
like "$ERR" 'held by vxlan' "... saying it is held by vxlan (the kernel refuses forced unloads of held modules)"
unlike "$ERR" 'ignores forced unloads' "... and does not blame the kernel's configuration"
like "$ERR" 'taint' "... after warning that a forced unload taints the kernel"
ok "udp_tunnel is still loaded" loaded udp_tunnel
nok "the kernel is not tainted R" tainted_r

# --- unprivileged -------------------------------------------------------------------
run_as_user "$MODCTL" unload vxlan
is "$RC" 6 "unload vxlan as uid 65534 without capabilities exits 6"
like "$ERR" 'CAP_SYS_MODULE' "... naming CAP_SYS_MODULE"
ok "vxlan is still loaded" loaded vxlan
run_as_user "$MODCTL" unload -t 5s vxlan
is "$RC" 6 "... at once, even with -t 5s"
run_as_user "$MODCTL" unload -n vxlan
is "$RC" 0 "unload -n as uid 65534 exits 0 (a dry run needs no privilege)"
is "$OUT" "unload vxlan" "... and prints the plan"

"$MODPROBE" -r vxlan
unload_all
