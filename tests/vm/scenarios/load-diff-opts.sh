#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck disable=SC2016 # $M is expanded by the shell load_compare starts
# Differential, options and aliases: modctl load and kmod's modprobe, each
# from a clean state, with options from modprobe.d, PARAM=VALUE words and
# aliases (the kernel's and modprobe.d's), softdeps and install commands,
# must leave the same modules and
# the same parameter values. (load_compare: guest-lib.sh)
set -eu
. /vm/guest-lib.sh

diff_setup
load_compare "bonding with options from modprobe.d" "bonding" '$M bonding'
load_compare "bonding, modprobe.d options plus a PARAM=VALUE" "bonding max_bonds=3" '$M bonding max_bonds=3'
load_compare "loop with max_loop from modprobe.d" "loop" '$M loop'
load_compare "loop max_loop=2 given" "loop max_loop=2" '$M loop max_loop=2'
load_compare "dummy numdummies=4" "dummy numdummies=4" '$M dummy numdummies=4'
load_compare "the alias char-major-10-200" "char-major-10-200" '$M char-major-10-200'
load_compare "an alias from modprobe.d" "diff-alias-bridge" '$M diff-alias-bridge'
load_compare "a softdep from modprobe.d (ifb: pre nlmon, post veth)" "ifb" '$M ifb'
load_compare "an install command from modprobe.d (ipip)" "ipip" '$M ipip'
rm -f /etc/modprobe.d/diff.conf
unload_all
