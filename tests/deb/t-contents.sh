#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The .deb holds exactly the files of tests/deb/files.list, with their
# modes and owners: every listed path is there, and nothing else is.
# files.list has one "MODE OWNER PATH" line per entry of `dpkg-deb -c`
# (directories end in "/", symbolic links read "PATH -> TARGET"), sorted
# by path.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

deb_need dpkg-deb dpkg
list=$deb_srcdir/files.list
deb=$deb_out/modctl_${DEB_VERSION}_amd64.deb
if [ ! -s "$deb" ]; then
	deb_result 1 "a .deb to list in deb/ (t-build.sh failed?)"
	deb_plan
fi
# dpkg-deb -c: MODE OWNER SIZE DATE TIME ./PATH [-> TARGET]
got=$deb_builddir/files.got
dpkg-deb -c "$deb" | awk '{
	path = $6; sub(/^\./, "", path)
	rest = ""; for (i = 7; i <= NF; i++) rest = rest " " $i
	print $1, $2, path rest
}' | LC_ALL=C sort -k 3 >"$got"
deb_result $? "dpkg-deb -c $(basename "$deb")"
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	grep -qxF -- "$line" "$got"
	deb_result $? "the package has $line"
done <"$list"
extra=$(grep -v '^#' "$list" | grep -vxF -f - "$got")
[ -z "$extra" ]
deb_result $? "the package has nothing that tests/deb/files.list does not list"
[ -z "$extra" ] || deb_diag "not in the list:" "$extra"
deb_plan
