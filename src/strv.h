/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String vectors: NULL-terminated arrays of strings the array owns. */
#pragma once

#include <stddef.h>

/* Free every string and the array; NULL is allowed. */
void strv_free(char **v);
/* Join with a separator; "" for an empty list; NULL when out of memory. */
char *strv_join(char **v, const char *sep);
/* strcmp() for qsort() and bsearch() over an array of char *. */
int strv_cmp(const void *a, const void *b);
/* Sort the first n strings of v (n may be 0, and v then NULL). */
void strv_sort(char **v, size_t n);
