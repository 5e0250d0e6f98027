#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2016 # $M is expanded by the shell load_compare starts
# Differential, one module with its dependency chain at a time: modctl load
# and kmod's modprobe, each from a clean state, must leave the kernel in the
# same state: the same modules loaded (names in /proc/modules) and the same
# parameter values (/sys/module/*/parameters of every module loaded).
# (load_compare: guest-lib.sh; options and aliases: load-diff-opts.sh)
set -eu
. /vm/guest-lib.sh

diff_setup
load_compare "vxlan (udp_port from modprobe.d)" "vxlan" '$M vxlan'
load_compare "geneve" "geneve" '$M geneve'
load_compare "bridge (three levels)" "bridge" '$M bridge'
load_compare "macvtap" "macvtap" '$M macvtap'
load_compare "veth" "veth" '$M veth'
load_compare "wireguard (crypto chain)" "wireguard" '$M wireguard'
load_compare "nft_chain_nat (conntrack chain with softdeps)" "nft_chain_nat" '$M nft_chain_nat'
load_compare "openvswitch" "openvswitch" '$M openvswitch'
rm -f /etc/modprobe.d/diff.conf
unload_all
