// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The lockdown registry under the runtime state directory. The format is
 * line-oriented text, meant to be read by people:
 *
 *   # comment
 *   mode all        lockdown-all mode is on
 *   lock NAME       NAME is locked (registry-only)
 *   lock NAME pin=FUNC    NAME is locked, and pinned on its function FUNC
 *   lock NAME pin=-       NAME is locked, registry-only by request
 *
 * modctl refuses to trust a registry it could not have written itself.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"
#include "registry.h"
#include "strbuf.h"
#include "strv.h"
#include "trust.h"
#include "util.h"

void registry_free(struct registry *reg)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		free(reg->locks[i]);
	free(reg->locks);
	for (i = 0; i < reg->n_pins; i++)
		free(reg->pins[i]);
	free(reg->pins);
	memset(reg, 0, sizeof(*reg));
}

/* bsearch() key comparison of a module name with a "NAME FUNC" pin entry. */
static int pin_key_cmp(const void *key, const void *elem)
{
	const char *k = *(const char *const *)key, *e = *(const char *const *)elem;
	size_t len = strcspn(e, " ");
	int c = strncmp(k, e, len);

	return c ? c : (k[len] != '\0');
}

static int pin_entry_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strcspn(x, " "), ly = strcspn(y, " ");
	int c = strncmp(x, y, lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

static char **pin_find(const struct registry *reg, const char *name)
{
	return reg->n_pins ? bsearch(&name, reg->pins, reg->n_pins, sizeof(char *), pin_key_cmp) : NULL;
}

const char *registry_pin(const struct registry *reg, const char *name)
{
	char norm[MODULE_NAME_MAX + 1];
	char **e;

	if (module_name_normalize(name, norm) < 0)
		return NULL;
	e = pin_find(reg, norm);
	return e ? *e + strlen(norm) + 1 : NULL;
}

/* A function name as the registry can keep it: one word, printable. */
static bool pin_func_ok(const char *f)
{
	size_t len = strlen(f);

	return len > 0 && len <= 127 && f[strcspn(f, " \t\n=#")] == '\0';
}

int registry_set_pin(struct registry *reg, const char *name, const char *func)
{
	char norm[MODULE_NAME_MAX + 1], *entry = NULL, **e, **nv;
	int r = module_name_normalize(name, norm);

	if (r < 0)
		return r;
	if (func && !pin_func_ok(func))
		return -EINVAL;
	if (func && asprintf(&entry, "%s %s", norm, func) < 0)
		return -ENOMEM;
	e = pin_find(reg, norm);
	if (e) {
		size_t i = (size_t)(e - reg->pins);

		free(*e);
		if (entry) {
			*e = entry;
			return 0;
		}
		memmove(e, e + 1, (reg->n_pins - i - 1) * sizeof(char *));
		reg->n_pins--;
		return 0;
	}
	if (!entry)
		return 0;
	nv = realloc(reg->pins, (reg->n_pins + 1) * sizeof(char *));
	if (!nv) {
		free(entry);
		return -ENOMEM;
	}
	reg->pins = nv;
	reg->pins[reg->n_pins++] = entry;
	qsort(reg->pins, reg->n_pins, sizeof(char *), pin_entry_cmp);
	return 0;
}

/* Sort the names and drop duplicates. */
static void sort_unique(struct registry *reg)
{
	size_t i, j;

	strv_sort(reg->locks, reg->n);
	for (i = j = 0; i < reg->n; i++) {
		if (j > 0 && streq(reg->locks[j - 1], reg->locks[i]))
			free(reg->locks[i]);
		else
			reg->locks[j++] = reg->locks[i];
	}
	reg->n = j;
}

static int registry_add(struct registry *reg, size_t *cap, const char *name)
{
	if (reg->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **nl = realloc(reg->locks, ncap * sizeof(char *));

		if (!nl)
			return -ENOMEM;
		reg->locks = nl;
		*cap = ncap;
	}
	reg->locks[reg->n] = strdup(name);
	if (!reg->locks[reg->n])
		return -ENOMEM;
	reg->n++;
	return 0;
}

int registry_parse(const char *buf, struct registry *reg, unsigned *errline)
{
	const char *p = buf;
	unsigned line = 0;
	size_t cap = 0;
	int r;

	memset(reg, 0, sizeof(*reg));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char l[256], word[16], name[MODULE_NAME_MAX + 1], attr[140], extra[2];
		int fields;

		line++;
		if (len >= sizeof(l))
			goto bad;
		memcpy(l, p, len);
		l[len] = '\0';
		p += len + (nl ? 1 : 0);

		if (l[0] == '\0' || l[0] == '#')
			continue;
		fields = sscanf(l, "%15s %55s %139s %1s", word, name, attr, extra);
		if (fields == 2 && streq(word, "mode") && streq(name, "all")) {
			reg->lock_all = true;
		} else if ((fields == 2 || fields == 3) && streq(word, "lock")) {
			char norm[MODULE_NAME_MAX + 1];

			if (module_name_normalize(name, norm) < 0)
				goto bad;
			if (fields == 3 && (strncmp(attr, "pin=", 4) != 0 || pin_find(reg, norm)))
				goto bad;
			r = registry_add(reg, &cap, norm);
			if (r == 0 && fields == 3)
				r = registry_set_pin(reg, norm, attr + 4);
			if (r == -EINVAL)
				goto bad;
			if (r < 0) {
				registry_free(reg);
				return r;
			}
		} else {
			goto bad;
		}
	}
	sort_unique(reg);
	return 0;
bad:
	if (errline)
		*errline = line;
	registry_free(reg);
	return -EBADMSG;
}

/* Read the registry in the trusted directory dfd; a missing file is empty. */
int registry_load_at(int dfd, struct registry *reg)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	char why[128];
	struct stat st;
	unsigned line = 0;
	size_t used = 0;
	int r;

	memset(reg, 0, sizeof(*reg));
	fd = open_trusted(dfd, REGISTRY_NAME, O_RDONLY, 0, S_IFREG, &st, why, sizeof(why));
	if (fd == -ENOENT)
		return 0;
	if (fd == -EPERM && why[0])
		return trust_refuse(REGISTRY_FILE, why);
	if (fd < 0)
		return log_error_errno(fd, "cannot open %s: %m", REGISTRY_FILE);
	if (st.st_size > REGISTRY_MAX_SIZE)
		return log_error_errno(EFBIG, "refusing to trust %s: %lld bytes is larger than any registry modctl writes",
				       REGISTRY_FILE, (long long)st.st_size);
	r = read_fd_full(fd, REGISTRY_MAX_SIZE, &buf, &used);
	if (r == -EFBIG)
		return log_error_errno(r, "refusing to trust %s: it is larger than any registry modctl writes",
				       REGISTRY_FILE);
	if (r < 0)
		return log_error_errno(r, "cannot read %s: %m", REGISTRY_FILE);
	if (memchr(buf, '\0', used))
		/* buf is freed by _cleanup_free_, which clang-analyzer 14 does not model. */
		return log_error_errno(EBADMSG, "%s is corrupt: it contains NUL bytes", // NOLINT(clang-analyzer-unix.Malloc)
				       REGISTRY_FILE);
	r = registry_parse(buf, reg, &line);
	if (r == -EBADMSG)
		return log_error_errno(r, "%s:%u: not a registry line; refusing to trust the file (remove it to drop every lock)",
				       REGISTRY_FILE, line);
	if (r < 0)
		return log_error_errno(r, "cannot parse %s: %m", REGISTRY_FILE);
	return 0;
}

int registry_load(struct registry *reg)
{
	_cleanup_close_ int dfd = -1;

	memset(reg, 0, sizeof(*reg));
	dfd = trusted_dir_open(REGISTRY_DIR, false);
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	return registry_load_at(dfd, reg);
}

bool registry_is_locked(const struct registry *reg, const char *name)
{
	char norm[MODULE_NAME_MAX + 1];
	const char *key = norm;

	if (module_name_normalize(name, norm) < 0)
		return false;
	return reg->n && bsearch(&key, reg->locks, reg->n, sizeof(char *), strv_cmp);
}

/* --- writing ------------------------------------------------------------ */

int registry_set(struct registry *reg, const char *name, bool locked)
{
	char norm[MODULE_NAME_MAX + 1];
	size_t i, cap;
	int r;

	r = module_name_normalize(name, norm);
	if (r < 0)
		return r;
	for (i = 0; i < reg->n; i++)
		if (streq(reg->locks[i], norm))
			break;
	if (locked) {
		if (i < reg->n)
			return 0;
		cap = reg->n;
		r = registry_add(reg, &cap, norm);
		if (r < 0)
			return r;
		strv_sort(reg->locks, reg->n);
		return 1;
	}
	if (i == reg->n)
		return 0;
	registry_set_pin(reg, norm, NULL);
	free(reg->locks[i]);
	memmove(&reg->locks[i], &reg->locks[i + 1], (reg->n - i - 1) * sizeof(char *));
	reg->n--;
	return 1;
}

struct pending_name {
	char norm[MODULE_NAME_MAX + 1];
	size_t idx;
};

static int cmp_pending(const void *a, const void *b)
{
	const struct pending_name *x = a, *y = b;
	int c = strcmp(x->norm, y->norm);

	/* Equal names keep their order: the first one given is the one added. */
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

int registry_set_many(struct registry *reg, const char *const *names, size_t n, bool *added)
{
	/* before: the sorted prefix to search; cap: grows as names are added. */
	size_t before = reg->n, cap = before, i;
	struct pending_name *p;
	int r = 0, count = 0;

	if (n == 0)
		return 0;
	p = calloc(n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		added[i] = false;
		p[i].idx = i;
		r = module_name_normalize(names[i], p[i].norm);
		if (r < 0)
			goto out;
	}
	/* Sorting the new names finds their duplicates (in any spelling) in
	 * one pass; each name is then looked up once in the registry. */
	qsort(p, n, sizeof(*p), cmp_pending);
	for (i = 0; i < n; i++) {
		const char *key = p[i].norm;

		if (i > 0 && streq(p[i - 1].norm, p[i].norm))
			continue;
		if (before && bsearch(&key, reg->locks, before, sizeof(char *), strv_cmp))
			continue;
		r = registry_add(reg, &cap, p[i].norm);
		if (r < 0)
			goto out;
		added[p[i].idx] = true;
		count++;
	}
	sort_unique(reg);
	r = count;
out:
	free(p);
	return r;
}

char *registry_format(const struct registry *reg)
{
	struct strbuf sb = { 0 };
	size_t i;

	if (strbuf_appendf(&sb, "# modctl lockdown registry: written by modctl, see modctl(8).\n"
				"# 'mode all' locks every module modctl loads; 'lock NAME' locks NAME;\n"
				"# 'pin=FUNC': the kernel holds the lock through a BPF pin on FUNC.\n") < 0)
		goto fail;
	if (reg->lock_all && strbuf_appendf(&sb, "mode all\n") < 0)
		goto fail;
	for (i = 0; i < reg->n; i++) {
		const char *pin = registry_pin(reg, reg->locks[i]);

		if (strbuf_appendf(&sb, pin ? "lock %s pin=%s\n" : "lock %s\n", reg->locks[i], pin) < 0)
			goto fail;
	}
	return strbuf_steal(&sb);
fail:
	strbuf_free(&sb);
	return NULL;
}
