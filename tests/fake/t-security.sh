#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Security: how modctl opens its own state and
# configuration (O_CLOEXEC, O_NOFOLLOW, no descriptor reaches a child), the
# modes of what it creates whatever the umask, the environment read only
# through secure_getenv(), no shell given a user's word, and files planted
# by an unprivileged user that root's modctl refuses to read, follow or
# overwrite.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
need strace setpriv timeout
fake_setup
REG=$FAKE_ROOT/run/modctl/locks
GUARD=$FAKE_ROOT/run/modprobe.d/modctl-lockdown.conf
SYSCONF=${FAKE_PREFIXES%%:*}   # this build's $sysconfdir/modctl
CONFDIR=$FAKE_ROOT$SYSCONF/lockdown.d
LIBCONF=$(echo "$FAKE_PREFIXES" | cut -d: -f3)
# The unprivileged user: nobody, without groups or capabilities.
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all --)
chmod 0755 "$FAKE_TMP"   # nobody may reach the fake root
as_nobody() { "${NOBODY[@]}" "$@"; }

fakectl add udp_tunnel
fakectl add vxlan --deps udp_tunnel
fakectl add tun
fakectl add loop

# fresh_state: no registry, no guard, no configuration
fresh_state() {
	rm -rf "$FAKE_ROOT/run/modctl" "$FAKE_ROOT/run/modprobe.d" "$FAKE_ROOT$SYSCONF" "$FAKE_ROOT$LIBCONF"
	chmod 0755 "$FAKE_ROOT/run"
}

# A file root owns and nobody must get modctl to change.
VICTIM=$FAKE_TMP/victim
printf 'precious\n' >"$VICTIM"
chmod 0644 "$VICTIM"
victim_intact() { [ "$(cat "$VICTIM")" = precious ] && [ "$(stat -c '%u %a' "$VICTIM")" = "0 644" ]; }

# ============================================================================
# (a) How the state is opened: every open of the registry, its lock, the
# modprobe guard, their temporary files and the lockdown.d configuration
# has O_CLOEXEC and O_NOFOLLOW.
# ============================================================================
# LeakSanitizer cannot run under ptrace; the other checks still apply.
export ASAN_OPTIONS=detect_leaks=0:exitcode=99:verify_asan_link_order=0
fresh_state
mkdir -p "$CONFDIR"
printf 'preload dummy\nlock dummy\n' >"$CONFDIR/10-sec.conf"
# Commands that never start libkmod, which opens /run/modprobe.d itself
# (with its own flags): every open below /run is modctl's.
: >"$FAKE_TMP/trace-a"
failed=
for cmd in "lockdown tun" "list -o NAME,LOCK" "status" "unlock tun" "lockdown --all" "unlock --all"; do
	# shellcheck disable=SC2086
	run_in_fake strace -f -qq -e trace=open,openat -o "$FAKE_TMP/trace" "$MODCTL" $cmd
	[ "$status" = 0 ] || failed="$failed [$cmd: exit $status: $err]"
	cat "$FAKE_TMP/trace" >>"$FAKE_TMP/trace-a"
done
is "$failed" "" "lockdown, list, status, unlock, lockdown --all, unlock --all under strace"
# Commands that do: their state opens are the relative ones and those of
# modctl's own directories.
run_in_fake strace -f -qq -e trace=open,openat -o "$FAKE_TMP/trace-b" "$MODCTL" lockdown --boot
is "$status" 0 "lockdown --boot under strace"
run_in_fake strace -f -qq -e trace=open,openat -o "$FAKE_TMP/trace" "$MODCTL" load --lockdown loop
is "$status" 0 "load --lockdown under strace"
cat "$FAKE_TMP/trace" >>"$FAKE_TMP/trace-b"
root_re=$(printf '%s' "$FAKE_ROOT" | sed 's/[][\.*^$/]/\\&/g')
dirs_re="$root_re(/run/modctl|$SYSCONF|$LIBCONF)"
{
	grep -E "open(at)?\((AT_FDCWD, )?\"$root_re/run/" "$FAKE_TMP/trace-a"
	grep -E "openat\([0-9]+, \"|open(at)?\((AT_FDCWD, )?\"${dirs_re}[/\"]" "$FAKE_TMP/trace-a" "$FAKE_TMP/trace-b" | cut -d: -f2-
} | grep -v 'resumed>' | sort -u >"$FAKE_TMP/state-opens"
n=$(wc -l <"$FAKE_TMP/state-opens")
unseen=
for name in '/run/modctl"' '"lock"' '"locks"' '"locks\.[A-Za-z0-9]{6}"' '/run/modprobe\.d"' \
	'"modctl-lockdown\.conf\.[A-Za-z0-9]{6}"' "$SYSCONF\"" '"lockdown\.d"' '"10-sec\.conf"'; do
	grep -Eq "$name" "$FAKE_TMP/state-opens" || unseen="$unseen $name"
done
is "$unseen" "" "the trace has every kind of open: state dir, lock, registry, temporary files, guard dir, lockdown.d"
note "$n opens of modctl's state and configuration traced"
ok "at least 15 of them" test "$n" -ge 15
missing=$(grep -v 'O_CLOEXEC' "$FAKE_TMP/state-opens")
is "$missing" "" "every one has O_CLOEXEC"
missing=$(grep -v 'O_NOFOLLOW' "$FAKE_TMP/state-opens")
is "$missing" "" "every one has O_NOFOLLOW"
missing=$(grep -v 'O_NONBLOCK\|O_EXCL' "$FAKE_TMP/state-opens")
is "$missing" "" "every open of an existing file has O_NONBLOCK (a FIFO cannot block it)"
missing=$(grep 'O_CREAT' "$FAKE_TMP/state-opens" | grep -v 'O_EXCL' | grep -v '"lock"')
is "$missing" "" "every file created is created with O_EXCL (the lock excepted)"
unset ASAN_OPTIONS

# No descriptor reaches a program modctl starts: an install command lists
# the descriptors of its shell, compared with the same command run by a
# plain sh in the same environment (which shows what the test itself
# passes down, and the shell's own). No pipeline: while a shell starts one,
# it holds the pipe itself, and a listing racing with that shows it.
fresh_state
mkdir -p "$FAKE_ROOT/etc/modprobe.d" "$CONFDIR"
# (no backslash: libkmod's parser would eat it)
FDCMD="ls -l /proc/\$\$/fd >$FAKE_TMP/fds.ls; awk 'NF > 3 { print \$(NF - 2), \$NF }' $FAKE_TMP/fds.ls >$FAKE_TMP/fds"
printf 'install dummy %s\n' "$FDCMD" >"$FAKE_ROOT/etc/modprobe.d/fds.conf"
run_in_fake sh -c "$FDCMD"
baseline=$(cat "$FAKE_TMP/fds")
rm -f "$FAKE_TMP/fds"
printf 'lock tun\n' >"$CONFDIR/10-sec.conf"
run_modctl lockdown tun
fakectl remove dummy 2>/dev/null
run_modctl load dummy
is "$status" 0 "load runs dummy's install command"
is "$(cat "$FAKE_TMP/fds" 2>&1)" "$baseline" "load: the install command inherits no descriptor of modctl's"
rm -f "$FAKE_TMP/fds"
printf 'preload dummy\nlock tun\n' >"$CONFDIR/10-sec.conf"
run_modctl lockdown --boot
is "$status" 0 "lockdown --boot runs it after reading lockdown.d"
is "$(cat "$FAKE_TMP/fds" 2>&1)" "$baseline" "lockdown --boot: the install command inherits no descriptor of modctl's"
rm -f "$FAKE_ROOT/etc/modprobe.d/fds.conf"

# ============================================================================
# (b) What modctl creates has exact modes, whatever the caller's umask.
# ============================================================================
for u in 000 077; do
	fresh_state
	umask "$u"
	run_modctl lockdown tun
	umask 022
	is "$status" 0 "umask $u: lockdown tun"
	is "$(stat -c '%U %a' "$FAKE_ROOT/run/modctl" "$REG" "$FAKE_ROOT/run/modctl/lock" \
		"$FAKE_ROOT/run/modprobe.d" "$GUARD" | tr '\n' ' ')" \
		"root 755 root 644 root 600 root 755 root 644 " \
		"umask $u: state dir 0755, registry 0644, lock 0600, guard dir 0755, guard 0644"
done
# Rewriting keeps the modes too.
umask 077
run_modctl unlock tun
umask 022
is "$(stat -c '%a' "$REG" "$GUARD" | tr '\n' ' ')" "644 644 " "umask 077: rewritten registry and guard are 0644"
nok "nobody cannot open the lock, so cannot hold it" as_nobody sh -c "exec 3<'$FAKE_ROOT/run/modctl/lock'" 2>/dev/null

# ============================================================================
# (c) The environment is read through secure_getenv() only.
# ============================================================================
src=$top_srcdir/src
# calls_getenv FILE...: the lines calling getenv() or secure_getenv(),
# comment lines aside
calls_getenv() {
	grep -nE '(^|[^A-Za-z0-9_])(getenv|secure_getenv|__secure_getenv)[[:space:]]*\(' "$@" |
		grep -vE '^([^:]+:)?[0-9]+:[[:space:]]*(\*|/\*|//)'
}
hits=$(calls_getenv "$src"/*.c "$src"/*.h)
is "$(printf '%s\n' "$hits" | sed 's|.*/src/||' | cut -d: -f1 | sort -u)" "util.c" \
	"getenv() and secure_getenv() are called in util.c only"
body=$(sed -n '/^const char \*modctl_getenv(const char \*name)$/,/^}$/p' "$src/util.c")
is "$(printf '%s\n' "$hits" | wc -l)" "$(printf '%s\n' "$body" | calls_getenv - | wc -l)" \
	"and only inside modctl_getenv()"
like "$body" "return secure_getenv\(name\);" "modctl_getenv() calls secure_getenv()"
ok "this build has secure_getenv()" grep -q '^#define HAVE_SECURE_GETENV 1' "$top_builddir/config.h"
unlike "$(grep -nE '(^|[^A-Za-z0-9_])(__)?environ([^A-Za-z0-9_]|$)' "$src"/*.c "$src"/*.h)" "." \
	"nothing reads environ directly"
# At run time: started with a real uid that is not its effective uid (as a
# set-user-ID program would be), modctl ignores MODCTL_COLUMNS. The fake
# world's preload is dropped in such a process, so this runs the real
# kernel's files; whatever they give, a bad column is no usage error.
REAL_MODCTL=${MODCTL_REAL:-$MODCTL}
MODCTL_COLUMNS=NOSUCHCOLUMN ASAN_OPTIONS=detect_leaks=0 "$REAL_MODCTL" list >"$FAKE_TMP/out" 2>"$FAKE_TMP/err"
is "$?" 2 "MODCTL_COLUMNS=NOSUCHCOLUMN: a usage error normally"
MODCTL_COLUMNS=NOSUCHCOLUMN ASAN_OPTIONS=detect_leaks=0 setpriv --ruid=65534 -- "$REAL_MODCTL" list \
	>"$FAKE_TMP/out" 2>"$FAKE_TMP/err"
rc=$?
isnt "$rc" 2 "with real uid nobody and effective uid root (AT_SECURE): not a usage error"
unlike "$(cat "$FAKE_TMP/err")" "NOSUCHCOLUMN|MODCTL_COLUMNS" "the variable was not read"

# ============================================================================
# (d) No shell is given a user's word. modctl itself starts no program at
# all; words with shell syntax never run anything, wherever they come from.
# ============================================================================
unlike "$(grep -nE '(^|[^A-Za-z0-9_])(system|popen|execl|execlp|execle|execv|execvp|execvpe|execve|fexecve|posix_spawnp?)[[:space:]]*\(|/bin/sh' "$src"/*.c)" "." \
	"no system(), popen(), exec*() or posix_spawn() in modctl's sources"
fresh_state
mkdir -p "$FAKE_ROOT/etc/modprobe.d" "$CONFDIR"
# An install command that does not use $CMDLINE_OPTS: the parameters given
# go to the kernel, never to its shell.
printf 'install snd_dummy echo ran >%s/ran\n' "$FAKE_TMP" >"$FAKE_ROOT/etc/modprobe.d/inject.conf"
cd "$FAKE_TMP" || bail_out "cannot cd to $FAKE_TMP"
bad=()
check_ran() { [ -e pwned ] && bad+=("$1: ran a command") && rm -f pwned; }
# shellcheck disable=SC2016 # (they must not expand: that is the point)
words=(';touch pwned' '$(touch pwned)' '`touch pwned`' '|touch pwned' '&&touch pwned' $'\ntouch pwned' \
	"'\$(touch pwned)'" ';touch${IFS}pwned' '$(touch${IFS}pwned)' '`touch${IFS}pwned`')
for w in "${words[@]}"; do
	for cmd in "load" "load -n" "unload" "lockdown" "unlock" "refcnt" "status" "list" "wait -t 0"; do
		# shellcheck disable=SC2086
		run_modctl $cmd "tun$w"
		# load also takes aliases, which may hold such characters: not found
		case $cmd:$status in
		*:2 | load*:3) ;;
		*) bad+=("$cmd 'tun$w': exit $status, not 2") ;;
		esac
		check_ran "$cmd 'tun$w'"
	done
	# A string parameter: the kernel gets the word as it is.
	fakectl remove fake_oot 2>/dev/null
	run_modctl load fake_oot "message=$w"
	check_ran "load fake_oot 'message=$w'"
	case $w in
	*' '* | *$'\n'*) ;;   # (quoted for the kernel, see modctl(8))
	*) [ "$status:$(sysfs fake_oot parameters/message)" = "0:$w" ] ||
		bad+=("load fake_oot 'message=$w': exit $status, message '$(sysfs fake_oot parameters/message)'") ;;
	esac
	run_modctl load -n vxlan "udp_port=$w"
	check_ran "load -n vxlan 'udp_port=$w'"
	rm -f "$FAKE_TMP/ran"
	run_modctl load snd-dummy "index=$w"
	check_ran "load snd-dummy 'index=$w' (an install command)"
	[ -e "$FAKE_TMP/ran" ] || bad+=("load snd-dummy 'index=$w': the install command did not run")
	# The boot configuration: a name is refused, a (quoted) value is data.
	printf 'lock tun%s\n' "$w" >"$CONFDIR/10-sec.conf"
	run_modctl lockdown --boot
	[ "$status" = 1 ] || bad+=("lockdown.d 'lock tun$w': exit $status, not 1")
	check_ran "lockdown.d 'lock tun$w'"
	case $w in
	*$'\n'*) ;;
	*)
		fakectl remove fake_oot 2>/dev/null
		printf 'preload fake_oot message="%s"\n' "$w" >"$CONFDIR/10-sec.conf"
		run_modctl lockdown --boot
		check_ran "lockdown.d 'preload fake_oot message=\"$w\"'"
		[ "$status:$(sysfs fake_oot parameters/message)" = "0:$w" ] ||
			bad+=("lockdown.d 'preload fake_oot message=\"$w\"': exit $status, message '$(sysfs fake_oot parameters/message)'")
		;;
	esac
	rm -f "$CONFDIR/10-sec.conf"
done
is "${#bad[@]}" 0 "${#words[@]} words with shell syntax: refused as module names by 9 commands and lockdown.d (load: no such alias), passed to the kernel as they are as parameter values (load, load -n, an install command's module, lockdown.d); nothing run"
[ "${#bad[@]}" = 0 ] || diag "${bad[@]}"
# ... in the registry, whose names become the guard's remove commands
loaded tun || fakectl add tun
mkdir -p "$FAKE_ROOT/run/modctl"
# shellcheck disable=SC2016
printf 'lock tun$(touch${IFS}pwned)\n' >"$REG"
run_modctl lockdown loop
is "$status" 1 "a registry line with shell syntax is refused"
ok "no guard was written from it" test ! -e "$GUARD"
rm -f "$REG"
run_modctl lockdown --all
is "$status" 0 "lockdown --all"
is "$(grep -c '^remove ' "$GUARD")" "$(wc -l <"$FAKE_ROOT/proc/modules")" "the guard has a remove command for every module"
unlike "$(grep -v '^#' "$GUARD" | grep -vE "^remove ([a-z0-9_]+) echo \"modctl: \\1 is locked by modctl lockdown; run 'modctl unlock \\1' first\" >&2; false\$")" "." \
	"every line of the guard is the remove command of a checked module name"
run_modctl unlock --all
# The documented exception: libkmod pastes the parameters into an install
# command that uses $CMDLINE_OPTS, as modprobe does.
# shellcheck disable=SC2016
printf 'install dummy echo "[$CMDLINE_OPTS]" >%s/opts\n' "$FAKE_TMP" >"$FAKE_ROOT/etc/modprobe.d/inject.conf"
fakectl remove dummy 2>/dev/null
run_modctl load dummy 'numdummies=1;2'
is "$(cat "$FAKE_TMP/opts" 2>/dev/null)" "[numdummies=1;2]" \
	"an install command with \$CMDLINE_OPTS gets the parameters (modctl(8), SECURITY)"
rm -f "$FAKE_ROOT/etc/modprobe.d/inject.conf" "$FAKE_TMP/opts"
cd - >/dev/null || true

# ============================================================================
# (e) Files planted by an unprivileged user: root's modctl refuses them, and
# neither follows nor overwrites them.
# ============================================================================
# The state directory made by nobody (through a /run anyone could write to),
# with links to root's files inside.
fresh_state
loaded tun || fakectl add tun
fakectl remove dummy 2>/dev/null
chmod 1777 "$FAKE_ROOT/run"
as_nobody mkdir "$FAKE_ROOT/run/modctl"
as_nobody ln -s "$VICTIM" "$REG"
as_nobody ln -s "$FAKE_TMP/created-by-root" "$FAKE_ROOT/run/modctl/lock"
chmod 0755 "$FAKE_ROOT/run"
ok "nobody planted a state directory with links" test -L "$REG"
run_modctl lockdown tun
is "$status" 1 "lockdown: a state directory owned by nobody: exit 1"
like "$err" "refusing to trust .*/run/modctl: owned by uid 65534, not root" "and says whose it is"
run_modctl list -o NAME,LOCK
is "$status" 1 "list refuses it too"
run_modctl load dummy
is "$status" 1 "load refuses it before loading anything"
nok "dummy was not loaded" loaded dummy
run_modctl unload tun
is "$status" 1 "unload refuses it too"
ok "the victim file is intact" victim_intact
ok "nothing was created through the lock link" test ! -e "$FAKE_TMP/created-by-root"
ok "no guard was written" test ! -e "$GUARD"

# The same directory, root's but writable by everyone.
fresh_state
mkdir "$FAKE_ROOT/run/modctl"
chmod 1777 "$FAKE_ROOT/run/modctl"
as_nobody sh -c "printf 'lock tun\n' >'$REG'"
run_modctl unload tun
is "$status" 1 "unload: a world-writable state directory: exit 1, not the planted lock's 5"
like "$err" "refusing to trust .*/run/modctl: writable by group or others \(mode 1777\)" "and says why"
ok "tun is still loaded" loaded tun
run_modctl lockdown loop
is "$status" 1 "lockdown refuses it"
is "$(stat -c '%U' "$REG")" nobody "the planted registry is left alone"
ok "and no lock file was created" test ! -e "$FAKE_ROOT/run/modctl/lock"

# A root-owned registry someone made writable by everyone: nobody adds a lock.
fresh_state
run_modctl lockdown tun
chmod 0666 "$REG"
as_nobody sh -c "printf 'mode all\nlock loop\n' >>'$REG'"
run_modctl unload loop
is "$status" 1 "unload: a world-writable registry: exit 1 (its locks are not honoured)"
like "$err" "refusing to trust .*/run/modctl/locks: writable by group or others \(mode 0666\)" "and says why"
ok "loop is still loaded (nothing is done on an untrusted registry)" loaded loop
before=$(cat "$REG")
run_modctl lockdown vxlan
is "$status:$(cat "$REG")" "1:$before" "lockdown neither trusts nor rewrites it"
chmod 0644 "$REG"
chown 65534 "$REG"
run_modctl list -o NAME,LOCK
is "$status" 1 "a registry owned by nobody is refused"
like "$err" "refusing to trust .*/run/modctl/locks: owned by uid 65534, not root" "and named"

# Links and FIFOs in root's own directory (planted earlier, by whoever).
fresh_state
run_modctl lockdown tun
rm "$REG"
ln -s "$VICTIM" "$REG"
run_modctl list -o NAME,LOCK
is "$status" 1 "a registry that is a symbolic link is refused"
like "$err" "refusing to trust .*/run/modctl/locks: it is a symbolic link, not a regular file" "and named"
run_modctl lockdown loop
is "$status" 1 "lockdown refuses to write through it"
ok "the victim is intact" victim_intact
ok "the link is still a link" test -L "$REG"
rm "$REG"
mkfifo -m 0644 "$REG"
run_in_fake timeout 30 "$MODCTL" list -o NAME,LOCK
is "$status" 1 "a registry that is a FIFO: refused at once, not waited on"
like "$err" "refusing to trust .*/run/modctl/locks: it is a FIFO, not a regular file" "and named"
rm "$REG"
rm "$FAKE_ROOT/run/modctl/lock"
ln -s "$FAKE_TMP/created-by-root" "$FAKE_ROOT/run/modctl/lock"
run_modctl lockdown loop
is "$status" 1 "a lock file that is a symbolic link is refused"
like "$err" "refusing to trust .*/run/modctl/lock: it is a symbolic link" "and named"
ok "nothing was created through it" test ! -e "$FAKE_TMP/created-by-root"
rm "$FAKE_ROOT/run/modctl/lock"
mkfifo -m 0600 "$FAKE_ROOT/run/modctl/lock"
run_in_fake timeout 30 "$MODCTL" lockdown loop
is "$status" 1 "a lock file that is a FIFO is refused at once"
rm "$FAKE_ROOT/run/modctl/lock"
rm -rf "$FAKE_ROOT/run/modctl"
mkdir -m 0777 "$FAKE_TMP/nobodys"
chown 65534:65534 "$FAKE_TMP/nobodys"
ln -s "$FAKE_TMP/nobodys" "$FAKE_ROOT/run/modctl"
as_nobody sh -c "printf 'lock tun\n' >'$FAKE_TMP/nobodys/locks'"
run_modctl unload tun
is "$status" 1 "a state directory that is a symbolic link is refused"
like "$err" "refusing to trust .*/run/modctl: it is a symbolic link, not a directory" "and named"
ok "tun is still loaded" loaded tun
is "$(ls "$FAKE_TMP/nobodys")" "locks" "nothing was written into the linked directory"
rm "$FAKE_ROOT/run/modctl"

# The modprobe guard and its directory.
fresh_state
mkdir -m 1777 "$FAKE_ROOT/run/modprobe.d"
as_nobody ln -s "$VICTIM" "$GUARD"
run_modctl lockdown tun
is "$status" 1 "a world-writable /run/modprobe.d: lockdown exits 1"
like "$err" "refusing to trust .*/run/modprobe.d: writable by group or others \(mode 1777\)" "and says why"
ok "the victim is intact" victim_intact
ok "no registry was written" test ! -e "$REG"
chmod 0755 "$FAKE_ROOT/run/modprobe.d"
run_modctl lockdown tun
is "$status" 1 "a guard that is a symbolic link (nobody's): lockdown exits 1"
like "$err" "refusing to replace .*/run/modprobe.d/modctl-lockdown.conf: it is a symbolic link" "and says why"
like "$err" "modctl did not write it" "and what that means"
ok "the victim is intact" victim_intact
ok "the link is left as it was" test -L "$GUARD"
ok "no registry was written" test ! -e "$REG"
rm "$GUARD"
printf '# not modctl'"'"'s\n' >"$GUARD"
chown 65534 "$GUARD"
run_modctl lockdown tun
is "$status" 1 "a guard owned by nobody is refused too"
like "$err" "modctl-lockdown.conf: owned by uid 65534, not root" "and named"
rm "$GUARD"
run_modctl lockdown tun
is "$status" 0 "once it is removed, lockdown writes a new guard"
is "$(stat -c '%U %a' "$GUARD")" "root 644" "root's, 0644"
run_modctl unlock tun
rm -rf "$FAKE_ROOT/run/modprobe.d"
ln -s "$FAKE_TMP/nobodys" "$FAKE_ROOT/run/modprobe.d"
run_modctl lockdown tun
is "$status" 1 "a /run/modprobe.d that is a symbolic link is refused"
is "$(ls "$FAKE_TMP/nobodys")" "locks" "nothing was written into the linked directory"
rm "$FAKE_ROOT/run/modprobe.d"

# The boot configuration.
conf_refused() {  # DESC ERE: lockdown --boot refuses, applies nothing, says ERE
	run_modctl lockdown --boot
	is "$status" 1 "$1: lockdown --boot exits 1"
	like "$err" "$2" "$1: says which file and why"
	like "$err" "nothing was applied" "$1: applies nothing"
	if loaded dummy || [ -e "$REG" ]; then fail "$1: nothing loaded, nothing locked"; else pass "$1: nothing loaded, nothing locked"; fi
}
fresh_state
fakectl remove dummy 2>/dev/null
mkdir -p "$CONFDIR"
printf 'preload dummy\nlock dummy\n' >"$CONFDIR/50-ok.conf"
printf 'lock tun\n' >"$CONFDIR/60-bad.conf"
chmod 0664 "$CONFDIR/60-bad.conf"
conf_refused "a group-writable lockdown.d file" "lockdown.d/60-bad.conf: not trusted: writable by group or others \(mode 0664\)"
chmod 0644 "$CONFDIR/60-bad.conf"
chown 65534 "$CONFDIR/60-bad.conf"
conf_refused "a lockdown.d file owned by nobody" "lockdown.d/60-bad.conf: not trusted: owned by uid 65534, not root"
rm "$CONFDIR/60-bad.conf"
as_nobody sh -c "printf 'lock-all\n' >'$FAKE_TMP/nobodys/evil.conf'"
ln -s "$FAKE_TMP/nobodys/evil.conf" "$CONFDIR/60-bad.conf"
conf_refused "a lockdown.d file that links to nobody's file" "lockdown.d/60-bad.conf: not trusted: it is a symbolic link"
rm "$CONFDIR/60-bad.conf"
mkfifo -m 0644 "$CONFDIR/60-bad.conf"
run_in_fake timeout 30 "$MODCTL" lockdown --boot
is "$status" 1 "a lockdown.d file that is a FIFO: refused at once, not waited on"
like "$err" "60-bad.conf: not trusted: it is a FIFO, not a regular file" "and named"
rm "$CONFDIR/60-bad.conf"
chmod 0777 "$CONFDIR"
conf_refused "a world-writable lockdown.d" "lockdown.d: not trusted: writable by group or others \(mode 0777\)"
chmod 0755 "$CONFDIR"
chown 65534 "$FAKE_ROOT$SYSCONF"
conf_refused "nobody's $SYSCONF" "$SYSCONF: not trusted: owned by uid 65534, not root"
chown 0 "$FAKE_ROOT$SYSCONF"
mv "$CONFDIR" "$FAKE_TMP/real-lockdown.d"
ln -s "$FAKE_TMP/real-lockdown.d" "$CONFDIR"
conf_refused "a lockdown.d that is a symbolic link" "lockdown.d: not trusted: it is a symbolic link, not a directory"
rm "$CONFDIR"
mv "$FAKE_TMP/real-lockdown.d" "$CONFDIR"
chmod 0664 "$CONFDIR/50-ok.conf"
run_modctl lockdown --all --seal
is "$status" 1 "lockdown --all --seal with an untrusted file: exit 1"
like "$err" "not sealing: the boot configuration has errors" "and says so"
is "$(cat "$FAKE_ROOT/proc/sys/kernel/modules_disabled")" 0 "not sealed"
ok "nothing locked" test ! -e "$REG"
chmod 0644 "$CONFDIR/50-ok.conf"
run_modctl lockdown --boot
is "$status" 0 "the trusted configuration is applied"
ok "dummy was preloaded" loaded dummy
like "$(cat "$REG")" "lock dummy" "and locked"

done_testing
