#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl unload against the fake kernel: waiting, every kernel answer,
# order, --with-deps, locks, signals.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup

world() {
	fakectl add ip6_udp_tunnel
	fakectl add udp_tunnel
	fakectl add vxlan --deps udp_tunnel,ip6_udp_tunnel
	fakectl add tun
}
world

# --- free and busy ------------------------------------------------------------
run_modctl unload tun
is "$status" 0 "a free module unloads"
nok "tun is gone" loaded tun
is "$(calls delete_module tun)" 1 "with one delete_module call"

fakectl add tun --refcnt 1
fakectl script tun refcnt-drop 300
run_modctl unload -v tun
is "$status" 0 "a busy module unloads once its reference is dropped"
nok "tun is gone" loaded tun
like "$err" "waiting for tun: refcnt 1: one reference held" "-v says references held it, with the count"
is "$(calls delete_module tun)" 3 "delete_module: first attempt, then only once free (1 + 1 + 1 before)"
is "$(calls delete_module tun EAGAIN)" 1 "only the first attempt met EAGAIN: sysfs was polled in between"

fakectl script udp_tunnel holders-drop 200
run_modctl unload -v udp_tunnel
is "$status" 0 "a module held by another unloads once the holder goes"
like "$err" "waiting for udp_tunnel: held by vxlan" "-v names the holder"
nok "vxlan went first" loaded vxlan
world 2>/dev/null || true

# --- the kernel's other answers -------------------------------------------------
fakectl add loop --state coming
fakectl script loop live-after "$(slow 200)" unload
run_modctl unload loop
is "$status" 0 "EBUSY while coming: waits until live, then unloads"
nok "loop is gone" loaded loop

fakectl add dummy
fakectl set-state dummy going
fakectl script dummy gone-after "$(slow 200)" probe
run_modctl unload dummy
is "$status" 0 "going: waits until gone, and that is success"
nok "dummy is gone" loaded dummy

fakectl add fake_perm --permanent
run_modctl unload -t 5s fake_perm
is "$status" 1 "permanent: fails"
like "$err" "fake_perm: it has no exit function \(permanent\)" "says it is permanent"
ok "fake_perm is still loaded" loaded fake_perm

fakectl add loop
fakectl set-refcnt loop -1
before=$(calls delete_module loop)
run_modctl unload loop
is "$status" 1 "a live module reading refcnt -1 is refused"
like "$err" "reference count reads -1" "with an explanation"
is "$(calls delete_module loop)" "$before" "and delete_module is never called on it"
fakectl remove loop

fakectl modules-disabled 1
run_modctl unload tun
is "$status" 6 "modules_disabled: exit 6"
like "$err" "cannot unload tun: kernel.modules_disabled=1" "names the cause"
ok "tun is still loaded" loaded tun
fakectl modules-disabled 0

fakectl script tun unload-error EPERM 1
run_in_fake setpriv --bounding-set=-sys_module --inh-caps=-sys_module "$MODCTL" unload tun
is "$status" 6 "without CAP_SYS_MODULE: exit 6"
like "$err" "lacks the CAP_SYS_MODULE capability" "names the capability"
fakectl script tun clear

run_modctl unload nosuch
is "$status" 3 "not loaded: exit 3"
like "$err" "module nosuch is not loaded" "says so"
fakectl builtin unix
run_modctl unload unix
is "$status" 1 "built in: exit 1"
like "$err" "unix is built into the kernel" "says so"

# --- timeouts ---------------------------------------------------------------------
fakectl set-refcnt tun 1
run_modctl unload -t 300ms tun
is "$status" 4 "never released: exit 4"
like "$err" "timed out after 300ms: tun is still in use \(refcnt 1: one reference held\)" "with the last refcnt"
ok "tun is still loaded" loaded tun
run_modctl unload -t 300ms udp_tunnel
is "$status" 4 "held by a module: exit 4"
like "$err" "held by vxlan" "names the holder"
before=$(calls delete_module tun)
run_modctl unload -t 0 tun
is "$status" 4 "timeout 0: one attempt, busy is exit 4"
is "$(( $(calls delete_module tun) - before ))" 1 "timeout 0 calls delete_module exactly once"
run_modctl unload -t 10h tun
is "$status" 2 "a bad duration is a usage error"
run_modctl unload --poll-max 0 tun
is "$status" 2 "--poll-max 0 is a usage error"

# --- signals ----------------------------------------------------------------------
# Signal only once modctl is waiting: its first delete_module has been made.
more_calls_than() { [ "$(calls delete_module tun)" -gt "$1" ]; }
before=$(calls delete_module tun)
start_in_fake "$MODCTL" unload -t 30s tun
wait_until 30000 more_calls_than "$before"
kill -TERM "$bg_pid"
wait_bg
is "$status" 143 "SIGTERM ends the wait with 143"
like "$err" "interrupted while waiting for tun" "and says so (the handled path: SIGTERM's default action says nothing)"
ok "tun is still loaded" loaded tun
before=$(calls delete_module tun)
start_in_fake "$MODCTL" unload -t infinity tun
wait_until 30000 more_calls_than "$before"
kill -INT "$bg_pid"
wait_bg
is "$status" 130 "SIGINT ends an infinite wait with 130"
like "$err" "interrupted while waiting for tun" "and says so"

# --- several modules, order, --with-deps -----------------------------------------------
fakectl set-refcnt tun 0
run_modctl unload -n udp_tunnel vxlan ip6_udp_tunnel
is "$out" "$(printf 'unload vxlan\nunload udp_tunnel\nunload ip6_udp_tunnel')" "-n: holders first"
ok "-n changed nothing" loaded vxlan
run_modctl unload -n --with-deps vxlan
is "$out" "$(printf 'unload vxlan\nunload udp_tunnel (dependency left unused)\nunload ip6_udp_tunnel (dependency left unused)')" "-n --with-deps: the plan"
fakectl add geneve --deps udp_tunnel
run_modctl unload --with-deps vxlan
is "$status" 0 "--with-deps exits 0"
nok "vxlan gone" loaded vxlan
nok "ip6_udp_tunnel (used only by vxlan) gone" loaded ip6_udp_tunnel
ok "udp_tunnel (still used by geneve) kept" loaded udp_tunnel
run_modctl unload geneve udp_tunnel nosuch
is "$status" 3 "several modules: every one attempted, first failure returned"
nok "geneve gone" loaded geneve
nok "udp_tunnel gone" loaded udp_tunnel
is "$(grep -o '^[a-z_]*' "$FAKE_ROOT/.fake/calls/delete_module" | tail -2 | tr '\n' ' ')" "geneve udp_tunnel " "the holder went first"

# --- locks and force --------------------------------------------------------------------
mkdir -p "$FAKE_ROOT/run/modctl"
printf 'lock tun\n' >"$FAKE_ROOT/run/modctl/locks"
run_modctl unload tun
is "$status" 5 "a locked module is refused: exit 5"
like "$err" "tun is locked by modctl lockdown" "names the lock"
ok "tun is still loaded" loaded tun
fakectl set-refcnt tun 0
run_modctl unload -f tun
is "$status" 0 "--force overrides the lock"
like "$err" "tun is locked by modctl lockdown; unloading it anyway \(--force\)" "and says so"
rm "$FAKE_ROOT/run/modctl/locks"

fakectl add tun --refcnt 2
run_modctl unload --kernel-force tun
is "$status" 0 "--kernel-force unloads a referenced module"
like "$err" "taints the kernel" "with a warning"
nok "tun is gone" loaded tun
fakectl add tun --refcnt 2
fakectl force-unload off
run_modctl unload --kernel-force -t 300ms tun
is "$status" 4 "a kernel without CONFIG_MODULE_FORCE_UNLOAD ignores --kernel-force"
like "$err" "ignores forced unloads" "and modctl detects it"

# --- progress display --------------------------------------------------------------------
fakectl force-unload on
fakectl set-refcnt tun 1
fakectl script tun refcnt-drop 400
env $(fake_env) script -qec "$MODCTL unload tun" /dev/null >"$FAKE_TMP/pty" 2>&1
like "$(tr '\r' '\n' <"$FAKE_TMP/pty")" "tun: refcnt 1: one reference held, [0-9.]+m?s/10s" "a progress line on a terminal"
# modctl polls every few milliseconds; the terminal hears only of changes.
draws=$(sed 's/\r\x1b\[K/\n/g' "$FAKE_TMP/pty" | grep -c 'tun: ')
repeats=$(sed 's/\r\x1b\[K/\n/g' "$FAKE_TMP/pty" | grep 'tun: ' | uniq -d | wc -l)
is "$repeats" 0 "the line is redrawn only when it changes ($draws draws)"
fakectl add tun --refcnt 1
fakectl script tun refcnt-drop 300
run_modctl unload tun
is "$status" 0 "the same unload with stderr not a terminal"
unlike "$err" $'\r' "draws no progress line"
is "$err" "" "and prints nothing"

done_testing
