#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Differential: modctl unload --with-deps against kmod's modprobe -r, each
# from the same loaded state. modctl unloads holders first and so can free
# dependencies kmod leaves behind; it must never leave what modprobe -r
# removes, nor remove what is not a dependency. (unload_compare: guest-lib.sh)
set -eu
. /vm/guest-lib.sh

unload_compare "vxlan alone" "vxlan" "vxlan" "vxlan"
unload_compare "vxlan while geneve shares udp_tunnel" "vxlan geneve" "vxlan" "vxlan"
unload_compare "bridge" "bridge" "bridge" "bridge"
unload_compare "nft_chain_nat" "nft_chain_nat" "nft_chain_nat" "nft_chain_nat"
unload_compare "the benchmark set" "$DIFF_BENCH_SET" "$DIFF_BENCH_SET" "-a $DIFF_BENCH_SET"
unload_compare "macvtap and wireguard, veth loaded on its own" "macvtap wireguard veth" "macvtap wireguard" "-a macvtap wireguard"
unload_all
