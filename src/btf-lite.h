/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small reader of raw BTF (the kernel's type information): where a
 * member of a named struct lies, and the id of a named function. One pass
 * over the types, no index, no validation beyond bounds: what the holders
 * iterator needs, at a fraction of parsing the whole of vmlinux's BTF.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct btf_lite {
	const uint8_t *data;
	size_t size;
	const uint8_t *types;    /* the type section */
	size_t types_len;
	const char *strs;        /* the string section */
	size_t strs_len;
	uint32_t *at;            /* at[id]: offset of type id in the type section */
	uint32_t n;              /* types, plus 1 (id 0 is void) */
};

/* Index the types of the BTF in data (kept, not copied). 0, -EINVAL when
 * it is no BTF, -ENOMEM. */
int btf_lite_open(struct btf_lite *b, const void *data, size_t size);
void btf_lite_close(struct btf_lite *b);

/* The id of the first type of kind KIND (BTF_KIND_*) named NAME; -ENOENT. */
int btf_lite_find(const struct btf_lite *b, const char *name, unsigned kind);

/* The same for n names in one pass: ids[i] for names[i] of kinds[i]
 * (-ENOENT when absent). */
void btf_lite_find_many(const struct btf_lite *b, const char *const *names, const unsigned *kinds, int *ids,
			size_t n);

/* The byte offset of MEMBER in the struct or union ID, looking into its
 * anonymous structs and unions; -ENOENT, or -EINVAL for a bitfield. */
int btf_lite_member_offset(const struct btf_lite *b, int id, const char *member);
