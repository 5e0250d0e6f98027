// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/modules as a whole: proc_modules_parse() over any buffer. Every
 * module it accepts must look like one the kernel could have printed, and
 * must be the same module proc_modules_parse_line() makes of that line.
 */
#include "fuzz.h"
#include "log.h"
#include "sysfs.h"

/* Whether a comma-separated list holds this exact item. */
static bool holders_has(const char *list, const char *item)
{
	size_t l = strlen(item);

	while (*list) {
		size_t n = strcspn(list, ",");

		if (n == l && strncmp(list, item, l) == 0)
			return true;
		list += n;
		if (*list)
			list++;
	}
	return false;
}

static void check_module(const struct proc_module *m)
{
	size_t i, commas = 0, hl;

	fuzz_check(m->name && *m->name, "empty name");
	fuzz_check(strlen(m->name) <= MODULE_NAME_MAX, "name '%s' is too long", m->name);
	fuzz_check(!strpbrk(m->name, " \t\n"), "blank in name '%s'", m->name);
	fuzz_check(m->state == MODULE_STATE_LIVE || m->state == MODULE_STATE_COMING ||
			   m->state == MODULE_STATE_GOING,
		   "state %d", (int)m->state);
	fuzz_check(m->has_refcnt || m->refcnt == 0, "refcnt %ld without has_refcnt", m->refcnt);
	fuzz_check(m->holders && m->taint, "NULL holders or taint");
	hl = strlen(m->holders);
	for (i = 0; i < hl; i++)
		commas += m->holders[i] == ',';
	fuzz_check(m->n_holders == (hl ? commas + 1 : 0), "%zu holders in '%s'", m->n_holders,
		   m->holders);
	fuzz_check(!hl || (m->holders[0] != ',' && m->holders[hl - 1] != ','),
		   "stray comma in holders '%s'", m->holders);
	fuzz_check(!strstr(m->holders, ",,"), "empty holder in '%s'", m->holders);
	fuzz_check(!holders_has(m->holders, "[permanent]"), "[permanent] kept in holders '%s'",
		   m->holders);
	fuzz_check(!strpbrk(m->holders, " \t\n") && !strpbrk(m->taint, " \t\n"), "blank in a field");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_strdup(data, size), *copy = fuzz_strdup(data, size);
	struct proc_modules pm = { 0 };
	size_t lines = 0, i;
	const char *p;
	int r;

	log_set_max_level(-1);
	for (p = buf; *p; p++)
		lines += *p == '\n';

	r = proc_modules_parse(buf, &pm);
	fuzz_check(r == 0, "proc_modules_parse() = %d", r);
	fuzz_check(pm.n <= lines + 1, "%zu modules from %zu lines", pm.n, lines + 1);

	for (i = 0; i < pm.n; i++) {
		const struct proc_module *m = &pm.mods[i], *f;

		check_module(m);
		/* Fields point into the caller's buffer, never elsewhere. */
		fuzz_check(m->name >= buf && m->name < buf + size, "name outside the buffer");
		f = proc_modules_find(&pm, m->name);
		fuzz_check(f && module_name_eq(f->name, m->name), "cannot find '%s'", m->name);
	}

	/* The same lines, one at a time, give the same modules. */
	{
		char *line = copy, *nl;
		size_t k = 0;

		while (*line) {
			struct proc_module m;

			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (*line && proc_modules_parse_line(line, &m) == 0) {
				fuzz_check(k < pm.n, "line parser accepts more lines than the buffer parser");
				fuzz_check(strcmp(m.name, pm.mods[k].name) == 0 &&
						   m.size == pm.mods[k].size &&
						   m.refcnt == pm.mods[k].refcnt &&
						   m.has_refcnt == pm.mods[k].has_refcnt &&
						   m.permanent == pm.mods[k].permanent &&
						   strcmp(m.holders, pm.mods[k].holders) == 0 &&
						   m.n_holders == pm.mods[k].n_holders &&
						   m.state == pm.mods[k].state &&
						   strcmp(m.taint, pm.mods[k].taint) == 0,
					   "module %zu differs between the line and buffer parsers", k);
				k++;
			}
			if (!nl)
				break;
			line = nl + 1;
		}
		fuzz_check(k == pm.n, "%zu lines accepted one by one, %zu in the buffer", k, pm.n);
	}

	free(pm.mods);
	free(buf);
	free(copy);
	return 0;
}
