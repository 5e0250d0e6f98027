/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tables and JSON through libsmartcols, in util-linux's vocabulary:
 * -o/--output, --output-all, -J/--json, -r/--raw, -n/--noheadings,
 * -H/--list-columns.
 */
#pragma once

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>

#include <libsmartcols.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libscols_table *, scols_unref_table)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct libscols_iter *, scols_free_iter)

/* A json_type for a cell that holds JSON text already (an array of
 * objects), written as it is; libsmartcols sees a string. */
#define OUTPUT_JSON_RAW 0x100

/* One column a command can show. */
struct column {
	const char *name;
	double whint;
	int flags;       /* SCOLS_FL_* */
	int json_type;   /* SCOLS_JSON_* */
	const char *help;
};

struct output_options {
	const char *columns;  /* -o: "A,B" replaces, "+A,B" appends to the defaults */
	bool all;
	bool json;
	bool raw;
	bool noheadings;
	bool list_columns;
};

/* The argp child with -o --output-all -J -r -n -H; its input is a struct output_options. */
extern const struct argp output_argp;

struct output {
	const struct column *cols;
	size_t ncols;
	size_t sel[64];
	size_t nsel;
	bool json;
	bool noheadings;
	const char *json_name;
	struct libscols_table *tb;
};

/*
 * Choose columns from options, then $env_var, then defaults (comma list).
 * Unknown names are a usage error reported here (returns -EINVAL).
 */
int output_init(struct output *out, const struct column *cols, size_t ncols,
		const struct output_options *opts, const char *env_var,
		const char *defaults, const char *json_name);
/* Whether the column with this index was chosen. */
bool output_has(const struct output *out, size_t col);
/* Print -H: every column with its description. */
int output_print_columns(const struct column *cols, size_t ncols, const struct output_options *opts);
struct libscols_line *output_new_line(struct output *out);
/* Set a cell by column index; ignored when the column was not chosen. */
int output_set(struct output *out, struct libscols_line *ln, size_t col, const char *data);
int output_setf(struct output *out, struct libscols_line *ln, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int output_print(struct output *out);
void output_free(struct output *out);
