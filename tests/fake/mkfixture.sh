#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkfixture.sh MODULES_SRCDIR OUTPUT.tar
#
# Builds the fixture tree of the fake kernel tier and packs it into
# OUTPUT.tar (a single file, so "make clean"/distcheck can remove it):
# a fake kernel skeleton (fakectl init), crafted .ko files compiled from
# MODULES_SRCDIR/*.c with $CC -c, modules.order/builtin, and the indexes
# made by the real "depmod -b ROOT RELEASE".  Nothing is loaded.
#
# Environment: CC (default cc), DEPMOD (default: depmod from PATH or
# /usr/sbin, /sbin), FAKECTL (path of the built fakectl, required),
# FK_KERNEL (6.1, the default, or 6.12), FK_RELEASE (default 6.1.0-fake, or
# 6.12.0-fake+deb12 for FK_KERNEL=6.12).
#
# FK_KERNEL=6.12 builds the tree as Debian's 6.12 kernels ship it where that
# differs in what modctl (or libkmod for it) reads: modules compressed with
# xz (.ko.xz, which libkmod decompresses itself), a release with a '+',
# and a modules.builtin that does not list unix (af_packet is there).
set -eu

srcdir=${1:?usage: mkfixture.sh MODULES_SRCDIR OUTPUT.tar}
out=${2:?usage: mkfixture.sh MODULES_SRCDIR OUTPUT.tar}
: "${FAKECTL:?FAKECTL must name the built fakectl}"
CC=${CC:-cc}
kernel=${FK_KERNEL:-6.1}
case $kernel in
6.1) release=${FK_RELEASE:-6.1.0-fake} ;;
6.12) release=${FK_RELEASE:-6.12.0-fake+deb12} ;;
*) echo "mkfixture.sh: FK_KERNEL=$kernel: 6.1 or 6.12" >&2; exit 2 ;;
esac
if [ -z "${DEPMOD:-}" ]; then
	DEPMOD=$(PATH=$PATH:/usr/sbin:/sbin command -v depmod || true)
fi
if [ -z "$DEPMOD" ] || [ ! -x "$DEPMOD" ]; then
	echo "mkfixture.sh: depmod not found (install kmod)" >&2
	exit 1
fi
# never run the tools below under the shim
unset LD_PRELOAD MODCTL_FAKE_ROOT || true

case $out in /*) ;; *) out=$(pwd)/$out ;; esac
tmp=$(mktemp -d "$out.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root
"$FAKECTL" "$root" init --release "$release"
moddir=$root/lib/modules/$release

# source  path-below-lib/modules/RELEASE  signed?
modules="
ip6_udp_tunnel kernel/net/ipv6/ip6_udp_tunnel.ko yes
udp_tunnel     kernel/net/ipv4/udp_tunnel.ko yes
vxlan          kernel/drivers/net/vxlan/vxlan.ko yes
tun            kernel/drivers/net/tun.ko yes
dummy          kernel/drivers/net/dummy.ko yes
loop           kernel/drivers/block/loop.ko yes
crc32c_generic kernel/crypto/crc32c_generic.ko yes
libcrc32c      kernel/lib/libcrc32c.ko yes
snd-dummy      kernel/sound/drivers/snd-dummy.ko yes
fake_perm      kernel/drivers/misc/fake_perm.ko yes
fake_oot       extra/fake_oot.ko no
"

: > "$moddir/modules.order"
echo "$modules" | while read -r src path signed; do
	[ -n "$src" ] || continue
	mkdir -p "$moddir/$(dirname "$path")"
	"$CC" -c -O2 -g0 -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
		-ffreestanding -nostdinc -I"$srcdir" -DFK_RELEASE="\"$release\"" \
		-o "$moddir/$path" "$srcdir/$src.c"
	if [ "$signed" = yes ]; then
		# struct module_signature (12 bytes, sig_len 0) + magic: the fake
		# kernel treats the module as signed; kmod shows no signer
		printf '\000\000\000\000\000\000\000\000\000\000\000\000~Module signature appended~\n' >> "$moddir/$path"
	fi
	if [ "$kernel" = 6.12 ]; then
		# as the kernel's own build compresses them (CONFIG_MODULE_COMPRESS_XZ)
		xz --check=crc32 --lzma2=dict=1MiB -z "$moddir/$path"
		path=$path.xz
	fi
	case $path in kernel/*) echo "$path" >> "$moddir/modules.order" ;; esac
done

# a built-in module (modprobe unix / net-pf-1 resolve to it; on 6.12,
# af_packet / net-pf-17)
if [ "$kernel" = 6.12 ]; then
	echo kernel/net/packet/af_packet.ko > "$moddir/modules.builtin"
	printf 'af_packet.alias=net-pf-17\000af_packet.license=GPL\000af_packet.file=net/packet/af_packet\000' > "$moddir/modules.builtin.modinfo"
else
	echo kernel/net/unix/unix.ko > "$moddir/modules.builtin"
	printf 'unix.alias=net-pf-1\000unix.license=GPL\000unix.file=net/unix/unix\000' > "$moddir/modules.builtin.modinfo"
fi

"$DEPMOD" -b "$root" "$release"

# sanity: depmod must have computed the chain from the symbols
x=
[ "$kernel" = 6.1 ] || x=.xz
grep -q "^kernel/drivers/net/vxlan/vxlan.ko$x: kernel/net/ipv4/udp_tunnel.ko$x kernel/net/ipv6/ip6_udp_tunnel.ko$x\$" "$moddir/modules.dep" ||
grep -q "^kernel/drivers/net/vxlan/vxlan.ko$x: kernel/net/ipv6/ip6_udp_tunnel.ko$x kernel/net/ipv4/udp_tunnel.ko$x\$" "$moddir/modules.dep" || {
	echo "mkfixture.sh: depmod did not compute vxlan's dependencies:" >&2
	cat "$moddir/modules.dep" >&2
	exit 1
}

tar -C "$root" -cf "$tmp/fixture.tar" .
mv -f "$tmp/fixture.tar" "$out"
