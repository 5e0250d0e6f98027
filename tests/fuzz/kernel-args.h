/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How the kernel splits a module's option string into parameters:
 * next_arg() from Linux lib/cmdline.c (v6.1), with the kernel's isspace()
 * (lib/ctype.c: 0xa0 is a space too). The fuzz targets check that what
 * modctl hands to finit_module() splits into the parameters the user wrote.
 */
#pragma once

#include <stdbool.h>
#include <string.h>

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

static inline char *kernel_next_arg(char *args, char **param, char **val)
{
	unsigned int i, equals = 0;
	int in_quote = 0, quoted = 0;

	if (*args == '"') {
		args++;
		in_quote = 1;
		quoted = 1;
	}
	for (i = 0; args[i]; i++) {
		if (kernel_isspace(args[i]) && !in_quote)
			break;
		if (equals == 0) {
			if (args[i] == '=')
				equals = i;
		}
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		/* Don't include quotes in value. */
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		args += i + 1;
	} else {
		args = args + i;
	}
	return kernel_skip_spaces(args);
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
