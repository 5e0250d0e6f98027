#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command skeleton: version, help, usage errors, the command table,
# write errors.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup
fakectl add tun

version=$(sed -n 's/^AC_INIT(\[modctl\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
run_modctl --version
is "$status:$(head -n 1 <<<"$out")" "0:modctl $version" "--version prints configure's version"
if have_bpf; then
	is "$(sed -n 2p <<<"$out")" "+bpf" "and on a second line that kernel-enforced locks are built in"
else
	is "$(sed -n 2p <<<"$out")" "-bpf" "and on a second line that kernel-enforced locks are not built in"
fi
is "$(wc -l <<<"$out")" 2 "two lines"
run_modctl -V
is "$(head -n 1 <<<"$out")" "modctl $version" "-V too"

run_modctl --help
is "$status" 0 "--help exits 0"
for c in list status refcnt load unload lockdown unlock wait monitor; do
	like "$out" "^  $c " "--help lists $c"
	run_modctl "$c" --help
	is "$status" 0 "$c --help exits 0"
	like "$out" "^Usage: modctl $c " "$c --help shows its own usage line"
	run_modctl --help
done
run_modctl -h
is "$status" 0 "-h is --help"

# --help and the man pages name this build's directories (configure's
# sysconfdir, runstatedir and prefix), never another build's
IFS=: read -r sysconf runstate prefixlib _ <<<"$FAKE_PREFIXES"
run_modctl lockdown --help
like "$out" "Locks are kept in $runstate/locks\." "lockdown --help names the registry of this build ($runstate/locks)"
like "$(tr '\n' ' ' <<<"$out")" "lockdown\.d/\*\.conf in $sysconf, +$runstate +and +$prefixlib\." \
	"lockdown --help names this build's lockdown.d directories"
for page in modctl.8 modctl-lockdown.d.5; do
	# (roff's zero-width \& taken out)
	text=$(sed 's/\\&//g' "$top_builddir/man/$page")
	like "$text" "$sysconf/lockdown\.d" "$page names $sysconf/lockdown.d"
	like "$text" "$runstate/lockdown\.d" "$page names $runstate/lockdown.d"
	like "$text" "$prefixlib/lockdown\.d" "$page names $prefixlib/lockdown.d"
	unlike "$text" "@[A-Z_]+@" "$page has no placeholder left"
done
others=$(sed 's/\\&//g' "$top_builddir"/man/modctl.8 "$top_builddir"/man/modctl-lockdown.d.5 |
	grep -o '/[a-z/]*etc/modctl\|/[a-z/]*lib/modctl' |
	sort -u | grep -vx -e "$sysconf" -e "$prefixlib")
is "$others" "" "the man pages name no other build's modctl directories"

run_modctl
is "$status" 2 "no command: exit 2"
like "$err" "no command given" "says so"
run_modctl frobnicate
is "$status" 2 "unknown command: exit 2"
like "$err" "unknown command 'frobnicate'; the commands are" "lists the commands"
like "$err" "unload" "including unload"
run_modctl unlo tun
is "$status" 2 "no abbreviations of command names"
run_modctl list --bogus
is "$status" 2 "an unknown option: exit 2"
is "$(printf '%s\n' "$err" | wc -l)" 2 "the message and a one-line hint"
like "$err" "Try .modctl list --help" "the hint names the command"

run_modctl -v refcnt tun
is "$status:$out" "0:0" "global options before the command"
run_modctl refcnt -q tun
is "$status:$out" "0:0" "and after it"

run_in_fake sh -c "\"$MODCTL\" list > /dev/full"
is "$status" 1 "a failed write to standard output fails the command"
like "$err" "write error" "and says so"

done_testing
