#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Static analysis as tests: cppcheck and clang-tidy must be clean on src/.
# Configuration: .cppcheck-suppressions and .clang-tidy at the top; every
# suppression in the code carries its reason next to it.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
n=0 failed=0
result() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
missing() {
	if [ "${CI:-}" = true ]; then result 1 "$1 (not installed, and CI must run it)"; else n=$((n + 1)); echo "ok $n # SKIP $1 not installed"; fi
}
echo "1..2"
defs=(-D_GNU_SOURCE -DRUNSTATEDIR='"/run"' -DSYSCONFDIR='"/etc"' -DBINDIR='"/usr/bin"' -DPREFIX_LIBDIR='"/usr/lib"')
if command -v cppcheck >/dev/null; then
	out=$(cppcheck -q --enable=warning,style,performance,portability --inline-suppr --error-exitcode=1 \
		--suppressions-list="$srcdir/.cppcheck-suppressions" --std=c11 -I "$srcdir/src" "${defs[@]}" \
		--include="$builddir/config.h" "$srcdir/src" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '# %s\n' "$out" | head -40
	result "$rc" "cppcheck finds nothing in src/"
else
	missing cppcheck
fi
if command -v clang-tidy >/dev/null; then
	rc=0
	for f in "$srcdir"/src/*.c; do
		out=$(cd "$srcdir" && clang-tidy -quiet "$f" -- -include "$builddir/config.h" -I"$builddir" -I"$srcdir/src" \
			"${defs[@]}" ${LINT_PKG_CFLAGS:-$(pkg-config --cflags libkmod smartcols libudev)} 2>&1) || rc=1
		printf '%s\n' "$out" | grep -E 'warning:|error:' | sed 's/^/# /'
	done
	result "$rc" "clang-tidy finds nothing in src/"
else
	missing clang-tidy
fi
exit "$failed"
