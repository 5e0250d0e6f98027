// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests: the small BTF reader behind the holders iterator. */
#include "unit.h"

#include <errno.h>
#include <linux/btf.h>
#include <stdbool.h>
#include <string.h>

#include "btf-lite.h"

/* A BTF blob built in memory: header, types, strings. */
struct blob {
	uint8_t types[1024];
	size_t n_types;
	char strs[512];
	size_t n_strs;
	uint8_t out[2048];
	size_t size;
};

static uint32_t str(struct blob *b, const char *s)
{
	uint32_t off = (uint32_t)b->n_strs;

	if (!s || !*s)
		return 0;
	memcpy(b->strs + b->n_strs, s, strlen(s) + 1);
	b->n_strs += strlen(s) + 1;
	return off;
}

static void put32(struct blob *b, uint32_t v)
{
	memcpy(b->types + b->n_types, &v, sizeof(v));
	b->n_types += sizeof(v);
}

static void type(struct blob *b, const char *name, unsigned kind, unsigned vlen, bool kflag, uint32_t size_or_type)
{
	put32(b, str(b, name));
	put32(b, (kflag ? 1U << 31 : 0) | (kind << 24) | vlen);
	put32(b, size_or_type);
}

static void member(struct blob *b, const char *name, uint32_t type_id, uint32_t offset)
{
	put32(b, str(b, name));
	put32(b, type_id);
	put32(b, offset);
}

static void finish(struct blob *b)
{
	struct btf_header h = {
		.magic = BTF_MAGIC,
		.version = 1,
		.hdr_len = sizeof(h),
		.type_off = 0,
		.type_len = (uint32_t)b->n_types,
		.str_off = (uint32_t)b->n_types,
		.str_len = (uint32_t)b->n_strs,
	};

	memcpy(b->out, &h, sizeof(h));
	memcpy(b->out + sizeof(h), b->types, b->n_types);
	memcpy(b->out + sizeof(h) + b->n_types, b->strs, b->n_strs);
	b->size = sizeof(h) + b->n_types + b->n_strs;
}

/*
 *  1 int
 *  2 struct { int x; int y; }                  (anonymous)
 *  3 union { struct {x, y}; int z; }           (anonymous)
 *  4 typedef anon_t -> 3
 *  5 struct outer { int first:3; anon_t; (at 8) int bits:5 (at bit 99); }
 *  6 func f
 *  7 enum64 with one value (12 bytes after the type)
 *  8 struct after { int q; }
 */
static void build(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->n_strs = 1; /* "" at 0 */
	type(b, "int", BTF_KIND_INT, 0, false, 4);
	put32(b, 32);
	type(b, NULL, BTF_KIND_STRUCT, 2, false, 8);
	member(b, "x", 1, 0);
	member(b, "y", 1, 32);
	type(b, NULL, BTF_KIND_UNION, 2, false, 8);
	member(b, NULL, 2, 0);
	member(b, "z", 1, 0);
	type(b, "anon_t", BTF_KIND_TYPEDEF, 0, false, 3);
	type(b, "outer", BTF_KIND_STRUCT, 3, true, 24);
	member(b, "first", 1, 3U << 24 | 0);
	member(b, NULL, 4, 64);
	member(b, "bits", 1, 5U << 24 | 99);
	type(b, "f", BTF_KIND_FUNC, 0, false, 0);
	type(b, "e", 19, 1, false, 8);
	put32(b, str(b, "E"));
	put32(b, 1);
	put32(b, 0);
	type(b, "after", BTF_KIND_STRUCT, 1, false, 4);
	member(b, "q", 1, 0);
	finish(b);
}

static void test_find_and_offsets(void **state)
{
	struct blob b;
	struct btf_lite l;
	int outer;

	build(&b);
	assert_int_equal(btf_lite_open(&l, b.out, b.size), 0);
	assert_int_equal(l.n, 9);
	outer = btf_lite_find(&l, "outer", BTF_KIND_STRUCT);
	assert_int_equal(outer, 5);
	assert_int_equal(btf_lite_find(&l, "f", BTF_KIND_FUNC), 6);
	assert_int_equal(btf_lite_find(&l, "f", BTF_KIND_STRUCT), -ENOENT);
	/* found past an enum64: its values are sized right */
	assert_int_equal(btf_lite_find(&l, "after", BTF_KIND_STRUCT), 8);
	assert_int_equal(btf_lite_member_offset(&l, outer, "first"), 0);
	/* through a typedef'd anonymous union and the anonymous struct in it */
	assert_int_equal(btf_lite_member_offset(&l, outer, "x"), 8);
	assert_int_equal(btf_lite_member_offset(&l, outer, "y"), 12);
	assert_int_equal(btf_lite_member_offset(&l, outer, "z"), 8);
	/* a bitfield that starts inside a byte has no byte offset */
	assert_int_equal(btf_lite_member_offset(&l, outer, "bits"), -EINVAL);
	assert_int_equal(btf_lite_member_offset(&l, outer, "nope"), -ENOENT);
	assert_int_equal(btf_lite_member_offset(&l, -ENOENT, "x"), -ENOENT);
	btf_lite_close(&l);
}

static void test_find_many(void **state)
{
	static const char *const names[] = { "after", "int", "outer", "missing" };
	static const unsigned kinds[] = { BTF_KIND_STRUCT, BTF_KIND_INT, BTF_KIND_STRUCT, BTF_KIND_STRUCT };
	struct blob b;
	struct btf_lite l;
	int ids[4];

	build(&b);
	assert_int_equal(btf_lite_open(&l, b.out, b.size), 0);
	btf_lite_find_many(&l, names, kinds, ids, 4);
	assert_int_equal(ids[0], 8);
	assert_int_equal(ids[1], 1);
	assert_int_equal(ids[2], 5);
	assert_int_equal(ids[3], -ENOENT);
	btf_lite_close(&l);
}

static void test_refuses_what_is_no_btf(void **state)
{
	struct blob b;
	struct btf_lite l;
	struct btf_header h;

	build(&b);
	/* a type cut short */
	memcpy(&h, b.out, sizeof(h));
	h.type_len -= 4;
	memcpy(b.out, &h, sizeof(h));
	assert_int_equal(btf_lite_open(&l, b.out, b.size), -EINVAL);
	/* sections past the end */
	build(&b);
	assert_int_equal(btf_lite_open(&l, b.out, b.size - 1), -EINVAL);
	/* no magic */
	build(&b);
	b.out[0] ^= 0xff;
	assert_int_equal(btf_lite_open(&l, b.out, b.size), -EINVAL);
	assert_int_equal(btf_lite_open(&l, b.out, 3), -EINVAL);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_find_and_offsets),
	cmocka_unit_test(test_find_many),
	cmocka_unit_test(test_refuses_what_is_no_btf),
};
RUN_TESTS(tests)
