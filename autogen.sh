#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Generate the build system from a git checkout.
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf --force --install --symlink
echo "Now run ./configure && make"
