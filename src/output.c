// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Column selection and rendering. Commands describe their columns once, in a
 * table with width hint, flags, JSON type and help, and fill cells by column
 * index; this file turns that into libsmartcols output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "log.h"
#include "macro.h"
#include "output.h"
#include "util.h"

enum {
	OPT_OUTPUT_ALL = 0x100,
};

static const struct argp_option output_options_list[] = {
	{ "output", 'o', "LIST", 0, "columns to show (\"+LIST\" adds to the default)", 0 },
	{ "output-all", OPT_OUTPUT_ALL, NULL, 0, "show every column", 0 },
	{ "json", 'J', NULL, 0, "print JSON", 0 },
	{ "raw", 'r', NULL, 0, "print raw output, columns separated by one space", 0 },
	{ "noheadings", 'n', NULL, 0, "do not print the heading line", 0 },
	{ "list-columns", 'H', NULL, 0, "list the columns and what they mean", 0 },
	{ 0 }
};

static error_t output_parse(int key, char *arg, struct argp_state *state)
{
	struct output_options *o = state->input;

	switch (key) {
	case 'o':
		o->columns = arg;
		break;
	case OPT_OUTPUT_ALL:
		o->all = true;
		break;
	case 'J':
		o->json = true;
		break;
	case 'r':
		o->raw = true;
		break;
	case 'n':
		o->noheadings = true;
		break;
	case 'H':
		o->list_columns = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp output_argp = {
	.options = output_options_list,
	.parser = output_parse,
};

static int find_column(const struct column *cols, size_t ncols, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ncols; i++)
		if (strlen(cols[i].name) == len && strncasecmp(cols[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static int add_columns(struct output *out, const char *list, const char *origin)
{
	const char *p = list;

	while (*p) {
		const char *end = strchrnul(p, ',');
		size_t len = (size_t)(end - p);
		int c;

		if (len == 0) {
			p = *end ? end + 1 : end;
			continue;
		}
		c = find_column(out->cols, out->ncols, p, len);
		if (c < 0) {
			log_error("unknown column '%.*s'%s%s; 'modctl list -H' lists them", (int)len, p,
				  origin ? " in " : "", origin ? origin : "");
			return -EINVAL;
		}
		if (out->nsel >= ARRAY_SIZE(out->sel)) {
			log_error("too many columns");
			return -EINVAL;
		}
		out->sel[out->nsel++] = (size_t)c;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int output_init(struct output *out, const struct column *cols, size_t ncols,
		const struct output_options *opts, const char *env_var,
		const char *defaults, const char *json_name)
{
	const char *env = env_var ? modctl_getenv(env_var) : NULL;
	size_t i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->cols = cols;
	out->ncols = ncols;

	if (opts->all) {
		for (i = 0; i < ncols; i++)
			out->sel[out->nsel++] = i;
	} else if (opts->columns && opts->columns[0] != '+') {
		r = add_columns(out, opts->columns, NULL);
	} else {
		if (env && *env)
			r = add_columns(out, env, env_var);
		else
			r = add_columns(out, defaults, NULL);
		if (r == 0 && opts->columns)
			r = add_columns(out, opts->columns + 1, NULL);
	}
	if (r < 0)
		return r;
	if (out->nsel == 0) {
		log_error("no columns to show");
		return -EINVAL;
	}

	out->json = opts->json;
	out->noheadings = opts->noheadings;
	out->json_name = json_name;
	out->tb = scols_new_table();
	if (!out->tb)
		return -ENOMEM;
	scols_table_enable_raw(out->tb, opts->raw);
	scols_table_enable_noheadings(out->tb, opts->noheadings);
	for (i = 0; i < out->nsel; i++) {
		const struct column *c = &cols[out->sel[i]];
		struct libscols_column *cl;

		cl = scols_table_new_column(out->tb, c->name, c->whint, c->flags);
		if (!cl)
			return -ENOMEM;
		scols_column_set_json_type(cl, c->json_type == OUTPUT_JSON_RAW ? SCOLS_JSON_STRING : c->json_type);
	}
	return 0;
}

bool output_has(const struct output *out, size_t col)
{
	size_t i;

	for (i = 0; i < out->nsel; i++)
		if (out->sel[i] == col)
			return true;
	return false;
}

struct libscols_line *output_new_line(struct output *out)
{
	return scols_table_new_line(out->tb, NULL);
}

int output_set(struct output *out, struct libscols_line *ln, size_t col, const char *data)
{
	size_t i;

	for (i = 0; i < out->nsel; i++)
		if (out->sel[i] == col)
			return scols_line_set_data(ln, i, data);
	return 0;
}

int output_setf(struct output *out, struct libscols_line *ln, size_t col, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int r;

	if (!output_has(out, col))
		return 0;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = output_set(out, ln, col, s);
	free(s);
	return r;
}

static void json_key(const char *name)
{
	const char *p;

	/* Keys are the lowercase column names, as in util-linux. */
	putchar('"');
	for (p = name; *p; p++)
		putchar(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	fputs("\": ", stdout);
}

static void json_value(int type, const char *data)
{
	bool empty = !data || !*data;

	switch (type) {
	case SCOLS_JSON_NUMBER:
		fputs(empty ? "null" : data, stdout);
		break;
	case SCOLS_JSON_BOOLEAN:
		if (empty)
			fputs("null", stdout);
		else
			fputs(streq(data, "yes") || streq(data, "1") || streq(data, "true") ? "true" : "false",
			      stdout);
		break;
	case SCOLS_JSON_ARRAY_STRING: {
		const char *p = data;

		/* Items are separated by newlines in the cell. */
		putchar('[');
		while (!empty && *p) {
			const char *end = strchrnul(p, '\n');
			char *item = strndup(p, (size_t)(end - p));

			if (p != data)
				fputs(", ", stdout);
			json_put_string(stdout, item ? item : "");
			free(item);
			p = *end ? end + 1 : end;
		}
		putchar(']');
		break;
	}
	case OUTPUT_JSON_RAW:
		fputs(empty ? "null" : data, stdout);
		break;
	default:
		if (empty)
			fputs("null", stdout);
		else
			json_put_string(stdout, data);
		break;
	}
}

/*
 * JSON is written here rather than by libsmartcols: the library's 2.38
 * (Debian 12) turns an empty list into [null] and knows only "0"/"N" as
 * false; modctl's JSON must have the right types on every version.
 */
static int output_print_json(struct output *out)
{
	struct libscols_iter *itr = scols_new_iter(SCOLS_ITER_FORWARD);
	struct libscols_line *ln;
	bool first = true;
	size_t i;

	if (!itr)
		return -ENOMEM;
	printf("{\n   \"%s\": [", out->json_name);
	while (scols_table_next_line(out->tb, itr, &ln) == 0) {
		fputs(first ? "\n      {" : ",{", stdout);
		first = false;
		for (i = 0; i < out->nsel; i++) {
			const struct column *c = &out->cols[out->sel[i]];
			struct libscols_cell *ce = scols_line_get_cell(ln, i);

			fputs(i ? ",\n         " : "\n         ", stdout);
			json_key(c->name);
			json_value(c->json_type, ce ? scols_cell_get_data(ce) : NULL);
		}
		fputs("\n      }", stdout);
	}
	fputs(first ? "]\n}\n" : "\n   ]\n}\n", stdout);
	scols_free_iter(itr);
	return ferror(stdout) ? -EIO : 0;
}

int output_print(struct output *out)
{
	size_t i;

	if (out->json)
		return output_print_json(out);
	/* libsmartcols prints nothing at all for an empty table; a heading
	 * still tells the reader which question got no answer. */
	if (scols_table_is_empty(out->tb)) {
		for (i = 0; i < out->nsel && !out->noheadings; i++)
			printf("%s%s", i ? " " : "", out->cols[out->sel[i]].name);
		if (out->nsel && !out->noheadings)
			putchar('\n');
		return 0;
	}
	return scols_print_table(out->tb);
}

void output_free(struct output *out)
{
	scols_unref_table(out->tb);
	out->tb = NULL;
}

int output_print_columns(const struct column *cols, size_t ncols, const struct output_options *opts)
{
	static const struct column meta[] = {
		{ "NAME", 0, 0, SCOLS_JSON_STRING, NULL },
		{ "TYPE", 0, 0, SCOLS_JSON_STRING, NULL },
		{ "DESCRIPTION", 0, SCOLS_FL_WRAP, SCOLS_JSON_STRING, NULL },
	};
	struct output_options o = *opts;
	struct output out;
	size_t i;
	int r;

	o.columns = "NAME,TYPE,DESCRIPTION";
	o.all = false;
	/* Like util-linux: -H prints bare lines unless JSON was asked for. */
	if (!o.json)
		o.noheadings = true;
	r = output_init(&out, meta, ARRAY_SIZE(meta), &o, NULL, NULL, "columns");
	if (r < 0)
		return r;
	for (i = 0; i < ncols; i++) {
		struct libscols_line *ln = output_new_line(&out);
		const char *type;

		if (!ln) {
			output_free(&out);
			return -ENOMEM;
		}
		switch (cols[i].json_type) {
		case SCOLS_JSON_NUMBER:
			type = "<integer>";
			break;
		case SCOLS_JSON_BOOLEAN:
			type = "<boolean>";
			break;
		case SCOLS_JSON_ARRAY_STRING:
			type = "<string list>";
			break;
		default:
			type = "<string>";
			break;
		}
		output_set(&out, ln, 0, cols[i].name);
		output_set(&out, ln, 1, type);
		output_set(&out, ln, 2, cols[i].help);
	}
	r = output_print(&out);
	output_free(&out);
	return r;
}
