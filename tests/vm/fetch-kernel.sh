#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# fetch-kernel.sh CACHEDIR META
#
# Make sure CACHEDIR holds the newest kernel that Debian's metapackage META
# (linux-image-amd64, linux-image-6.12-amd64, ...) depends on, extracted,
# with a modules.dep: CACHEDIR/linux is a symlink to a directory containing
#   boot/vmlinuz-KVER   and   lib/modules/KVER/{kernel/...,modules.dep,...}
# On success prints that directory's absolute path on stdout. Each kernel
# line of the VM tier has a CACHEDIR of its own (host-lib.sh).
#
# VM_KERNEL_PKG=linux-image-... names the package itself instead. It is
# fetched with `apt-get download` (no root needed once the package lists
# exist; as root `apt-get update` is run when apt knows no such package)
# and reused as long as the archive offers the same version. Without a
# usable archive a kernel already in the cache is reused, with a warning.
#
# Exit status: 0 ok, 77 no kernel can be had (no apt, no network, no cache),
# 1 anything else. Messages go to stderr.
set -eu

me=fetch-kernel
say() { printf '%s: %s\n' "$me" "$*" >&2; }
die() { say "$*"; exit 1; }

[ $# -eq 2 ] || die "usage: fetch-kernel.sh CACHEDIR META"
meta=$2
mkdir -p "$1"
cache=$(cd "$1" && pwd)

# Serialise concurrent callers (make -j check runs boot groups in parallel).
if command -v flock >/dev/null 2>&1 && [ -z "${VM_FETCH_LOCKED:-}" ]; then
	VM_FETCH_LOCKED=1 exec flock "$cache/.lock" "$0" "$@"
fi

# Reuse whatever the cache has (offline fallback).
reuse_cached() {
	if [ -d "$cache/linux/boot" ] && [ -f "$cache/linux/.complete" ]; then
		say "warning: $1; reusing the cached kernel $(readlink "$cache/linux")"
		printf '%s\n' "$(cd "$cache/linux" && pwd -P)"
		exit 0
	fi
	say "$1"
	exit 77
}

command -v apt-cache >/dev/null 2>&1 || reuse_cached "apt-cache not found (not a Debian system?)"

# Which linux-image-VERSION-amd64 does the metapackage point to?
resolve_pkg() {
	apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*-amd64\) *$/\1/p' | head -n 1
}
candidate() {
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | head -n 1
}

pkg=${VM_KERNEL_PKG:-}
[ -n "$pkg" ] || pkg=$(resolve_pkg)
ver=
[ -z "$pkg" ] || ver=$(candidate "$pkg")
if [ -z "$pkg" ] || [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	if [ "$(id -u)" = 0 ]; then
		say "apt knows no kernel package yet: running apt-get update"
		apt-get update >&2 || reuse_cached "apt-get update failed"
		[ -n "${VM_KERNEL_PKG:-}" ] || pkg=$(resolve_pkg)
		[ -z "$pkg" ] || ver=$(candidate "$pkg")
	fi
fi
if [ -z "$pkg" ] || [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	if [ -n "${VM_KERNEL_PKG:-}" ]; then
		reuse_cached "apt has no package $VM_KERNEL_PKG (VM_KERNEL_PKG)"
	fi
	reuse_cached "cannot resolve the kernel package ($meta's dependency); run apt-get update as root"
fi

# dpkg file names encode an epoch ':' as '%3a'
fver=$(printf '%s' "$ver" | sed 's/:/%3a/g')
name="${pkg}_${fver}"
dir="$cache/$name"

if [ ! -f "$dir/.complete" ]; then
	deb="$cache/${name}_amd64.deb"
	if [ ! -s "$deb" ]; then
		say "downloading $pkg $ver"
		tmp="$cache/dl.tmp"
		rm -rf "$tmp"
		mkdir -p "$tmp"
		# apt downloads as the _apt user when that user can write there
		if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
			chown _apt "$tmp" 2>/dev/null || :
		fi
		if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" >&2); then
			rm -rf "$tmp"
			reuse_cached "apt-get download $pkg=$ver failed"
		fi
		got=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
		[ -n "$got" ] || { rm -rf "$tmp"; die "apt-get download left no .deb"; }
		mv "$got" "$deb"
		rm -rf "$tmp"
	fi
	say "extracting $(basename "$deb")"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	dpkg-deb -x "$deb" "$dir.tmp" || { rm -rf "$dir.tmp"; die "dpkg-deb -x $deb failed"; }
	kver=$(ls "$dir.tmp/lib/modules" | head -n 1)
	[ -n "$kver" ] && [ -f "$dir.tmp/boot/vmlinuz-$kver" ] ||
		{ rm -rf "$dir.tmp"; die "$deb has no boot/vmlinuz-KVER + lib/modules/KVER"; }
	# The package ships no modules.dep: build the indexes here, once.
	depmod=$(command -v depmod || echo /sbin/depmod)
	"$depmod" -b "$dir.tmp" "$kver" || { rm -rf "$dir.tmp"; die "depmod -b failed"; }
	touch "$dir.tmp/.complete"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	# the .deb is no longer needed (the extracted tree is the cache)
	rm -f "$deb"
fi

# The bzImage decompresses itself in ~5 s under TCG. Its payload, an ELF
# vmlinux with a PVH entry note, boots directly (qemu -kernel vmlinux) and
# skips that: extract it once. Debian's 6.1 compresses it with xz, 6.12
# with zstd. Without the tools or the note, run.sh simply boots the bzImage.
kver=$(ls "$dir/lib/modules" | head -n 1)
pvh_extract() { # MAGIC-REGEX DECOMPRESSOR...
	_magic=$1
	shift
	command -v "$1" >/dev/null 2>&1 || return 1
	_off=$(LC_ALL=C grep -obUaP "$_magic" "$z" 2>/dev/null | head -n 1 | cut -d: -f1) || _off=
	[ -n "$_off" ] || return 1
	# the payload is followed by other data: keep what decompresses
	tail -c +$((_off + 1)) "$z" | "$@" >"$dir/boot/vmlinux.tmp" 2>/dev/null || :
	readelf -n "$dir/boot/vmlinux.tmp" 2>/dev/null | grep -q 'Xen.*0x00000012'
}
if [ ! -e "$dir/boot/vmlinux-$kver" ] && [ ! -e "$dir/boot/.no-pvh" ]; then
	z="$dir/boot/vmlinuz-$kver"
	if command -v readelf >/dev/null 2>&1 &&
		{ pvh_extract '\xfd7zXZ\x00' xz -dc --single-stream ||
			pvh_extract '\x28\xb5\x2f\xfd' zstd -dc; }; then
		mv "$dir/boot/vmlinux.tmp" "$dir/boot/vmlinux-$kver"
	else
		rm -f "$dir/boot/vmlinux.tmp"
		say "note: no PVH vmlinux could be extracted from $z; booting the bzImage (slower)"
		touch "$dir/boot/.no-pvh"
	fi
fi
printf '%s %s\n' "$pkg" "$ver" >"$dir/.package"

# Point cache/linux at it; drop other (older) extracted kernels.
ln -sfn "$name" "$cache/linux.new"
mv -T "$cache/linux.new" "$cache/linux"
for old in "$cache"/linux-image-*; do
	[ -e "$old" ] || continue
	[ "$(basename "$old")" = "$name" ] && continue
	say "removing old cache entry $(basename "$old")"
	rm -rf "$old"
done

printf '%s\n' "$dir"
