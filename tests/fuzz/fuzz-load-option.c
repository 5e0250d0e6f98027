// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PARAM=VALUE words of 'modctl load' (argv words: the input is split at
 * NUL bytes): load_arg_is_param() and load_add_option(). Invariants:
 *  - load_arg_is_param() accepts exactly NAME=... with NAME made of
 *    letters, digits, '_', '-', '.';
 *  - each accepted word is appended as " NAME=VALUE", VALUE quoted or not;
 *  - with no '"' in the input, the result has no unbalanced quote;
 *  - the kernel splits the result (lib/cmdline.c next_arg()) into exactly
 *    one parameter per word, with the word's name, and for a word without
 *    quotes with the word's value. load_add_option() may refuse a word it
 *    cannot pass on (a negative return), leaving the string alone.
 */
#include <ctype.h>

#include "fuzz.h"
#include "../kernel-args.h"
#include "load.h"
#include "log.h"

#define MAX_WORDS 16

static bool reference_is_param(const char *w)
{
	const char *eq = strchr(w, '=');
	const char *p;

	if (!eq || eq == w)
		return false;
	for (p = w; p < eq; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-.", *p))
			return false;
	return true;
}

static size_t count_quotes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '"';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *w[MAX_WORDS], *opts = NULL, *copy, *params[MAX_WORDS], *vals[MAX_WORDS];
	const char *added[MAX_WORDS];
	size_t n, n_added = 0, i, nk;
	bool any_quote = false;

	log_set_max_level(-1);
	n = fuzz_split(data, size, w, MAX_WORDS);
	for (i = 0; i < n; i++) {
		bool is = load_arg_is_param(w[i]);
		char *before;
		const char *val, *piece;
		size_t plen;
		int r;

		fuzz_check(is == reference_is_param(w[i]), "load_arg_is_param('%s') = %d", w[i], is);
		if (!is)
			continue;
		before = opts ? strdup(opts) : NULL;
		r = load_add_option(&opts, w[i]);
		if (r < 0) {
			fuzz_check(r != -ENOMEM, "out of memory");
			fuzz_check((!before && !opts) || (before && opts && strcmp(before, opts) == 0),
				   "a refused word changed the options");
			free(before);
			continue;
		}
		fuzz_check(opts, "no options after adding '%s'", w[i]);
		/* " NAME=VALUE" appended to what was there, VALUE maybe quoted. */
		plen = before ? strlen(before) : 0;
		fuzz_check(!before || (strncmp(opts, before, plen) == 0 && opts[plen] == ' '),
			   "'%s' does not extend '%s'", opts, before);
		piece = opts + plen + (before ? 1 : 0);
		val = strchr(w[i], '=') + 1;
		fuzz_check(strncmp(piece, w[i], (size_t)(val - w[i])) == 0, "name not copied");
		piece += val - w[i];
		fuzz_check(strcmp(piece, val) == 0 ||
				   (piece[0] == '"' && strncmp(piece + 1, val, strlen(val)) == 0 &&
				    strcmp(piece + 1 + strlen(val), "\"") == 0),
			   "value '%s' became '%s'", val, piece);
		free(before);
		any_quote |= strchr(w[i], '"') != NULL;
		added[n_added++] = w[i];
	}

	if (opts && !any_quote)
		fuzz_check(count_quotes(opts) % 2 == 0, "unbalanced quote in '%s'", opts);

	if (opts) {
		copy = strdup(opts);
		if (!copy)
			abort();
		nk = kernel_split_args(copy, params, vals, MAX_WORDS);
		fuzz_check_known(any_quote ? "param-quote" : "param-blank", nk == n_added,
				 "the kernel reads %zu parameters from '%s', not %zu", nk, opts, n_added);
		for (i = 0; i < n_added && i < nk; i++) {
			const char *eq = strchr(added[i], '=');

			fuzz_check_known(any_quote ? "param-quote" : "param-blank",
					 strlen(params[i]) == (size_t)(eq - added[i]) &&
						 strncmp(params[i], added[i], (size_t)(eq - added[i])) == 0,
					 "the kernel reads parameter '%s' from '%s'", params[i], added[i]);
			if (!any_quote)
				fuzz_check_known("param-blank", vals[i] && strcmp(vals[i], eq + 1) == 0,
						 "the kernel reads '%s' as '%s'", added[i],
						 vals[i] ? vals[i] : "(no value)");
		}
		free(copy);
	}
	free(opts);
	fuzz_words_free(w, n);
	return 0;
}
