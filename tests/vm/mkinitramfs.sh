#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkinitramfs.sh -k KERNELDIR -o OUT.initrd [-m tap|demo] [-t SECONDS] SCRIPT...
#
# Builds the initramfs the test VM boots, in two parts concatenated into
# OUT.initrd (the kernel unpacks one cpio archive after the other):
#
#  base    $(dirname OUT)/base.cpio.gz, gzip'd newc, rebuilt only when its
#          inputs change (a sha256 stamp of them in base.stamp): busybox and
#          its applet links, kmod's tools, jq, util-linux setpriv, script
#          and flock,
#          systemd-udevd (udevadm and udev's rules; see find_udev), the
#          kernel's config as /boot/config-KVER, their shared libraries,
#          the modules of modules.list with their dependency closure plus
#          depmod's indexes for the guest, /etc
#          (passwd/group with root and nobody), /init (guest-init.sh);
#  overlay rebuilt every time (it is small): the modctl under test ($MODCTL,
#          the real ELF behind a libtool wrapper if need be) and the shared
#          libraries it needs, guest-lib.sh, the SCRIPTs as
#          /vm/scenarios/NAME.sh, /vm/plan (mode, timeout, order),
#          /vm/env (VM_GUEST_ENV) and /vm/paths.sh (VM_PATHS: the build's
#          install locations, MODCTL_SYSCONFDIR and the like).
#
# Environment: MODCTL and VM_PATHS (required), top_srcdir, top_builddir (libtool),
# VM_GUEST_ENV (blank-separated NAME=VALUE words, exported to every
# scenario in the guest: /init sources /vm/env).
# Exit status: 0 ok, 77 a host tool is missing (message names the Debian
# package), 1 other errors.
set -eu

me=mkinitramfs
say() { printf '%s: %s\n' "$me" "$*" >&2; }
die() { say "$*"; exit 1; }
missing() { say "$1 not found: install the Debian package $2"; exit 77; }

here=$(cd "$(dirname "$0")" && pwd)
kdir=
out=
mode=tap
timeout=60
while getopts k:o:m:t: opt; do
	case $opt in
	k) kdir=$OPTARG ;;
	o) out=$OPTARG ;;
	m) mode=$OPTARG ;;
	t) timeout=$OPTARG ;;
	*) die "usage: mkinitramfs.sh -k KERNELDIR -o OUT [-m tap|demo] [-t SECONDS] SCRIPT..." ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$kdir" ] && [ -n "$out" ] || die "-k KERNELDIR and -o OUT are required"
[ -d "$kdir/lib/modules" ] || die "$kdir: no lib/modules (run fetch-kernel.sh)"
kdir=$(cd "$kdir" && pwd -P)
kver=$(ls "$kdir/lib/modules" | head -n 1)
outdir=$(dirname "$out")
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
out="$outdir/$(basename "$out")"
: "${MODCTL:?MODCTL must name the modctl binary to test}"
[ -e "$MODCTL" ] || die "MODCTL=$MODCTL does not exist (build it first: make)"

# --- host tools --------------------------------------------------------------
PATH=$PATH:/usr/sbin:/sbin
for t in cpio:cpio gzip:gzip ldd:libc-bin sha256sum:coreutils; do
	command -v "${t%%:*}" >/dev/null 2>&1 || missing "${t%%:*}" "${t#*:}"
done
depmod=$(command -v depmod) || missing depmod kmod
modprobe=$(command -v modprobe) || missing modprobe kmod
busybox=
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && { busybox=$b; break; }
done
[ -n "$busybox" ] || missing busybox busybox-static
kmod=
for b in /usr/bin/kmod /bin/kmod; do
	[ -x "$b" ] && { kmod=$b; break; }
done
[ -n "$kmod" ] || missing kmod kmod
jq=${JQ:-}
[ -n "$jq" ] && [ -x "$jq" ] || jq=$(command -v jq) || missing jq jq
setpriv=$(command -v setpriv) || missing setpriv util-linux
# script runs a command under a pseudo-terminal (progress lines on a tty)
script=$(command -v script) || missing script bsdutils
# busybox has no flock applet; scenarios that serialise work (the soak) need one
flock=$(command -v flock) || missing flock util-linux
# bpftool shows the BPF objects behind modctl's kernel-enforced locks
bpftool=$(command -v bpftool) || missing bpftool bpftool
# dmsetup maps a device-mapper device (holders.sh: what holds dm_mod)
dmsetup=$(command -v dmsetup) || missing dmsetup dmsetup
# objcopy strips a module's BTF (pin.sh: a lock the kernel cannot hold)
objcopy=$(command -v objcopy) || missing objcopy binutils

# systemd-udevd for the scenarios that test udev settling for real (they
# start it themselves; /init does not). From the host's udev package when
# it is installed, otherwise from Debian's udev package, downloaded once
# with apt-get download and extracted into the kernel cache (next to the
# kernel). Sets udev_root ("" for the host) and udevadm, or udev_why.
udev_root=
udevadm=
udev_why=
find_udev() {
	for _u in /usr/bin/udevadm /bin/udevadm; do
		if [ -x "$_u" ] && { [ -d /usr/lib/udev/rules.d ] || [ -d /lib/udev/rules.d ]; }; then
			udevadm=$_u
			return 0
		fi
	done
	_cache=$(dirname "$kdir")
	for _d in "$_cache"/udev-*; do
		if [ -f "$_d/.complete" ] && [ -x "$_d/bin/udevadm" ]; then
			udev_root=$_d
			udevadm=$_d/bin/udevadm
			return 0
		fi
	done
	if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
		udev_why="no udevadm on the host and no apt-get/dpkg-deb to fetch Debian's udev package"
		return 1
	fi
	(
		set -e
		flock 9 2>/dev/null || :
		# another build may have fetched it while we waited for the lock
		for _d in "$_cache"/udev-*; do
			[ ! -f "$_d/.complete" ] || exit 0
		done
		tmp=$_cache/udev.tmp
		rm -rf "$tmp"
		mkdir -p "$tmp/dl"
		if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
			chown _apt "$tmp/dl" 2>/dev/null || :
		fi
		(cd "$tmp/dl" && apt-get download -q udev >&2)
		deb=$(ls "$tmp"/dl/udev_*.deb | head -n 1)
		v=$(basename "$deb" .deb)
		v=${v#udev_}
		v=${v%_*}
		mkdir -p "$tmp/root"
		dpkg-deb -x "$deb" "$tmp/root"
		touch "$tmp/root/.complete"
		rm -rf "$_cache/udev-$v"
		mv "$tmp/root" "$_cache/udev-$v"
		rm -rf "$tmp"
	) 9>"$_cache/.udev.lock" || {
		udev_why="apt-get download udev failed (no udevadm on the host either)"
		return 1
	}
	for _d in "$_cache"/udev-*; do
		if [ -f "$_d/.complete" ] && [ -x "$_d/bin/udevadm" ]; then
			udev_root=$_d
			udevadm=$_d/bin/udevadm
			return 0
		fi
	done
	udev_why="Debian's udev package has no bin/udevadm"
	return 1
}
if find_udev; then
	say "systemd-udevd from ${udev_root:-the host}"
else
	say "warning: no systemd-udevd in the image: $udev_why"
fi

# --- shared libraries --------------------------------------------------------
# ldd_libs FILE [LDD...]: absolute paths of the libraries FILE needs.
ldd_libs() {
	_f=$1
	shift
	[ $# -gt 0 ] || set -- ldd
	if ! _l=$("$@" "$_f" 2>&1); then
		case $_l in
		*"not a dynamic executable"*) return 0 ;;
		*) die "ldd $_f failed: $_l" ;;
		esac
	fi
	case $_l in *"not found"*) die "ldd $_f: $_l" ;; esac
	printf '%s\n' "$_l" | sed -n \
		-e 's/^[[:space:]]*[^[:space:]]* => \(\/[^[:space:]]*\) (0x.*$/\1/p' \
		-e 's/^[[:space:]]*\(\/[^[:space:]]*\) (0x.*$/\1/p'
}

# Where a host library goes in the guest (usr-merged: /lib -> usr/lib).
libc_dir=$(ldd_libs "$kmod" | sed -n 's,/libc\.so\.[0-9]*$,,p' | head -n 1)
libc_dir=$(printf '%s' "$libc_dir" | sed 's,^/lib,/usr/lib,')
[ -n "$libc_dir" ] || die "cannot find libc in ldd $kmod"
guest_path() {
	case $1 in
	/lib/* | /lib64/*) printf '/usr%s\n' "$1" ;;
	/usr/lib/* | /usr/lib64/*) printf '%s\n' "$1" ;;
	# e.g. a libtool build tree: the default search path finds it here
	*) printf '%s/%s\n' "$libc_dir" "$(basename "$1")" ;;
	esac
}

# install_file SRC DEST-IN-ROOT ROOT [MODE]
install_file() {
	mkdir -p "$3$(dirname "$2")"
	cp -L "$1" "$3$2"
	chmod "${4:-0644}" "$3$2"
}

install_libs() { # ROOT LIB...
	_root=$1
	shift
	for _lib; do
		_g=$(guest_path "$_lib")
		[ -e "$_root$_g" ] || install_file "$_lib" "$_g" "$_root" 0755
	done
}

# make_cpio DIR: newc archive of DIR's contents on stdout, owned by root
make_cpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet)
}

# --- base image --------------------------------------------------------------
base="$outdir/base.cpio.gz"
tools_libs=$(for f in "$busybox" "$kmod" "$jq" "$setpriv" "$script" "$flock" "$bpftool" "$dmsetup" $udevadm; do ldd_libs "$f"; done | sort -u)
stamp=$(
	{
		cat "$here/mkinitramfs.sh" "$here/guest-init.sh" "$here/modules.list"
		printf '%s\n' "$kdir"
		sha256sum "$busybox" "$kmod" "$jq" "$setpriv" "$script" "$flock" "$bpftool" "$dmsetup" "$depmod" "$modprobe" $udevadm $tools_libs
		printf '%s\n' "$udev_root" "$udev_why"
	} | sha256sum | cut -d' ' -f1
)

build_base() {
	root="$outdir/base.root"
	rm -rf "$root"
	mkdir -p "$root"
	chmod 0755 "$root"
	for d in usr/bin usr/sbin usr/lib usr/lib64 etc/modprobe.d dev proc sys run tmp \
		root var/tmp vm/scenarios home; do
		mkdir -p "$root/$d"
	done
	chmod 1777 "$root/tmp" "$root/var/tmp"
	chmod 0700 "$root/root"
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"

	install_file "$kmod" /usr/bin/kmod "$root" 0755
	for t in modprobe rmmod insmod lsmod depmod modinfo; do
		ln -s ../bin/kmod "$root/usr/sbin/$t"
	done
	ln -s kmod "$root/usr/bin/lsmod"
	install_file "$jq" /usr/bin/jq "$root" 0755
	install_file "$setpriv" /usr/bin/setpriv "$root" 0755
	install_file "$script" /usr/bin/script "$root" 0755
	install_file "$flock" /usr/bin/flock "$root" 0755
	install_file "$bpftool" /usr/sbin/bpftool "$root" 0755
	install_file "$dmsetup" /usr/sbin/dmsetup "$root" 0755
	if [ -n "$udevadm" ]; then
		install_file "$udevadm" /usr/bin/udevadm "$root" 0755
		mkdir -p "$root/usr/lib/systemd" "$root/usr/lib/udev/rules.d" "$root/etc/udev/rules.d"
		# udevadm runs as the daemon when called by this name
		ln -s ../../bin/udevadm "$root/usr/lib/systemd/systemd-udevd"
		for r in "$udev_root"/lib/udev/rules.d/*.rules "$udev_root"/usr/lib/udev/rules.d/*.rules; do
			if [ -e "$r" ]; then
				install_file "$r" "/usr/lib/udev/rules.d/$(basename "$r")" "$root"
			fi
		done
	else
		printf '%s\n' "$udev_why" >"$root/etc/no-udevd"
	fi
	install_file "$busybox" /usr/bin/busybox "$root" 0755
	for a in $("$busybox" --list); do
		case $a in busybox | init | linuxrc) continue ;; esac
		# kmod's tools and setpriv win over busybox applets
		[ -e "$root/usr/bin/$a" ] || [ -e "$root/usr/sbin/$a" ] || [ -L "$root/usr/bin/$a" ] ||
			ln -s busybox "$root/usr/bin/$a"
	done
	install_libs "$root" $tools_libs
	printf '%s\n' $tools_libs >"$outdir/base.libs.tmp"

	# Modules: the closure of modules.list, keeping their paths.
	mdir=/usr/lib/modules/$kver
	mkdir -p "$root$mdir"
	mods=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/modules.list")
	emptyconf="$outdir/base.noconf"
	mkdir -p "$emptyconf"
	for m in $mods; do
		deps=$("$modprobe" -d "$kdir" -S "$kver" -C "$emptyconf" --show-depends "$m") ||
			die "module $m (modules.list) not found in $kdir"
		for ko in $(printf '%s\n' "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
			rel=${ko#"$kdir"/lib/modules/"$kver"/}
			[ -e "$root$mdir/$rel" ] || install_file "$ko" "$mdir/$rel" "$root"
		done
	done
	rmdir "$emptyconf"
	# for modctl unload --kernel-force (CONFIG_MODULE_FORCE_UNLOAD)
	if [ -e "$kdir/boot/config-$kver" ]; then
		install_file "$kdir/boot/config-$kver" "/boot/config-$kver" "$root"
	fi
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -e "$kdir/lib/modules/$kver/$f" ] && install_file "$kdir/lib/modules/$kver/$f" "$mdir/$f" "$root"
	done
	"$depmod" -b "$root" "$kver" || die "depmod -b for the guest failed"
	# dummy without its BTF, as an out-of-tree module built without
	# CONFIG_DEBUG_INFO_BTF_MODULES is (and unsigned, so it taints E)
	ko=$(find "$kdir/lib/modules/$kver" -name 'dummy.ko*' | head -n 1)
	[ -n "$ko" ] || die "no dummy.ko in $kdir"
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -q -dc "$ko" ;;
	*.gz) gzip -dc "$ko" ;;
	*) cat "$ko" ;;
	esac >"$outdir/nobtf.ko.tmp" || die "cannot unpack $ko"
	mkdir -p "$root/usr/lib/modctl-test"
	"$objcopy" --remove-section=.BTF "$outdir/nobtf.ko.tmp" "$root/usr/lib/modctl-test/dummy-nobtf.ko" ||
		die "objcopy --remove-section=.BTF $ko failed"
	rm -f "$outdir/nobtf.ko.tmp"

	cat >"$root/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	EOF
	cat >"$root/etc/group" <<-'EOF'
		root:x:0:
		tty:x:5:
		nogroup:x:65534:
	EOF
	printf '%s\n' modctl-vm >"$root/etc/hostname"
	: >"$root/etc/fstab"
	install_file "$here/guest-init.sh" /init "$root" 0755
	# the kernel opens /dev/console before /init; /init copes without it
	if [ "$(id -u)" = 0 ]; then
		mknod -m 0600 "$root/dev/console" c 5 1
	fi

	make_cpio "$root" | gzip -n -6 >"$base.tmp"
	# The kernel looks for the next (uncompressed) archive only at a 4-byte
	# boundary after a compressed one: pad with zeros, which it skips.
	pad=$(( (4 - $(wc -c <"$base.tmp") % 4) % 4 ))
	[ "$pad" -eq 0 ] || head -c "$pad" /dev/zero >>"$base.tmp"
	mv "$base.tmp" "$base"
	mv "$outdir/base.libs.tmp" "$outdir/base.libs"
	printf '%s\n' "$stamp" >"$outdir/base.stamp"
	nmods=$(find "$root$mdir" -name '*.ko*' | wc -l)
	say "built $base ($(du -k "$base" | cut -f1) KiB, kernel $kver, $nmods modules)"
	rm -rf "$root"
}

# Serialise base builds (boot groups may run in parallel).
(
	if command -v flock >/dev/null 2>&1; then
		flock 9
	fi
	if [ -s "$base" ] && [ "$(cat "$outdir/base.stamp" 2>/dev/null)" = "$stamp" ]; then
		exit 0
	fi
	build_base
) 9>"$outdir/.base.lock"

# --- overlay: modctl, scenarios, plan ----------------------------------------
# The real binary behind $MODCTL, and how to run ldd on it.
modctl_real=$MODCTL
if [ "$(head -c 4 "$MODCTL" | od -An -c | tr -d ' ')" != '177ELF' ]; then
	# a libtool wrapper script (shared libraries in the build tree)
	d=$(dirname "$MODCTL")
	n=$(basename "$MODCTL")
	if [ -x "$d/.libs/lt-$n" ]; then
		modctl_real="$d/.libs/lt-$n"
	elif [ -x "$d/.libs/$n" ]; then
		modctl_real="$d/.libs/$n"
	else
		die "$MODCTL is not an ELF file and has no $d/.libs/$n"
	fi
	lt="${top_builddir:-$d}/libtool"
	if [ -x "$lt" ]; then
		# libtool --mode=execute wants the wrapper, not the real file
		modctl_libs=$(ldd_libs "$MODCTL" "$lt" --mode=execute ldd)
	else
		libpath=$(find "${top_builddir:-$d}" -type d -name .libs | tr '\n' ':')
		modctl_libs=$(ldd_libs "$modctl_real" env LD_LIBRARY_PATH="$libpath${LD_LIBRARY_PATH:-}" ldd)
	fi
else
	modctl_libs=$(ldd_libs "$MODCTL")
fi

ov="$out.overlay"
rm -rf "$ov"
mkdir -p "$ov"
chmod 0755 "$ov"
mkdir -p "$ov/usr/bin" "$ov/vm/scenarios"
install_file "$modctl_real" /usr/bin/modctl "$ov" 0755
# libraries the base image has already (the same files: the stamp covers them)
for l in $modctl_libs; do
	grep -qxF "$l" "$outdir/base.libs" || install_libs "$ov" "$l"
done
install_file "$here/guest-lib.sh" /vm/guest-lib.sh "$ov"
# delete_module(2) called directly, as any program may (tests/vm/delete-module.c)
delmod=${top_builddir:-.}/tests/vm/delete-module
[ -x "$delmod" ] || die "$delmod is missing (make builds it with the tests)"
install_file "$delmod" /usr/bin/delete-module "$ov" 0755
# objects that hold module references, for holders.sh (tests/vm/vm-holder.c)
vmholder=${top_builddir:-.}/tests/vm/vm-holder
[ -x "$vmholder" ] || die "$vmholder is missing (make builds it with the tests)"
install_file "$vmholder" /usr/bin/vm-holder "$ov" 0755
# a squashfs image to mount (holders.sh); squashfs-tools makes it here,
# since the guest has no mksquashfs
if command -v mksquashfs >/dev/null 2>&1; then
	mkdir -p "$ov/vm/data" "$out.sqdir"
	echo holders >"$out.sqdir/file"
	mksquashfs "$out.sqdir" "$ov/vm/data/holders.squashfs" -quiet -noappend -all-root >/dev/null
	rm -rf "$out.sqdir"
else
	echo "mkinitramfs: no mksquashfs (squashfs-tools): the image has no squashfs image" >&2
fi
# the install locations of the modctl under test (generated by make)
[ -r "${VM_PATHS:-}" ] || die "VM_PATHS must name the build's tests/vm/paths.sh (make builds it)"
install_file "$VM_PATHS" /vm/paths.sh "$ov"
{
	printf 'mode %s\n' "$mode"
	printf 'timeout %s\n' "$timeout"
	for s; do
		n=$(basename "$s" .sh)
		install_file "$s" "/vm/scenarios/$n.sh" "$ov" 0755
		printf 'scenario %s\n' "$n"
	done
} >"$ov/vm/plan"
# VM_GUEST_ENV: NAME=VALUE words (no blanks in a value), quoted for sh
set -f
for w in ${VM_GUEST_ENV:-}; do
	n=${w%%=*}
	case $w in
	*=*) ;;
	*) die "VM_GUEST_ENV: '$w' is not NAME=VALUE" ;;
	esac
	case $n in
	'' | [0-9]* | *[!A-Za-z0-9_]*) die "VM_GUEST_ENV: '$n' is not a variable name" ;;
	esac
	printf "export %s='%s'\n" "$n" "$(printf '%s' "${w#*=}" | sed "s/'/'\\\\''/g")"
done >"$ov/vm/env"
set +f
make_cpio "$ov" >"$out.overlay.cpio"
cat "$base" "$out.overlay.cpio" >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$ov" "$out.overlay.cpio"
