// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Command-line words, through the helpers the command parsers use: the
 * column lists and load's words, with their exact results. The whole
 * command line through the real parsers is fuzz-dispatch.c.
 *
 * The input is argv: words separated by NUL bytes. A word
 *   -oLIST / --output=LIST    column list, as 'modctl list -o' (output_init()
 *                             with the real module_columns; "+LIST" appends)
 *   COLUMNS=LIST              $MODCTL_COLUMNS for that call
 *   --output-all, -J          as in 'modctl list'
 *   --timeout=T, --settle=T   parse_duration()
 *   anything else             a 'modctl load' word: PARAM=VALUE for the
 *                             module before it, else a module name or path
 * Invariants: output_init() either fails or selects 1..64 known columns,
 * exactly the listed ones when a plain list is given; load words group as
 * load_parse() groups them.
 */
#include <strings.h>

#include "fuzz.h"
#include "load.h"
#include "log.h"
#include "modtable.h"
#include "output.h"
#include "util.h"

#define MAX_WORDS 32

static void check_columns(const char *list, const char *env, bool all, bool json)
{
	struct output_options o = { .columns = list, .all = all, .json = json };
	struct output out;
	size_t i;
	int r;

	if (env)
		setenv("MODCTL_COLUMNS", env, 1);
	else
		unsetenv("MODCTL_COLUMNS");
	r = output_init(&out, module_columns, _COL_MAX, &o, "MODCTL_COLUMNS",
			MODULE_COLUMNS_DEFAULT, "modules");
	unsetenv("MODCTL_COLUMNS");
	fuzz_check(r == 0 || r == -EINVAL, "output_init() = %d", r);
	if (r < 0)
		return;
	fuzz_check(out.tb, "no table");
	fuzz_check(out.nsel >= 1 && out.nsel <= ARRAY_SIZE(out.sel), "%zu columns", out.nsel);
	for (i = 0; i < out.nsel; i++) {
		fuzz_check(out.sel[i] < _COL_MAX, "column %zu", out.sel[i]);
		fuzz_check(output_has(&out, out.sel[i]), "output_has");
	}
	if (!all && list && list[0] != '+') {
		/* Exactly the non-empty items of the list, in order. */
		const char *p = list;
		size_t k = 0;

		while (*p) {
			size_t len = strcspn(p, ",");

			if (len) {
				const char *name = module_columns[out.sel[k]].name;

				fuzz_check(k < out.nsel, "fewer columns than listed");
				fuzz_check(strlen(name) == len && strncasecmp(name, p, len) == 0,
					   "item %zu of '%s' became %s", k, list, name);
				k++;
			}
			p += len;
			if (*p)
				p++;
		}
		fuzz_check(k == out.nsel, "%zu items, %zu columns", k, out.nsel);
	}
	output_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *w[MAX_WORDS], *options[MAX_WORDS];
	const char *list = NULL, *env = NULL;
	bool all = false, json = false, columns = false;
	size_t n, i, n_items = 0;

	log_set_max_level(-1);
	n = fuzz_split(data, size, w, MAX_WORDS);
	memset(options, 0, sizeof(options));
	for (i = 0; i < n; i++) {
		const char *a = w[i];
		uint64_t usec;

		if (strncmp(a, "-o", 2) == 0 || strncmp(a, "--output=", 9) == 0) {
			list = a + (a[1] == 'o' ? 2 : 9);
			columns = true;
		} else if (strncmp(a, "COLUMNS=", 8) == 0) {
			env = a + 8;
			columns = true;
		} else if (strcmp(a, "--output-all") == 0) {
			all = columns = true;
		} else if (strcmp(a, "-J") == 0) {
			json = true;
		} else if (strncmp(a, "--timeout=", 10) == 0 || strncmp(a, "--settle=", 9) == 0) {
			int r = parse_duration(strchr(a, '=') + 1, &usec);

			fuzz_check(r == 0 || r == -EINVAL || r == -ERANGE, "parse_duration() = %d", r);
		} else if (load_arg_is_param(a)) {
			/* load_parse(): a parameter belongs to the module before it. */
			if (n_items == 0)
				continue; /* "parameter comes before any module" */
			{
				char *before = options[n_items - 1] ? strdup(options[n_items - 1]) : NULL;
				int r = load_add_option(&options[n_items - 1], a);

				/* A quote inside a value is refused (a usage error) and
				 * leaves the options as they were. */
				fuzz_check(r == 0 || r == -EINVAL, "load_add_option() = %d", r);
				if (r == -EINVAL)
					fuzz_check((!before && !options[n_items - 1]) ||
						   (before && options[n_items - 1] && strcmp(before, options[n_items - 1]) == 0),
						   "a refused word changed the options");
				else
					fuzz_check(strstr(options[n_items - 1], a) || strchr(options[n_items - 1], '"'),
						   "'%s' lost", a);
				free(before);
			}
		} else {
			char norm[MODULE_NAME_MAX + 1];

			if (!*a || strpbrk(a, " \t\n") || strlen(a) > 4096)
				continue; /* "invalid module name" */
			/* A word is a path, or a name or alias that may normalise. */
			if (!load_arg_is_path(a) && module_name_normalize(a, norm) == 0)
				fuzz_check(module_name_eq(a, norm), "'%s' normalised to '%s'", a, norm);
			n_items++;
		}
	}
	if (columns)
		check_columns(list, env, all, json);
	for (i = 0; i < MAX_WORDS; i++)
		free(options[i]);
	fuzz_words_free(w, n);
	return 0;
}
