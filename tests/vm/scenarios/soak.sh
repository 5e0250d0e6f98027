#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# vm: own-boot
# The soak: run by `make check-soak` only (not by make check or check-vm).
# For SOAK_SECONDS, SOAK_WORKERS concurrent workers pick random operations
# on families of real modules: modctl load [--lockdown], lockdown, unlock,
# unload -t T [-f] [--with-deps], kmod's modprobe -r, and hold/release a
# reference (an open /dev/net/tun or /dev/loop0). Each operation holds its
# family's lock (flock) while it reads the state before, runs, reads the
# state after and checks the result, so workers on other families cannot
# make a correct outcome look wrong. Checked all the time:
#   (a) a module locked in the registry is never unloaded by an unload
#       without --force (modctl exits 5; modprobe -r is refused by the
#       guard), nor as an unused dependency;
#   (b) exit statuses agree with what the kernel did (load 0: live;
#       unload 0: gone; 4: still loaded, after the timeout, and something
#       held it; 3: it was not loaded; lockdown/unlock 0: the registry
#       says so; nothing else is unloaded than asked for);
#   (c) the registry always parses: a watcher runs modctl list -o LOCK and
#       modctl status, and reads the file, in a loop;
#   (d) no modctl runs past its timeout + SOAK_GRACE: each run is timed,
#       and a watchdog kills any modctl process past its deadline;
#   (e) nothing changes a family between two of its operations (modules,
#       their states, their locks): no lost or phantom registry update.
# SOAK_PACE (seconds) pauses each worker between operations. SOAK_SABOTAGE
# (all, or a comma list of force, rmmod, registry, hang, model) breaks
# each invariant on purpose once and passes only if its check caught it.
# The report (operation counts, unload exit statuses, checks, violations)
# goes to the TAP log as "# soak: " lines.
# shellcheck disable=SC3028 # busybox ash has RANDOM
set -eu
. /vm/guest-lib.sh

# --- parameters ----------------------------------------------------------------
SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_WORKERS=${SOAK_WORKERS:-8}
SOAK_PACE=${SOAK_PACE:-0}
SOAK_GRACE=${SOAK_GRACE:-20}
SOAK_SABOTAGE=${SOAK_SABOTAGE:-}
bad_param() {
	fail "parameters: $*"
	exit 1
}
case $SOAK_SECONDS in '' | *[!0-9]*) bad_param "SOAK_SECONDS=$SOAK_SECONDS is not a whole number of seconds" ;; esac
case $SOAK_WORKERS in '' | 0 | *[!0-9]*) bad_param "SOAK_WORKERS=$SOAK_WORKERS is not a positive whole number" ;; esac
case $SOAK_GRACE in '' | *[!0-9]*) bad_param "SOAK_GRACE=$SOAK_GRACE is not a whole number of seconds" ;; esac
case $SOAK_PACE in '' | . | *[!0-9.]* | *.*.*) bad_param "SOAK_PACE=$SOAK_PACE is not a number of seconds" ;; esac
[ "$SOAK_SABOTAGE" != all ] || SOAK_SABOTAGE=force,rmmod,registry,hang,model
SABOTAGE=$(printf '%s' "$SOAK_SABOTAGE" | tr ',' ' ')
for k in $SABOTAGE; do
	case $k in force | rmmod | registry | hang | model) ;; *) bad_param "SOAK_SABOTAGE: unknown kind '$k' (all, force, rmmod, registry, hang, model)" ;; esac
done
# the guest's limit for this scenario must hold the soak, its drain and report
need=$((SOAK_SECONDS + SOAK_GRACE + 120))
if [ -n "$SABOTAGE" ]; then
	need=$((need + SOAK_GRACE + 120))
fi
if [ "${VM_SCENARIO_TIMEOUT:-0}" -lt "$need" ]; then
	bad_param "a ${SOAK_SECONDS} s soak needs a scenario time limit of at least $need s, this boot gives ${VM_SCENARIO_TIMEOUT:-?} s: run it with make check-soak"
fi
GRACE_CS=$((SOAK_GRACE * 100))

# Module families: a family is some modules named here plus their
# dependencies; no module is in two families, so each family's lock covers
# everything an operation on it can change. tun and loop can be held.
FAMILY_SPEC='tun:tun loop:loop dummy:dummy veth:veth udp:vxlan,geneve bridge:bridge
macvtap:macvtap team:team_mode_roundrobin ifb:ifb nlmon:nlmon vcan:vcan'

S=/tmp/soak
REG=$REGISTRY
rm -rf "$S"
mkdir -p "$S/lock" "$S/state" "$S/run" "$S/seen" "$S/hold" "$S/log" "$S/viol" "$S/tmp" \
	"$S/deps" "$S/done" "$S/paused" "$S/journal"

# --- helpers (builtins only where they run per operation: forks cost under TCG)
# NOW: /proc/uptime in centiseconds
now() {
	read -r _u _ </proc/uptime
	NOW=$((${_u%.*} * 100 + 1${_u#*.} - 100))
}

# in_list WORD "LIST": LIST (blank-separated) holds WORD
in_list() {
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

# count CHECK OK(1|0): one check of invariant CHECK in this process's log
count() {
	echo "chk|$1|$2" >>"$LOG"
}

# viol CHECK MESSAGE: a violation (logged, counted, and shown on the console)
viol() {
	count "$1" 0
	echo "$1|$2" >>"$VIOL"
	VIOLS=$((VIOLS + 1))
	if [ "$VIOLS" -le 20 ]; then
		diag "soak: VIOLATION ($1) [$WID] $2"
	fi
}

# check CHECK CONDITION-STATUS MESSAGE: count a check, a violation if the
# condition (the status of the command before) failed
check() {
	if [ "$2" -eq 0 ]; then
		count "$1" 1
	else
		viol "$1" "$3"
	fi
}

# snap: every loaded module as " NAME:STATE:REFCNT:HOLDERS " in SNAP. One
# read of /proc/modules (cat), not the shell's: ash's read takes a byte at a
# time, and between two reads the kernel's list may change under the file
# offset, so a module is skipped when one listed before it goes.
snap() {
	SNAP=' '
	cat /proc/modules >"$WT/modules"
	while read -r _n _s _r _d _st _rest; do
		SNAP="$SNAP$_n:$_st:$_r:$_d "
	done <"$WT/modules"
}

# mod NAME: MS (Live, Loading, Unloading or absent), MR (refcnt), MH
# (holders, "-" for none) of NAME in SNAP
mod() {
	case $SNAP in
	*" $1:"*)
		_t=${SNAP#* "$1":}
		_t=${_t%% *}
		MS=${_t%%:*}
		_t=${_t#*:}
		MR=${_t%%:*}
		MH=${_t#*:}
		;;
	*)
		MS=absent
		MR=0
		MH=-
		;;
	esac
}

# locks: the registry's locked names as " NAME NAME " in LOCKS (read by
# hand: what modctl thinks of it is checked by the watcher)
locks() {
	LOCKS=' '
	[ -e "$REG" ] || return 0
	while read -r _w _n _rest; do
		[ "$_w" != lock ] || LOCKS="$LOCKS$_n "
	done <"$REG"
}

# family_state: the members of family F that are loaded, with their state
# (FSTATE), and those locked (FLOCKS), in member order, from SNAP and LOCKS
family_state() {
	FSTATE=
	FLOCKS=
	for _m in $MEMBERS; do
		mod "$_m"
		[ "$MS" = absent ] || FSTATE="$FSTATE $_m:$MS"
		! in_list "$_m" "$LOCKS" || FLOCKS="$FLOCKS $_m"
	done
}

# loaded_in STATE NAME: NAME is loaded according to a FSTATE string
loaded_in() {
	case "$1 " in *" $2:"*) return 0 ;; esac
	return 1
}

# mc BUDGET_CS ARG...: run modctl with a watchdog deadline of now + BUDGET
# + SOAK_GRACE; sets RC (K when the watchdog killed it), EL (cs), ERR (its
# first line of stderr)
mc() {
	_b=$1
	shift
	now
	_t0=$NOW
	"$MODCTL" "$@" >"$WT/out" 2>"$WT/err" 9>&- &
	_p=$!
	echo "$((_t0 + _b + GRACE_CS)) modctl $*" >"$S/run/$_p"
	RC=0
	wait "$_p" || RC=$?
	now
	EL=$((NOW - _t0))
	rm -f "$S/run/$_p"
	if [ -e "$S/run/$_p.killed" ]; then
		rm -f "$S/run/$_p.killed"
		RC=K
	fi
	ERR=
	[ ! -s "$WT/err" ] || read -r ERR <"$WT/err" || :
	echo "mc|$EL|$_b|$*|$_t0|$WID" >>"$LOG"
	[ "$EL" -le $((_b + GRACE_CS)) ]
	check d $? "modctl $* ran $((EL * 10)) ms, more than its timeout $((_b * 10)) ms + SOAK_GRACE $SOAK_GRACE s"
}

# --- families --------------------------------------------------------------------
# deps/NAME: the modules NAME needs (modprobe --show-depends), by name
ALL_MEMBERS=
FAMILIES=
setup_families() {
	for spec in $FAMILY_SPEC; do
		f=${spec%%:*}
		members=
		for top in $(printf '%s' "${spec#*:}" | tr ',' ' '); do
			for m in $top $("$MODPROBE" --show-depends "$top" |
				sed -n 's,^insmod [^ ]*/\([^/ ]*\)\.ko[^ ]*.*$,\1,p' | tr '-' '_'); do
				in_list "$m" "$members" || members="$members $m"
			done
		done
		for m in $members; do
			if in_list "$m" "$ALL_MEMBERS"; then
				fail "set-up: $m is in two module families; change FAMILY_SPEC"
				return 1
			fi
			# shellcheck disable=SC2086 # a list of names
			"$MODPROBE" --show-depends "$m" |
				sed -n 's,^insmod [^ ]*/\([^/ ]*\)\.ko[^ ]*.*$,\1,p' | tr '-' '_' |
				grep -vx "$m" | tr '\n' ' ' >"$S/deps/$m"
		done
		ALL_MEMBERS="$ALL_MEMBERS$members"
		FAMILIES="$FAMILIES $f"
		eval "MEMBERS_$f=\"\$members\""
		: >"$S/lock/$f"
		echo "|" >"$S/state/$f"
	done
	_d=
	for f in $FAMILIES; do
		eval "_m=\$MEMBERS_$f"
		_d="$_d $f:$(echo $_m | tr ' ' ,)"
	done
	pass "set-up: module families (none shares a module with another):$_d"
}

# lock_family F [-n]: this process holds family F (fd 9) on success
lock_family() {
	F=$1
	eval "MEMBERS=\$MEMBERS_$F"
	exec 9>"$S/lock/$F"
	if flock ${2:-} 9; then
		return 0
	fi
	exec 9>&-
	return 1
}

unlock_family() {
	flock -u 9
	exec 9>&-
}

# --- holders -------------------------------------------------------------------------
# A holder keeps a device of its module open for a while: hold/ID.pid has
# its pid, hold/ID.held exists from before it opens the device until after
# it has closed it (ID is MODULE.WORKER-N).
device_of() {
	case $1 in
	tun) echo /dev/net/tun ;;
	loop) echo /dev/loop0 ;;
	esac
}

# start_holder MODULE SECONDS: sets HID; returns 1 if the device did not open
start_holder() {
	HN=$((HN + 1))
	HID=$1.$WID-$HN
	_dev=$(device_of "$1")
	: >"$S/hold/$HID.held"
	(
		# (a failed exec ends this shell)
		exec 3<>"$_dev" 9>&-
		: >"$S/hold/$HID.open"
		# only this shell holds the device, not its sleep
		sleep "$2" 3>&-
		exec 3>&-
		rm -f "$S/hold/$HID.held" "$S/hold/$HID.open"
	) &
	_hp=$!
	echo "$_hp" >"$S/hold/$HID.pid"
	MYHOLDERS="$MYHOLDERS $HID"
	_w=0
	while [ ! -e "$S/hold/$HID.open" ]; do
		_st=Z
		[ ! -e "/proc/$_hp/stat" ] || read -r _ _ _st _ 2>/dev/null <"/proc/$_hp/stat"
		if [ "$_st" = Z ] || [ "$_w" -ge 100 ]; then
			kill -9 "$_hp" 2>/dev/null
			rm -f "$S/hold/$HID.held"
			return 1
		fi
		sleep 0.05
		_w=$((_w + 1))
	done
	return 0
}

# busy_marker MODULE: some holder of MODULE may have its device open
busy_marker() {
	for _h in "$S/hold/$1".*.held; do
		[ -e "$_h" ] && return 0
	done
	return 1
}

# reap the holders this process started and that have ended
reap_holders() {
	_keep=
	for _h in $MYHOLDERS; do
		if [ -e "$S/hold/$_h.held" ]; then
			_keep="$_keep $_h"
		else
			[ ! -e "$S/hold/$_h.pid" ] || { read -r _p 2>/dev/null <"$S/hold/$_h.pid" && wait "$_p" 2>/dev/null; }
			rm -f "$S/hold/$_h.pid" "$S/hold/$_h.open"
		fi
	done
	MYHOLDERS=$_keep
}

# release_holder MODULE: end one holder of MODULE early (kill it); RC 3 if none
release_holder() {
	for _h in "$S/hold/$1".*.held; do
		[ -e "$_h" ] || continue
		_id=${_h%.held}
		read -r _p 2>/dev/null <"$_id.pid" || continue
		kill -9 "$_p" 2>/dev/null
		rm -f "$_h"
		RC=0
		return 0
	done
	RC=3
}

# --- one operation ----------------------------------------------------------------------
# do_op KIND MODULE [TIMEOUT]: with family F locked (lock_family). KIND is
# load, load-lock, lockdown, unlock, unload, unload-deps, unload-f,
# unload-f-deps, modprobe-r, hold, release. SAB (sabotage) may be set.
do_op() {
	kind=$1
	M=$2
	T=${3:-0}
	case $T in
	*ms) Tcs=$((${T%ms} / 10)) ;;
	*s) Tcs=$((${T%s} * 100)) ;;
	*) Tcs=$((T * 100)) ;;
	esac
	now
	t_begin=$NOW
	snap
	locks
	family_state
	pre=$FSTATE
	prelocks=$FLOCKS
	IFS= read -r rec <"$S/state/$F"
	if [ "$pre|$prelocks" = "$rec" ]; then
		count e 1
	else
		# what ran meanwhile is in the report (windows)
		_last=
		[ ! -s "$S/journal/$F" ] || _last=$(tail -n 1 "$S/journal/$F")
		viol e "family $F changed between two operations: it was '$rec' (modules|locks), now '$pre|$prelocks'; the family's last operation: ${_last:-none}"
		echo "$F ${_last%% *} $t_begin" >>"$S/windows"
	fi
	mod "$M"
	busy=0
	if [ "$MS" != absent ] && { [ "$MH" != - ] || [ "$MR" != 0 ] || busy_marker "$M"; }; then
		busy=1
	fi
	mlocked=0
	! in_list "$M" "$prelocks" || mlocked=1
	deps=
	read -r deps <"$S/deps/$M" || :
	forced=0
	case $kind in unload-f*) forced=1 ;; esac
	label=$kind
	RC=0
	EL=0
	ERR=
	case $kind in
	load) mc 0 load "$M" ;;
	load-lock)
		label="load --lockdown"
		mc 0 load --lockdown "$M"
		;;
	lockdown | unlock) mc 0 "$kind" "$M" ;;
	unload | unload-deps | unload-f | unload-f-deps)
		# dummy and ifb create interfaces as they load; deleting
		# them is part of the model's unload
		set -- unload -t "$T" --delete-interfaces
		case $kind in
		unload-f) set -- "$@" -f ;;
		unload-deps) set -- "$@" --with-deps ;;
		unload-f-deps) set -- "$@" -f --with-deps ;;
		esac
		label=$*
		label=${label% "$M"}
		label=${label#unload -t "$T" --delete-interfaces}
		label="unload$label"
		# sabotage "force": a --force the checks do not know of
		[ "${SAB:-}" != force ] || set -- "$@" -f
		mc "$Tcs" "$@" "$M"
		;;
	modprobe-r)
		label="modprobe -r"
		now
		_t0=$NOW
		"$MODPROBE" -r "$M" >"$WT/out" 2>"$WT/err" 9>&- || RC=$?
		now
		EL=$((NOW - _t0))
		echo "kmod|$EL|0|modprobe -r $M|$_t0|$WID" >>"$LOG"
		[ ! -s "$WT/err" ] || read -r ERR <"$WT/err" || :
		;;
	hold)
		mod "$M"
		if [ "$MS" = absent ]; then
			RC=3
		else
			_d=$((50 + RANDOM % 750))
			if start_holder "$M" "$((_d / 100)).$((_d % 100 / 10))$((_d % 10))"; then
				RC=0
			else
				RC=1
			fi
		fi
		;;
	release) release_holder "$M" ;;
	esac
	# sabotage "rmmod": the module goes behind modctl's back
	if [ "${SAB:-}" = rmmod ]; then
		"$RMMOD" "$M" 2>/dev/null || :
	fi
	snap
	locks
	family_state
	post=$FSTATE
	postlocks=$FLOCKS
	now
	echo "op|$label|$RC|$EL" >>"$LOG"
	# the family's journal: END BEGIN WORKER OPERATION (END first: the
	# window of an (e) violation starts there)
	echo "$NOW $t_begin $WID $label $M exit=$RC pre=$pre|$prelocks post=$post|$postlocks" >>"$S/journal/$F"
	what="$label $M (exit $RC${ERR:+: $ERR})"

	if [ "$RC" = K ]; then
		# killed by the watchdog, which has reported it: nothing else to check
		echo "$post|$postlocks" >"$S/state/$F"
		return 0
	fi

	# modules of the family gone by this operation
	gone=
	for _m in $MEMBERS; do
		if loaded_in "$pre" "$_m" && ! loaded_in "$post" "$_m"; then
			gone="$gone $_m"
		fi
	done

	case $kind in
	load | load-lock)
		mod "$M"
		[ "$RC" = 0 ] && [ "$MS" = Live ]
		check b $? "$what: expected exit 0 and $M live, the kernel has it $MS"
		[ -z "$gone" ]
		check b $? "$what unloaded$gone"
		if [ "$kind" = load ]; then
			_want=$prelocks
		else
			_want=
			for _m in $MEMBERS; do
				if in_list "$_m" "$prelocks" || [ "$_m" = "$M" ] ||
					{ in_list "$_m" "$deps" && ! loaded_in "$pre" "$_m"; }; then
					_want="$_want $_m"
				fi
			done
		fi
		[ "$postlocks" = "$_want" ]
		check b $? "$what: the registry locks '$postlocks', expected '$_want'"
		;;
	lockdown | unlock)
		if [ "$kind" = unlock ]; then
			_rc=0
			_want=
			for _m in $prelocks; do [ "$_m" = "$M" ] || _want="$_want $_m"; done
		elif loaded_in "$pre" "$M"; then
			_rc=0
			_want=
			for _m in $MEMBERS; do
				if in_list "$_m" "$prelocks" || [ "$_m" = "$M" ]; then _want="$_want $_m"; fi
			done
		else
			_rc=3
			_want=$prelocks
		fi
		[ "$RC" = "$_rc" ] && [ "$postlocks" = "$_want" ] && [ "$pre" = "$post" ]
		check b $? "$what: expected exit $_rc, locks '$_want' and modules '$pre'; the registry locks '$postlocks', the modules are '$post'"
		;;
	unload*)
		if ! loaded_in "$pre" "$M"; then
			[ "$RC" = 3 ] && [ "$pre" = "$post" ]
			check b $? "$what: $M was not loaded: expected exit 3 and nothing unloaded (gone:$gone)"
		elif [ "$mlocked" = 1 ] && [ "$forced" = 0 ]; then
			[ "$RC" = 5 ]
			check a $? "$what: $M is locked: expected exit 5"
		else
			case $RC in
			0)
				loaded_in "$post" "$M" && _r=1 || _r=0
				check b $_r "$what: exit 0, but $M is still loaded ($post)"
				;;
			4)
				_r=0
				loaded_in "$post" "$M" || _r=1
				[ "$EL" -ge $((Tcs - 1)) ] || _r=1
				[ "$busy" = 1 ] || _r=1
				check b $_r "$what: exit 4 must mean $M still loaded (modules after: '$post'), after the timeout $T (took $((EL * 10)) ms), with a reference or holder at the start (busy=$busy)"
				;;
			*) viol b "$what: an unload of the loaded, unlocked (or forced) $M must exit 0 or 4" ;;
			esac
		fi
		# nothing unloaded but what was asked
		for _m in $gone; do
			if [ "$_m" = "$M" ] && [ "$RC" = 0 ]; then
				continue
			fi
			if in_list "$_m" "$deps" && [ "$RC" = 0 ]; then
				case $kind in *-deps) continue ;; esac
			fi
			in_list "$_m" "$prelocks" || viol b "$what also unloaded $_m"
		done
		# --with-deps leaves no unused, unlocked dependency behind
		case $kind:$RC in
		*-deps:0)
			_left=
			for _m in $deps; do
				mod "$_m"
				if [ "$MS" != absent ] && [ "$MH" = - ] && [ "$MR" = 0 ] && ! in_list "$_m" "$prelocks"; then
					_left="$_left $_m"
				fi
			done
			[ -z "$_left" ]
			check b $? "$what left unused dependencies behind:$_left"
			;;
		esac
		[ "$postlocks" = "$prelocks" ]
		check b $? "$what changed the registry: locks '$prelocks' became '$postlocks'"
		;;
	modprobe-r)
		if [ "$mlocked" = 1 ] && loaded_in "$pre" "$M"; then
			[ "$RC" != 0 ]
			check a $? "$what: $M is locked: the modprobe.d guard must make it fail"
		fi
		if [ "$RC" = 0 ]; then
			loaded_in "$post" "$M" && _r=1 || _r=0
			check b $_r "$what: exit 0, but $M is still loaded"
		fi
		for _m in $gone; do
			[ "$_m" = "$M" ] || in_list "$_m" "$deps" || in_list "$_m" "$prelocks" ||
				viol b "$what also unloaded $_m, not one of its dependencies"
		done
		[ "$postlocks" = "$prelocks" ]
		check b $? "$what changed the registry: locks '$prelocks' became '$postlocks'"
		;;
	hold)
		if [ "$RC" = 1 ]; then
			viol b "hold $M: $(device_of "$M") did not open though $M is loaded"
		elif [ "$RC" = 0 ]; then
			mod "$M"
			[ "$MS" != absent ] && [ "$MR" -gt 0 ]
			check b $? "hold $M: the device is open, but the kernel counts no reference (refcnt $MR)"
		fi
		;;
	esac

	# (a) every locked module that was loaded is still loaded, unless it is
	# the module an unload --force named
	case $kind in
	unload* | modprobe-r)
		for _m in $prelocks; do
			loaded_in "$pre" "$_m" || continue
			if loaded_in "$post" "$_m"; then
				count a 1
			elif [ "$_m" = "$M" ] && [ "$RC" = 0 ] && [ "$forced" = 1 ]; then
				count a 1
			elif [ "$kind" = modprobe-r ] && [ "$_m" != "$M" ]; then
				viol a "$what: the locked $_m was unloaded as an unused dependency (kmod removes those directly, without their modprobe.d remove commands)"
			else
				viol a "$what: the locked $_m was unloaded"
			fi
		done
		;;
	esac
	echo "$post|$postlocks" >"$S/state/$F"
}

# --- the workers ---------------------------------------------------------------------------
# pick: KIND and a family with its lock held, and a MODULE in it
pick_and_run() {
	r=$((RANDOM % 100))
	if [ $r -lt 20 ]; then
		kind=load
	elif [ $r -lt 25 ]; then
		kind=load-lock
	elif [ $r -lt 37 ]; then
		kind=lockdown
	elif [ $r -lt 49 ]; then
		kind=unlock
	elif [ $r -lt 58 ]; then
		kind=unload
	elif [ $r -lt 63 ]; then
		kind=unload-deps
	elif [ $r -lt 67 ]; then
		kind=unload-f
	elif [ $r -lt 69 ]; then
		kind=unload-f-deps
	elif [ $r -lt 77 ]; then
		kind=modprobe-r
	elif [ $r -lt 91 ]; then
		kind=hold
	else
		kind=release
	fi
	case $kind in
	hold | release)
		if [ $((RANDOM % 2)) -eq 0 ]; then f=tun; else f=loop; fi
		lock_family "$f"
		m=$f
		;;
	*)
		set -- $FAMILIES
		n=$#
		tries=0
		while :; do
			i=$((RANDOM % n + 1))
			eval "f=\${$i}"
			tries=$((tries + 1))
			if [ $tries -ge 4 ]; then
				lock_family "$f"
				break
			fi
			lock_family "$f" -n && break
		done
		set -- $MEMBERS
		i=$((RANDOM % $# + 1))
		eval "m=\${$i}"
		;;
	esac
	case $((RANDOM % 4)) in
	0) t=0 ;;
	1) t=200ms ;;
	2) t=1s ;;
	3) t=3s ;;
	esac
	do_op "$kind" "$m" "$t"
	unlock_family
}

# per-process set-up: WID names the process in logs
proc_init() {
	WID=$1
	WT=$S/tmp/$WID
	LOG=$S/log/$WID
	VIOL=$S/viol/$WID
	VIOLS=0
	HN=0
	MYHOLDERS=
	mkdir -p "$WT"
	: >"$LOG"
	: >"$VIOL"
}

worker() {
	set +e
	proc_init "w$1"
	RANDOM=$(($1 * 7919 + $$ % 1000))
	while [ ! -e "$S/stop" ]; do
		if [ -e "$S/pause" ]; then
			: >"$S/paused/$WID"
			while [ -e "$S/pause" ] && [ ! -e "$S/stop" ]; do sleep 0.1; done
			rm -f "$S/paused/$WID"
			continue
		fi
		reap_holders
		pick_and_run
		[ "$SOAK_PACE" = 0 ] || sleep "$SOAK_PACE"
	done
	# the holders are ended by the main process; reap what has ended
	reap_holders
	: >"$S/done/$WID"
}

# (c) the registry parses, as modctl reads it and as a file
watcher() {
	set +e
	proc_init watcher
	while [ ! -e "$S/stop" ]; do
		mc 0 list -r -n -o NAME,LOCK
		_r=0
		[ "$RC" = 0 ] && [ ! -s "$WT/err" ] || _r=1
		check c $_r "modctl list -o NAME,LOCK exited $RC${ERR:+: $ERR}"
		mc 0 status
		_r=0
		[ "$RC" = 0 ] && [ ! -s "$WT/err" ] || _r=1
		check c $_r "modctl status exited $RC${ERR:+: $ERR}"
		if [ -e "$REG" ]; then
			_bad=
			while IFS= read -r _l; do
				case $_l in
				'' | '#'* | 'mode all') ;;
				'lock '*)
					case ${_l#lock } in '' | *[!A-Za-z0-9_]*) _bad=$_l ;; esac
					;;
				*) _bad=$_l ;;
				esac
			done <"$REG"
			[ -z "$_bad" ]
			check c $? "$REG has a line that is not a registry line: '$_bad'"
		fi
		sleep 0.2
	done
	: >"$S/done/$WID"
}

# (d) no modctl process lives past its deadline (run/PID, written by mc; a
# process not registered there gets SOAK_GRACE from when it is first seen)
watchdog() {
	set +e
	proc_init watchdog
	while [ ! -e "$S/stop.watchdog" ]; do
		now
		_seen=
		for _p in $(pidof modctl); do
			_seen="$_seen $_p"
			_dl=
			_desc=
			[ ! -e "$S/run/$_p" ] || read -r _dl _desc 2>/dev/null <"$S/run/$_p"
			if [ -z "$_dl" ]; then
				[ -e "$S/seen/$_p" ] || echo "$NOW" >"$S/seen/$_p"
				read -r _first <"$S/seen/$_p"
				_dl=$((_first + GRACE_CS))
				_desc="modctl pid $_p (not started by the soak's workers)"
			fi
			if [ "$NOW" -gt "$_dl" ]; then
				viol dw "watchdog: $_desc still runs $(((NOW - _dl) * 10)) ms past its deadline (timeout + SOAK_GRACE); killed"
				: >"$S/run/$_p.killed"
				kill -9 "$_p" 2>/dev/null
			else
				count dw 1
			fi
		done
		for _f in "$S"/seen/*; do
			[ -e "$_f" ] || continue
			in_list "${_f##*/}" "$_seen" || rm -f "$_f"
		done
		sleep 0.5
	done
	: >"$S/done/$WID"
}

# --- sabotage: break each invariant once, on purpose ---------------------------------------
# violations of CHECK so far, every process
CHECKS="a b c d dw e"
violations() {
	cat "$S"/viol/* | grep -c "^$1|"
}

pause_workers() {
	: >"$S/pause"
	_w=0
	while [ "$(ls "$S/paused" | wc -l)" -lt "$SOAK_WORKERS" ] && [ "$_w" -lt 600 ]; do
		sleep 0.1
		_w=$((_w + 1))
	done
}

resume_workers() {
	rm -f "$S/pause"
}

# sabotage KIND: do it; the check it must trip is printed
sabotage() {
	case $1 in
	force)
		# an unload with --force the checks believe ran without: a locked
		# module is gone (a)
		lock_family dummy
		do_op load dummy
		do_op lockdown dummy
		SAB=force do_op unload dummy 0
		do_op unlock dummy
		unlock_family
		;;
	rmmod)
		# modctl load exits 0, but the module is deleted behind its back
		# before the state is read back (b)
		lock_family veth
		SAB=rmmod do_op load veth
		unlock_family
		;;
	registry)
		# a line modctl never writes, under modctl's own registry lock, with
		# the workers paused: only the watcher sees it (c)
		pause_workers
		# creates /run/modctl and its lock if need be (a name in no family:
		# the workers' modules are theirs)
		mc 0 unlock soak_no_such_module
		exec 7>"$MODCTL_RUNSTATEDIR/modctl/lock"
		flock 7
		_had=0
		if [ -e "$REG" ]; then
			cp "$REG" "$S/locks.saved"
			_had=1
		fi
		{
			[ "$_had" = 0 ] || cat "$S/locks.saved"
			echo "this is not a registry line (soak sabotage)"
		} >"$REG.soak"
		mv "$REG.soak" "$REG"
		_v=$(violations c)
		_w=0
		while [ "$(violations c)" = "$_v" ] && [ "$_w" -lt 150 ]; do
			sleep 0.1
			_w=$((_w + 1))
		done
		if [ "$_had" = 1 ]; then
			cp "$S/locks.saved" "$REG.soak"
			mv "$REG.soak" "$REG"
		else
			rm -f "$REG"
		fi
		flock -u 7
		exec 7>&-
		resume_workers
		;;
	hang)
		# a modctl that runs past its timeout: unload -t 10m of a held tun,
		# registered as if it were -t 1s (d)
		lock_family tun
		do_op unlock tun
		do_op load tun
		start_holder tun 3600 || :
		_h=$HID
		mc 100 unload -t 10m tun
		read -r _p 2>/dev/null <"$S/hold/$_h.pid" && kill -9 "$_p" 2>/dev/null
		rm -f "$S/hold/$_h.held"
		unlock_family
		;;
	model)
		# the registry changes between two operations of a family, behind
		# the soak's back (e)
		lock_family ifb
		do_op load ifb
		do_op lockdown ifb
		"$MODCTL" unlock ifb 9>&-
		do_op lockdown ifb
		do_op unlock ifb
		unlock_family
		;;
	esac
}

saboteur() {
	set +e
	proc_init saboteur
	sleep 10
	for k in $SABOTAGE; do
		case $k in
		force) want=a ;;
		rmmod) want=b ;;
		registry) want=c ;;
		hang) want="d dw" ;;
		model) want=e ;;
		esac
		for x in $CHECKS; do eval "before_$x=$(violations $x)"; done
		sabotage "$k"
		# the watchdog and the watcher run on their own: give them time
		_w=0
		while [ "$_w" -lt $(((SOAK_GRACE + 15) * 10)) ]; do
			caught=1
			for x in $want; do
				eval "[ \"\$(violations $x)\" -gt \"\$before_$x\" ]" || caught=0
			done
			[ "$caught" = 0 ] || break
			sleep 0.1
			_w=$((_w + 1))
		done
		d=
		for x in $CHECKS; do eval "d=\"\$d $x+\$(($(violations $x) - before_$x))\""; done
		echo "$k|$want|$caught|$d" >>"$S/sabotage"
		reap_holders
		sleep 3
	done
	: >"$S/done/$WID"
}

# --- run ---------------------------------------------------------------------------------------
is "$(modules_loaded)" "" "no module is loaded at the start"
ok "no registry at the start" test ! -e "$REG"
setup_families || exit 1

WID=main
t_start=$(cut -d' ' -f1 /proc/uptime)
diag "soak: $SOAK_SECONDS s, $SOAK_WORKERS workers, pace ${SOAK_PACE} s, grace $SOAK_GRACE s${SABOTAGE:+, sabotage: $SABOTAGE}"
# modctl monitor, for the report: when did a module come and go (uptime in
# cs before each event); the only modctl running yet, so the watchdog can
# be given its pid, with a deadline past the end
(
	exec 9>&-
	"$MODCTL" monitor 2>"$S/monitor.err" | while IFS= read -r l; do
		now
		echo "$NOW $l"
	done >"$S/monitor.log"
) &
pid_monitor=$!
wait_for 20 pidof modctl || fail "the soak's modctl monitor started"
for p in $(pidof modctl); do
	now
	echo "$((NOW + (SOAK_SECONDS + 2 * SOAK_GRACE + 400) * 100)) modctl monitor" >"$S/run/$p"
done
watchdog &
pid_watchdog=$!
watcher &
pids=$!
w=1
while [ "$w" -le "$SOAK_WORKERS" ]; do
	worker "$w" &
	pids="$pids $!"
	w=$((w + 1))
done
if [ -n "$SABOTAGE" ]; then
	saboteur &
	pids="$pids $!"
fi

# progress every minute
elapsed=0
stalls=
while [ "$elapsed" -lt "$SOAK_SECONDS" ] ||
	{ [ -n "$SABOTAGE" ] && [ ! -e "$S/done/saboteur" ] && [ "$elapsed" -lt $((SOAK_SECONDS + SOAK_GRACE + 120)) ]; }; do
	step=$((SOAK_SECONDS - elapsed))
	[ "$step" -le 60 ] || step=60
	[ "$step" -gt 0 ] || step=5
	sleep "$step"
	elapsed=$((elapsed + step))
	nops=$(cat "$S"/log/* | grep -c '^op|' || :)
	diag "soak: after $elapsed s: $nops operations, $(cat "$S"/viol/* | wc -l) violations"
	# a stall: no operation in a whole interval
	if [ "$nops" = "${last_nops:-0}" ]; then
		stalls="$stalls ${elapsed}s"
	fi
	last_nops=$nops
done
: >"$S/stop"
now
t_stop=$NOW
# a worker finishes its operation: at most 3 s of unload timeout + grace
for p in $pids; do
	wait "$p" || :
done
now
diag "soak: the workers stopped $(((NOW - t_stop) * 10)) ms after being told to"
# shellcheck disable=SC2046 # pids
kill $(pidof modctl) 2>/dev/null || :
wait "$pid_monitor" || :
: >"$S/stop.watchdog"
wait "$pid_watchdog" || :
t_end=$(cut -d' ' -f1 /proc/uptime)

# end the holders still running (their workers have gone)
killed=
for h in "$S"/hold/*.pid; do
	[ -e "$h" ] || continue
	read -r p <"$h" && kill -9 "$p" 2>/dev/null && killed="$killed $p"
done
for p in $killed; do
	wait_for 20 sh -c "! kill -0 $p 2>/dev/null" || fail "holder $p ended after kill -9"
done

# --- report --------------------------------------------------------------------------------------
done_workers=$(ls "$S/done" | grep -c '^w[0-9]' || :)
is "$done_workers" "$SOAK_WORKERS" "every worker ran to the end"

cat "$S"/log/* >"$S/all.log"
cat "$S"/viol/* >"$S/all.viol"
awk -F'|' -v secs="$(echo "$t_start $t_end" | awk '{ printf "%.0f", $2 - $1 }')" \
	-v workers="$SOAK_WORKERS" -v out="$S/summary" '
$1 == "op" {
	n[$2]++; total++
	rc[$2, $3]++
	if (!(($2, $3) in seenrc)) { seenrc[$2, $3] = 1; rcs[$2] = rcs[$2] " " $3 }
	if ($2 ~ /^unload/) urc[$3]++
}
$1 == "chk" { c[$2]++; if ($3 == "0") v[$2]++ }
$1 == "mc" {
	runs++; over = $2 - $3; sumel += $2
	# the five longest past their timeouts
	for (i = 1; i <= 5; i++) if (!(i in top) || over > top[i]) break
	if (i <= 5) {
		for (j = 5; j > i; j--) if ((j - 1) in top) { top[j] = top[j - 1]; topc[j] = topc[j - 1] }
		top[i] = over; topc[i] = $4
	}
}
# exit statuses in order (K, killed by the watchdog, last)
function sortn(a, m,    i, j, t) {
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && (a[j - 1] == "K" || (a[j] != "K" && a[j - 1] + 0 > a[j] + 0)); j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}
END {
	split("load|load --lockdown|lockdown|unlock|unload|unload --with-deps|unload -f|unload -f --with-deps|modprobe -r|hold|release", kinds, "|")
	printf "soak: %d s, %d workers: %d operations (%.1f a second)\n", secs, workers, total, total / (secs ? secs : 1)
	printf "soak: %-22s %7s   %s\n", "operation", "count", "exit statuses (count)"
	for (i = 1; i in kinds; i++) {
		k = kinds[i]
		m = split(substr(rcs[k], 2), l, " ")
		sortn(l, m)
		s = ""
		for (j = 1; j <= m; j++) s = s " " l[j] ":" rc[k, l[j]]
		printf "soak: %-22s %7d  %s\n", k, n[k], s
		if (!n[k]) missing = missing " [" k "]"
	}
	printf "soak: %-22s %7d\n", "total", total
	s = ""
	m = 0
	for (r in urc) l2[++m] = r
	sortn(l2, m)
	for (j = 1; j <= m; j++) s = s " " l2[j] ":" urc[l2[j]]
	printf "soak: unload (all kinds) exit statuses:%s\n", s
	printf "soak: modctl runs: %d, %.0f ms on average; longest past their timeouts:\n", runs, runs ? sumel * 10 / runs : 0
	for (i = 1; i in top; i++) printf "soak:   %6d ms  modctl %s\n", top[i] * 10, topc[i]
	print total > out
	print missing > out
	print (urc[0] ? "0" : "") (urc[3] ? "3" : "") (urc[4] ? "4" : "") (urc[5] ? "5" : "") > out
	for (x in c) print "chk " x " " c[x] " " v[x] + 0 > out
}' "$S/all.log" >"$S/table"
while IFS= read -r l; do diag "$l"; done <"$S/table"

{ read -r total; read -r missing_kinds; read -r unload_rcs; } <"$S/summary"
chk_of() {
	sed -n "s/^chk $1 //p" "$S/summary" | { read -r n v && echo "$n ${v:-0}" || echo "0 0"; }
}
describe() {
	case $1 in
	a) echo "(a) a locked module is never unloaded without --force" ;;
	b) echo "(b) exit statuses agree with what the kernel did" ;;
	c) echo "(c) the registry always parses" ;;
	d) echo "(d) no modctl runs past its timeout + SOAK_GRACE (timed runs)" ;;
	dw) echo "(d) no modctl runs past its timeout + SOAK_GRACE (watchdog sightings)" ;;
	e) echo "(e) nothing changes a family between its operations" ;;
	esac
}
diag "soak: invariant                                                      checks  violations"
for x in a b c d dw e; do
	set -- $(chk_of $x)
	diag "$(printf 'soak: %-66s %7s %6s' "$(describe $x)" "$1" "$2")"
done
nviol=$(wc -l <"$S/all.viol")
if [ "$nviol" -gt 0 ]; then
	diag "soak: violations (first 40 of $nviol):"
	head -n 40 "$S/all.viol" | while IFS= read -r l; do diag "soak:   $l"; done
fi
# for each (e) violation: the family's modules' events and every command
# that ran between its last operation and the one that saw the change
if [ -s "$S/windows" ]; then
	while read -r f from to; do
		mem=
		eval "mem=\$MEMBERS_$f"
		diag "soak: family $f changed between $from and $to (uptime, cs); modctl monitor saw:"
		for m in $mem; do
			# (the monitor's lines are stamped when read: allow 5 s)
			awk -v from="${from:-0}" -v to="$((to + 500))" -v m="$m" '$1 >= from && $1 <= to && $5 == m' "$S/monitor.log"
		done | sort -n | head -n 20 | while IFS= read -r l; do diag "soak:   $l"; done
		diag "soak: commands running meanwhile:"
		awk -F'|' -v from="${from:-0}" -v to="$to" '($1 == "mc" || $1 == "kmod") && $5 <= to && $5 + $2 >= from { print $5 " +" $2 " " $6 ": " $4 }' "$S/all.log" |
			sort -n | head -n 40 | while IFS= read -r l; do diag "soak:   $l"; done
	done <"$S/windows"
fi

if [ -z "$SABOTAGE" ]; then
	for x in a b c d e; do
		set -- $(chk_of $x)
		n=$1
		v=$2
		if [ "$x" = d ]; then
			set -- $(chk_of dw)
			n=$((n + $1))
			v=$((v + $2))
		fi
		ok "$(describe $x | sed 's/ (timed runs)//'): $n checks, $v violations" test "$v" -eq 0 -a "$n" -gt 0
	done
	# An operation takes a few seconds at most under TCG (3 s of unload
	# timeout included), plus the pace: far fewer means the soak did not
	# really run.
	per=$(echo "$SOAK_PACE" | awk '{ print 20 + $1 }')
	min=$(echo "$SOAK_SECONDS $SOAK_WORKERS $per" | awk '{ printf "%d", $1 * $2 / $3 }')
	ok "$total operations, at least $min (one per worker every $per s)" test "$total" -ge "$min"
	is "$stalls" "" "operations went on in every interval of the soak (no stall)"
	is "$missing_kinds" "" "every kind of operation ran"
	is "$unload_rcs" "0345" "unloads exited 0, 3, 4 and 5 (each at least once)"
else
	while IFS='|' read -r k want caught d; do
		ok "sabotage '$k' was caught by check ($want) (new violations per check:$d)" test "$caught" = 1
	done <"$S/sabotage"
	outside=$(awk -F'|' -v all="$nviol" '{ n = split($4, d, " "); for (i = 1; i <= n; i++) { sub(/^[a-z]*\+/, "", d[i]); all -= d[i] } } END { print all }' "$S/sabotage")
	diag "soak: violations outside the sabotage windows: $outside"
	is "$(wc -l <"$S/sabotage")" "$(echo $SABOTAGE | wc -w)" "every sabotage ran"
fi

# --- clean up -----------------------------------------------------------------------------------
run "$MODCTL" unlock --all
is "$RC" 0 "unlock --all at the end exits 0"
if unload_all; then
	pass "every module unloads at the end"
else
	fail "every module unloads at the end"
	diag "left: $(modules_loaded | tr '\n' ' ')"
fi
