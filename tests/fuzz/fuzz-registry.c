// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The lockdown registry file: registry_parse() over any text, then the
 * writers. The input is "TEXT\0OPS": OPS lines "+NAME" lock, "-NAME"
 * unlock, "*A B C" lock many, applied with registry_set() and
 * registry_set_many(). Invariants:
 *  - an accepted registry is sorted, unique, in kernel spelling;
 *  - parse(format(parse(x))) == parse(x);
 *  - a refused registry names a line of the text and leaves reg empty;
 *  - the modprobe guard has one 'remove' line per lock;
 *  - registry_set() and registry_set_many() agree with a plain model, the
 *    registry stays sorted and unique after each step and round-trips at
 *    the end.
 */
#include "fuzz.h"
#include "guard.h"
#include "registry.h"
#include "log.h"
#include "util.h"

static void check_sorted(const struct registry *reg)
{
	size_t i;

	fuzz_check(reg->n == 0 || reg->locks, "locks missing");
	for (i = 0; i < reg->n; i++) {
		char norm[MODULE_NAME_MAX + 1];

		fuzz_check(module_name_normalize(reg->locks[i], norm) == 0 &&
				   strcmp(norm, reg->locks[i]) == 0,
			   "'%s' is not in kernel spelling", reg->locks[i]);
		fuzz_check(i == 0 || strcmp(reg->locks[i - 1], reg->locks[i]) < 0,
			   "not sorted or not unique at %zu: '%s' '%s'", i, reg->locks[i - 1],
			   reg->locks[i]);
	}
}

/* Every lock is found by registry_is_locked() (a bsearch). */
static void check_lookup(const struct registry *reg)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		fuzz_check(registry_is_locked(reg, reg->locks[i]), "'%s' not found", reg->locks[i]);
}

static bool same(const struct registry *a, const struct registry *b)
{
	size_t i;

	if (a->lock_all != b->lock_all || a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->locks[i], b->locks[i]) != 0)
			return false;
	return true;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

static void check_round_trip(const struct registry *reg)
{
	struct registry back;
	char *text = registry_format(reg), *guard = modprobe_guard_format(reg, NULL, "/usr/bin/modctl");
	unsigned line = 0;
	int r;

	fuzz_check(text && guard, "format failed");
	r = registry_parse(text, &back, &line);
	fuzz_check(r == 0, "formatted registry refused at line %u:\n%s", line, text);
	fuzz_check(same(reg, &back), "parse(format(x)) != x:\n%s", text);
	fuzz_check(count(guard, "\nremove ") == reg->n, "%zu remove lines for %zu locks",
		   count(guard, "\nremove "), reg->n);
	registry_free(&back);
	free(text);
	free(guard);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		if (*s == '\n' || !s[1])
			n++;
	return n;
}

static void apply_ops(struct registry *reg, char *ops)
{
	char *line, *save = NULL;

	for (line = strtok_r(ops, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char norm[MODULE_NAME_MAX + 1];
		bool before, valid;
		size_t n_before = reg->n;
		int r;

		if (line[0] == '*') {
			const char *names[8];
			char norms[8][MODULE_NAME_MAX + 1];
			bool added[8], was[8];
			size_t n = 0, i, j, n_valid = 0, fresh = 0;
			char *w, *s2 = NULL;

			for (w = strtok_r(line + 1, " ", &s2); w && n < 8; w = strtok_r(NULL, " ", &s2))
				names[n++] = w;
			for (i = 0; i < n; i++) {
				bool ok = module_name_normalize(names[i], norms[i]) == 0;

				n_valid += ok;
				was[i] = ok && registry_is_locked(reg, norms[i]);
			}
			r = registry_set_many(reg, names, n, added);
			if (n_valid < n) {
				/* The registry is unspecified after an error (callers
				 * drop it): stop here. */
				fuzz_check(r < 0, "registry_set_many accepted an invalid name");
				return;
			}
			fuzz_check(r >= 0, "registry_set_many() = %d", r);
			for (i = 0; i < n; i++) {
				bool first = !was[i];

				for (j = 0; j < i && first; j++)
					first = strcmp(norms[j], norms[i]) != 0;
				fresh += first;
				fuzz_check(registry_is_locked(reg, names[i]), "'%s' not locked", names[i]);
				fuzz_check_known("set-many-dups", added[i] == first,
						 "added['%s'] = %d, expected %d", names[i], added[i], first);
			}
			fuzz_check(reg->n == n_before + fresh, "%zu -> %zu locks, %zu new", n_before,
				   reg->n, fresh);
			fuzz_check_known("set-many-dups", (size_t)r == fresh,
					 "registry_set_many() = %d, %zu were added", r, fresh);
		} else if (line[0] == '+' || line[0] == '-') {
			bool lock = line[0] == '+';

			valid = module_name_normalize(line + 1, norm) == 0;
			before = valid && registry_is_locked(reg, norm);
			r = registry_set(reg, line + 1, lock);
			if (!valid) {
				fuzz_check(r < 0 && reg->n == n_before, "registry_set() of an invalid name = %d", r);
				continue;
			}
			fuzz_check(r == (before != lock), "registry_set(%s, %d) = %d, was locked: %d", norm,
				   lock, r, before);
			fuzz_check(registry_is_locked(reg, norm) == lock, "'%s' lock state wrong", norm);
			fuzz_check(reg->n == n_before + (size_t)(r && lock) - (size_t)(r && !lock),
				   "count %zu -> %zu", n_before, reg->n);
		} else if (line[0] == '!') {
			reg->lock_all = !reg->lock_all;
		}
		check_sorted(reg);
	}
	check_lookup(reg);
	check_round_trip(reg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), *ops;
	struct registry reg;
	unsigned line = 12345;
	size_t tlen = strlen(text);
	int r;

	log_set_max_level(-1);
	ops = tlen < size ? fuzz_strdup(data + tlen + 1, size - tlen - 1) : NULL;

	r = registry_parse(text, &reg, &line);
	fuzz_check(r == 0 || r == -EBADMSG, "registry_parse() = %d", r);
	if (r < 0) {
		fuzz_check(line >= 1 && line <= count_lines(text), "error at line %u of %u", line,
			   count_lines(text));
		fuzz_check(reg.n == 0 && reg.locks == NULL && !reg.lock_all, "refused but not empty");
		free(text);
		free(ops);
		return 0;
	}
	check_sorted(&reg);
	check_lookup(&reg);
	check_round_trip(&reg);
	if (ops)
		apply_ops(&reg, ops);
	registry_free(&reg);
	free(text);
	free(ops);
	return 0;
}
