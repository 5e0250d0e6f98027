/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the fuzz targets and the replay driver. A target is one
 * LLVMFuzzerTestOneInput over one parser; it checks invariants with
 * fuzz_check(), which aborts, so libFuzzer (and replay) see a crash.
 *
 * Known bugs: a check tagged with fuzz_known("ID") is not fatal while ID is
 * listed in $MODCTL_FUZZ_KNOWN_BUGS (comma or blank separated). 'make fuzz'
 * sets it from tests/fuzz/known-bugs so that an open, reported bug does not
 * stop every run; replay leaves it unset and reports the inputs as TODO.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_check(cond, ...)                                                              \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "\n%s:%d: invariant failed: %s\n  ", __FILE__, __LINE__, \
				#cond);                                                    \
			fprintf(stderr, __VA_ARGS__);                                      \
			fputc('\n', stderr);                                               \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* Like fuzz_check, but only a note while bug ID is listed as known. */
#define fuzz_check_known(id, cond, ...)                                                    \
	do {                                                                               \
		if (!(cond) && !fuzz_known(id))                                            \
			fuzz_check(cond, __VA_ARGS__);                                     \
	} while (0)

static inline bool fuzz_known(const char *id)
{
	const char *list = getenv("MODCTL_FUZZ_KNOWN_BUGS");
	size_t l = strlen(id);

	while (list && *list) {
		size_t n = strcspn(list, ", \t\n");

		if (n == l && strncmp(list, id, l) == 0)
			return true;
		list += n;
		list += strspn(list, ", \t\n");
	}
	return false;
}

/* A NUL-terminated copy of the input (parsers read C strings; the part
 * after an embedded NUL is simply not seen). Free with free(). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split data at NUL bytes into at most max words (copies; free with
 * fuzz_words_free). Returns the number of words. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, char **words, size_t max)
{
	size_t n = 0, start = 0, i;

	for (i = 0; i <= size && n < max; i++) {
		if (i == size || data[i] == '\0') {
			words[n++] = fuzz_strdup(data + start, i - start);
			start = i + 1;
		}
	}
	return n;
}

static inline void fuzz_words_free(char **words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(words[i]);
}
