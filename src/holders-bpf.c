// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * BPF links attached to a module's functions (fentry, fexit...): each
 * traced function's trampoline holds one reference on the module. A link
 * is found by its target, the module's BTF object; its process, if any,
 * by the process scan (an anonymous-inode fd whose fdinfo names the link).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "holders-internal.h"
#include "log.h"
#include "util.h"

#if HAVE_BPF
#include <bpf/bpf.h>
#include <linux/bpf.h>

/* The id of the module's newest BTF object, 0 when it has none. */
static uint32_t module_btf(const char *module)
{
	uint32_t id = 0, best = 0;

	while (bpf_btf_get_next_id(id, &id) == 0) {
		struct bpf_btf_info info = { 0 };
		uint32_t len = sizeof(info);
		char name[64] = "";
		_cleanup_close_ int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue;
		info.name = (uintptr_t)name;
		info.name_len = sizeof(name);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0 || !info.kernel_btf)
			continue;
		name[sizeof(name) - 1] = '\0';
		if (module_name_eq(name, module) && id > best)
			best = id;
	}
	return best;
}

int holders_bpf_links(struct holders_run *run)
{
	struct holders *h = run->h;
	uint32_t btf, id = 0, *funcs = NULL;
	size_t n_funcs = 0, cap = 0;
	int r = 0;

	btf = module_btf(h->name);
	if (!btf)
		return 0;
	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info li = { 0 };
		uint32_t len = sizeof(li);
		_cleanup_close_ int fd = bpf_link_get_fd_by_id(id);
		struct holder *x;
		char obj[16];
		size_t i;
		int weight = 1;

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &li, &len) < 0 || li.type != BPF_LINK_TYPE_TRACING ||
		    li.tracing.target_obj_id != btf || li.id == run->lock_link_id)
			continue;
		/* links on one function share its trampoline: one reference */
		for (i = 0; i < n_funcs; i++)
			if (funcs[i] == li.tracing.target_btf_id)
				weight = 0;
		if (weight) {
			if (n_funcs == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				uint32_t *n = realloc(funcs, ncap * sizeof(*n));

				if (!n) {
					r = -ENOMEM;
					break;
				}
				funcs = n;
				cap = ncap;
			}
			funcs[n_funcs++] = li.tracing.target_btf_id;
		}
		snprintf(obj, sizeof(obj), "%u", li.id);
		x = holders_add(h, HOLDER_BPF_LINK, weight, obj);
		if (!x || holder_set_detail(x, "program %u, BTF type %u of %s", li.prog_id, li.tracing.target_btf_id,
					    h->name) < 0) {
			r = -ENOMEM;
			break;
		}
		{
			struct unowned_link *n = realloc(run->links, (run->n_unowned_links + 1) * sizeof(*n));

			if (!n) {
				r = -ENOMEM;
				break;
			}
			run->links = n;
			n[run->n_unowned_links].id = li.id;
			n[run->n_unowned_links].index = h->n - 1;
			run->n_unowned_links++;
		}
	}
	free(funcs);
	return r;
}
#else
int holders_bpf_links(struct holders_run *run)
{
	return 0;
}
#endif
