#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run inside the VM by `make demo` (tests/vm/demo.sh): every modctl command,
# shown as a user would type and read it. Not a test: it asserts nothing.
set -eu

# Names as a user types them; kmod's tools, not busybox's applets.
modctl() { /usr/bin/modctl "$@"; }
modprobe() { /usr/sbin/modprobe "$@"; }

# show CMD...: echo the command line with a prompt, then its output
show() {
	printf '$ %s\n' "$*"
	rc=0
	"$@" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || printf '[exit status %s]\n' "$rc"
	echo
}
say() {
	printf '# %s\n' "$*"
}

say "Linux $(uname -r) in QEMU, running $(modctl --version 2>/dev/null | head -n 1)"
echo
show modprobe -a tun loop dummy vxlan bridge

say "Loaded modules, util-linux style (libsmartcols):"
show modctl list
say "More columns; +LIST adds to the default ones:"
show modctl list -o NAME,SIZE,REFCNT,HOLDERS,VERSION,SRCVERSION,PATH
show modctl list -o +PARAMETERS loop dummy vxlan
say "Raw, without headings (for scripts):"
show modctl list -r -n -o NAME,REFCNT,HOLDERS
say "Every column and what it means:"
show modctl list -H
say "JSON:"
show modctl list -J -o NAME,SIZE,REFCNT,HOLDERS udp_tunnel llc

say "The module policy of the running system:"
show modctl status
say "One module in detail:"
show modctl status tun
show modctl status -J vxlan

say "Reference counts:"
show modctl refcnt tun
say "Open /dev/net/tun in the background (the kernel takes references on tun):"
printf '$ exec 3<>/dev/net/tun; sleep 600 &\n\n'
( exec 3<>/dev/net/tun; exec sleep 600 ) &
holder=$!
i=0
while [ "$(cat /sys/module/tun/refcnt)" = 0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
show modctl refcnt tun
show modctl refcnt tun loop udp_tunnel
show modctl status tun
say "Release it:"
printf '$ kill %%1\n\n'
kill "$holder"
wait "$holder" 2>/dev/null || :
show modctl refcnt tun
say "Modules that are not loaded, or built into the kernel:"
show modctl refcnt veth
show modctl refcnt unix
