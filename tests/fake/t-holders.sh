#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Who holds a module, against the fake kernel: the modules and their counts
# are fake, the processes that hold device nodes are real ones this test
# starts (the fake leaves /proc/PID real), and the module's device numbers
# come from the fixture's modules.devname and modules.alias. Covers the
# order of the sources, the weights, the remainder (unattributed and
# overcounted), the time budget, when the process scan is skipped, ttys
# whose line discipline a module provides, and the text and JSON of
# status, unload and wait.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
for n in /dev/full /dev/net/tun; do
	[ -c $n ] || plan_skip_all "$n is needed (a real device node the test can hold open)"
done
fake_setup
# Generous: a loaded machine must not cut an answer short (the budget's own
# tests set theirs)
export MODCTL_HOLDERS_BUDGET=60s

# /dev/full (1:7) plays a register_chrdev device of fakedev: 2 per open
cp /bin/sleep "$FAKE_TMP/holdfull"
echo "fakedev fakedev c1:7" >>"$FAKE_MODDIR/modules.devname"
fakectl add fakedev --refcnt 5
ready() { wait_until 5000 test -e "$1"; }

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
# hold READY 'REDIRECTIONS': a shell that opens them (exec REDIRECTIONS)
# and sleeps until killed; returns once READY exists; $held is its pid
hold() {
	bash -c "exec $2; : >\"\$1\"; exec sleep 1000" sh "$1" &
	held=$!
	pids+=("$held")
	ready "$1"
}

"$FAKE_TMP/holdfull" 1000 7>/dev/full 8>/dev/full 9>&7 &
p1=$!
pids+=("$p1")
wait_until 5000 test -e "/proc/$p1/fd/9"

# --- the weights and the remainder -----------------------------------------------
run_modctl status fakedev
is "$status" 0 "status of a held module exits 0"
like "$out" "Held by: +\\[2\\] pid $p1 \\(holdfull\\) has /dev/full open on fd 7" "names the process, its fd and the node"
like "$out" "^ +\\[2\\] pid $p1 \\(holdfull\\) has /dev/full open on fd 8" "a second open of the node counts"
unlike "$out" "on fd 9" "a dup() of an open file counts once (kcmp)"
like "$out" "^ +1 unattributed$" "refcnt 5 - 2 x 2: 1 unattributed"

run_modctl status -J fakedev
json_valid "$out" "status -J is JSON"
json_is "$out" '.modules[0].held_by | map(select(.pid == '"$p1"')) | map([.kind, .weight, .command, .fd, .object])' \
	'[["open",2,"holdfull",7,"/dev/full"],["open",2,"holdfull",8,"/dev/full"]]' "held_by: kind, weight, command, fd, object"
json_is "$out" '.modules[0] | [.unattributed, .overcounted, .complete]' '[1,0,true]' "unattributed, overcounted, complete"
json_is "$out" '.modules[0].held_by[0] | keys' '["command","detail","fd","kind","object","pid","weight"]' \
	"every holder has the documented fields"

# a child sharing the open file by fork adds nothing
bash -c 'exec 3>/dev/full; sleep 1000 & echo $! >"$1"; wait' sh "$FAKE_TMP/child" &
pids+=("$!")
ready "$FAKE_TMP/child"
pids+=("$(cat "$FAKE_TMP/child")")
fakectl set-state fakedev live --refcnt 7
run_modctl status -J fakedev
json_is "$out" '[.modules[0].held_by[] | select(.object == "/dev/full")] | length' 3 \
	"an open file shared by a parent and its child counts once"

# overshoot: the weights exceed the count
fakectl set-state fakedev live --refcnt 3
run_modctl status -J fakedev
json_is "$out" '.modules[0] | [.unattributed, .overcounted]' '[0,3]' "weights beyond the count: overcounted, never negative"
run_modctl status fakedev
like "$out" "0 unattributed; the weights exceed the reference count by 3" "status says the weights overshoot"

# --- the time budget -----------------------------------------------------------------
fakectl set-state fakedev live --refcnt 5
run_modctl status --holders-budget=0 -J fakedev
json_is "$out" '.modules[0] | [.complete, .held_by, .unattributed]' '[false,[],5]' \
	"budget 0: nothing scanned, incomplete, all unattributed"
run_modctl status --holders-budget=0 fakedev
like "$out" "5 unattributed; incomplete: the time budget ran out" "status says the answer is incomplete"
MODCTL_HOLDERS_BUDGET=0 run_modctl status -J fakedev
json_is "$out" '.modules[0].complete' false "\$MODCTL_HOLDERS_BUDGET sets the budget"
run_modctl status --holders-budget=soon fakedev
is "$status" 2 "a bad --holders-budget is a usage error"

# --- dependent modules first: nothing more when they explain the count -----------------
fakectl add udp_tunnel
fakectl add vxlan --deps udp_tunnel
run_modctl -vv status -J udp_tunnel
json_is "$out" '.modules[0] | [.held_by, .unattributed, .complete]' \
	'[[{"kind":"module","weight":1,"pid":null,"command":null,"fd":null,"object":"vxlan","detail":null}],0,true]' \
	"a dependent module explains the count"
unlike "$err" "holders|mount|scanned" "no other source is read"
run_modctl status udp_tunnel
unlike "$out" "Held by:" "status shows only Holders: when they explain the count"

# a going module has no count to explain
fakectl add goner --refcnt 1
fakectl set-state goner going --refcnt -1
run_modctl status -J goner
json_is "$out" '.modules[0] | [.held_by, .unattributed, .overcounted, .complete]' '[[],null,null,true]' \
	"a going module: no remainder to report"

# --- the process scan runs only for modules that own something to scan ---------------
fakectl add nodev --refcnt 2
run_modctl -vv status -J nodev
json_is "$out" '.modules[0] | [.held_by, .unattributed, .complete]' '[[],2,true]' \
	"a module without device nodes, protocols or filesystems: 2 unattributed"
like "$err" "no process scan: it owns no device node, protocol, filesystem type, line discipline or driver" \
	"the scan is skipped, and -vv says why"
unlike "$err" "scanned [0-9]+ fds" "no process was scanned"
run_modctl -vv status -J fakedev
like "$err" "scanned [0-9]+ fds via /proc" "a module with a device node is scanned, via /proc (no iterator in the fake)"

# --- tun: 2 per open of /dev/net/tun, 1 per persistent interface ---------------------------
fakectl add tun --refcnt 3
echo "tun net/tun c10:200" >>"$FAKE_MODDIR/modules.devname"
mkdir -p "$FAKE_ROOT/sys/class/net/ftap0" "$FAKE_ROOT/sys/class/net/ftun1" "$FAKE_ROOT/sys/class/net/eth0"
echo 0x1802 >"$FAKE_ROOT/sys/class/net/ftap0/tun_flags"
echo 0x1001 >"$FAKE_ROOT/sys/class/net/ftun1/tun_flags"
hold "$FAKE_TMP/tun" '3<>/dev/net/tun'
ptun=$held
run_modctl status -J tun
json_is "$out" "[.modules[0].held_by[] | select(.pid == $ptun or .kind == \"interface\") | [.kind, .weight, .object]]" \
	'[["interface",1,"ftap0"],["open",2,"/dev/net/tun"]]' "tun: the persistent tap (1) and the open (2), not the transient tun"
run_modctl status tun
like "$out" "\\[1\\] persistent tap interface ftap0" "status names the persistent tap"

# --- a hardware character device: 1 per open for the module that drives it ---------------
# /dev/urandom (1:9) plays a node of a device bound to fakehw's driver, two
# levels below it, as a sound card's nodes are below the card
fakectl add fakehw --refcnt 2
sys=$FAKE_ROOT/sys
mkdir -p "$sys/module/fakehw/drivers/platform:fakehw" "$sys/bus/platform/drivers/fakehw" \
	"$sys/devices/platform/fakehw.0/sound/card0/urandom" "$sys/dev/char"
ln -s ../../../../module/fakehw "$sys/bus/platform/drivers/fakehw/module"
ln -s ../../../bus/platform/drivers/fakehw "$sys/devices/platform/fakehw.0/driver"
ln -s ../../devices/platform/fakehw.0/sound/card0/urandom "$sys/dev/char/1:9"
hold "$FAKE_TMP/hw" '3</dev/urandom 4</dev/urandom 5</dev/zero'
phw=$held
run_modctl status -J fakehw
json_is "$out" "[.modules[0].held_by[] | select(.pid == $phw) | [.kind, .weight, .fd, .object]]" \
	'[["open",1,3,"/dev/urandom"],["open",1,4,"/dev/urandom"]]' \
	"a device the module drives: each open of its node takes 1, other nodes nothing"
json_is "$out" '.modules[0].unattributed' 0 "... and they explain the count"
ln -sfn ../../devices/platform/other.0/urandom "$sys/dev/char/1:9"
mkdir -p "$sys/devices/platform/other.0/urandom" "$sys/bus/platform/drivers/other" "$sys/module/other"
ln -s ../../../../module/other "$sys/bus/platform/drivers/other/module"
ln -s ../../../bus/platform/drivers/other "$sys/devices/platform/other.0/driver"
run_modctl status -J fakehw
json_is "$out" "[.modules[0].held_by[] | select(.pid == $phw)] | length" 0 "a device another driver drives: nothing"

# --- loop and device-mapper, from /sys/block ----------------------------------------
fakectl add loop --refcnt 2
mkdir -p "$FAKE_ROOT/sys/block/loop3/loop" "$FAKE_ROOT/sys/block/loop4/loop" "$FAKE_ROOT/sys/block/dm-0/dm"
echo /var/tmp/disk.img >"$FAKE_ROOT/sys/block/loop3/loop/backing_file"
echo cryptroot >"$FAKE_ROOT/sys/block/dm-0/dm/name"
run_modctl status -J loop
json_is "$out" '.modules[0] | [[.held_by[] | [.kind, .weight, .object, .detail]], .unattributed]' \
	'[[["loop",1,"/dev/loop3","bound to /var/tmp/disk.img"]],1]' "loop: a bound device takes 1, an unbound one nothing"
fakectl add dm_mod --refcnt 2
run_modctl status -J dm_mod
# its table is read from /dev/mapper/control, which the fake has not: the
# device is named and counts nothing (the VM tier reads real tables)
json_is "$out" '.modules[0] | [[.held_by[] | [.kind, .weight, .object]], .unattributed]' \
	'[[["dm",0,"cryptroot"]],2]' "dm_mod: a mapped device whose table cannot be read is named, and counts nothing"
like "$(printf '%s' "$out" | jq -r '.modules[0].held_by[0].detail')" "its table unread" "... saying why"

# --- crypto algorithms: /proc/crypto's refcnt, less the registration -----------------------
echo "alias crypto-fakehash fakehash" >>"$FAKE_MODDIR/modules.alias"
fakectl add fakehash --refcnt 3
cat >"$FAKE_ROOT/proc/crypto" <<'EOF'
name         : fakehash
driver       : fakehash-generic
module       : fakehash
priority     : 100
refcnt       : 3
selftest     : passed

name         : other
driver       : other-generic
module       : kernel
refcnt       : 5

name         : fakehash-idle
driver       : fakehash-idle-generic
module       : fakehash
refcnt       : 1
EOF
run_modctl status -J fakehash
json_is "$out" '.modules[0] | [[.held_by[] | [.kind, .weight, .object]], .unattributed]' '[[["crypto",2,"fakehash"]],1]' \
	"crypto: an algorithm's users (its refcnt less 1), not an idle one's nor another module's"
run_modctl status fakehash
like "$out" "\\[2\\] crypto algorithm fakehash \\(driver fakehash-generic: 2 transforms or instances\\)" \
	"status names the algorithm and its driver"

# --- filesystem types: mounts of every mount namespace ----------------------------------
echo "alias fs-proc fakeproc" >>"$FAKE_MODDIR/modules.alias"
fakectl add fakeproc --refcnt 100
run_modctl status -J fakeproc
json_ok "$out" '.modules[0].held_by | map(select(.kind == "mount" and .object == "/proc" and .weight == 1 and .pid != null
	and (.detail | test("^proc from .*, mount namespace [0-9]+$")))) | length >= 1' \
	"a mount of the module's filesystem type: mount point, type, source, namespace, a process in it"
json_ok "$out" '(.modules[0].held_by | map(.detail) | unique | length) == (.modules[0].held_by | length)' \
	"one holder per superblock"

# --- protocols: sockets matched by their protocol's name -----------------------------------
if command -v python3 >/dev/null; then
	mkdir -p "$FAKE_ROOT/proc/net"
	cat >"$FAKE_ROOT/proc/net/protocols" <<-'EOF'
	protocol  size sockets  memory press maxhdr  slab module     cl co di ac io in de sh ss gs se re sp bi br ha uh gp em
	PACKET    1536      0      -1   NI       0   no   kernel      n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n
	UNIX      1088      0      -1   NI       0   yes  fakeunix    n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n
	EOF
	echo "alias net-pf-1 fakeunix" >>"$FAKE_MODDIR/modules.alias"
	fakectl add fakeunix --refcnt 100000
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
open(sys.argv[1], "w").close()
time.sleep(1000)' "$FAKE_TMP/sock" &
	psock=$!
	pids+=("$psock")
	ready "$FAKE_TMP/sock"
	run_modctl status -J fakeunix
	json_is "$out" "[.modules[0].held_by[] | select(.pid == $psock) | [.kind, .weight, .object, .command]]" \
		'[["socket",2,"UNIX","python3"]]' "a socket of the module's protocol; 2 when it is also the family"
else
	skip 1 "no python3 to open a socket"
fi

# --- line disciplines: one reference per tty whose discipline is the module's ------
# The ttys are real ones (ptys this test opens) and modctl asks them their
# discipline (TIOCGETD through pidfd_getfd), so only the owner is faked: n_tty
# (0), every new tty's discipline, plays a module's. n_hdlc's own (13) needs
# the real module: the VM tier (holders.sh) sets it on a pty and counts.
mkdir -p "$FAKE_ROOT/proc/tty"
cat >"$FAKE_ROOT/proc/tty/drivers" <<-'EOF'
/dev/tty             /dev/tty        5       0 system:/dev/tty
/dev/console         /dev/console    5       1 system:console
/dev/ptmx            /dev/ptmx       5       2 system
serial               /dev/ttyS       4 64-95 serial
pty_slave            /dev/pts      136 0-1048575 pty:slave
pty_master           /dev/ptm      128 0-1048575 pty:master
EOF
printf 'n_tty       0\nhdlc       13\n' >"$FAKE_ROOT/proc/tty/ldiscs"
# a module whose discipline no tty uses: the scan runs, finds none, says so
echo "alias tty-ldisc-13 fakehdlc" >>"$FAKE_MODDIR/modules.alias"
fakectl add fakehdlc --refcnt 1
run_modctl -vv status -J fakehdlc
json_is "$out" '.modules[0] | [.held_by, .unattributed, .overcounted, .complete]' '[[],1,0,true]' \
	"a line discipline no tty uses: nothing attributed, 1 unattributed, complete"
like "$err" "scanned [0-9]+ fds" "a module with a line discipline is scanned"
run_modctl status fakehdlc
like "$out" "Held by: +1 unattributed$" "status: 1 unattributed"
if [ "$(id -u)" != 0 ]; then
	skip 11 "pidfd_getfd of another process's tty needs root"
elif ! command -v python3 >/dev/null || [ ! -c /dev/ptmx ]; then
	skip 11 "no python3 or /dev/ptmx to open a pty"
else
	ptys=yes
	echo "alias tty-ldisc-0 fakentty" >>"$FAKE_MODDIR/modules.alias"
	fakectl add fakentty --refcnt 100000
	# a pty, both sides open in one process; the slave's name in READY
	python3 -c 'import os, sys, time
m, s = os.openpty()
with open(sys.argv[1] + ".t", "w") as f:
    f.write(os.ttyname(s))
os.rename(sys.argv[1] + ".t", sys.argv[1])
time.sleep(1000)' "$FAKE_TMP/pty" &
	ppty=$!
	pids+=("$ppty")
	ready "$FAKE_TMP/pty"
	slave=$(cat "$FAKE_TMP/pty")
	# the same slave opened twice more by another process
	bash -c 'exec 3<>"$1" 4<>"$1"; : >"$2"; exec sleep 1000' sh "$slave" "$FAKE_TMP/pty2" &
	ppty2=$!
	pids+=("$ppty2")
	ready "$FAKE_TMP/pty2"
	run_modctl -vv status -J fakentty
fi
if [ "${ptys:-}" = yes ] && [[ $err == *"to ask its tty's line discipline: Function not implemented"* ]]; then
	# valgrind 3.19's memcheck has no pidfd_open or pidfd_getfd
	json_is "$out" '.modules[0].complete' false \
		"where pidfd_getfd is not implemented, the answer says it is incomplete"
	skip 10 "this modctl runs without pidfd_getfd (under valgrind 3.19): no tty can be asked"
	kill "$ppty" "$ppty2"
elif [ "${ptys:-}" = yes ]; then
	json_is "$out" "[.modules[0].held_by[] | select(.object == \"$slave\")] | length" 1 \
		"three open files of one tty in two processes: one holder"
	json_is "$out" "[.modules[0].held_by[] | select(.object == \"$slave\") | [.kind, .weight, .detail]]" \
		'[["line-discipline",1,"line discipline n_tty (0)"]]' "kind, weight 1, the discipline's name and number"
	json_ok "$out" "[.modules[0].held_by[] | select(.object == \"$slave\") | .pid] | .[0] == $ppty or .[0] == $ppty2" \
		"a process that has it open is named"
	json_is "$out" "[.modules[0].held_by[] | select(.object == \"the pty master of $slave\") | [.weight, .pid, .command]]" \
		"[[1,$ppty,\"python3\"]]" "the master side is a tty of its own, with its own discipline"
	# a kernel without pidfd_getfd (before 5.6): no tty can be asked, and
	# the answer says it is incomplete
	: >"$FAKE_ROOT/.fake/no-pidfd"
	run_modctl -vv status -J fakentty
	json_is "$out" "[.modules[0] | .complete, (.held_by[] | select(.kind == \"line-discipline\")) ]" '[false]' \
		"without pidfd_getfd: no tty named, and the answer is incomplete"
	like "$err" "cannot copy pid [0-9]+'s fd [0-9]+ to ask its tty's line discipline: Function not implemented" \
		"-vv says why"
	rm "$FAKE_ROOT/.fake/no-pidfd"
	run_modctl status fakentty
	like "$out" "\\[1\\] the pty master of $slave with line discipline n_tty \\(0\\), open in pid $ppty \\(python3\\) on fd [0-9]+" \
		"status names the master side, its discipline and process"
	like "$out" "\\[1\\] $slave with line discipline n_tty \\(0\\), open in pid [0-9]+ \\(" "status names the slave"
	# the discipline must be registered, not only the module's by its alias
	printf 'n_tty       0\n' >"$FAKE_ROOT/proc/tty/ldiscs"
	run_modctl -vv status -J fakehdlc
	like "$err" "none of the module's line disciplines is registered" "an unregistered discipline: no tty is asked"
	kill "$ppty2"
	wait "$ppty2" 2>/dev/null
	run_modctl status -J fakentty
	json_is "$out" "[.modules[0].held_by[] | select(.object == \"$slave\") | .pid]" "[$ppty]" \
		"the other process gone: the first one named"
	kill "$ppty"
	wait "$ppty" 2>/dev/null
	run_modctl status -J fakentty
	json_is "$out" "[.modules[0].held_by[] | select(.object | endswith(\"$slave\"))] | length" 0 \
		"the pty closed: no holder left"
fi

# --- queueing disciplines, from rtnetlink (ROOT/.fake/qdisc) -------------------------
# sch_fake provides "fake" by its name, fakeq provides "fq2" by its alias;
# each qdisc of their kinds, in any namespace, is 1
fakectl add sch_fake --refcnt 3
fakectl add fakeq --refcnt 1
echo "alias net-sch-fq2 fakeq" >>"$FAKE_MODDIR/modules.alias"
fakectl netif add q0 dummy dummy
fakectl netif add q1 dummy dummy --netns qblue
printf '%s\n' '- q0 fake root 1' '- q0 pfifo ingress ffff' 'qblue q1 fake ingress ffff' '- q0 fq2 root 8001' \
	>"$FAKE_ROOT/.fake/qdisc"
run_modctl status -J sch_fake
json_is "$out" '.modules[0] | [[.held_by[] | [.kind, .weight, .object, .detail]], .unattributed, .complete]' \
	'[[["qdisc",1,"fake on q0","handle 1:, root"],["qdisc",1,"fake on q1","handle ffff:, ingress, in netns qblue"]],1,true]' \
	"qdiscs of the module's kind, here and in another namespace: 1 each, named with interface, handle, parent"
run_modctl status sch_fake
like "$out" "\\[1\\] queueing discipline fake on q1 \\(handle ffff:, ingress, in netns qblue\\)" \
	"status names the qdisc"
run_modctl status -J fakeq
json_is "$out" '.modules[0] | [[.held_by[] | .object], .unattributed]' '[["fq2 on q0"],0]' \
	"a kind the module provides by its net-sch alias"
fakectl netif deny qblue EACCES
run_modctl status -J sch_fake
json_is "$out" '.modules[0] | [[.held_by[] | .object], .unattributed, .complete]' '[["fake on q0"],2,false]' \
	"a namespace that cannot be read: its qdiscs are not counted, and the answer is incomplete"
rm -f "$FAKE_ROOT/.fake/netns-deny" "$FAKE_ROOT/.fake/qdisc"
fakectl netif del q0
fakectl netif del q1 --netns qblue

# --- what unload and wait say -------------------------------------------------------------
fakectl add many --refcnt 20
echo "many many c1:7" >>"$FAKE_MODDIR/modules.devname"
"$FAKE_TMP/holdfull" 1000 3>/dev/full 4>/dev/full 5>/dev/full 6>/dev/full 7>/dev/full 8>/dev/full 9>/dev/full &
pmany=$!
pids+=("$pmany")
wait_until 5000 test -e "/proc/$pmany/fd/9"
run_modctl unload -t 0 many
is "$status" 4 "unload -t 0 of a held module: exit 4"
like "$err" "many is in use \\(refcnt 20: 20 references held\\)" "the count, as before"
like "$err" "held by: pid $pmany \\(holdfull\\) has /dev/full open on fd 3 \\(2 references\\)" "then one line per holder"
is "$(grep -c 'held by:' <<<"$err")" 5 "at most five"
like "$err" "and [0-9]+ more" "then how many more"
like "$err" "[0-9]+ unattributed" "and what is left unattributed"
# pmany has fakedev's node open too, seven times: were it still there, the
# five lines below could all be its own (pids wrap, and holders come in pid
# order), and p1 would not be named
kill "$pmany"
wait "$pmany" 2>/dev/null
run_modctl unload -t 100ms fakedev
is "$status" 4 "unload that times out: exit 4"
like "$err" "timed out after 100ms: fakedev is still in use" "says it timed out"
like "$err" "held by: pid $p1 \\(holdfull\\) has /dev/full open on fd 7" "and names the holders"
MODCTL_HOLDERS_BUDGET=0 run_modctl unload -t 0 fakedev
like "$err" "incomplete: the time budget ran out" "unload says when the answer is incomplete"
run_modctl -v wait --for=unused -t 100ms fakedev
is "$status" 4 "wait --for=unused times out: exit 4"
is "$(grep -c "held by: pid $p1 .*on fd 7" <<<"$err")" 1 "wait -v names the holders once"
run_modctl wait --for=unused -t 100ms fakedev
unlike "$err" "held by:" "wait without -v does not look for them"
run_modctl unload -t 0 vxlan udp_tunnel
run_modctl unload -t 0 udp_tunnel
unlike "$err" "held by:|unattributed" "a module held by modules only: the message names them, nothing more"

done_testing
