// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lockdown.d files: lockdown_conf_parse() over any text (a NUL-terminated
 * copy; the loader refuses files with NUL bytes). Invariants:
 *  - parsing never fails except for memory;
 *  - every entry points at a line of the file; preload names have no '/'
 *    or '"'; lock names are valid module names;
 *  - parsing the same text twice into one conf doubles everything;
 *  - the options of a preload split, as the kernel splits them, into
 *    exactly the PARAM=VALUE words of its line (counted by a reference
 *    splitter written from the man page).
 */
#include "bootconf.h"
#include "fuzz.h"
#include "../kernel-args.h"
#include "log.h"
#include "util.h"

#define MAX_PARAMS 130

static unsigned count_lines(const char *s)
{
	unsigned n = *s ? 1 : 0;

	for (; *s; s++)
		if (*s == '\n' && s[1])
			n++;
	return n;
}

/* The PARAM=VALUE words of a line (p: its start), as the man page
 * describes words: blanks separate, double quotes group. */
static int reference_param_words(const char *p, bool *any_quote)
{
	const char *end = strchrnul(p, '\n');
	int words = 0, params = 0;

	*any_quote = false;
	while (p < end) {
		const char *start, *eq = NULL;
		bool quoted = false;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		start = p;
		while (p < end && (quoted || (*p != ' ' && *p != '\t'))) {
			if (*p == '"')
				quoted = !quoted, *any_quote = true;
			if (*p == '=' && !eq)
				eq = p;
			p++;
		}
		words++;
		if (words > 2 && eq && eq != start)
			params++;
	}
	return params;
}

/* Where each line starts: starts[0] is line 1. */
static const char **line_starts(const char *text, unsigned lines)
{
	const char **starts = calloc(lines + 1, sizeof(char *));
	const char *p = text;
	unsigned i;

	if (!starts)
		abort();
	for (i = 0; i < lines; i++) {
		starts[i] = p;
		p = strchrnul(p, '\n');
		if (*p)
			p++;
	}
	return starts;
}

static void check_conf(const struct lockdown_conf *c, const char **starts, unsigned lines)
{
	size_t i;

	for (i = 0; i < c->n_preload; i++) {
		const struct conf_preload *pl = &c->preload[i];
		char *copy, *params[MAX_PARAMS], *vals[MAX_PARAMS];
		size_t nk;
		int want;
		bool any_quote;

		fuzz_check(pl->name && *pl->name && !strchr(pl->name, '/') && !strchr(pl->name, '"'),
			   "preload name '%s'", pl->name ? pl->name : "(null)");
		fuzz_check(pl->at.file && strcmp(pl->at.file, "fuzz.conf") == 0, "file name");
		fuzz_check(pl->at.line >= 1 && pl->at.line <= lines, "line %u of %u", pl->at.line, lines);
		want = reference_param_words(starts[pl->at.line - 1], &any_quote);
		if (!pl->options) {
			/* A word the kernel could not read back (a quote inside a
			 * value) is refused with an error, not passed on. */
			fuzz_check(want == 0 || c->errors > 0, "line %u: %d parameters lost", pl->at.line, want);
			continue;
		}
		copy = strdup(pl->options);
		if (!copy)
			abort();
		nk = kernel_split_args(copy, params, vals, MAX_PARAMS);
		/* A word with a quote inside its value is refused (an error is
		 * counted), so a line with errors may keep fewer parameters. */
		fuzz_check_known(any_quote ? "param-quote" : "param-blank",
				 nk == (size_t)want || (c->errors > 0 && nk < (size_t)want),
				 "line %u: the kernel reads %zu parameters from '%s', the line has %d",
				 pl->at.line, nk, pl->options, want);
		free(copy);
	}
	for (i = 0; i < c->n_lock; i++) {
		char norm[MODULE_NAME_MAX + 1];

		fuzz_check(module_name_normalize(c->lock[i].name, norm) == 0, "lock name '%s'",
			   c->lock[i].name);
		fuzz_check(c->lock[i].at.line >= 1 && c->lock[i].at.line <= lines, "lock line");
	}
	fuzz_check(!c->seal || c->lock_all, "seal without lock-all");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	struct lockdown_conf c = { 0 }, twice = { 0 };
	unsigned lines = count_lines(text);
	const char **starts;
	size_t i;
	int r;

	log_set_max_level(-1);
	r = lockdown_conf_parse(&c, "fuzz.conf", text);
	fuzz_check(r == 0, "lockdown_conf_parse() = %d", r);
	starts = line_starts(text, lines);
	check_conf(&c, starts, lines);
	free(starts);

	r = lockdown_conf_parse(&twice, "fuzz.conf", text);
	fuzz_check(r == 0, "second parse = %d", r);
	r = lockdown_conf_parse(&twice, "fuzz.conf", text);
	fuzz_check(r == 0, "third parse = %d", r);
	fuzz_check(twice.n_preload == 2 * c.n_preload && twice.n_lock == 2 * c.n_lock &&
			   twice.errors == 2 * c.errors && twice.lock_all == c.lock_all &&
			   twice.seal == c.seal,
		   "parsing twice is not twice the result");
	for (i = 0; i < c.n_preload; i++)
		fuzz_check(strcmp(c.preload[i].name, twice.preload[c.n_preload + i].name) == 0 &&
				   ((!c.preload[i].options && !twice.preload[c.n_preload + i].options) ||
				    (c.preload[i].options && twice.preload[c.n_preload + i].options &&
				     strcmp(c.preload[i].options, twice.preload[c.n_preload + i].options) == 0)),
			   "preload %zu differs", i);

	lockdown_conf_free(&c);
	lockdown_conf_free(&twice);
	fuzz_check(c.n_preload == 0 && c.preload == NULL, "free does not reset");
	free(text);
	return 0;
}
