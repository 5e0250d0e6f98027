#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl lockdown and unlock against the fake kernel: the registry, the
# modprobe guard, lockdown-all, the seal, the boot configuration.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup
REG=$FAKE_ROOT/run/modctl/locks
GUARD=$FAKE_ROOT/run/modprobe.d/modctl-lockdown.conf
SYSCONF=${FAKE_PREFIXES%%:*}   # this build's $sysconfdir/modctl
CONFDIR=$FAKE_ROOT$SYSCONF/lockdown.d
LIBCONFDIR=$FAKE_ROOT$(echo "$FAKE_PREFIXES" | cut -d: -f3)/lockdown.d

fakectl add udp_tunnel
fakectl add vxlan --deps udp_tunnel
fakectl add tun
fakectl add loop

# --- per-module locks ---------------------------------------------------------------------
run_modctl lockdown -n tun
is "$status:$out" "0:lock tun" "-n prints what would change"
nok "-n writes no registry" test -e "$REG"
run_modctl lockdown tun ip6-udp-tunnel
is "$status" 3 "locking a module that is not loaded: exit 3"
run_modctl lockdown tun
is "$status" 0 "lockdown tun"
like "$(cat "$REG")" "^lock tun$" "the registry names tun"
is "$(stat -c '%U %a' "$FAKE_ROOT/run/modctl")" "root 755" "the state directory is root's, 0755"
is "$(stat -c '%U %a' "$REG")" "root 644" "the registry is root's, 0644"
like "$(cat "$GUARD")" "^remove tun echo \"modctl: tun is locked by modctl lockdown; run 'modctl unlock tun' first\" >&2; false$" "the modprobe guard refuses tun"
run_in_fake /usr/sbin/modprobe -r tun
isnt "$status" 0 "kmod's modprobe -r refuses the locked module"
like "$err" "modctl: tun is locked by modctl lockdown" "with modctl's message"
ok "tun is still loaded" loaded tun
run_modctl unload tun
is "$status" 5 "modctl unload refuses it: exit 5"
run_modctl list -n -o NAME,LOCK tun
is "$out" "tun  locked" "list shows the lock"
run_modctl status tun
like "$out" "Lock: +locked" "status shows the lock"
run_modctl unlock -n tun
is "$out" "unlock tun" "unlock -n"
run_modctl unlock tun
is "$status" 0 "unlock tun"
unlike "$(cat "$REG")" "lock tun" "the registry forgets tun"
unlike "$(cat "$GUARD")" "remove tun" "the guard forgets tun"
run_in_fake /usr/sbin/modprobe -r tun
is "$status" 0 "modprobe -r works again after unlock"
fakectl add tun
run_modctl unlock tun
is "$status" 0 "unlocking a module that is not locked is fine"

# --- a locked dependency: modprobe -r of a module that needs it -----------------------------
# kmod's modprobe -r removes the unused dependencies of the module it
# removes without reading their remove lines; the guard covers them
# through the modules that need them.
run_modctl unload vxlan udp_tunnel
run_modctl load vxlan
is "$status" 0 "load vxlan (with udp_tunnel and ip6_udp_tunnel)"
run_modctl lockdown ip6_udp_tunnel
is "$status" 0 "lock ip6_udp_tunnel, a dependency of vxlan"
like "$(cat "$GUARD")" "^remove vxlan [^ ]*modctl unload --timeout 0 --with-deps vxlan$" "the guard gives vxlan, which needs it, a remove line of its own"
run_in_fake /usr/sbin/modprobe -r vxlan
is "$status" 0 "modprobe -r vxlan succeeds"
nok "vxlan is gone" loaded vxlan
nok "its unused, unlocked dependency udp_tunnel is gone too, as with plain modprobe -r" loaded udp_tunnel
ok "the locked ip6_udp_tunnel stays" loaded ip6_udp_tunnel
run_modctl unlock ip6_udp_tunnel
unlike "$(cat "$GUARD")" "remove vxlan" "after unlock the guard forgets vxlan"
run_modctl load vxlan
run_in_fake /usr/sbin/modprobe -r vxlan
is "$status" 0 "unlocked: modprobe -r vxlan"
nok "and without locks it removes ip6_udp_tunnel as before" loaded ip6_udp_tunnel
fakectl add udp_tunnel
fakectl add vxlan --deps udp_tunnel

# --- who may change locks ---------------------------------------------------------------------
run_in_fake setpriv --reuid=65534 --regid=65534 --clear-groups "$MODCTL" lockdown tun
is "$status" 6 "an unprivileged user cannot lock: exit 6"
like "$err" "CAP_SYS_MODULE" "and is told why"
chmod 0755 "$FAKE_TMP"
run_modctl lockdown tun
run_in_fake setpriv --reuid=65534 --regid=65534 --clear-groups "$MODCTL" list -n -o NAME,LOCK tun
is "$status:$out" "0:tun  locked" "but can read the locks"

# --- lockdown --all ------------------------------------------------------------------------------
run_modctl unlock tun
run_modctl lockdown --all
is "$status" 0 "lockdown --all"
is "$(grep -c '^lock ' "$REG")" 4 "every loaded module is locked"
like "$(cat "$REG")" "^mode all$" "lockdown-all mode is on"
run_modctl status
like "$out" "lockdown-all mode: +on" "status shows the mode"
run_modctl load dummy
like "$(cat "$REG")" "^lock dummy$" "a module loaded later through modctl is locked"
run_modctl unlock --all
is "$status" 0 "unlock --all"
is "$(grep -c '^lock \|^mode' "$REG")" 0 "no lock and no mode left"

# --- the registry survives anything -------------------------------------------------------------
printf 'lock tun\nlock\n' >"$REG"
run_modctl lockdown loop
is "$status" 1 "a corrupt registry: lockdown refuses"
like "$err" "locks:2: not a registry line" "names the line"
is "$(cat "$REG")" "$(printf 'lock tun\nlock')" "and leaves it as it was"
rm "$REG"
ln -s /tmp/evil "$REG"
run_modctl lockdown loop
is "$status" 1 "a symlinked registry is refused"
nok "nothing was written through the link" test -e /tmp/evil
rm "$REG"
chown 65534 "$FAKE_ROOT/run/modctl"
run_modctl lockdown loop
is "$status" 1 "a state directory not owned by root is refused"
like "$err" "owned by uid 65534, not root" "and says so"
chown 0 "$FAKE_ROOT/run/modctl"
head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' '#' >"$REG"
run_modctl lockdown loop
is "$status" 1 "a huge registry is refused"
like "$err" "larger than any registry modctl writes" "and says so"
rm "$REG"

# 50 concurrent modctl processes on overlapping sets: 40 lock pairs of
# c_00000..c_00029 (each name locked by several of them), 10 unlock
# c_00030..c_00039, which were locked before. Exactly c_00000..c_00029 remain.
fakectl gen 40 --prefix c
run_modctl lockdown $(printf 'c_%05d ' $(seq 30 39))
pids=()
for i in $(seq 0 49); do
	if [ "$i" -lt 40 ]; then
		env $(fake_env) "$MODCTL" -q lockdown "$(printf 'c_%05d' $((i % 30)))" "$(printf 'c_%05d' $(((i + 7) % 30)))" >/dev/null 2>&1 &
	else
		env $(fake_env) "$MODCTL" -q unlock "$(printf 'c_%05d' $((i - 10)))" >/dev/null 2>&1 &
	fi
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
is "$bad" 0 "50 concurrent lockdown/unlock processes all succeed"
is "$(sed -n 's/^lock //p' "$REG" | tr '\n' ' ')" "$(printf 'c_%05d ' $(seq 0 29))" "the registry is exactly the expected one"
run_modctl list -o NAME,LOCK
is "$status" 0 "the registry parses"
run_modctl unlock --all

# SIGKILL during lockdown --all over 1000 modules: the registry is always
# either the old one or the new one. Each kill lands once the writer's
# temporary file exists (polled without pause), that is mid-write, unless
# the writer finished first.
FAKE_BIG=$FAKE_TMP/big
mkdir -p "$FAKE_BIG"
fakectl gen 1000 --prefix k >/dev/null
run_modctl lockdown tun
before=$(cat "$REG")
torn=0 newseen=0 midwrite=0
for i in $(seq 1 12); do
	env $(fake_env) "$MODCTL" -q lockdown --all >/dev/null 2>&1 &
	p=$!
	while kill -0 "$p" 2>/dev/null && ! compgen -G "$FAKE_ROOT/run/modctl/locks.*" >/dev/null; do :; done
	if kill -KILL "$p" 2>/dev/null && compgen -G "$FAKE_ROOT/run/modctl/locks.*" >/dev/null; then
		midwrite=$((midwrite + 1))
	fi
	wait "$p" 2>/dev/null
	now=$(cat "$REG")
	if [ "$now" = "$before" ]; then
		:
	elif [ "$(grep -c '^lock ' "$REG")" -eq "$(wc -l <"$FAKE_ROOT/proc/modules")" ] && grep -q '^mode all$' "$REG"; then
		newseen=$((newseen + 1))
		env $(fake_env) "$MODCTL" -q unlock --all
		env $(fake_env) "$MODCTL" -q lockdown tun
	else
		torn=$((torn + 1))
	fi
	before=$(cat "$REG")
done
is "$torn" 0 "12 SIGKILLs during lockdown --all never left a torn registry"
note "$midwrite of them landed mid-write; $newseen writers completed before the kill"
ok "SIGKILLs landed mid-write ($midwrite of 12)" test "$midwrite" -ge 6
run_modctl lockdown loop
is "$(ls "$FAKE_ROOT/run/modctl" | grep -c '^locks\.')" 0 "the next writer removes temporary files of killed writers"
run_modctl unlock --all
is "$status" 0 "the registry still works after the kills"

# --- the seal ---------------------------------------------------------------------------------------
run_modctl lockdown --seal
is "$status" 2 "--seal without --all is a usage error"
run_modctl lockdown --all --seal -n
like "$out" "seal: write 1 to /proc/sys/kernel/modules_disabled" "-n shows the seal step"
is "$(cat "$FAKE_ROOT/proc/sys/kernel/modules_disabled")" 0 "-n does not seal"

fakectl add busy --state coming
run_modctl lockdown --all --seal -t 300ms
is "$status" 4 "a module mid-load stops the seal: exit 4"
like "$err" "not sealing: module busy is still loading" "and names it"
is "$(cat "$FAKE_ROOT/proc/sys/kernel/modules_disabled")" 0 "not sealed"
fakectl remove busy

mkdir -p "$CONFDIR"
printf 'preload dummy numdummies=3\nfrobnicate\n' >"$CONFDIR/10-bad.conf"
run_modctl lockdown --all --seal
is "$status" 1 "a broken boot configuration stops the seal"
like "$err" "10-bad.conf:2: unknown directive 'frobnicate'" "with file:line"
is "$(cat "$FAKE_ROOT/proc/sys/kernel/modules_disabled")" 0 "not sealed"
rm "$CONFDIR/10-bad.conf"

fakectl kernel modules_disabled_write=ignore
run_modctl lockdown --all --seal
is "$status" 1 "a seal that does not take fails loudly"
like "$err" "SEAL FAILED: /proc/sys/kernel/modules_disabled reads '0' after writing 1" "and says what it read"
fakectl kernel modules_disabled_write=ok

fakectl remove dummy 2>/dev/null
printf 'preload dummy numdummies=3\n' >"$CONFDIR/20-pre.conf"
run_modctl lockdown --all --seal
is "$status" 0 "lockdown --all --seal"
is "$(cat "$FAKE_ROOT/proc/sys/kernel/modules_disabled")" 1 "modules_disabled reads 1"
is "$(sysfs dummy parameters/numdummies)" 3 "the preload list was loaded first, with its parameters"
like "$(cat "$REG")" "lock dummy" "and locked"
run_modctl status
like "$out" "kernel.modules_disabled: 1 \(sealed" "status shows the seal"
run_modctl load snd-dummy
is "$status" 6 "after a seal, load: exit 6"
like "$err" "sealed" "explains the seal"
run_modctl unload -f tun
is "$status" 6 "unload: exit 6"
like "$err" "kernel.modules_disabled=1" "explains the seal"
run_modctl unlock tun
is "$status" 6 "unlock: exit 6"
like "$err" "a seal cannot be undone" "explains the seal"
run_modctl lockdown --all --seal
is "$status" 0 "sealing again is a no-op"
rm "$CONFDIR/20-pre.conf"

# --- the boot configuration -----------------------------------------------------------------------------
rm -rf "$FAKE_TMP/root2"
fake_setup
REG=$FAKE_ROOT/run/modctl/locks
CONFDIR=$FAKE_ROOT$SYSCONF/lockdown.d
LIBCONFDIR=$FAKE_ROOT$(echo "$FAKE_PREFIXES" | cut -d: -f3)/lockdown.d
mkdir -p "$CONFDIR" "$LIBCONFDIR"
fakectl add tun
printf '# vendor defaults\npreload loop max_loop=4\nlock loop\n' >"$LIBCONFDIR/50-vendor.conf"
printf 'preload dummy\n' >"$LIBCONFDIR/60-masked.conf"
ln -s /dev/null "$CONFDIR/60-masked.conf"
printf '; local\npreload vxlan udp_port=4790\nlock vxlan tun\n' >"$CONFDIR/40-local.conf"
run_modctl lockdown --boot -n
is "$status" 0 "lockdown --boot -n"
like "$out" "load vxlan .* udp_port=4790" "-n: the preload plan"
like "$out" "lock loop" "-n: the locks"
nok "-n changes nothing" loaded vxlan
printf 'preload loop max_loop=4\nlock loop\nlock nosuch\npreload alsonot\n' >"$CONFDIR/50-vendor.conf"
run_modctl lockdown --boot
is "$status" 1 "errors in the boot configuration: exit 1"
like "$err" "50-vendor.conf:3: cannot lock nosuch: it is neither loaded nor preloaded" "file:line for a bad lock"
like "$err" "50-vendor.conf:4: module alsonot not found" "file:line for a missing module"
like "$err" "nothing was applied" "and says nothing was applied"
nok "nothing was loaded" loaded vxlan
nok "nothing was locked" test -s "$REG"
rm "$CONFDIR/50-vendor.conf"
printf 'preload char-major-10-200\nlock tun\n' >"$CONFDIR/30-alias.conf"
fakectl remove tun
run_modctl lockdown --boot -n
is "$status" 0 "a module preloaded through its alias may be locked by name"
like "$out" "lock tun" "and -n plans the lock"
run_modctl lockdown --boot
is "$status" 0 "lockdown --boot applies the configuration"
ok "preloaded vxlan" loaded vxlan
is "$(sysfs vxlan parameters/udp_port)" 4790 "with its parameters"
ok "preloaded loop from /usr/lib (not overridden)" loaded loop
is "$(sysfs loop parameters/max_loop)" 4 "with its parameters"
nok "the masked file was not read" loaded dummy
is "$(sed -n 's/^lock //p' "$REG" | tr '\n' ' ')" "loop tun vxlan " "locked what the files say"

done_testing
