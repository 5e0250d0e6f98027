// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The boot lockdown configuration. Files are found as systemd finds
 * drop-ins: a file name in a higher-priority directory hides the same name
 * below it, a symlink to /dev/null or an empty file masks it, and the
 * effective files are read in lexical order of their names.
 */
#include <dirent.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "bootconf.h"
#include "load.h"
#include "log.h"
#include "macro.h"
#include "sysfs.h"
#include "util.h"

#define CONF_MAX_SIZE (1024L * 1024)

void lockdown_conf_free(struct lockdown_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n_preload; i++) {
		free(conf->preload[i].name);
		free(conf->preload[i].options);
		free(conf->preload[i].at.file);
	}
	for (i = 0; i < conf->n_lock; i++) {
		free(conf->lock[i].name);
		free(conf->lock[i].at.file);
	}
	free(conf->preload);
	free(conf->lock);
	memset(conf, 0, sizeof(*conf));
}

static void conf_error(struct lockdown_conf *conf, const char *file, unsigned line, const char *fmt, ...)
	_printf_(4, 5);
static void conf_error(struct lockdown_conf *conf, const char *file, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s:%u: %s", file, line, msg);
	conf->errors++;
}

/*
 * Split a line into words in place. Double quotes group blanks into a word
 * (for parameter values); the quotes stay, as modprobe passes them on.
 * Returns the number of words, or -EINVAL for an unterminated quote.
 */
static int split_words(char *s, char **words, int max)
{
	int n = 0;

	for (;;) {
		bool quoted = false;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return -E2BIG;
		words[n++] = s;
		while (*s && (quoted || (*s != ' ' && *s != '\t'))) {
			if (*s == '"')
				quoted = !quoted;
			s++;
		}
		if (quoted)
			return -EINVAL;
		if (*s)
			*s++ = '\0';
	}
}

static int check_name(struct lockdown_conf *conf, const char *file, unsigned line, const char *name)
{
	char norm[MODULE_NAME_MAX + 1];
	int r = module_name_normalize(name, norm);

	if (r < 0)
		conf_error(conf, file, line, "invalid module name '%s': %s", name, module_name_error(r));
	return r;
}

int lockdown_conf_parse(struct lockdown_conf *conf, const char *file, const char *text)
{
	const char *p = text;
	unsigned line = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char buf[4096], *w[128];
		int n, i;

		line++;
		if (len >= sizeof(buf)) {
			conf_error(conf, file, line, "line too long");
			p += len + (nl ? 1 : 0);
			continue;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (nl ? 1 : 0);

		n = split_words(buf, w, (int)ARRAY_SIZE(w));
		if (n == 0 || w[0][0] == '#' || w[0][0] == ';')
			continue;
		if (n < 0) {
			conf_error(conf, file, line, n == -EINVAL ? "unterminated quote" : "too many words");
			continue;
		}
		if (streq(w[0], "preload")) {
			struct conf_preload *np, *pl;

			if (n < 2) {
				conf_error(conf, file, line, "'preload' needs a module name");
				continue;
			}
			/* A name or an alias: anything but a path. */
			if (strchr(w[1], '/') || strchr(w[1], '"') || strlen(w[1]) > 1024) {
				conf_error(conf, file, line, "invalid module name or alias '%s'", w[1]);
				continue;
			}
			np = realloc(conf->preload, (conf->n_preload + 1) * sizeof(*np));
			if (!np)
				return -ENOMEM;
			conf->preload = np;
			pl = &np[conf->n_preload];
			memset(pl, 0, sizeof(*pl));
			pl->name = strdup(w[1]);
			pl->at.file = strdup(file);
			pl->at.line = line;
			if (!pl->name || !pl->at.file) {
				free(pl->name);
				free(pl->at.file);
				return -ENOMEM;
			}
			conf->n_preload++;
			for (i = 2; i < n; i++) {
				int r;

				/* The same rule as on the command line: a parameter name
				 * of letters, digits, '_', '-' and '.' before the '='. */
				if (!load_arg_is_param(w[i])) {
					conf_error(conf, file, line, "'%s' is not a PARAM=VALUE word", w[i]);
					continue;
				}
				r = load_add_option(&pl->options, w[i]);
				if (r == -EINVAL)
					conf_error(conf, file, line,
						   "'%s': a double quote may only enclose the whole value", w[i]);
				else if (r < 0)
					return -ENOMEM;
			}
		} else if (streq(w[0], "lock")) {
			if (n < 2)
				conf_error(conf, file, line, "'lock' needs at least one module name");
			for (i = 1; i < n; i++) {
				struct conf_lock *nl2;

				if (check_name(conf, file, line, w[i]) < 0)
					continue;
				nl2 = realloc(conf->lock, (conf->n_lock + 1) * sizeof(*nl2));
				if (!nl2)
					return -ENOMEM;
				conf->lock = nl2;
				nl2[conf->n_lock].name = strdup(w[i]);
				nl2[conf->n_lock].at.file = strdup(file);
				nl2[conf->n_lock].at.line = line;
				if (!nl2[conf->n_lock].name || !nl2[conf->n_lock].at.file) {
					free(nl2[conf->n_lock].name);
					free(nl2[conf->n_lock].at.file);
					return -ENOMEM;
				}
				conf->n_lock++;
			}
		} else if (streq(w[0], "lock-all") || streq(w[0], "seal")) {
			if (n > 1) {
				conf_error(conf, file, line, "'%s' takes no arguments", w[0]);
				continue;
			}
			conf->lock_all = true;
			if (streq(w[0], "seal"))
				conf->seal = true;
		} else {
			conf_error(conf, file, line, "unknown directive '%s' (expected preload, lock, lock-all or seal)",
				   w[0]);
		}
	}
	return 0;
}

int lockdown_conf_load(struct lockdown_conf *conf, const char *const *dirs)
{
	char **names = NULL, **paths = NULL;
	size_t n = 0, cap = 0, i, d;
	int r = 0;

	/* Collect file names; the first directory holding a name wins. */
	for (d = 0; dirs[d]; d++) {
		struct dirent *de;
		DIR *dir = opendir(dirs[d]);

		if (!dir) {
			if (errno != ENOENT)
				log_warning("cannot read %s: %m", dirs[d]);
			continue;
		}
		while ((de = readdir(dir))) {
			size_t l = strlen(de->d_name);
			bool seen = false;

			if (de->d_name[0] == '.' || l < 6 || !streq(de->d_name + l - 5, ".conf"))
				continue;
			for (i = 0; i < n && !seen; i++)
				seen = streq(names[i], de->d_name);
			if (seen)
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				char **nn = realloc(names, ncap * sizeof(char *));
				char **np;

				if (!nn) {
					r = -ENOMEM;
					closedir(dir);
					goto out;
				}
				names = nn;
				np = realloc(paths, ncap * sizeof(char *));
				if (!np) {
					r = -ENOMEM;
					closedir(dir);
					goto out;
				}
				paths = np;
				cap = ncap;
			}
			names[n] = strdup(de->d_name);
			if (!names[n] || asprintf(&paths[n], "%s/%s", dirs[d], de->d_name) < 0) {
				free(names[n]);
				r = -ENOMEM;
				closedir(dir);
				goto out;
			}
			n++;
		}
		closedir(dir);
	}
	/* Sort paths by file name: names[] and paths[] move together. */
	for (i = 0; i < n; i++) {
		char *tmp;
		size_t j, min = i;

		for (j = i + 1; j < n; j++)
			if (strcmp(names[j], names[min]) < 0)
				min = j;
		tmp = names[i], names[i] = names[min], names[min] = tmp;
		tmp = paths[i], paths[i] = paths[min], paths[min] = tmp;
	}

	for (i = 0; i < n; i++) {
		char *text = NULL;
		struct stat st;
		size_t len = 0;

		if (stat(paths[i], &st) == 0 && S_ISCHR(st.st_mode))
			continue; /* a symlink to /dev/null masks the name */
		if (stat(paths[i], &st) == 0 && st.st_size > CONF_MAX_SIZE) {
			conf_error(conf, paths[i], 0, "file is larger than %ld bytes", CONF_MAX_SIZE);
			continue;
		}
		r = read_full_file(paths[i], &text, &len);
		if (r < 0) {
			conf_error(conf, paths[i], 0, "cannot read: %s", strerror(-r));
			r = 0;
			continue;
		}
		if (memchr(text, '\0', len))
			conf_error(conf, paths[i], 0, "contains NUL bytes");
		else
			r = lockdown_conf_parse(conf, paths[i], text);
		free(text);
		if (r < 0)
			goto out;
	}
out:
	for (i = 0; i < n; i++) {
		free(names[i]);
		free(paths[i]);
	}
	free(names);
	free(paths);
	return r;
}
