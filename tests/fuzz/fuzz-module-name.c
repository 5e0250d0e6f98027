// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module names from users and files: module_name_normalize() into a buffer
 * of exactly MODULE_NAME_MAX + 1 bytes on the heap (so ASan sees a write
 * past it), against a reference written from its contract. Also
 * module_name_eq() (the input is split at its first NUL into two names)
 * and load_arg_is_path().
 */
#include <ctype.h>

#include "fuzz.h"
#include "load.h"
#include "log.h"
#include "util.h"

static int reference_normalize(const char *in)
{
	size_t i;

	if (!*in)
		return -EINVAL;
	for (i = 0; in[i]; i++) {
		if (i >= MODULE_NAME_MAX)
			return -ENAMETOOLONG;
		if (!isalnum((unsigned char)in[i]) && in[i] != '_' && in[i] != '-')
			return -EINVAL;
	}
	return 0;
}

static bool reference_eq(const char *a, const char *b)
{
	size_t i;

	if (strlen(a) != strlen(b))
		return false;
	for (i = 0; a[i]; i++)
		if (a[i] != b[i] && !(strchr("-_", a[i]) && strchr("-_", b[i])))
			return false;
	return true;
}

static void check_name(const char *in)
{
	char *out = malloc(MODULE_NAME_MAX + 1), *again = malloc(MODULE_NAME_MAX + 1);
	size_t i, len;
	int r, rr;

	if (!out || !again)
		abort();
	r = module_name_normalize(in, out);
	rr = reference_normalize(in);
	fuzz_check(r == rr, "module_name_normalize('%s') = %d, expected %d", in, r, rr);
	fuzz_check(module_name_error(r) != NULL, "no message");
	if (r == 0) {
		len = strlen(out);
		fuzz_check(len <= MODULE_NAME_MAX, "%zu bytes", len);
		fuzz_check(len == strlen(in), "length changed");
		fuzz_check(!strchr(out, '/') && !strchr(out, '-'), "'%s' keeps '/' or '-'", out);
		for (i = 0; i < len; i++)
			fuzz_check(out[i] == (in[i] == '-' ? '_' : in[i]), "byte %zu changed", i);
		fuzz_check(module_name_eq(in, out) && module_name_eq(out, in), "not equal to itself");
		/* Normalising is idempotent. */
		fuzz_check(module_name_normalize(out, again) == 0 && strcmp(out, again) == 0,
			   "not idempotent");
		fuzz_check(!load_arg_is_path(in) || strstr(in, "ko"), "a plain name taken as a path");
	}
	free(out);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *w[2] = { NULL, NULL };
	size_t n;

	log_set_max_level(-1);
	n = fuzz_split(data, size, w, 2);
	check_name(w[0]);
	if (n == 2) {
		bool eq = module_name_eq(w[0], w[1]);

		check_name(w[1]);
		fuzz_check(eq == module_name_eq(w[1], w[0]), "module_name_eq is not symmetric");
		fuzz_check(eq == reference_eq(w[0], w[1]), "module_name_eq('%s', '%s') = %d", w[0], w[1],
			   eq);
	}
	fuzz_check(module_name_eq(w[0], w[0]), "not equal to itself");
	fuzz_words_free(w, n);
	return 0;
}
