/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one libkmod context of a run, created only by commands that need it. */
#pragma once

#include <libkmod.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_ctx *, kmod_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_module *, kmod_module_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_list *, kmod_module_unref_list)

/*
 * Create a context for the running kernel with modctl's logger attached.
 * load_resources maps the module indexes up front (for commands that
 * resolve many names); otherwise libkmod opens them lazily.
 */
int kmodctx_new(struct kmod_ctx **ctx, int load_resources);
