#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# modctl lockdown and unlock on the real kernel: a lock stops modctl unload
# and kmod's modprobe -r, --force overrides it, lockdown-all mode locks what
# modctl loads later, and the boot configuration (lockdown.d) is applied by
# lockdown --boot, or not at all when it is broken.
set -eu
. /vm/guest-lib.sh

# This build's configuration directories (./configure's sysconfdir and
# runstatedir, from /vm/paths.sh)
confdir=$LOCKDOWN_D
rundir=$MODCTL_RUNSTATEDIR/modctl/lockdown.d

# locked, whether the kernel holds the lock too (pinned) or not: pin.sh
# tells the two apart
lock_of() {
	"$MODCTL" list -r -n -o LOCK "$1" | sed 's/^pinned$/locked/'
}

# --- one module ------------------------------------------------------------------
"$MODPROBE" -a tun vxlan
run "$MODCTL" lockdown -n tun
is "$RC:$OUT" "0:lock tun
pin tun" "lockdown -n tun prints 'lock tun' and 'pin tun' (the kernel would hold it)"
ok "... and writes no registry" test ! -e "$REGISTRY"
run "$MODCTL" lockdown tun
is "$RC" 0 "lockdown tun exits 0"
is "$(lock_of tun)" locked "list -o LOCK: tun is locked"
is "$(lock_of vxlan)" no "list -o LOCK: vxlan is not"
ok "the registry $REGISTRY says 'lock tun'" grep -Eqx 'lock tun( pin=.*)?' "$REGISTRY"
like "$(cat /run/modprobe.d/modctl-lockdown.conf)" '^remove tun ' \
	"the modprobe.d guard has a remove command for tun"
run "$MODCTL" lockdown tun
is "$RC" 0 "locking it again is no error"

run "$MODCTL" unload tun
is "$RC" 5 "unload of the locked tun exits 5"
like "$ERR" "modctl unlock tun" "... telling to run 'modctl unlock tun'"
ok "tun is still loaded" loaded tun
run "$MODCTL" unload -n tun
is "$RC" 5 "unload -n of the locked tun exits 5 too"

run "$MODPROBE" -r tun
isnt "$RC" 0 "kmod's modprobe -r tun fails"
like "$ERR" 'modctl' "... with a message naming modctl"
like "$ERR" 'locked' "... saying tun is locked"
ok "tun is still loaded" loaded tun
# documented: rmmod does not read modprobe.d, so a lock the kernel does not
# hold (--no-pin) does not stop it
"$MODCTL" lockdown --no-pin tun
ok "kmod's rmmod is not stopped by a registry-only lock (documented)" "$RMMOD" tun
ok "... tun is gone" not_loaded tun
"$MODPROBE" tun
is "$(lock_of tun)" locked "the lock belongs to the name: tun loaded again is locked again"

run "$MODCTL" unlock -n tun
is "$RC:$OUT" "0:unlock tun" "unlock -n tun prints 'unlock tun'"
is "$(lock_of tun)" locked "... and changes nothing"
run "$MODCTL" unlock tun
is "$RC" 0 "unlock tun exits 0"
is "$(lock_of tun)" no "tun is no longer locked"
unlike "$(cat /run/modprobe.d/modctl-lockdown.conf)" '^remove tun ' "the modprobe.d guard no longer names tun"
run "$MODCTL" unload tun
is "$RC" 0 "unload tun now exits 0"
ok "tun is gone" not_loaded tun
run "$MODCTL" unlock tun
is "$RC" 0 "unlocking a module that is not locked is no error"

# --- --force ----------------------------------------------------------------------
"$MODPROBE" tun
"$MODCTL" lockdown tun
run "$MODCTL" unload -f tun
is "$RC" 0 "unload -f of the locked tun exits 0"
like "$ERR" 'locked.*--force|--force.*locked' "... with a notice that it was locked"
ok "tun is gone" not_loaded tun
ok "the lock stays in the registry" grep -qx 'lock tun' "$REGISTRY"
"$MODCTL" unlock tun

# a lock on a dependency: --with-deps keeps it
"$MODCTL" lockdown udp_tunnel
run "$MODCTL" unload --with-deps vxlan
is "$RC" 0 "unload --with-deps vxlan while udp_tunnel is locked exits 0"
ok "vxlan is gone" not_loaded vxlan
ok "the locked udp_tunnel stays" loaded udp_tunnel
ok "ip6_udp_tunnel, not locked, is gone" not_loaded ip6_udp_tunnel

# kmod's modprobe -r removes a module's unused dependencies without their
# remove lines: the guard stops that through the modules that need them
"$MODPROBE" vxlan
like "$(cat /run/modprobe.d/modctl-lockdown.conf)" '^remove vxlan /usr/bin/modctl unload --timeout 0 --with-deps vxlan$' \
	"the guard gives vxlan, which needs the locked udp_tunnel, a remove line running modctl"
run "$MODPROBE" -r vxlan
is "$RC" 0 "modprobe -r vxlan while udp_tunnel is locked exits 0"
ok "vxlan is gone" not_loaded vxlan
ok "the locked udp_tunnel stays" loaded udp_tunnel
ok "ip6_udp_tunnel, unused and not locked, is gone as with plain modprobe -r" not_loaded ip6_udp_tunnel
"$MODCTL" unlock udp_tunnel
unlike "$(cat /run/modprobe.d/modctl-lockdown.conf)" 'remove vxlan' "unlocked: the guard no longer names vxlan"
unload_all

# --- errors -------------------------------------------------------------------------
run "$MODCTL" lockdown veth
is "$RC" 3 "lockdown of a module that is not loaded exits 3"
ok "... and locks nothing" sh -c '! grep -q "^lock veth" "$REGISTRY" 2>/dev/null'
"$MODPROBE" tun
run_as_user "$MODCTL" lockdown tun
is "$RC" 6 "lockdown as uid 65534 exits 6"
like "$ERR" 'CAP_SYS_MODULE' "... naming CAP_SYS_MODULE"
is "$(lock_of tun)" no "... and tun is not locked"
"$MODCTL" lockdown tun
run_as_user "$MODCTL" unlock tun
is "$RC" 6 "unlock as uid 65534 exits 6"
is "$(lock_of tun)" locked "... and tun stays locked"
"$MODCTL" unlock tun

# --- lockdown-all mode ----------------------------------------------------------------
"$MODPROBE" -a tun loop
run "$MODCTL" lockdown --all
is "$RC" 0 "lockdown --all exits 0"
run "$MODCTL" list -r -n -o NAME,LOCK
is "$(printf '%s\n' "$OUT" | sed 's/ pinned$/ locked/' | sort)" "$(printf 'loop locked\ntun locked')" "every loaded module is locked"
ok "the registry says 'mode all'" grep -qx 'mode all' "$REGISTRY"
run "$MODCTL" status
like "$OUT" 'lockdown-all mode:[[:space:]]*on' "status: lockdown-all mode on"
run "$MODCTL" load dummy
is "$RC" 0 "load dummy in lockdown-all mode exits 0"
ok "dummy is loaded" loaded dummy
is "$(lock_of dummy)" locked "dummy, loaded later by modctl, is locked"
run "$MODCTL" load vxlan
is "$("$MODCTL" list -r -n -o NAME,LOCK vxlan udp_tunnel ip6_udp_tunnel | sed 's/ pinned$/ locked/' | sort)" \
	"$(printf 'ip6_udp_tunnel locked\nudp_tunnel locked\nvxlan locked')" \
	"vxlan and the dependencies modctl loaded with it are locked"
"$MODPROBE" veth
is "$(lock_of veth)" no "veth, loaded by kmod's modprobe, is not locked (documented)"
run "$MODCTL" unload dummy
is "$RC" 5 "unload of dummy (locked by lockdown-all mode) exits 5"
ok "dummy is still loaded" loaded dummy
run "$MODCTL" unlock --all
is "$RC" 0 "unlock --all exits 0"
is "$("$MODCTL" list -r -n -o LOCK | sort -u)" no "no module is locked any more"
unlike "$(cat "$REGISTRY")" '^mode all' "lockdown-all mode is off in the registry"
run "$MODCTL" load ifb
is "$(lock_of ifb)" no "a module loaded after unlock --all is not locked"
unload_all

# --- the boot configuration -----------------------------------------------------------
mkdir -p "$confdir" "$rundir"
cat >"$confdir/50-vm.conf" <<'EOF'
# a comment
; another
preload dummy numdummies=2
preload tun
lock dummy tun
EOF
run "$MODCTL" lockdown --boot -n
is "$RC" 0 "lockdown --boot -n exits 0"
like "$OUT" '^load dummy [^ ]+ numdummies=2' "... plans to load dummy with numdummies=2"
like "$OUT" '^load tun ' "... and tun"
like "$OUT" '^lock dummy$' "... and to lock dummy"
is "$(modules_loaded)" "" "... and loads nothing"
run "$MODCTL" lockdown --boot
is "$RC" 0 "lockdown --boot exits 0"
is "$(modules_loaded)" "$(printf 'dummy\ntun')" "it loaded dummy and tun"
ok "dummy got numdummies=2 (the kernel made dummy1, not dummy2)" \
	sh -c 'test -e /sys/class/net/dummy1 && test ! -e /sys/class/net/dummy2'
is "$("$MODCTL" list -r -n -o NAME,LOCK | sed 's/ pinned$/ locked/' | sort)" "$(printf 'dummy locked\ntun locked')" "... and locked both"
run "$MODCTL" unload dummy
is "$RC" 5 "unload dummy after lockdown --boot exits 5"
"$MODCTL" unlock --all
unload_all

# a file in sysconfdir hides the file of the same name in runstatedir
cat >"$rundir/50-vm.conf" <<'EOF'
preload veth
lock veth
EOF
run "$MODCTL" lockdown --boot
is "$RC" 0 "lockdown --boot with the same file name in two directories exits 0"
is "$(modules_loaded)" "$(printf 'dummy\ntun')" "... the $MODCTL_SYSCONFDIR file wins: dummy and tun, no veth"
"$MODCTL" unlock --all
unload_all
rm "$confdir/50-vm.conf"
run "$MODCTL" lockdown --boot
is "$RC:$(modules_loaded)" "0:veth" "with it removed, the $rundir file applies: veth"
is "$(lock_of veth)" locked "... and veth is locked"
"$MODCTL" unlock --all
unload_all
rm "$rundir/50-vm.conf"

# a module preloaded through an alias is preloaded: it may be locked
printf 'preload char-major-10-200\nlock tun\n' >"$confdir/50-alias.conf"
run "$MODCTL" lockdown --boot -n
is "$RC" 0 "lockdown.d: 'preload char-major-10-200' then 'lock tun' is valid (tun is preloaded, through its alias)"
like "$OUT" '^lock tun$' "... and lockdown --boot -n plans to lock tun"
is "$(modules_loaded)" "" "... and loads nothing"
rm "$confdir/50-alias.conf"

# broken configurations apply nothing: a syntax error, a module not on disk,
# a lock of a module neither loaded nor preloaded
for broken in \
	"preload dummy|bogus-directive x|lock dummy" \
	"preload dummy|preload no_such_module_xyz|lock dummy" \
	"preload dummy|lock dummy veth" \
	"preload dummy \"unterminated|lock dummy"; do
	printf '%s\n' "$broken" | tr '|' '\n' >"$confdir/50-broken.conf"
	desc=$(printf '%s' "$broken" | tr '|' ';')
	run "$MODCTL" lockdown --boot
	is "$RC" 1 "broken lockdown.d ($desc): lockdown --boot exits 1"
	like "$ERR" "50-broken.conf:[0-9]+:" "... naming FILE:LINE"
	is "$(modules_loaded)" "" "... and loads nothing"
	ok "... and locks nothing" sh -c '! grep -q "^lock " "$REGISTRY" 2>/dev/null'
done
run "$MODCTL" lockdown --boot -n
is "$RC" 1 "lockdown --boot -n checks the configuration too (exit 1)"
rm "$confdir/50-broken.conf"

run_as_user "$MODCTL" lockdown --boot
isnt "$RC" 0 "lockdown --boot as uid 65534 fails"
is "$(modules_loaded)" "" "... and loads nothing"
unload_all
