// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The boot lockdown configuration. Files are found as systemd finds
 * drop-ins: a file name in a higher-priority directory hides the same name
 * below it, a symlink to /dev/null or an empty file masks it, and the
 * effective files are read in lexical order of their names. Every directory
 * and file is trusted as modctl's own state is (see untrusted_reason()):
 * a file root did not write is an error, never read.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "bootconf.h"
#include "kmodctx.h"
#include "load.h"
#include "log.h"
#include "macro.h"
#include "sysfs.h"
#include "trust.h"
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
	if (line)
		log_error("%s:%u: %s", file, line, msg);
	else
		log_error("%s: %s", file, msg);
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
		} else if (streq(w[0], "lock-all") || streq(w[0], "seal") || streq(w[0], "no-pin")) {
			if (n > 1) {
				conf_error(conf, file, line, "'%s' takes no arguments", w[0]);
				continue;
			}
			if (streq(w[0], "no-pin")) {
				conf->no_pin = true;
				continue;
			}
			conf->lock_all = true;
			if (streq(w[0], "seal"))
				conf->seal = true;
		} else {
			conf_error(conf, file, line, "unknown directive '%s' (expected preload, lock, lock-all, seal or no-pin)",
				   w[0]);
		}
	}
	return 0;
}

/* A directory or file of the configuration that cannot be opened or trusted. */
static void conf_open_error(struct lockdown_conf *conf, const char *path, int err, const char *why)
{
	if (err == -EPERM && why[0])
		conf_error(conf, path, 0, "not trusted: %s", why);
	else
		conf_error(conf, path, 0, "cannot read: %s", strerror(-err));
}

/*
 * Open a lockdown.d directory, checked like every file modctl trusts, and
 * so is the directory holding it (modctl's own, such as /etc/modctl): who
 * can rename lockdown.d can replace it. Returns the fd, -ENOENT when either
 * does not exist (nothing to read), or another error, reported.
 */
static int conf_dir_open(struct lockdown_conf *conf, const char *dir)
{
	_cleanup_close_ int pfd = AT_FDCWD;
	const char *slash = strrchr(dir, '/'), *base = dir;
	char why[128], parent[PATH_MAX];
	int fd;

	if (slash && slash != dir) {
		if ((size_t)(slash - dir) >= sizeof(parent)) {
			conf_open_error(conf, dir, -ENAMETOOLONG, "");
			return -ENAMETOOLONG;
		}
		memcpy(parent, dir, (size_t)(slash - dir));
		parent[slash - dir] = '\0';
		pfd = open_trusted(AT_FDCWD, parent, O_RDONLY, 0, S_IFDIR, NULL, why, sizeof(why));
		if (pfd == -ENOENT)
			return pfd;
		if (pfd < 0) {
			conf_open_error(conf, parent, pfd, why);
			return pfd;
		}
		base = slash + 1;
	}
	fd = open_trusted(pfd, base, O_RDONLY, 0, S_IFDIR, NULL, why, sizeof(why));
	if (fd < 0 && fd != -ENOENT)
		conf_open_error(conf, dir, fd, why);
	return fd;
}

static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3;
}

/* Read and parse one file of the trusted directory dfd. Problems with the
 * file are counted in conf->errors; only -ENOMEM is returned. */
static int conf_read_file(struct lockdown_conf *conf, int dfd, const char *name, const char *path)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	char why[128];
	struct stat st;
	size_t len = 0;
	int r;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		conf_open_error(conf, path, -errno, "");
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		/* A link to /dev/null masks the name; no other link is followed. */
		if (fstatat(dfd, name, &st, 0) == 0 && is_dev_null(&st))
			return 0;
		conf_error(conf, path, 0, "not trusted: it is a symbolic link (only a link to /dev/null, "
				       "which masks the name, is allowed)");
		return 0;
	}
	fd = open_trusted(dfd, name, O_RDONLY, 0, S_IFREG, &st, why, sizeof(why));
	if (fd < 0) {
		conf_open_error(conf, path, fd, why);
		return 0;
	}
	r = st.st_size > CONF_MAX_SIZE ? -EFBIG : read_fd_full(fd, CONF_MAX_SIZE, &text, &len);
	if (r == -ENOMEM)
		return r;
	if (r == -EFBIG)
		conf_error(conf, path, 0, "file is larger than %ld bytes", CONF_MAX_SIZE);
	else if (r < 0)
		conf_open_error(conf, path, r, "");
	else if (memchr(text, '\0', len))
		conf_error(conf, path, 0, "contains NUL bytes");
	else
		return lockdown_conf_parse(conf, path, text);
	return 0;
}

struct conf_file {
	char *name;
	size_t dir;   /* index into dirs and their fds */
};

static int cmp_conf_file(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name, ((const struct conf_file *)b)->name);
}

/* Add the .conf names of directory fd not already found in a higher one. */
static int conf_collect(int fd, size_t d, struct conf_file **files, size_t *n, size_t *cap)
{
	struct dirent *de;
	DIR *dir;
	int dfd, r = 0;

	/* fdopendir() takes its fd: give it its own. */
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (dfd < 0)
		return -errno;
	dir = fdopendir(dfd);
	if (!dir) {
		r = -errno;
		close(dfd);
		return r;
	}
	while ((de = readdir(dir))) {
		size_t l = strlen(de->d_name), i;
		bool seen = false;

		if (de->d_name[0] == '.' || l < 6 || !streq(de->d_name + l - 5, ".conf"))
			continue;
		for (i = 0; i < *n && !seen; i++)
			seen = streq((*files)[i].name, de->d_name);
		if (seen)
			continue;
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			struct conf_file *nf = realloc(*files, ncap * sizeof(**files));

			if (!nf) {
				r = -ENOMEM;
				break;
			}
			*files = nf;
			*cap = ncap;
		}
		(*files)[*n].name = strdup(de->d_name);
		(*files)[*n].dir = d;
		if (!(*files)[*n].name) {
			r = -ENOMEM;
			break;
		}
		(*n)++;
	}
	closedir(dir);
	return r;
}

int lockdown_conf_load(struct lockdown_conf *conf, const char *const *dirs)
{
	struct conf_file *files = NULL;
	size_t n = 0, cap = 0, ndirs = 0, i, d;
	int *fds = NULL, r = 0;

	while (dirs[ndirs])
		ndirs++;
	fds = malloc((ndirs + 1) * sizeof(int));
	if (!fds)
		return -ENOMEM;
	for (d = 0; d < ndirs; d++)
		fds[d] = -1;

	/* Collect file names; the first directory holding a name wins. */
	for (d = 0; d < ndirs; d++) {
		fds[d] = conf_dir_open(conf, dirs[d]);
		if (fds[d] < 0)
			continue;
		r = conf_collect(fds[d], d, &files, &n, &cap);
		if (r == -ENOMEM)
			goto out;
		if (r < 0) {
			conf_open_error(conf, dirs[d], r, "");
			r = 0;
		}
	}
	if (n)
		qsort(files, n, sizeof(*files), cmp_conf_file);

	for (i = 0; i < n && r == 0; i++) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/%s", dirs[files[i].dir], files[i].name) < 0) {
			path = NULL;
			r = -ENOMEM;
			break;
		}
		r = conf_read_file(conf, fds[files[i].dir], files[i].name, path);
	}
out:
	for (i = 0; i < n; i++)
		free(files[i].name);
	free(files);
	for (d = 0; d < ndirs; d++)
		if (fds[d] >= 0)
			close(fds[d]);
	free(fds);
	return r;
}

/* --- checking against the system ------------------------------------------ */

/* Whether a preload entry (a name or an alias) resolves to the module name. */
static bool preload_provides(struct kmod_ctx *ctx, const char *preload, const char *name)
{
	_cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
	bool found = module_name_eq(preload, name);
	struct kmod_list *l;

	if (found || kmod_module_new_from_lookup(ctx, preload, &list) < 0)
		return found;
	kmod_list_foreach(l, list) {
		_cleanup_(kmod_module_unrefp) struct kmod_module *m = kmod_module_get_module(l);

		found = found || module_name_eq(kmod_module_get_name(m), name);
	}
	return found;
}

unsigned lockdown_conf_validate(struct kmod_ctx *ctx, const struct lockdown_conf *conf)
{
	struct proc_modules pm = { 0 };
	unsigned errors = 0;
	size_t i, j;

	for (i = 0; i < conf->n_preload; i++) {
		struct kmod_list *list = NULL;

		if (kmod_module_new_from_lookup(ctx, conf->preload[i].name, &list) < 0 || !list) {
			log_error("%s:%u: module %s not found in %s", conf->preload[i].at.file,
				  conf->preload[i].at.line, conf->preload[i].name, kmod_get_dirname(ctx));
			errors++;
		}
		kmod_module_unref_list(list);
	}
	(void)proc_modules_read(&pm);
	for (i = 0; i < conf->n_lock; i++) {
		bool known = proc_modules_find(&pm, conf->lock[i].name) != NULL;

		/* A preload may name the module through an alias. */
		for (j = 0; j < conf->n_preload && !known; j++)
			known = preload_provides(ctx, conf->preload[j].name, conf->lock[i].name);
		if (!known) {
			log_error("%s:%u: cannot lock %s: it is neither loaded nor preloaded",
				  conf->lock[i].at.file, conf->lock[i].at.line, conf->lock[i].name);
			errors++;
		}
	}
	proc_modules_free(&pm);
	return errors;
}
