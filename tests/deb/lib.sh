# SPDX-License-Identifier: LGPL-2.1-or-later
#
# lib.sh: shared by the tests of the Debian package (tests/deb/t-*.sh,
# sourced; POSIX sh). They print TAP on stdout for Automake's tap-driver.
#
# Environment (make check-deb sets them): top_srcdir, top_builddir,
# DEB_VERSION (AC_INIT's version), DEB_TARBALL (make dist's tarball),
# CI=true (a check that cannot run fails instead of skipping).
#
#   deb_result RC DESC         "ok N - DESC" when RC is 0, else "not ok"
#   deb_diag TEXT              TEXT as "# " lines
#   deb_unavailable WHY        the whole test cannot run: a loud SKIP, or
#                              under CI=true a failure; exits
#   deb_need CMD PACKAGE       deb_unavailable unless CMD is found
#   deb_plan                   the plan, once every result is out; exits 0
#                              (the results say what failed)
#   deb_find EXT               the one file *.EXT in $deb_out, or "" (with a
#                              diagnostic) when there is none or several
#   deb_base_root              makes sure $deb_base holds a fresh Debian root
#                              (debootstrap --variant=minbase $deb_suite from
#                              $deb_mirror, plus systemd), made once into
#                              tests/deb/cache of the build tree and reused;
#                              returns 1 with deb_base_why set if it cannot.
#                              Work on a copy of it. DEB_MIRROR
#                              (http://deb.debian.org/debian) and DEB_SUITE
#                              (bookworm) choose the archive.

deb_here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$deb_here/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
DEB_VERSION=${DEB_VERSION:-$(sed -n 's/^AC_INIT(\[modctl\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")}
deb_srcdir=$top_srcdir/tests/deb
deb_builddir=$top_builddir/tests/deb
# where make deb and t-build.sh leave the packages
deb_out=$top_builddir/deb
PATH=$PATH:/usr/sbin:/sbin
deb_mirror=${DEB_MIRROR:-http://deb.debian.org/debian}
deb_suite=${DEB_SUITE:-bookworm}
deb_cache=$deb_builddir/cache
deb_base=$deb_cache/$deb_suite
deb_n=0
deb_failed=0

deb_result() {
	deb_n=$((deb_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $deb_n - $2"
	else
		echo "not ok $deb_n - $2"
		deb_failed=$((deb_failed + 1))
	fi
}

deb_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

deb_unavailable() {
	if [ "${CI:-}" = true ]; then
		deb_result 1 "$(basename "$0" .sh): cannot run: $1"
		echo "# CI=true: a check of the package that cannot run is a failure, not a skip"
		deb_plan
	fi
	echo "1..0 # SKIP PACKAGE CHECK NOT RUN: $1"
	printf '\n*** %s SKIPPED: %s ***\n\n' "$(basename "$0")" "$1" >&2
	exit 0
}

deb_need() {
	command -v "$1" >/dev/null 2>&1 || deb_unavailable "$1 not found (Debian package $2)"
}

deb_plan() {
	echo "1..$deb_n"
	exit 0
}

deb_find() {
	set -- "$deb_out"/*."$1"
	if [ $# -ne 1 ] || [ ! -e "$1" ]; then
		deb_diag "expected exactly one file, found: $*"
		return 0
	fi
	printf '%s\n' "$1"
}

deb_base_root() {
	mkdir -p "$deb_cache"
	(
		flock 9
		[ -f "$deb_base.complete" ] && exit 0
		rm -rf "$deb_base.tmp"
		echo "$(basename "$0"): debootstrap $deb_suite into $deb_base (once; a few minutes)" >&2
		debootstrap --variant=minbase "$deb_suite" "$deb_base.tmp" "$deb_mirror" &&
			chroot "$deb_base.tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				-o Dpkg::Use-Pty=0 --no-install-recommends systemd &&
			chroot "$deb_base.tmp" apt-get clean || exit 1
		rm -rf "$deb_base"
		mv "$deb_base.tmp" "$deb_base"
		touch "$deb_base.complete"
	) 9>"$deb_cache/.lock" >"$deb_cache/base.log" 2>&1 && return 0
	deb_base_why="cannot make the $deb_suite root with debootstrap from $deb_mirror (log: $deb_cache/base.log)"
	return 1
}
