#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build-Depends are complete: in a fresh Debian root (lib.sh's
# deb_base_root, copied to tests/deb/out/build-root), apt-get build-dep
# installs what debian/control asks for (and build-essential), and nothing
# else is needed to build the binary package from make deb's source
# package, which then holds what the one of make deb holds. Needs root and
# network access to Debian's archive; the copy is removed when all went
# well.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

[ "$(id -u)" = 0 ] || deb_unavailable "needs root (chroot, apt in the chroot)"
deb_need debootstrap debootstrap
deb_need dpkg-source dpkg-dev
v=$DEB_VERSION
dsc=$deb_out/modctl_$v.dsc
if [ ! -s "$dsc" ]; then
	deb_result 1 "deb/$(basename "$dsc") to build (t-build.sh failed?)"
	deb_plan
fi
deb_base_root || deb_unavailable "$deb_base_why"

root=$deb_builddir/out/build-root
log=$deb_builddir/out/clean-build.log
rm -rf "$root"
mkdir -p "$(dirname "$root")"
cp -a "$deb_base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :
mkdir -p "$root/build"
rc=0
dpkg-source -x "$dsc" "$root/build/modctl-$v" >"$log" 2>&1 || rc=$?
deb_result "$rc" "dpkg-source -x $(basename "$dsc")"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }
rc=0
in_root apt-get update -q >>"$log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || deb_unavailable "apt-get update in the $deb_suite root failed (log: $log)"
rc=0
in_root apt-get build-dep -y -q -o Dpkg::Use-Pty=0 "/build/modctl-$v" >>"$log" 2>&1 || rc=$?
deb_result "$rc" "apt-get build-dep installs the Build-Depends of debian/control"
rc=0
in_root sh -c "cd /build/modctl-$v && dpkg-buildpackage -us -uc -b" >>"$log" 2>&1 || rc=$?
deb_result "$rc" "dpkg-buildpackage -b in the fresh root with nothing but the Build-Depends"
[ "$rc" -eq 0 ] || deb_diag "$(tail -n 25 "$log")" "(log: $log)"
listing() { dpkg-deb -c "$1" 2>/dev/null | awk '{ print $1, $2, $6, $7, $8 }'; }
got=$(listing "$root/build/modctl_${v}_amd64.deb")
want=$(listing "$deb_out/modctl_${v}_amd64.deb")
[ -n "$got" ] && [ "$got" = "$want" ]
deb_result $? "its .deb holds what make deb's holds"
[ "$deb_failed" -ne 0 ] || rm -rf "$root"
deb_plan
