#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/make-deb builds the source and binary packages from make dist's
# tarball into deb/ of the build tree; they carry AC_INIT's version, the
# source package is native, and the binary package's Depends were computed
# from the libraries modctl links.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

deb_need dpkg-buildpackage dpkg-dev
deb_need dh debhelper
tarball=${DEB_TARBALL:-$top_builddir/modctl-$DEB_VERSION.tar.xz}
[ -f "$tarball" ] || deb_unavailable "no tarball $tarball (run make dist, or make check-deb)"

rc=0
"$top_srcdir/tools/make-deb" "$tarball" "$deb_out" 2>"$deb_builddir/make-deb.err" || rc=$?
[ "$rc" -ne 77 ] || deb_unavailable "$(tail -n 1 "$deb_builddir/make-deb.err")"
deb_result "$rc" "tools/make-deb builds the packages"
[ "$rc" -eq 0 ] || deb_diag "$(cat "$deb_builddir/make-deb.err")"

v=$DEB_VERSION
for f in "modctl_${v}_amd64.deb" "modctl_$v.dsc" "modctl_$v.tar.xz" \
	"modctl_${v}_amd64.buildinfo" "modctl_${v}_amd64.changes"; do
	test -s "$deb_out/$f"
	deb_result $? "deb/$f is there"
done

deb=$deb_out/modctl_${v}_amd64.deb
dsc=$deb_out/modctl_$v.dsc
got=$(sed -n 's/^Format: //p' "$dsc" 2>/dev/null)
[ "$got" = "3.0 (native)" ]
deb_result $? "the source package is native (Format: $got)"
got=$(dpkg-deb -f "$deb" Version 2>/dev/null)
[ "$got" = "$v" ]
deb_result $? "the binary package's version is AC_INIT's ($got, want $v)"
depends=$(dpkg-deb -f "$deb" Depends 2>/dev/null)
deb_diag "Depends: $depends"
for lib in libc6 libkmod2 libsmartcols1 libudev1; do
	printf '%s\n' "$depends" | tr ',' '\n' | grep -q "^ *${lib}\( \|$\)"
	deb_result $? "Depends names $lib (\${shlibs:Depends})"
done
deb_plan
