/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How the kernel splits a module's option string into parameters
 * (parse_args() in kernel/params.c, Linux 6.1), written down as behaviour:
 *
 *  - blanks separate parameters; they are the kernel's isspace(): space,
 *    \t \n \v \f \r, and 0xa0 (lib/ctype.c counts it as a space);
 *  - a double quote toggles quoting; quoted blanks do not separate;
 *  - NAME=VALUE is cut at the first '=' that is not the first character
 *    (quoted or not); a parameter without one has no value;
 *  - one quote is dropped at the start of VALUE, and then one at the end
 *    of the parameter if it is a quote; a parameter that starts with a
 *    quote loses that quote and, likewise, a closing one.
 *
 * The fake kernel of tier 2 sets parameters with it, and the fuzz targets
 * check that what modctl hands to finit_module() splits into the
 * parameters the user wrote.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

static inline bool kernel_isspace(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (unsigned char)c == 0xa0;
}

static inline char *kernel_skip_spaces(char *s)
{
	while (kernel_isspace(*s))
		s++;
	return s;
}

/* Cut the parameter at s (no leading blanks) in place; returns where the
 * next one starts. */
static inline char *kernel_next_arg(char *s, char **param, char **val)
{
	bool opened = *s == '"', in_quote = opened;
	char *start = s + opened, *end, *eq = NULL, *next;

	for (end = start; *end; end++) {
		if (!in_quote && kernel_isspace(*end))
			break;
		if (*end == '=' && !eq && end > start)
			eq = end;
		else if (*end == '"')
			in_quote = !in_quote;
	}
	next = *end ? end + 1 : end;
	*end = '\0';

	*param = start;
	*val = NULL;
	if (eq) {
		*eq = '\0';
		*val = eq + 1;
		if (**val == '"') {
			++*val;
			if (end[-1] == '"')
				end[-1] = '\0';
		}
	}
	if (opened && end > start && end[-1] == '"')
		end[-1] = '\0';
	return kernel_skip_spaces(next);
}

/* Split opts (modified in place) as parse_args() does; fills at most max
 * params and values, returns how many there are in all. */
static inline size_t kernel_split_args(char *opts, char **params, char **vals, size_t max)
{
	size_t n = 0;
	char *p = kernel_skip_spaces(opts);

	while (*p) {
		char *param, *val;

		p = kernel_next_arg(p, &param, &val);
		if (n < max) {
			params[n] = param;
			vals[n] = val;
		}
		n++;
	}
	return n;
}
