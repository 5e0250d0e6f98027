#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lintian finds no error and no warning in the packages make deb built
# (through their .changes: the source package and the binary package).
# Every tag it does print, information and pedantic ones included, is shown
# as a diagnostic.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

deb_need lintian lintian
changes=$(deb_find changes)
if [ -z "$changes" ]; then
	deb_result 1 "a .changes file to check in deb/ (t-build.sh failed?)"
	deb_plan
fi
rc=0
out=$(lintian --fail-on error,warning --display-info --pedantic "$changes" 2>&1) || rc=$?
[ -z "$out" ] || deb_diag "$out"
deb_result "$rc" "lintian --fail-on error,warning $(basename "$changes") (exit status $rc)"
# not a single error or warning line, whatever the exit status says
printf '%s\n' "$out" | grep -q '^[EW]: '
[ $? -ne 0 ]
deb_result $? "lintian prints no E: or W: tag"
deb_plan
