#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Kernel-enforced locks (BPF pins) against the fake kernel's BPF side
# (README, "BPF"): every decision modctl takes about a pin that needs no
# real kernel. What a real kernel does with the pins is the VM tier's
# (tests/vm/scenarios/pin*.sh).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
need setpriv
fake_setup
REG=$FAKE_ROOT/run/modctl/locks
PINS=$FAKE_ROOT/sys/fs/bpf/modctl
OOPS=$FAKE_ROOT/.fake/bpf/oops
SYSCONF=${FAKE_PREFIXES%%:*} # this build's $sysconfdir/modctl
CONFDIR=$FAKE_ROOT$SYSCONF/lockdown.d
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all --)
WHY_PREFIX='not kernel-enforced, locked for modctl and modprobe -r only'

fakectl add tun
fakectl add loop
fakectl add dummy
fakectl bpf on

nwarn() { grep -c "$WHY_PREFIX" <<<"$err"; }
no_oops() { nok "$1: no stale pin was released (the kernel would crash)" test -e "$OOPS"; }

# registry_only DESC MODULE REASON_ERE: lockdown locks MODULE without a pin
# and says why, once; the registry records no pin; unlock again after.
registry_only() {
	local d=$1 m=$2 why=$3
	run_modctl lockdown "$m"
	is "$status" 0 "$d: lockdown succeeds"
	is "$(nwarn)" 1 "$d: one line says so"
	like "$err" "$WHY_PREFIX: $m \($why" "$d: it names $m and why"
	like "$(cat "$REG")" "^lock $m$" "$d: the registry records the lock, without a pin"
	nok "$d: no pin" test -e "$PINS/$m"
	is "$(sysfs "$m" refcnt)" 0 "$d: the kernel holds no reference"
	run_modctl unlock "$m"
}

# --- a build without libbpf ---------------------------------------------------------------------
if ! have_bpf; then
	registry_only "built without libbpf" tun "modctl was built without libbpf\)"
	run_modctl lockdown tun
	run_modctl list -n -o NAME,LOCK,PIN,PIN_NOTE tun
	like "$out" "^tun +locked +none +modctl was built without libbpf$" "list: a registry-only lock, and why"
	run_modctl status tun
	like "$out" "Pin: +none" "status: Pin: none"
	like "$out" "modctl was built without libbpf" "status: and why"
	run_modctl status
	like "$out" "kernel-enforced locks: +0 " "status: no kernel-enforced lock"
	run_modctl unload tun
	is "$status" 5 "unload of a locked module: exit 5"
	run_modctl lockdown --no-pin loop
	is "$status" 0 "lockdown --no-pin"
	like "$(cat "$REG")" "^lock loop pin=-$" "records the request: pin=-"
	run_modctl unlock tun loop
	is "$status" 0 "unlock"
	skip 1 "this build has no libbpf (configure --without-bpf): the checks of BPF pins do not apply to it"
	done_testing
	exit 0
fi

# --- the lock the kernel holds: before 6.4, a link ----------------------------------------------
run_modctl -v lockdown tun
is "$status" 0 "lockdown tun"
like "$err" "pinned tun: the kernel holds a reference through a BPF link on tun_dev_free" "a link on a teardown function"
unlike "$err" "$WHY_PREFIX" "no registry-only warning"
is "$(calls bpf raw_tracepoint_open EINVAL)" 1 "the exit function was tried first and refused (notrace)"
like "$(cat "$REG")" "^lock tun pin=tun_dev_free$" "the registry records the pin"
is "$(stat -c '%U %a' "$PINS")" "root 700" "the pin directory is root's, 0700"
ok "the pin is in bpffs" test -f "$PINS/tun"
is "$(sysfs tun refcnt)" 1 "the kernel holds one reference"
run_in_fake "$FKSYS" delete_module tun
is "$out" EAGAIN "delete_module(2) is refused by the kernel"
run_modctl unload tun
is "$status" 5 "modctl unload of the pinned module: exit 5"
like "$err" "module tun is locked by modctl lockdown" "and says why"
ok "tun is still loaded" loaded tun

run_modctl list -r -n -o NAME,LOCK,PIN,PIN_TYPE,PIN_FUNCTION,PIN_PATH tun
is "$out" "tun pinned live link tun_dev_free /sys/fs/bpf/modctl/tun" "list: LOCK and PIN columns"
run_modctl list -J -o NAME,LOCK,PIN,PIN_TYPE,PIN_FUNCTION,PIN_PATH,PIN_NOTE tun
json_str "$out" '.modules[0].lock' pinned "JSON: lock"
json_str "$out" '.modules[0].pin' live "JSON: pin"
json_str "$out" '.modules[0].pin_type' link "JSON: pin_type"
json_str "$out" '.modules[0].pin_function' tun_dev_free "JSON: pin_function"
json_str "$out" '.modules[0].pin_path' /sys/fs/bpf/modctl/tun "JSON: pin_path"
json_is "$out" '.modules[0].pin_note' null "JSON: no pin_note"
run_modctl status tun
like "$out" "Lock: +pinned" "status: Lock: pinned"
like "$out" "Pin: +live: BPF link on tun_dev_free, /sys/fs/bpf/modctl/tun" "status: the Pin: line"

: >"$FAKE_ROOT/.fake/calls/bpf"
run_modctl -v lockdown tun
is "$status" 0 "lockdown of a pinned module again"
is "$(calls bpf prog_load)" 0 "keeps its pin: nothing is loaded"
is "$(sysfs tun refcnt)" 1 "still one reference"
like "$(cat "$REG")" "^lock tun pin=tun_dev_free$" "the same pin recorded"

run_modctl unlock tun
is "$status" 0 "unlock tun"
nok "the pin is released" test -e "$PINS/tun"
is "$(sysfs tun refcnt)" 0 "and with it the reference"
unlike "$(cat "$REG")" "tun" "the registry forgets tun"
no_oops "unlock"

# before 6.4 a link runs with its function: only unique teardown names
fakectl bpf funcs tun tun_xmit tun_net_rcv
registry_only "link mode, only data-path functions" tun "the module has no function a link can use"
fakectl bpf funcs tun shared_free
fakectl bpf funcs loop shared_free
registry_only "link mode, a name another module has too" tun "the module has no function a link can use"
fakectl bpf funcs tun tun_exit:exit tun_dev_free
run_modctl -v lockdown tun
like "$err" "BPF link on tun_exit" "link mode: an exit function ftrace can patch comes first"
run_modctl unlock tun
fakectl bpf funcs tun --default
fakectl bpf funcs loop --default
rm "$FAKE_ROOT/proc/kallsyms"
registry_only "link mode, no kallsyms" tun "/proc/kallsyms cannot be read"

# --- 6.4 and later: a program ---------------------------------------------------------------------
fakectl uname-r 6.12.0-fake+deb12
: >"$FAKE_ROOT/.fake/calls/bpf"
run_modctl -v lockdown tun
like "$err" "pinned tun: the kernel holds a reference through a BPF program on tun_dev_free" "6.4+: a program"
is "$(calls bpf raw_tracepoint_open)" 0 "nothing is attached"
is "$(sysfs tun refcnt)" 1 "the kernel holds one reference"
run_modctl list -r -n -o NAME,PIN,PIN_TYPE,PIN_FUNCTION tun
is "$out" "tun live program tun_dev_free" "list: a program pin"
run_modctl unlock tun
is "$(sysfs tun refcnt)" 0 "unlock releases it"
fakectl bpf funcs tun tun_exit:exit:notrace tun_xmit
run_modctl -v lockdown tun
like "$err" "BPF program on tun_exit" "program mode: the exit function is fine (nothing is patched)"
run_modctl unlock tun
fakectl bpf funcs tun
registry_only "program mode, no function at all" tun "the module has no function the kernel can resolve"
fakectl bpf funcs tun --default
fakectl bpf refuse tun all EINVAL
registry_only "every function refused" tun "the kernel refused every function tried"
fakectl bpf refuse tun clear
fakectl bpf refuse tun tun_dev_free EINVAL
run_modctl -v lockdown tun
like "$err" "BPF program on tun_exit" "one function refused: the next one"
run_modctl unlock tun
fakectl bpf refuse tun clear

# --- each reason a lock stays registry-only, said once ----------------------------------------------
fakectl bpf mount off
registry_only "bpffs not mounted" tun "bpffs is not mounted on /sys/fs/bpf \(mount -t bpf bpf /sys/fs/bpf\)\)"
run_modctl lockdown tun
run_modctl list -n -o NAME,LOCK,PIN,PIN_NOTE tun
like "$out" "^tun +locked +none +bpffs is not mounted" "list: PIN none, PIN_NOTE says why"
run_modctl status tun
like "$out" "Pin: +none" "status: Pin: none"
run_modctl unlock tun
fakectl bpf mount on
fakectl bpf vmlinux off
registry_only "no vmlinux BTF" tun "the kernel has no BTF \(/sys/kernel/btf/vmlinux\)\)"
fakectl bpf vmlinux on
fakectl bpf btf tun off
registry_only "no module BTF" tun "the module has no BTF"
run_modctl lockdown tun
run_modctl status tun
like "$out" "the module has no BTF \(/sys/kernel/btf has no entry for it\)" "status: why, for a module without BTF"
run_modctl unlock tun
fakectl bpf btf tun corrupt
registry_only "module BTF that does not parse" tun "the module's BTF cannot be read"
fakectl bpf btf tun off
fakectl bpf btf loop off
run_modctl lockdown tun loop dummy
is "$(nwarn)" 1 "two modules, one reason: one line"
like "$err" "$WHY_PREFIX: tun loop \(the module has no BTF" "naming both"
run_modctl unlock tun loop dummy
fakectl bpf btf tun on
fakectl bpf btf loop on
fakectl bpf vmlinux off
fakectl bpf btf loop off
run_modctl lockdown tun loop
is "$(nwarn)" 2 "two reasons: two lines"
fakectl bpf vmlinux on
fakectl bpf btf loop on
run_modctl unlock tun loop
fakectl set-state tun coming
registry_only "a module still loading" tun "the module is not live yet"
fakectl set-state tun live
fakectl bpf fail btf_get_next_id EPERM
registry_only "no CAP_SYS_ADMIN for the BTF objects" tun "finding the module's BTF needs CAP_SYS_ADMIN"
fakectl bpf fail btf_get_next_id EIO
registry_only "BTF objects unreadable" tun "the kernel's BTF objects cannot be listed"
fakectl bpf fail btf_get_next_id off
fakectl bpf fail obj_get EPERM
registry_only "no CAP_SYS_ADMIN for the pins" tun "reading pins needs CAP_SYS_ADMIN"
fakectl bpf fail obj_get EIO
registry_only "pin unreadable" tun "its pin cannot be read"
fakectl bpf fail obj_get off
fakectl bpf fail prog_load EPERM
registry_only "no CAP_SYS_ADMIN to load" tun "loading the program needs CAP_SYS_ADMIN \(CAP_BPF and CAP_PERFMON are not enough\)"
fakectl bpf fail prog_load off
chown 65534 "$PINS"
registry_only "a pin directory not root's" tun "the pin directory /sys/fs/bpf/modctl cannot be made, or is not root's"
chown 0 "$PINS"

# --- no-pin: by request ------------------------------------------------------------------------------
run_modctl lockdown tun
is "$(sysfs tun refcnt)" 1 "pinned"
run_modctl lockdown --no-pin tun
is "$status" 0 "lockdown --no-pin of a pinned module"
unlike "$err" "$WHY_PREFIX" "no warning: it was asked for"
like "$(cat "$REG")" "^lock tun pin=-$" "the registry records the request"
nok "modctl's pin is released" test -e "$PINS/tun"
is "$(sysfs tun refcnt)" 0 "and the reference"
run_modctl list -n -o NAME,LOCK,PIN,PIN_NOTE tun
like "$out" "^tun +locked +none +registry-only, as asked" "list: why"
run_modctl unload tun
is "$status" 5 "still locked: unload exit 5"
run_modctl lockdown tun
like "$(cat "$REG")" "^lock tun pin=tun_dev_free$" "lockdown without --no-pin pins it again"
run_modctl unlock tun

mkdir -p "$CONFDIR"
printf 'no-pin\nlock tun\n' >"$CONFDIR/50-nopin.conf"
run_modctl lockdown --boot
is "$status" 0 "lockdown --boot with no-pin"
like "$(cat "$REG")" "^lock tun pin=-$" "no-pin in lockdown.d: registry-only"
nok "no pin" test -e "$PINS/tun"
run_modctl unlock tun
rm "$CONFDIR/50-nopin.conf"
printf 'lock tun\n' >"$CONFDIR/50-pin.conf"
run_modctl lockdown --boot
like "$(cat "$REG")" "^lock tun pin=tun_dev_free$" "without no-pin the boot pins"
run_modctl unlock tun
rm "$CONFDIR/50-pin.conf"

# --- orphans: a pin the registry does not know ---------------------------------------------------------
run_modctl lockdown tun
fakectl bpf pin loop
run_modctl status
like "$out" "modules locked: +1" "status: one lock"
like "$out" "kernel-enforced locks: +1 \(pinned" "status: one kernel-enforced lock"
like "$out" "orphan pins: +1 \(loop: not in the registry" "status: the orphan, named"
unlike "$out" "stale pins:" "status: no stale pin"
run_modctl status -J
json_is "$out" '.policy[0].pinned' 1 "JSON: pinned"
json_is "$out" '.policy[0].orphan_pins' 1 "JSON: orphan_pins"
json_is "$out" '.policy[0].stale_pins' 0 "JSON: stale_pins"
run_modctl list -r -n -o NAME,LOCK,PIN loop
is "$out" "loop no orphan" "list: PIN orphan"
run_modctl unload loop
is "$status" 5 "unload of a module with an orphan pin: exit 5"
like "$err" "pinned by modctl, but not locked \(an orphan pin\)" "and says so"
run_modctl unlock loop
is "$status" 0 "unlock of the orphan"
nok "releases its pin" test -e "$PINS/loop"
is "$(sysfs loop refcnt)" 0 "and the reference"
run_modctl status
unlike "$out" "orphan pins:" "no orphan left"
run_modctl unlock tun

# --- stale: a pinned module removed by force ----------------------------------------------------------
run_modctl lockdown dummy
fakectl remove dummy
fakectl add dummy
run_modctl list -r -n -o NAME,LOCK,PIN dummy
is "$out" "dummy locked stale" "list: PIN stale, and the lock is no longer pinned"
run_modctl status
like "$out" "stale pins: +1 " "status: one stale pin"
like "$out" "kernel-enforced locks: +0 " "which is no kernel-enforced lock"
run_modctl status dummy
like "$out" "Pin: +stale" "status: Pin: stale"
run_modctl unlock dummy
is "$status" 0 "unlock of a module whose pin is stale"
like "$err" "dummy was removed by force while it was locked .*kept in /sys/fs/bpf/modctl/stale until reboot" "says the pin is kept"
no_oops "unlock"
nok "the pin left /sys/fs/bpf/modctl" test -e "$PINS/dummy"
is "$(ls "$PINS/stale" | grep -c '^dummy-')" 1 "it waits in stale/"
is "$(sysfs dummy refcnt)" 0 "the new instance's reference count is untouched"
run_modctl status -J
json_is "$out" '.policy[0].stale_pins' 1 "JSON: stale_pins counts stale/"

run_modctl lockdown dummy
fakectl remove dummy
fakectl add dummy
run_modctl -v lockdown dummy
is "$status" 0 "lockdown with a stale pin in the way"
like "$err" "dummy was removed by force while it was locked" "says so"
like "$err" "pinned dummy" "and pins the new instance"
no_oops "lockdown"
is "$(ls "$PINS/stale" | grep -c '^dummy-')" 2 "the stale one moved to stale/"
is "$(sysfs dummy refcnt)" 1 "the new instance is held once"

fakectl remove dummy
fakectl add dummy
run_modctl unload -f -t 300ms dummy
is "$status" 0 "unload -f of a module whose pin is stale"
no_oops "unload -f"
nok "dummy is gone" loaded dummy
is "$(ls "$PINS/stale" | grep -c '^dummy-')" 3 "the stale pin is kept"
fakectl add dummy
run_modctl unlock dummy

# a kernel without the backport that zeroes the BTF id: the highest id tells
fakectl bpf keep-btf-id on
run_modctl lockdown dummy
fakectl remove dummy
fakectl add dummy
run_modctl list -r -n -o NAME,PIN dummy
is "$out" "dummy stale" "a reloaded module is told by its newer BTF object"
run_modctl unlock dummy
no_oops "unlock"
fakectl bpf keep-btf-id off
chown 65534 "$PINS/stale"
run_modctl lockdown dummy
fakectl remove dummy
fakectl add dummy
run_modctl lockdown dummy
is "$status" 0 "a stale pin that cannot be moved: lockdown succeeds"
like "$err" "$WHY_PREFIX: dummy \(a stale pin of an earlier instance is in the way\)" "registry-only, and says why"
like "$(cat "$REG")" "^lock dummy$" "the registry records no pin"
is "$(sysfs dummy refcnt)" 0 "the new instance is not held"
no_oops "lockdown"
run_modctl unlock dummy
isnt "$status" 0 "unlock fails while the stale pin cannot be moved"
ok "the stale pin stays where it is" test -e "$PINS/dummy"
ok "and so does the lock" grep -qx 'lock dummy' "$REG"
no_oops "unlock"
chown 0 "$PINS/stale"
run_modctl unlock dummy
is "$status" 0 "once stale/ is root's again, unlock moves it there"

# --- forced unloads release modctl's own pin first -------------------------------------------------
run_modctl lockdown tun
run_modctl unload -f -t 300ms tun
is "$status" 0 "unload -f of a pinned module"
nok "tun is gone" loaded tun
nok "its pin was released first" test -e "$PINS/tun"
no_oops "unload -f"
like "$(cat "$REG")" "^lock tun$" "the lock stays, registry-only"
fakectl add tun
run_modctl lockdown loop
n_stale=$(ls "$PINS/stale" | wc -l)
run_modctl unload -f --kernel-force -t 300ms loop
is "$status" 0 "unload -f --kernel-force of a pinned module"
nok "loop is gone" loaded loop
is "$(ls "$PINS/stale" | wc -l)" "$n_stale" "no stale pin was left behind"
nok "its pin was released first" test -e "$PINS/loop"
no_oops "--kernel-force"
fakectl add loop
run_modctl unlock --all

# --- lockdown --all: vmlinux BTF is parsed once -----------------------------------------------------
fakectl add vxlan
fakectl add snd_dummy
: >"$FAKE_ROOT/.fake/calls/bpf"
run_modctl lockdown --all
is "$status" 0 "lockdown --all"
is "$(ls "$PINS" | grep -vc '^stale')" 5 "every loaded module is pinned"
is "$(calls bpf vmlinux_read)" 1 "vmlinux BTF was parsed once for five modules"
is "$(grep -c '^lock [^ ]* pin=' "$REG")" 5 "the registry records five pins"

# --- who may change and read pins --------------------------------------------------------------------
chmod 0755 "$FAKE_TMP"
run_in_fake "${NOBODY[@]}" "$MODCTL" lockdown tun
is "$status" 6 "an unprivileged user cannot lock: exit 6"
run_in_fake "${NOBODY[@]}" "$MODCTL" unlock tun
is "$status" 6 "nor unlock: exit 6"
ok "the pin stays" test -e "$PINS/tun"
run_in_fake "${NOBODY[@]}" "$MODCTL" list -n -o NAME,LOCK,PIN,PIN_NOTE tun
like "$out" "^tun +pinned +unknown +reading pins needs root \(CAP_SYS_ADMIN\)$" "unprivileged list: the registry's word, the pin unknown"
run_in_fake "${NOBODY[@]}" "$MODCTL" status
like "$out" "kernel-enforced locks: +5 \(as the registry records; root reads the pins\)" "unprivileged status: counted from the registry"
run_modctl unlock --all
is "$status" 0 "unlock --all"
is "$(ls "$PINS" | grep -vc '^stale')" 0 "releases every pin"
no_oops "unlock --all"

done_testing
