// SPDX-License-Identifier: LGPL-2.1-or-later
/* libkmod context setup, shared by every command that resolves module names. */
#include "kmodctx.h"
#include "log.h"

int kmodctx_new(struct kmod_ctx **ctx, int load_resources)
{
	struct kmod_ctx *c;
	int r;

	c = kmod_new(NULL, NULL);
	if (!c)
		return log_error_errno(ENOMEM, "cannot create a libkmod context");
	log_attach_kmod(c);
	if (load_resources) {
		r = kmod_load_resources(c);
		if (r < 0) {
			/* Without indexes libkmod still works, only slower; say why. */
			log_debug_errno(r, "cannot load the module indexes: %m");
		}
	}
	*ctx = c;
	return 0;
}
