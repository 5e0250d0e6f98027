// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Module facts and their columns. /proc/modules serves name, size, refcnt,
 * state, holders, permanence and taint for every module at once; sysfs and
 * libkmod are touched only for the columns that need them.
 */
#include <stdio.h>

#include "kernel.h"
#include "log.h"
#include "macro.h"
#include "modtable.h"
#include "strv.h"

const struct column module_columns[_COL_MAX] = {
	[COL_NAME] = { "NAME", 0.1, 0, SCOLS_JSON_STRING, "module name" },
	[COL_SIZE] = { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "memory used by the module, in bytes" },
	[COL_REFCNT] = { "REFCNT", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			 "reference count (-1 while going; empty without module unloading support)" },
	[COL_STATE] = { "STATE", 6, 0, SCOLS_JSON_STRING, "live, coming, going or builtin" },
	[COL_USED] = { "USED", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "number of modules using it" },
	[COL_HOLDERS] = { "HOLDERS", 0.2, SCOLS_FL_WRAP, SCOLS_JSON_ARRAY_STRING, "modules using it" },
	[COL_LOCK] = { "LOCK", 6, 0, SCOLS_JSON_STRING,
		       "no; pinned (locked, and the kernel holds it: no tool can unload it); locked (by modctl lockdown, "
		       "for modctl and modprobe -r only); sealed (kernel.modules_disabled=1)" },
	[COL_TAINT] = { "TAINT", 4, 0, SCOLS_JSON_STRING, "taint flags the module carries" },
	[COL_PERMANENT] = { "PERMANENT", 1, 0, SCOLS_JSON_BOOLEAN,
			    "has init but no exit: can never be unloaded" },
	[COL_VERSION] = { "VERSION", 0.1, 0, SCOLS_JSON_STRING, "module version (MODULE_VERSION)" },
	[COL_SRCVERSION] = { "SRCVERSION", 0.1, 0, SCOLS_JSON_STRING, "checksum of the module's source" },
	[COL_PATH] = { "PATH", 0.3, 0, SCOLS_JSON_STRING, "module file in the module directory" },
	[COL_PARAMETERS] = { "PARAMETERS", 0.3, SCOLS_FL_WRAP, SCOLS_JSON_ARRAY_STRING,
			     "readable parameters as NAME=VALUE" },
	[COL_PIN] = { "PIN", 6, 0, SCOLS_JSON_STRING,
		      "the kernel's hold on a lock: live, orphan (not in the registry), stale (module force-removed), "
		      "none, unknown (needs root)" },
	[COL_PIN_TYPE] = { "PIN_TYPE", 7, 0, SCOLS_JSON_STRING, "program (kernel 6.4 and later) or link" },
	[COL_PIN_FUNCTION] = { "PIN_FUNCTION", 0.1, 0, SCOLS_JSON_STRING, "the module function the pin targets" },
	[COL_PIN_PATH] = { "PIN_PATH", 0.2, 0, SCOLS_JSON_STRING, "the pin in bpffs" },
	[COL_PIN_NOTE] = { "PIN_NOTE", 0.3, SCOLS_FL_WRAP, SCOLS_JSON_STRING,
			   "why a lock is registry-only, or what an orphan or stale pin means" },
};

unsigned module_columns_needs(const struct output *out)
{
	unsigned need = 0;

	if (output_has(out, COL_LOCK))
		need |= NEED_REGISTRY;
	if (output_has(out, COL_VERSION) || output_has(out, COL_SRCVERSION) ||
	    output_has(out, COL_PARAMETERS))
		need |= NEED_SYSFS;
	if (output_has(out, COL_PATH))
		need |= NEED_KMOD;
	if (output_has(out, COL_PIN) || output_has(out, COL_PIN_TYPE) || output_has(out, COL_PIN_FUNCTION) ||
	    output_has(out, COL_PIN_PATH) || output_has(out, COL_PIN_NOTE))
		need |= NEED_PIN | NEED_REGISTRY;
	return need;
}

int lock_state_load(struct lock_state *ls)
{
	int r;

	memset(ls, 0, sizeof(*ls));
	r = kernel_modules_disabled(&ls->sealed);
	ls->sealed_known = r == 0;
	if (r < 0 && r != -ENOENT)
		log_debug_errno(r, "cannot read " PROC_MODULES_DISABLED ": %m");
	if (pin_built() && pinner_new(&ls->pinner) < 0)
		ls->pinner = NULL;
	r = registry_load(&ls->reg);
	ls->untrusted = r < 0;
	return r;
}

const char *lock_state_of(const struct lock_state *ls, const char *name)
{
	if (ls->sealed)
		return "sealed";
	if (ls->untrusted)
		return NULL;
	if (!registry_is_locked(&ls->reg, name))
		return "no";
	return lock_state_pinned(ls, name) ? "pinned" : "locked";
}

bool lock_state_pinned(const struct lock_state *ls, const char *name)
{
	const char *pin = registry_pin(&ls->reg, name);

	return pin && !streq(pin, REGISTRY_NO_PIN);
}

void lock_state_free(struct lock_state *ls)
{
	pinner_free(ls->pinner);
	ls->pinner = NULL;
	registry_free(&ls->reg);
}

/* Split "a,b" from /proc/modules into a list. */
static int split_holders(const char *s, char ***out, size_t *n)
{
	size_t count = 0, i = 0;
	const char *p;
	char **v;

	for (p = s; *p; p++)
		if (*p == ',')
			count++;
	if (*s)
		count++;
	v = calloc(count + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (p = s; *p && i < count;) {
		const char *end = strchrnul(p, ',');

		v[i] = strndup(p, (size_t)(end - p));
		if (!v[i]) {
			strv_free(v);
			return -ENOMEM;
		}
		i++;
		p = *end ? end + 1 : end;
	}
	*out = v;
	*n = i;
	return 0;
}

int module_facts_gather(struct module_facts *f, const struct proc_module *pm, const char *name,
			unsigned need, struct kmod_ctx *ctx, const struct lock_state *ls)
{
	int r;

	memset(f, 0, sizeof(*f));
	f->name = name;
	if (pm) {
		f->state = pm->state;
		f->has_size = true;
		f->size = pm->size;
		f->has_refcnt = pm->has_refcnt;
		f->refcnt = pm->refcnt;
		f->permanent = pm->permanent;
		snprintf(f->taint, sizeof(f->taint), "%s", pm->taint);
		r = split_holders(pm->holders, &f->holders, &f->n_holders);
		if (r < 0)
			return r;
	} else {
		f->builtin = true;
	}
	if (ls)
		f->lock = f->builtin ? (ls->sealed ? "sealed" : "no") : lock_state_of(ls, name);
	if ((need & NEED_PIN) && ls && !f->builtin) {
		lockpin_facts(ls->pinner, ls->untrusted ? NULL : &ls->reg, name, &f->pin);
		/* What the kernel has beats what the registry claims. */
		if (f->lock && streq(f->lock, "pinned") && !streq(f->pin.pin, "live") && !streq(f->pin.pin, "unknown"))
			f->lock = "locked";
		else if (f->lock && streq(f->lock, "locked") && streq(f->pin.pin, "live"))
			f->lock = "pinned";
	}

	if (need & NEED_SYSFS) {
		/* Attributes may be absent (no MODULE_VERSION) or the module may
		 * have just gone: both simply leave the field empty. */
		(void)sysfs_module_attr(name, "version", f->version, sizeof(f->version));
		(void)sysfs_module_attr(name, "srcversion", f->srcversion, sizeof(f->srcversion));
		if (sysfs_module_parameters(name, &f->params, &f->n_params) < 0) {
			f->params = NULL;
			f->n_params = 0;
		}
	}
	if ((need & NEED_KMOD) && ctx) {
		struct kmod_module *mod = NULL;

		if (kmod_module_new_from_name(ctx, name, &mod) == 0) {
			const char *path = kmod_module_get_path(mod);

			if (path)
				f->path = strdup(path);
			kmod_module_unref(mod);
		}
	}
	return 0;
}

void module_facts_free(struct module_facts *f)
{
	strv_free(f->holders);
	strv_free(f->params);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

static int set_list(struct output *out, struct libscols_line *ln, size_t col, char **v, bool json)
{
	_cleanup_free_ char *s = NULL;

	if (!output_has(out, col) || !v || !v[0])
		return 0;
	/* JSON lists are newline-separated in the cell (see output.c). */
	s = strv_join(v, json ? "\n" : ",");
	if (!s)
		return -ENOMEM;
	return output_set(out, ln, col, s);
}

int module_facts_add_row(struct output *out, const struct module_facts *f, bool json)
{
	struct libscols_line *ln = output_new_line(out);
	int r = 0;

	if (!ln)
		return -ENOMEM;
	output_set(out, ln, COL_NAME, f->name);
	if (f->has_size)
		output_setf(out, ln, COL_SIZE, "%lu", f->size);
	if (f->has_refcnt)
		output_setf(out, ln, COL_REFCNT, "%ld", f->refcnt);
	output_set(out, ln, COL_STATE, f->builtin ? "builtin" : module_state_name(f->state));
	if (!f->builtin)
		output_setf(out, ln, COL_USED, "%zu", f->n_holders);
	r = set_list(out, ln, COL_HOLDERS, f->holders, json);
	if (f->lock)
		output_set(out, ln, COL_LOCK, f->lock);
	if (f->taint[0])
		output_set(out, ln, COL_TAINT, f->taint);
	if (!f->builtin)
		output_set(out, ln, COL_PERMANENT, f->permanent ? "yes" : "no");
	if (f->version[0])
		output_set(out, ln, COL_VERSION, f->version);
	if (f->srcversion[0])
		output_set(out, ln, COL_SRCVERSION, f->srcversion);
	if (f->path)
		output_set(out, ln, COL_PATH, f->path);
	if (r == 0)
		r = set_list(out, ln, COL_PARAMETERS, f->params, json);
	if (f->pin.pin) {
		output_set(out, ln, COL_PIN, f->pin.pin);
		if (f->pin.type)
			output_set(out, ln, COL_PIN_TYPE, f->pin.type);
		if (f->pin.func[0])
			output_set(out, ln, COL_PIN_FUNCTION, f->pin.func);
		if (f->pin.path[0])
			output_set(out, ln, COL_PIN_PATH, f->pin.path);
		if (f->pin.note)
			output_set(out, ln, COL_PIN_NOTE, f->pin.note);
	}
	return r;
}
