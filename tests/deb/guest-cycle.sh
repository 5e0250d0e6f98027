#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# In the test VM (tests/vm, booted by tests/deb/t-install.sh): the modctl
# the Debian package installed, run in its own root (/deb-root: the
# package's files and the libraries it got from Debian's archive) on the
# real kernel. The root sees the guest's /proc, /sys, /dev, /run and
# /lib/modules. DEB_VERSION comes from the host (VM_GUEST_ENV).
set -eu
. /vm/guest-lib.sh

R=/deb-root
for d in proc sys dev run usr/lib/modules; do
	mkdir -p "$R/$d"
	mount --bind "/$d" "$R/$d"
done
M() { chroot "$R" /usr/bin/modctl "$@"; }

run M --version
is "$RC $(printf '%s\n' "$OUT" | head -n 1)" "0 modctl ${DEB_VERSION:-?}" "modctl --version exits 0 and names the package's version"
is "$(printf '%s\n' "$OUT" | sed -n 2p)" "+bpf" "the package is built with kernel-enforced locks (+bpf)"
run M status
is "$RC" 0 "modctl status exits 0"
like "$OUT" . "modctl status prints something"

run M load tun
is "$RC" 0 "modctl load tun exits 0"
ok "tun is in /proc/modules" loaded tun
run M lockdown tun
is "$RC" 0 "modctl lockdown tun exits 0"
ok "the registry of the packaged build is /run/modctl/locks and locks tun" grep -qx 'lock tun' /run/modctl/locks
run M unload tun
is "$RC" 5 "modctl unload tun exits 5 (locked)"
ok "tun is still loaded" loaded tun
run M unlock tun
is "$RC" 0 "modctl unlock tun exits 0"
run M unload tun
is "$RC" 0 "modctl unload tun exits 0"
ok "tun is gone from /proc/modules" not_loaded tun

# The boot unit's command, as the installed unit gives it, reads the
# configuration in /etc (the package's --sysconfdir).
cmd=$(sed -n 's/^ExecStart=//p' "$R/lib/systemd/system/modctl-lockdown.service")
is "$cmd" "/usr/bin/modctl lockdown --boot" "the installed unit runs /usr/bin/modctl lockdown --boot"
printf 'preload tun\nlock tun\n' >"$R/etc/modctl/lockdown.d/50-test.conf"
# shellcheck disable=SC2086 # the unit's command line, split into words
run chroot "$R" $cmd
is "$RC" 0 "the unit's command exits 0 with /etc/modctl/lockdown.d/50-test.conf"
ok "it loaded tun" loaded tun
ok "it locked tun" grep -qx 'lock tun' /run/modctl/locks
rm -f "$R/etc/modctl/lockdown.d/50-test.conf"
run M unlock tun
run M unload tun
is "$RC" 0 "unlock and unload tun again"

for d in usr/lib/modules run dev sys proc; do
	umount "$R/$d"
done
