#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The .deb installed by apt into a fresh Debian 12 root, as an administrator
# would install it:
#   * apt resolves its Depends against Debian's archive, and every library
#     modctl needs comes from a package in Depends;
#   * every file dpkg -L lists is there, the unit is enabled, and
#     systemd-analyze verify (the root's own) finds nothing wrong with the
#     installed unit, whose ExecStart must exist there;
#   * the installed modctl runs on the real kernel in the VM of tests/vm
#     (guest-cycle.sh): --version, status, load, lockdown, unload refused,
#     unlock, unload, and the unit's command with a lockdown.d file;
#   * dpkg -r then dpkg -P leave no file of the package behind: nothing
#     that was not in the root before the installation and belongs to no
#     other package.
#
# The root: debootstrap --variant=minbase bookworm plus systemd, made once
# into tests/deb/cache/bookworm of the build tree and reused (make distclean
# removes it); each run works on a copy, tests/deb/out/root. Needs root and
# network access to Debian's archive. Environment: DEB_MIRROR (Debian
# mirror, http://deb.debian.org/debian), DEB_SUITE (bookworm), and the VM
# tier's (tests/vm/README; always set VM_QEMU_LOCK when several build trees
# share a machine). The VM's console: tests/vm/out/deb.console.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

out=$deb_builddir/out
root=$out/root
guest=$out/guest
pre=$out/pre.tap
post=$out/post.tap

[ "$(id -u)" = 0 ] || deb_unavailable "needs root (chroot, dpkg and apt in the chroot)"
deb_need debootstrap debootstrap
deb_need chroot coreutils
deb_need readelf binutils
deb=$deb_out/modctl_${DEB_VERSION}_amd64.deb
if [ ! -s "$deb" ]; then
	deb_result 1 "deb/$(basename "$deb") to install (t-build.sh failed?)"
	deb_plan
fi

# check RC DESC: one host-side result, into FILE ($pre, then $post)
tapfile=$pre
check() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2" >>"$tapfile"
	else
		echo "not ok - $2" >>"$tapfile"
	fi
}
note() { printf '%s\n' "$*" | sed 's/^/# /' >>"$tapfile"; }
# Without a VM: the host-side results, numbered, and the plan.
emit_without_vm() {
	for f in "$pre" "$post"; do
		[ -e "$f" ] || continue
		while IFS= read -r line; do
			case $line in
			'ok - '*) deb_result 0 "${line#ok - }" ;;
			'not ok - '*) deb_result 1 "${line#not ok - }" ;;
			*) echo "$line" ;;
			esac
		done <"$f"
	done
}
give_up() {
	emit_without_vm
	deb_plan
}

mkdir -p "$out"
rm -f "$pre" "$post"
: >"$pre"

deb_base_root || deb_unavailable "$deb_base_why"

# --- install -------------------------------------------------------------
rm -rf "$root" "$guest"
cp -a "$deb_base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :
# what is there before: the root's files, less apt's and dpkg's own
# bookkeeping, logs and caches
snapshot() {
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o \
		-path ./run -o -path ./tmp -o -path ./var/tmp -o -path ./var/cache -o \
		-path ./var/lib/apt -o -path ./var/lib/dpkg -o -path ./var/log \) -prune \
		-o -print | sed 's/^\.//' | LC_ALL=C sort)
}
snapshot >"$out/before.list"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }
rc=0
in_root apt-get update -q >"$out/apt.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || deb_unavailable "apt-get update in the $deb_suite root failed: $(tail -n 1 "$out/apt.log") (log: $out/apt.log)"
cp "$deb" "$root/tmp/"
rc=0
in_root apt-get install -y -q -o Dpkg::Use-Pty=0 "/tmp/$(basename "$deb")" >>"$out/apt.log" 2>&1 || rc=$?
check "$rc" "apt-get install ./$(basename "$deb") in a fresh $deb_suite root, Depends from the archive"
if [ "$rc" -ne 0 ]; then
	note "$(tail -n 20 "$out/apt.log")"
	give_up
fi
rm -f "$root/tmp/$(basename "$deb")"
status=$(in_root dpkg-query -W -f='${Status}' modctl 2>&1)
[ "$status" = "install ok installed" ]
check $? "dpkg says modctl is installed ($status)"

# The root has every library modctl links already (systemd needs them),
# so the installation alone would not notice a missing Depends: each
# library the binary names (ELF NEEDED) must come from a package modctl
# depends on.
depends=$(in_root dpkg-query -W -f='${Depends}' modctl | tr ',|' '\n\n' |
	sed 's/^ *\([^ (:]*\).*/\1/' | sort -u)
needed=$(readelf -d "$root/usr/bin/modctl" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
[ -n "$needed" ]
check $? "the installed modctl names the libraries it needs ($(echo $needed))"
for so in $needed; do
	pkgs=$(in_root dpkg -S "*/$so" 2>/dev/null | sed -n 's/^\([^:,]*\).*/\1/p' | sort -u)
	found=
	for p in $pkgs; do
		printf '%s\n' "$depends" | grep -qx "$p" && found=$p
	done
	[ -n "$found" ]
	check $? "$so comes from a package in Depends (${found:-none of: $(echo $pkgs)})"
done

in_root dpkg -L modctl >"$out/dpkg-L.list"
missing=
while IFS= read -r p; do
	[ -e "$root$p" ] || [ -L "$root$p" ] || missing="$missing $p"
done <"$out/dpkg-L.list"
[ -n "$(cat "$out/dpkg-L.list")" ] && [ -z "$missing" ]
check $? "every path dpkg -L modctl lists is installed ($(wc -l <"$out/dpkg-L.list") paths)"
[ -z "$missing" ] || note "missing:$missing"

out_v=$(in_root /usr/bin/modctl --version 2>&1 | head -n 1)
[ "$out_v" = "modctl $DEB_VERSION" ]
check $? "the installed modctl --version says modctl $DEB_VERSION ($out_v)"

unit=/lib/systemd/system/modctl-lockdown.service
link=$(readlink "$root/etc/systemd/system/multi-user.target.wants/modctl-lockdown.service")
[ "$link" = "$unit" ]
check $? "modctl-lockdown.service is enabled (multi-user.target.wants -> $link)"
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$root$unit")
[ -n "$exe" ] && [ -x "$root$exe" ] && grep -qx "$exe" "$out/dpkg-L.list"
check $? "the unit's ExecStart ($exe) is the package's executable"
vout=$(in_root systemd-analyze verify --man=no "$unit" 2>&1)
rc=$?
[ -z "$vout" ] || rc=1
check "$rc" "systemd-analyze verify $unit in the root finds nothing wrong"
[ -z "$vout" ] || note "$vout"
for d in /etc/modctl/lockdown.d /usr/lib/modctl/lockdown.d; do
	[ -d "$root$d" ] && [ "$(stat -c '%U:%G %a' "$root$d")" = "root:root 755" ]
	check $? "$d is a directory, root's, mode 755 (modctl trusts it)"
done

# --- the guest's root: the package's files and the libraries they need ----
g=$guest/deb-root
mkdir -p "$g/usr/bin" "$g/usr/sbin" "$g/usr/lib" "$g/usr/lib64"
# the usr-merged top-level links (lib -> usr/lib, ...)
for l in bin sbin lib lib64; do
	[ ! -L "$root/$l" ] || cp -a "$root/$l" "$g/$l"
done
while IFS= read -r p; do
	[ "$p" != /. ] || continue
	if [ -d "$root$p" ]; then
		mkdir -p "$g$p"
		chmod "$(stat -L -c %a "$root$p")" "$g$p"
	else
		(cd "$root" && cp -a --parents ".$p" "$g/")
	fi
done <"$out/dpkg-L.list"
libs=$(in_root ldd /usr/bin/modctl | sed -n \
	-e 's/^[[:space:]]*[^[:space:]]* => \(\/[^[:space:]]*\) (0x.*$/\1/p' \
	-e 's/^[[:space:]]*\(\/[^[:space:]]*\) (0x.*$/\1/p')
for l in $libs; do
	(cd "$root" && cp -L --parents ".$l" "$g/")
done
mkdir -p "$g/tmp" "$g/etc"
chmod 1777 "$g/tmp"

# --- the real kernel -------------------------------------------------------
. "$top_srcdir/tests/vm/host-lib.sh"
MODCTL=$root/usr/bin/modctl
VM_GUEST_ENV="DEB_VERSION=$DEB_VERSION${VM_GUEST_ENV:+ $VM_GUEST_ENV}"
# the installed package's directories (debian/rules configures them), for
# the guest's /vm/paths.sh
VM_PATHS=$out/paths.sh
printf "MODCTL_SYSCONFDIR='/etc'\nMODCTL_RUNSTATEDIR='/run'\nMODCTL_PREFIX_LIBDIR='/usr/lib'\n" >"$VM_PATHS"
export VM_GUEST_ENV VM_PATHS
# vm_rc: 0 booted, 77 the VM cannot run here (vm_why), 1 it failed (vm_why)
vm_why=
vm_rc=0
vm_prepare || vm_rc=$?
if [ "$vm_rc" -eq 0 ]; then
	vm_build deb tap "$deb_srcdir/guest-cycle.sh" || vm_rc=$?
	if [ "$vm_rc" -eq 0 ]; then
		vm_add_tree deb "$guest"
		vm_boot deb 1
	else
		vm_why="building the initramfs failed: $(tail -n 1 "$vm_out/deb.build.err")"
	fi
else
	vm_why=$VM_WHY
fi

# --- remove, purge -----------------------------------------------------------
tapfile=$post
: >"$post"
rc=0
in_root dpkg -r modctl >"$out/remove.log" 2>&1 || rc=$?
check "$rc" "dpkg -r modctl"
[ "$rc" -eq 0 ] || note "$(cat "$out/remove.log")"
rc=0
in_root dpkg -P modctl >>"$out/remove.log" 2>&1 || rc=$?
check "$rc" "dpkg -P modctl"
[ "$rc" -eq 0 ] || note "$(cat "$out/remove.log")"
status=$(in_root dpkg-query -W -f='${db:Status-Abbrev}' modctl 2>/dev/null)
[ -z "$status" ] || [ "$status" = "pn " ]
check $? "dpkg no longer knows modctl (status '$status')"
# What is new since before the installation and belongs to no package
# (the libraries apt pulled in stay, as apt leaves them) is left behind.
snapshot >"$out/after.list"
left=
for p in $(LC_ALL=C comm -13 "$out/before.list" "$out/after.list"); do
	in_root dpkg -S "$p" >/dev/null 2>&1 || left="$left $p"
done
[ -z "$left" ]
check $? "after dpkg -P nothing new is left that no package owns"
[ -z "$left" ] || note "left behind:$left"
left=
while IFS= read -r p; do
	[ "$p" != /. ] || continue
	if [ -e "$root$p" ] || [ -L "$root$p" ]; then
		in_root dpkg -S "$p" >/dev/null 2>&1 || left="$left $p"
	fi
done <"$out/dpkg-L.list"
[ -z "$left" ]
check $? "none of the paths of dpkg -L modctl is left but those of other packages"
[ -z "$left" ] || note "left behind:$left"

# --- TAP ---------------------------------------------------------------------
if [ "$vm_rc" -eq 0 ]; then
	vm_console_tap deb guest-cycle "$pre" "$post"
	exit 0
fi
emit_without_vm
if [ "$vm_rc" -ne 77 ] || [ "${CI:-}" = true ]; then
	deb_result 1 "the installed modctl on the real kernel: the VM cannot run: $vm_why"
else
	deb_n=$((deb_n + 1))
	echo "ok $deb_n # SKIP the installed modctl on the real kernel: the VM cannot run: $vm_why"
	printf '\n*** t-install.sh: VM PART SKIPPED: %s ***\n\n' "$vm_why" >&2
fi
deb_plan
