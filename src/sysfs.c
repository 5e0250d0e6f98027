// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel's view of modules. /proc/modules gives name, size, refcnt,
 * holders and state of every module in a single read; sysfs is read per
 * module only for what /proc/modules lacks. Every reader tolerates a
 * module vanishing between two reads.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "util.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "sysfs.h"

const char *module_state_name(enum module_state s)
{
	switch (s) {
	case MODULE_STATE_LIVE:
		return "live";
	case MODULE_STATE_COMING:
		return "coming";
	case MODULE_STATE_GOING:
		return "going";
	default:
		return "unknown";
	}
}

enum module_state module_state_from_initstate(const char *s)
{
	if (streq(s, "live"))
		return MODULE_STATE_LIVE;
	if (streq(s, "coming"))
		return MODULE_STATE_COMING;
	if (streq(s, "going"))
		return MODULE_STATE_GOING;
	return MODULE_STATE_UNKNOWN;
}

static char *next_field(char **p)
{
	char *s = *p, *start;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	start = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return start;
}

int proc_modules_parse_line(char *line, struct proc_module *m)
{
	char *p = line, *name, *size, *refcnt, *deps, *state, *addr, *taint, *end;
	char *out;
	long v;

	name = next_field(&p);
	size = next_field(&p);
	refcnt = next_field(&p);
	deps = next_field(&p);
	state = next_field(&p);
	addr = next_field(&p);
	if (!addr)
		return -EINVAL;
	taint = next_field(&p);
	if (strlen(name) > MODULE_NAME_MAX)
		return -EINVAL;

	memset(m, 0, sizeof(*m));
	m->name = name;
	errno = 0;
	m->size = strtoul(size, &end, 10);
	if (errno || *end || end == size || *size == '-')
		return -EINVAL;

	if (streq(refcnt, "-")) {
		m->has_refcnt = false;
	} else {
		if (parse_long(refcnt, &v) < 0)
			return -EINVAL;
		m->refcnt = v;
		m->has_refcnt = true;
	}

	/* deps: "-" or "a,b,[permanent]," — rewrite in place to "a,b". */
	m->holders = "";
	if (!streq(deps, "-")) {
		char *tok, *save = NULL;

		out = deps;
		for (tok = strtok_r(deps, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			size_t l = strlen(tok);

			if (streq(tok, "[permanent]")) {
				m->permanent = true;
				continue;
			}
			if (m->n_holders)
				*out++ = ',';
			memmove(out, tok, l);
			out += l;
			m->n_holders++;
		}
		*out = '\0';
		m->holders = deps;
	}

	if (streq(state, "Live"))
		m->state = MODULE_STATE_LIVE;
	else if (streq(state, "Loading"))
		m->state = MODULE_STATE_COMING;
	else if (streq(state, "Unloading"))
		m->state = MODULE_STATE_GOING;
	else
		return -EINVAL;

	m->taint = "";
	if (taint) {
		size_t l = strlen(taint);

		if (l < 2 || taint[0] != '(' || taint[l - 1] != ')')
			return -EINVAL;
		taint[l - 1] = '\0';
		m->taint = taint + 1;
	}
	return 0;
}

int proc_modules_parse(char *buf, struct proc_modules *pm)
{
	size_t cap = 0, lines = 0;
	char *p;

	pm->mods = NULL;
	pm->n = 0;
	for (p = buf; *p; p++)
		if (*p == '\n')
			lines++;
	cap = lines + 1;
	pm->mods = calloc(cap, sizeof(*pm->mods));
	if (!pm->mods)
		return -ENOMEM;

	p = buf;
	while (*p) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		if (*p) {
			if (proc_modules_parse_line(p, &pm->mods[pm->n]) == 0)
				pm->n++;
			else
				log_debug("ignoring a malformed line of " PROC_MODULES);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

int proc_modules_read(struct proc_modules *pm)
{
	int r;

	memset(pm, 0, sizeof(*pm));
	r = read_full_file(PROC_MODULES, &pm->buf, NULL);
	if (r < 0)
		return r;
	r = proc_modules_parse(pm->buf, pm);
	if (r < 0)
		proc_modules_free(pm);
	return r;
}

void proc_modules_free(struct proc_modules *pm)
{
	free(pm->mods);
	free(pm->buf);
	memset(pm, 0, sizeof(*pm));
}

const struct proc_module *proc_modules_find(const struct proc_modules *pm, const char *name)
{
	size_t i;

	for (i = 0; i < pm->n; i++)
		if (module_name_eq(pm->mods[i].name, name))
			return &pm->mods[i];
	return NULL;
}

static int module_path(char *buf, size_t size, const char *name, const char *attr)
{
	int n;

	if (attr)
		n = snprintf(buf, size, SYS_MODULE "/%s/%s", name, attr);
	else
		n = snprintf(buf, size, SYS_MODULE "/%s", name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sysfs_module_attr(const char *name, const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r;

	r = module_path(path, sizeof(path), name, attr);
	if (r < 0)
		return r;
	return read_small_file(path, buf, size);
}

int sysfs_module_refcnt(const char *name, long *refcnt)
{
	char buf[32], path[PATH_MAX];
	long v;
	int r;

	r = sysfs_module_attr(name, "refcnt", buf, sizeof(buf));
	if (r == -ENOENT) {
		/* Gone entirely, or here without a refcnt file? */
		if (module_path(path, sizeof(path), name, NULL) == 0 && access(path, F_OK) == 0)
			return -ENODATA;
		return -ENOENT;
	}
	if (r < 0)
		return r;
	if (parse_long(buf, &v) < 0 || v < -1)
		return -EBADMSG;
	*refcnt = v;
	return 0;
}

bool module_is_builtin(const char *name)
{
	char path[PATH_MAX], line[PATH_MAX];
	FILE *f;
	bool found = false;

	if (running_kernel_file(path, sizeof(path), "/lib/modules/", "/modules.builtin") < 0)
		return false;
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *base = strrchr(line, '/'), *dot;

		base = base ? base + 1 : line;
		dot = strstr(base, ".ko");
		if (!dot)
			continue;
		*dot = '\0';
		found = module_name_eq(base, name);
	}
	fclose(f);
	return found;
}

int sysfs_module_presence(const char *name, enum module_presence *ret)
{
	char path[PATH_MAX];
	struct proc_modules pm;
	bool listed;
	int r;

	if (module_path(path, sizeof(path), name, "initstate") == 0 && access(path, F_OK) == 0) {
		*ret = MODULE_LOADABLE;
		return 0;
	}
	if (module_path(path, sizeof(path), name, NULL) < 0 || access(path, F_OK) < 0) {
		*ret = module_is_builtin(name) ? MODULE_BUILTIN : MODULE_ABSENT;
		return 0;
	}

	/* A directory without initstate: a built-in module with parameters, or
	 * a module whose attributes the kernel has not created yet. Which one
	 * only /proc/modules can say: when it cannot be read, nobody knows. */
	r = proc_modules_read(&pm);
	if (r < 0)
		return r;
	listed = proc_modules_find(&pm, name) != NULL;
	proc_modules_free(&pm);
	*ret = listed ? MODULE_COMING : MODULE_BUILTIN;
	return 0;
}

/* List a module's subdirectory; fn turns an entry into a string or skips it. */
static int list_dir(const char *name, const char *sub, char ***out, size_t *n,
		    char *(*fn)(const char *dir, const char *entry))
{
	char path[PATH_MAX];
	size_t count = 0, cap = 8;
	struct dirent *de;
	char **v;
	DIR *d;
	int r;

	r = module_path(path, sizeof(path), name, sub);
	if (r < 0)
		return r;
	d = opendir(path);
	if (!d)
		return -errno;
	v = calloc(cap, sizeof(char *));
	if (!v) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		char *s;

		if (de->d_name[0] == '.')
			continue;
		s = fn(path, de->d_name);
		if (!s)
			continue;
		if (count + 2 > cap) {
			char **nv = realloc(v, (cap *= 2) * sizeof(char *));

			if (!nv) {
				free(s);
				strv_free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[count++] = s;
		v[count] = NULL;
	}
	closedir(d);
	strv_sort(v, count);
	*out = v;
	if (n)
		*n = count;
	return 0;
}

static char *holder_entry(const char *dir, const char *entry)
{
	return strdup(entry);
}

int sysfs_module_holders(const char *name, char ***holders, size_t *n)
{
	return list_dir(name, "holders", holders, n, holder_entry);
}

static char *param_entry(const char *dir, const char *entry)
{
	char path[PATH_MAX], val[4096], *s;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, entry) >= sizeof(path))
		return NULL;
	/* Write-only or vanished parameters are not shown. */
	if (read_small_file(path, val, sizeof(val)) < 0)
		return NULL;
	if (asprintf(&s, "%s=%s", entry, val) < 0)
		return NULL;
	return s;
}

int sysfs_module_parameters(const char *name, char ***params, size_t *n)
{
	return list_dir(name, "parameters", params, n, param_entry);
}

void module_probe_free(struct module_probe *p)
{
	strv_free(p->holders);
	memset(p, 0, sizeof(*p));
}

int sysfs_module_probe(const char *name, struct module_probe *p)
{
	char buf[32];
	int r;

	memset(p, 0, sizeof(*p));
	r = sysfs_module_attr(name, "initstate", buf, sizeof(buf));
	if (r == 0)
		p->state = module_state_from_initstate(buf);
	r = sysfs_module_refcnt(name, &p->refcnt);
	if (r == 0)
		p->has_refcnt = true;
	else if (r == -ENOENT)
		return 0; /* gone (or never there) */
	p->present = true;
	r = sysfs_module_holders(name, &p->holders, &p->n_holders);
	if (r < 0) {
		p->holders = calloc(1, sizeof(char *));
		p->n_holders = 0;
		if (!p->holders)
			return -ENOMEM;
	}
	return 0;
}

const char *module_probe_describe(const struct module_probe *p, char *buf, size_t size)
{
	_cleanup_free_ char *h = NULL;

	if (p->n_holders) {
		h = strv_join(p->holders, ", ");
		snprintf(buf, size, "held by %s", h ? h : "other modules");
	} else if (!p->has_refcnt)
		snprintf(buf, size, "reference count unknown");
	else if (p->refcnt == 1)
		snprintf(buf, size, "refcnt 1: one reference held");
	else
		snprintf(buf, size, "refcnt %ld: %ld references held", p->refcnt, p->refcnt);
	/* h is freed by _cleanup_free_, which clang-analyzer 14 does not model. */
	return buf; // NOLINT(clang-analyzer-unix.Malloc)
}
