#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The fake kernel playing kernel line 6.12 (see kernel-lines.sh).
FAKE_KERNEL=6.12
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fake/kernel-lines.sh"
