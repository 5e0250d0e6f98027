/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The facts modctl shows about a module, gathered from the cheapest source
 * that has them, and the columns that show them (list, status -J).
 */
#pragma once

#include <libkmod.h>

#include "lockpin.h"
#include "registry.h"
#include "output.h"
#include "sysfs.h"

enum module_column {
	COL_NAME,
	COL_SIZE,
	COL_REFCNT,
	COL_STATE,
	COL_USED,
	COL_HOLDERS,
	COL_LOCK,
	COL_TAINT,
	COL_PERMANENT,
	COL_VERSION,
	COL_SRCVERSION,
	COL_PATH,
	COL_PARAMETERS,
	COL_PIN,
	COL_PIN_TYPE,
	COL_PIN_FUNCTION,
	COL_PIN_PATH,
	COL_PIN_NOTE,
	_COL_MAX,
};

extern const struct column module_columns[_COL_MAX];
#define MODULE_COLUMNS_DEFAULT "NAME,SIZE,REFCNT,STATE,USED,LOCK,HOLDERS"

/* What a set of columns needs beyond /proc/modules. */
enum {
	NEED_REGISTRY = 1 << 0,  /* lockdown registry and modules_disabled */
	NEED_SYSFS = 1 << 1,     /* per-module sysfs reads */
	NEED_KMOD = 1 << 2,      /* libkmod index lookups */
	NEED_PIN = 1 << 3,       /* the kernel's lock pins (bpf(2); root) */
};
unsigned module_columns_needs(const struct output *out);

/* Lock state of the whole system, read once per run. */
struct lock_state {
	bool sealed;               /* kernel.modules_disabled=1 */
	bool sealed_known;         /* modules_disabled could be read */
	bool untrusted;            /* the registry was refused: lock states unknown */
	struct registry reg;
	struct pinner *pinner;     /* reads pins (NULL: no BPF in this build) */
};
/* Fails (reported) when the registry cannot be trusted; ls stays usable and
 * lock_state_of() then answers NULL (unknown) for unsealed modules. */
int lock_state_load(struct lock_state *ls);
const char *lock_state_of(const struct lock_state *ls, const char *name);
/* Whether the registry records a kernel-enforced pin for name's lock. */
bool lock_state_pinned(const struct lock_state *ls, const char *name);
void lock_state_free(struct lock_state *ls);

struct module_facts {
	const char *name;
	bool builtin;
	enum module_state state;
	bool has_size;
	unsigned long size;
	bool has_refcnt;
	long refcnt;
	char **holders;
	size_t n_holders;
	bool permanent;
	char taint[32];
	char version[128];
	char srcversion[64];
	char *path;
	char **params;
	size_t n_params;
	const char *lock;
	struct pin_facts pin;      /* with NEED_PIN; pin.pin NULL otherwise */
};

/*
 * Fill facts for a module. pm is its /proc/modules line (NULL for a
 * built-in module); need selects the expensive sources. A module that
 * vanishes half-way keeps what was read before and loses the rest.
 */
int module_facts_gather(struct module_facts *f, const struct proc_module *pm, const char *name,
			unsigned need, struct kmod_ctx *ctx, const struct lock_state *ls);
void module_facts_free(struct module_facts *f);
/* Add a row for facts; json selects how lists are encoded. */
int module_facts_add_row(struct output *out, const struct module_facts *f, bool json);
