#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# demo.sh: boot the test VM and run demo-guest.sh in it, printing what it
# shows (commands and their output) on the terminal, without kernel noise.
# `make demo` runs it; by hand, from the build tree's top directory:
#   tests/vm/demo.sh   (MODCTL=..., top_srcdir=... as for run.sh)
# VM_KERNEL_LINE (make demo KERNEL=6.12) picks the kernel line. The whole
# console goes to tests/vm/out/LINE/demo.console.
set -eu
. "$(cd "$(dirname "$0")" && pwd)/host-lib.sh"

rc=0
vm_prepare || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "demo: cannot run the VM: $VM_WHY" >&2
	exit 1
fi
if ! vm_build demo demo "$vm_srcdir/demo-guest.sh"; then
	cat "$vm_out/demo.build.err" >&2
	exit 1
fi
echo "demo: booting $(basename "$VM_KERNEL") ($VM_KERNEL_DESC) in QEMU (TCG, no KVM): a few seconds..." >&2
echo >&2
VM_STREAM="sed -u -n -e 's/\\r\$//' -e 's/^.*@@OUT@@ //p'"
vm_boot demo 1
if [ "$BOOT_RC" -ne 0 ] || ! grep -q '@@VM@@ done' "$vm_out/demo.console"; then
	echo "demo: the VM did not finish (status $BOOT_RC); console: $vm_out/demo.console" >&2
	exit 1
fi
echo "demo: done in $BOOT_SECS s (console: $vm_out/demo.console)" >&2
