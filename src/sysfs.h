/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading what the kernel says about modules: /proc/modules (everything in
 * one read) and /sys/module/NAME/ (one module at a time). The only place
 * that knows these paths and formats.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define PROC_MODULES "/proc/modules"
#define SYS_MODULE "/sys/module"

enum module_state {
	MODULE_STATE_UNKNOWN = 0,
	MODULE_STATE_LIVE,
	MODULE_STATE_COMING,
	MODULE_STATE_GOING,
};

const char *module_state_name(enum module_state s);
enum module_state module_state_from_initstate(const char *s);

/* One line of /proc/modules. Strings point into the table's buffer. */
struct proc_module {
	const char *name;
	unsigned long size;
	long refcnt;          /* valid only if has_refcnt */
	bool has_refcnt;      /* false on kernels without CONFIG_MODULE_UNLOAD */
	bool permanent;       /* "[permanent]," among the deps */
	const char *holders;  /* "a,b" without the trailing comma; "" for none */
	size_t n_holders;
	enum module_state state;
	const char *taint;    /* letters without parentheses; "" for none */
};

struct proc_modules {
	char *buf;
	struct proc_module *mods;
	size_t n;
};

/* Parse one line in place (the line is modified). 0 or -EINVAL. */
int proc_modules_parse_line(char *line, struct proc_module *m);
/* Parse a whole buffer in place; malformed lines are skipped with a debug
 * message. The buffer stays owned by the caller. */
int proc_modules_parse(char *buf, struct proc_modules *pm);
/* Read and parse /proc/modules. -ENOENT when the kernel has no module support. */
int proc_modules_read(struct proc_modules *pm);
void proc_modules_free(struct proc_modules *pm);
/* Find a module by name (dash/underscore-insensitive). */
const struct proc_module *proc_modules_find(const struct proc_modules *pm, const char *name);

/* What /sys/module/NAME says about a module's existence. */
enum module_presence {
	MODULE_ABSENT,     /* no directory: not loaded (or built in without sysfs entry) */
	MODULE_LOADABLE,   /* a loaded module with initstate */
	MODULE_COMING,     /* directory but attributes not there yet */
	MODULE_BUILTIN,    /* built into the kernel */
};

/* Classify a module name into *ret; consults /proc/modules only when sysfs
 * is ambiguous. 0, or the -errno of a failed read of /proc/modules. */
int sysfs_module_presence(const char *name, enum module_presence *ret);
/* Whether modules.builtin of the running kernel names this module. */
bool module_is_builtin(const char *name);

/* Read /sys/module/NAME/ATTR without its newline. -ENOENT if missing. */
int sysfs_module_attr(const char *name, const char *attr, char *buf, size_t size);
/* The reference count; -ENOENT module gone, -ENODATA no refcnt file,
 * -EBADMSG a value that is no reference count. */
int sysfs_module_refcnt(const char *name, long *refcnt);
/* Sorted, NULL-terminated list of holders; an empty list for none. */
int sysfs_module_holders(const char *name, char ***holders, size_t *n);
/* "name=value" strings for every readable parameter, sorted. */
int sysfs_module_parameters(const char *name, char ***params, size_t *n);


/* A cheap look at one module for the wait loops: initstate, refcnt, holders/. */
struct module_probe {
	bool present;            /* /sys/module/NAME exists */
	enum module_state state; /* MODULE_STATE_UNKNOWN when initstate is missing */
	bool has_refcnt;
	long refcnt;
	char **holders;          /* NULL-terminated, may be empty */
	size_t n_holders;
};
int sysfs_module_probe(const char *name, struct module_probe *p);
void module_probe_free(struct module_probe *p);
/* "refcnt 2, no holders" / "held by vxlan, geneve" for messages. */
const char *module_probe_describe(const struct module_probe *p, char *buf, size_t size);
