#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What an unload destroys: network interfaces of the module's link kinds,
# in every network namespace, and those stacked on them. unload refuses
# (exit 8) unless --delete-interfaces, for the whole plan at once; status
# lists them. The shim answers rtnetlink from the fake's interface table.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup

netifs() { cut -d' ' -f1-2 "$FAKE_ROOT/.fake/netif" | sort | tr '\n' ' '; }

# --- no interfaces: as before ---------------------------------------------------
fakectl add dummy
run_modctl unload dummy
is "$status" 0 "dummy without interfaces unloads"
nok "dummy is gone" loaded dummy

# --- interfaces in this namespace and in a named one --------------------------------
fakectl add dummy
fakectl add tun
fakectl netif add d0 dummy dummy
fakectl netif add d1 dummy dummy --netns blue
fakectl netif add tap0 tun tun --netns blue
run_modctl unload dummy
is "$status" 8 "unload of dummy with interfaces exits 8"
like "$err" "refusing to unload dummy: it would delete the network interfaces d0 \(dummy\) and d1 \(dummy, in netns blue\)$" \
	"... naming each interface, its kind and its namespace"
like "$err" "nothing was unloaded; --delete-interfaces accepts their deletion" "... and the option that accepts it"
ok "dummy is still loaded" loaded dummy
is "$(calls delete_module dummy)" 1 "... and the kernel was never asked (one call: the first unload)"
is "$(netifs)" "- d0 blue d1 blue tap0 " "... and every interface is still there"

run_modctl unload --kernel-force dummy
is "$status" 8 "--kernel-force does not accept the deletion (exit 8)"
ok "dummy is still loaded" loaded dummy

run_modctl unload -n dummy
is "$status" 8 "unload -n exits 8 too: the unload would be refused"
is "$out" "unload dummy
  delete interface d0 (dummy)
  delete interface d1 (dummy, in netns blue)" "unload -n lists the interfaces the unload would delete"
like "$err" "would refuse to unload dummy" "... and says it would refuse"
run_modctl unload -n --delete-interfaces dummy
is "$status" 0 "unload -n --delete-interfaces exits 0"
ok "dummy is still loaded after the dry runs" loaded dummy

# --- several modules: all or nothing -------------------------------------------------
run_modctl unload tun dummy
is "$status" 8 "unload tun dummy exits 8"
ok "tun, which has interfaces too, is still loaded" loaded tun
fakectl netif del tap0 --netns blue
run_modctl unload loop tun dummy
is "$status" 3 "loop is not loaded: its exit status (3) comes first"
run_modctl unload tun dummy
is "$status" 8 "unload tun dummy: tun has no interface left, dummy has"
ok "tun is still loaded: nothing is half done" loaded tun
is "$(calls delete_module)" 1 "no delete_module call at all (one: the first unload)"

# --- many interfaces: a handful named ------------------------------------------------
for i in 2 3 4 5 6 7; do fakectl netif add "d$i" dummy dummy; done
run_modctl unload dummy
is "$status" 8 "eight dummy interfaces: exit 8"
like "$err" "d0 \(dummy\), d2 \(dummy\), d3 \(dummy\), d4 \(dummy\), d5 \(dummy\) and 3 more$" \
	"five are named, then how many more"
for i in 2 3 4 5 6 7; do fakectl netif del "d$i"; done

# --- stacked interfaces go with their lower one -----------------------------------------
fakectl add macvlan
fakectl netif add mv0 macvlan macvlan --link d0
fakectl netif add mv0.7 vlan 8021q --link mv0
fakectl netif add gre1 gre ip_gre --link d0
run_modctl unload -n dummy
is "$out" "unload dummy
  delete interface d0 (dummy)
  delete interface d1 (dummy, in netns blue)
  delete interface mv0 (macvlan)
  delete interface mv0.7 (vlan)" "a macvlan on d0 and a vlan on that go too; a tunnel bound to d0 does not"
run_modctl unload macvlan
is "$status" 8 "macvlan with an interface: exit 8"
like "$err" "mv0 \(macvlan\) and mv0.7 \(vlan\)$" "... naming the vlan on it too"

# --- status --------------------------------------------------------------------
run_modctl status dummy
is "$status" 0 "status dummy exits 0"
like "$out" "^  Deletes: +interface d0 \(dummy\)$" "status lists the interfaces an unload deletes"
like "$out" "^ +interface d1 \(dummy, in netns blue\)$" "... in every namespace"
run_modctl status -J dummy loop
is "$status" 3 "status -J dummy loop: loop is not loaded (3)"
json_valid "$out" "status -J is valid JSON"
json_is "$out" '.modules[0].destroys | map(.name)' '["d0","d1","mv0","mv0.7"]' "status -J: destroys names them"
json_is "$out" '.modules[0].destroys[1] | {type, name, kind, netns, netns_self}' \
	'{"type":"interface","name":"d1","kind":"dummy","netns":"blue","netns_self":false}' \
	"... with type, kind and namespace"
json_is "$out" '.modules[0].destroys[0] | {netns, netns_self}' '{"netns":null,"netns_self":true}' \
	"... null for modctl's own namespace"
json_is "$out" '.modules[0].destroys_complete' true "... and every namespace was inspected"
fakectl add loop
run_modctl status -J loop
json_is "$out" '.modules[0].destroys' '[]' "a module without link kinds destroys nothing"
run_modctl status tun
like "$out" "^  Deletes: +no interfaces$" "status tun: a module of a link kind without interfaces"

# --- accepted: deleted and unloaded ---------------------------------------------------
run_modctl unload --delete-interfaces dummy
is "$status" 0 "unload --delete-interfaces dummy exits 0"
nok "dummy is gone" loaded dummy
like "$err" "unloading dummy deletes d0 \(dummy\), d1 \(dummy, in netns blue\), mv0 \(macvlan\) and mv0.7 \(vlan\)" \
	"... saying what it deleted"
is "$(netifs)" "- gre1 " "... and the fake kernel deleted them with it, stacked ones too"

# --- --with-deps: a dependency that would go too ----------------------------------------
fakectl add dummy
fakectl add mydrv --deps dummy
fakectl netif add d0 dummy dummy
run_modctl unload --with-deps mydrv
is "$status" 8 "unload --with-deps mydrv exits 8: its dependency dummy has an interface"
like "$err" "refusing to unload dummy \(a dependency --with-deps would unload\): it would delete the network interface d0 \(dummy\)$" \
	"... saying it is a dependency"
ok "mydrv is still loaded: nothing is half done" loaded mydrv
run_modctl unload mydrv
is "$status" 0 "without --with-deps, mydrv alone unloads"
fakectl add mydrv --deps dummy
run_modctl unload --with-deps --delete-interfaces mydrv
is "$status" 0 "--with-deps --delete-interfaces exits 0"
nok "mydrv is gone" loaded mydrv
nok "dummy is gone" loaded dummy

# --- a module libkmod has no file for: its own name is the kind -------------------------
fakectl add ghost
fakectl netif add g0 ghost ghost
fakectl netif add h0 haunt ghost
run_modctl unload -n ghost
is "$out" "unload ghost
  delete interface g0 (ghost)" "a module without a file: the kind of its name"

# --- a namespace that cannot be inspected -------------------------------------------
fakectl add dummy
touch "$FAKE_ROOT/run/netns/stale"
fakectl netif deny stale EINVAL
run_modctl unload -n dummy
is "$status" 0 "a file in /run/netns that is no namespace (setns: EINVAL) is passed over"
fakectl netif add r0 dummy dummy --netns red
fakectl netif deny red EACCES
run_modctl unload dummy
is "$status" 6 "a namespace modctl may not enter: exit 6"
like "$err" "cannot tell which network interfaces the unload would delete: 1 network namespace could not be inspected \(Permission denied\)" \
	"... saying it cannot tell, and why"
ok "dummy is still loaded" loaded dummy
run_modctl status -J dummy
json_is "$out" '.modules[0].destroys_complete' false "status -J: destroys_complete is false"
run_modctl status dummy
like "$out" "^ +\(1 network namespace could not be inspected: Permission denied\)$" "status says the list may be incomplete"
chmod 0755 "$FAKE_TMP"
run_in_fake setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all -- \
	"$MODCTL" unload -n dummy
is "$status" 0 "a dry run without CAP_SYS_MODULE (which could not unload anyway) exits 0"
is "$out" "unload dummy" "... printing the plan"
like "$err" "warning: cannot tell all the network interfaces the unload would delete" "... with a warning"
run_modctl unload loop
is "$status" 0 "a module without link kinds unloads regardless"
run_modctl unload --delete-interfaces dummy
is "$status" 0 "--delete-interfaces unloads anyway"
nok "dummy is gone" loaded dummy

# --- a permanent module: the kernel keeps it, and its interfaces ---------------------------
fakectl add perm_if --permanent
fakectl netif add p0 perm_if perm_if
run_modctl unload perm_if
is "$status" 1 "a permanent module with interfaces: exit 1, as any permanent module"
like "$err" "no exit function \(permanent\)" "... for its permanence, not for interfaces it cannot lose"
run_modctl unload --kernel-force perm_if
is "$status" 8 "--kernel-force would remove it: then the interfaces count (exit 8)"
ok "perm_if is still loaded" loaded perm_if

# --- help -------------------------------------------------------------------------
run_modctl unload --help
like "$out" "--delete-interfaces" "unload --help lists --delete-interfaces"
like "$out" "8 refused because the unload" "... and exit status 8"

done_testing
