#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run inside the VM by `make demo` (tests/vm/demo.sh): every modctl command,
# shown as a user would type and read it. Not a test: it asserts nothing.
set -eu

# Names as a user types them; kmod's tools, not busybox's applets.
modctl() { /usr/bin/modctl "$@"; }
modprobe() { /usr/sbin/modprobe "$@"; }
rmmod() { /usr/sbin/rmmod "$@"; }

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
echo

# --- unload, with dependencies -------------------------------------------------------
say "Unload: holders first, and with --with-deps the dependencies left unused (-n: the plan):"
show modctl unload -n --with-deps vxlan bridge
show modctl -v unload --with-deps vxlan bridge
show modctl unload --delete-interfaces tun loop dummy
show modctl list

# --- load ----------------------------------------------------------------------------
say "Load: what would be loaded, in order, with options (nothing is loaded):"
show modctl load -n vxlan
show modctl load -n char-major-10-200
say "Options from /etc/modprobe.d, and PARAM=VALUE words after a module:"
printf '$ echo "options loop max_loop=4" > /etc/modprobe.d/loop.conf\n\n'
echo "options loop max_loop=4" >/etc/modprobe.d/loop.conf
show modctl load -n loop dummy numdummies=2
show modctl -v load vxlan loop dummy numdummies=2
show cat /sys/module/loop/parameters/max_loop
show modctl list -o NAME,REFCNT,HOLDERS,PARAMETERS
say "Already loaded is success; a module that does not exist is exit status 3:"
show modctl load vxlan
show modctl load no_such_module
say "Without the privilege (uid 65534, no capabilities):"
printf '$ setpriv --reuid=65534 ... modctl load tun\n'
rc=0
/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all -- \
	/usr/bin/modctl load tun 2>&1 || rc=$?
printf '[exit status %s]\n\n' "$rc"
rm -f /etc/modprobe.d/loop.conf

# --- lockdown -------------------------------------------------------------------------
modprobe tun
say "Lock tun. The kernel holds the lock: a pinned BPF object takes a reference,"
say "so rmmod, modprobe -r and delete_module(2) refuse it too, not only modctl:"
show modctl lockdown tun
show modctl list -o NAME,REFCNT,LOCK,PIN,PIN_TYPE,PIN_FUNCTION tun vxlan
show modctl status tun
show modctl unload tun
show modprobe -r tun
show rmmod tun
show delete-module tun nonblock
show cat /run/modprobe.d/modctl-lockdown.conf
show modctl status
say "A registry-only lock, asked for: modctl and modprobe -r refuse, rmmod does not:"
show modctl lockdown --no-pin tun
show modctl list -o NAME,REFCNT,LOCK,PIN,PIN_NOTE tun
show modctl unlock tun
show modctl list -o NAME,REFCNT,LOCK tun

# --- unload while busy ------------------------------------------------------------------------
say "Unload a module that is in use: a process holds /dev/net/tun for 2 seconds;"
say "modctl waits, watching refcnt in sysfs, and unloads it right after the release:"
printf '$ sh -c "exec 3<>/dev/net/tun; sleep 2" &\n'
sh -c 'exec 3<>/dev/net/tun; sleep 2 3>&-; sed -n "s/^now at \([0-9]*\) nsecs$/\1/p;3q" /proc/timer_list >/tmp/released' &
sleep 0.3
show modctl refcnt tun
show modctl -v unload -t 10s tun
t1=$(sed -n 's/^now at \([0-9]*\) nsecs$/\1/p;3q' /proc/timer_list)
if [ -s /tmp/released ]; then
	say "modctl exited $(( (t1 - $(cat /tmp/released)) / 1000000 )) ms after the holder closed /dev/net/tun"
	echo
fi
say "A reference that is never released: exit status 4 at the timeout, the module stays:"
modprobe tun
( exec 3<>/dev/net/tun; exec sleep 600 ) &
holder=$!
sleep 0.3
show modctl unload -t 1s tun
show modctl refcnt tun
kill "$holder"
wait "$holder" 2>/dev/null || :

# --- what an unload destroys ------------------------------------------------------------------
say "Unloading dummy would delete its interfaces (dummy0 came with the load; d0 is the"
say "user's; d1 lives in another network namespace). modctl refuses and names them:"
ip link add d0 type dummy
mkdir -p /run/netns
touch /run/netns/blue
unshare --net=/run/netns/blue true
nsenter --net=/run/netns/blue ip link add d1 type dummy
show modctl unload dummy
show modctl unload -n dummy
show modctl status dummy
say "rmmod and modprobe -r are not changed: they would delete them without a word."
say "Accept the deletion explicitly:"
show modctl unload --delete-interfaces dummy
umount /run/netns/blue 2>/dev/null || :
rm -f /run/netns/blue

# --- wait and monitor --------------------------------------------------------------------------
say "Monitor module events (in the background; its output is shown below):"
printf '$ modctl monitor &\n\n'
/usr/bin/modctl monitor >/tmp/monitor.out 2>&1 &
mon=$!
sleep 0.5
say "Wait until another process loads dummy:"
printf '$ modctl -v wait -t 10s dummy & sleep 1; modprobe dummy; wait\n'
/usr/bin/modctl -v wait -t 10s dummy 2>&1 &
w=$!
sleep 1
modprobe dummy
rc=0
wait "$w" || rc=$?
printf '[exit status %s]\n\n' "$rc"
say "Wait until nothing uses tun any more (a holder closes /dev/net/tun after 1 s):"
( exec 3<>/dev/net/tun; exec sleep 1 ) &
sleep 0.3
show modctl -v wait --for=unused -t 10s tun
show modctl wait --for=unloaded -t 500ms tun
show modctl lockdown dummy
show modctl unlock dummy
show modctl unload --delete-interfaces dummy tun
sleep 0.5
kill "$mon"
wait "$mon" 2>/dev/null || :
printf '$ cat monitor output\n'
cat /tmp/monitor.out
echo
show modctl list
