# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# What differs between the kernel lines the VM tier boots, in what modctl
# reads, played by the fake kernel for each: sourced by t-kernel-6.1.sh and
# t-kernel-6.12.sh after they set FAKE_KERNEL. Debian's 6.12 ships its
# modules xz-compressed (.ko.xz), has a '+' in its release and does not
# list unix in modules.builtin (af_packet is there); 6.1 ships plain .ko
# files and lists unix.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/lib.sh"
fake_setup

case $FAKE_KERNEL in
6.1) ext=.ko builtin=unix other=af_packet ;;
6.12) ext=.ko.xz builtin=af_packet other=unix ;;
esac
note "kernel line $FAKE_KERNEL: release $FAKE_RELEASE, modules *$ext, built in: $builtin"

run_modctl load vxlan
is "$status" 0 "load vxlan (modules *$ext) exits 0"
is "$(proc_modules | cut -d' ' -f1 | sort | paste -sd' ')" "ip6_udp_tunnel udp_tunnel vxlan" \
	"... with the dependencies modules.dep gives for the $ext files"
run_modctl list -r -n -o NAME,PATH vxlan
is "$out" "vxlan /lib/modules/$FAKE_RELEASE/kernel/drivers/net/vxlan/vxlan$ext" "list -o PATH names the $ext file"
run_modctl status vxlan
like "$out" "Path: +/lib/modules/$(re_quote "$FAKE_RELEASE")/kernel/drivers/net/vxlan/vxlan$(re_quote "$ext")\$" \
	"status names it too"
run_modctl load -n dummy numdummies=3
is "$status:$out" "0:load dummy /lib/modules/$FAKE_RELEASE/kernel/drivers/net/dummy$ext numdummies=3" \
	"load -n shows the file and the release as they are"
run_modctl load "$FAKE_MODDIR/kernel/drivers/net/dummy$ext"
is "$status" 0 "load of a $ext path exits 0"
ok "... and loads dummy" loaded dummy
run_modctl load nosuch
is "$status" 3 "load of a module that does not exist exits 3"
like "$err" "module nosuch not found in /lib/modules/$(re_quote "$FAKE_RELEASE")" "... naming this release's module directory"

run_modctl load "$builtin"
is "$status" 0 "load $builtin (built in on this kernel line) exits 0"
run_modctl refcnt "$builtin"
is "$status" 1 "refcnt $builtin exits 1"
run_modctl unload "$builtin"
is "$status" 1 "unload $builtin exits 1"
like "$err" "built into the kernel" "... saying it is built in"
run_modctl wait -t 100ms "$builtin"
is "$status" 0 "wait $builtin: a built-in module counts as loaded"
run_modctl load "$other"
is "$status" 3 "load $other (neither built in nor a file on this kernel line) exits 3"

run_modctl unload --with-deps vxlan
is "$status" 0 "unload --with-deps vxlan exits 0"
is "$(proc_modules | cut -d' ' -f1)" "dummy" "... leaving only dummy"

done_testing
