// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <errno.h>
#include <linux/btf.h>
#include <stdlib.h>
#include <string.h>

#include "btf-lite.h"

/* The fixed part of every type; kind-specific records follow it. */
struct type {
	uint32_t name_off;
	uint32_t info;
	uint32_t size_or_type;
};

static unsigned kind_of(uint32_t info)
{
	return (info >> 24) & 0x1f;
}

static unsigned vlen_of(uint32_t info)
{
	return info & 0xffff;
}

/* The bytes after the fixed part of a type of this kind; -1 unknown. */
static long extra_size(uint32_t info)
{
	unsigned vlen = vlen_of(info);

	switch (kind_of(info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return (long)sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * (long)sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * (long)sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * (long)sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * (long)sizeof(struct btf_var_secinfo);
	case 19: /* BTF_KIND_ENUM64: value_lo32, value_hi32 */
		return (long)vlen * 12;
	default:
		return -1;
	}
}

int btf_lite_open(struct btf_lite *b, const void *data, size_t size)
{
	struct btf_header h;
	size_t off, cap = 1024;

	memset(b, 0, sizeof(*b));
	if (size < sizeof(h))
		return -EINVAL;
	memcpy(&h, data, sizeof(h));
	if (h.magic != BTF_MAGIC || h.hdr_len < sizeof(h) || h.hdr_len > size ||
	    (uint64_t)h.hdr_len + h.type_off + h.type_len > size || (uint64_t)h.hdr_len + h.str_off + h.str_len > size)
		return -EINVAL;
	b->data = data;
	b->size = size;
	b->types = (const uint8_t *)data + h.hdr_len + h.type_off;
	b->types_len = h.type_len;
	b->strs = (const char *)data + h.hdr_len + h.str_off;
	b->strs_len = h.str_len;
	b->at = malloc(cap * sizeof(*b->at));
	if (!b->at)
		return -ENOMEM;
	b->at[0] = 0; /* void */
	b->n = 1;
	for (off = 0; off + sizeof(struct type) <= b->types_len;) {
		struct type t;
		long extra;

		memcpy(&t, b->types + off, sizeof(t));
		extra = extra_size(t.info);
		if (extra < 0 || off + sizeof(t) + (size_t)extra > b->types_len) {
			btf_lite_close(b);
			return -EINVAL;
		}
		if (b->n == cap) {
			uint32_t *n = realloc(b->at, cap * 2 * sizeof(*n));

			if (!n) {
				btf_lite_close(b);
				return -ENOMEM;
			}
			b->at = n;
			cap *= 2;
		}
		b->at[b->n++] = (uint32_t)off;
		off += sizeof(t) + (size_t)extra;
	}
	return 0;
}

void btf_lite_close(struct btf_lite *b)
{
	free(b->at);
	memset(b, 0, sizeof(*b));
}

static struct type type_at(const struct btf_lite *b, uint32_t id)
{
	struct type t = { 0 };

	if (id > 0 && id < b->n)
		memcpy(&t, b->types + b->at[id], sizeof(t));
	return t;
}

static const char *name_at(const struct btf_lite *b, uint32_t off)
{
	/* the section ends with a NUL: a name inside it is terminated */
	return off < b->strs_len && b->strs[b->strs_len - 1] == '\0' ? b->strs + off : "";
}

void btf_lite_find_many(const struct btf_lite *b, const char *const *names, const unsigned *kinds, int *ids,
			size_t n)
{
	size_t i, left = n;
	uint32_t id;

	for (i = 0; i < n; i++)
		ids[i] = -ENOENT;
	for (id = 1; id < b->n && left; id++) {
		struct type t = type_at(b, id);
		const char *name = NULL;

		for (i = 0; i < n; i++) {
			if (ids[i] >= 0 || kind_of(t.info) != kinds[i])
				continue;
			if (!name)
				name = name_at(b, t.name_off);
			if (strcmp(name, names[i]) == 0) {
				ids[i] = (int)id;
				left--;
			}
		}
	}
}

int btf_lite_find(const struct btf_lite *b, const char *name, unsigned kind)
{
	int id;

	btf_lite_find_many(b, &name, &kind, &id, 1);
	return id;
}

/* MEMBER's offset in the struct or union ID, through anonymous members. */
static int member_in(const struct btf_lite *b, uint32_t id, const char *member, int depth)
{
	struct type t = type_at(b, id);
	unsigned i, kind;

	/* typedefs and qualifiers in front of an anonymous member's type */
	for (; depth < 32 && (kind_of(t.info) == BTF_KIND_TYPEDEF || kind_of(t.info) == BTF_KIND_CONST ||
			      kind_of(t.info) == BTF_KIND_VOLATILE || kind_of(t.info) == BTF_KIND_RESTRICT);
	     depth++) {
		id = t.size_or_type;
		t = type_at(b, id);
	}
	kind = kind_of(t.info);
	if (depth >= 32 || (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION))
		return -ENOENT;
	for (i = 0; i < vlen_of(t.info); i++) {
		struct btf_member m;
		uint32_t bits;

		memcpy(&m, b->types + b->at[id] + sizeof(t) + i * sizeof(m), sizeof(m));
		/* with kind_flag set, the low 24 bits are the bit offset */
		bits = t.info >> 31 ? m.offset & 0xffffff : m.offset;
		if (m.name_off == 0) {
			int o = member_in(b, m.type, member, depth + 1);

			if (o >= 0)
				return (int)(bits / 8) + o;
		} else if (strcmp(name_at(b, m.name_off), member) == 0) {
			return bits % 8 ? -EINVAL : (int)(bits / 8);
		}
	}
	return -ENOENT;
}

int btf_lite_member_offset(const struct btf_lite *b, int id, const char *member)
{
	return id <= 0 ? -ENOENT : member_in(b, (uint32_t)id, member, 0);
}
