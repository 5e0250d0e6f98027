#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2016 # $M is expanded by the shell load_compare starts
# Differential, several modules in one call: modctl load of modules.list's
# 20-module benchmark set against kmod's modprobe -a, several modules with
# parameters, and loading what is loaded already. (load_compare: guest-lib.sh)
set -eu
. /vm/guest-lib.sh

diff_setup
load_compare "the benchmark set, 20 modules in one call" "$DIFF_BENCH_SET" "\$M -a $DIFF_BENCH_SET"
load_compare "several, with parameters" "dummy numdummies=2 loop max_loop=3 vxlan ifb numifbs=3" \
	'$M dummy numdummies=2 && $M loop max_loop=3 && $M vxlan && $M ifb numifbs=3'
load_compare "a module already loaded, loaded again" "bridge bridge" '$M bridge && $M bridge'
rm -f /etc/modprobe.d/diff.conf
unload_all
