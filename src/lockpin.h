/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Locks and their pins changed together, inside a registry transaction
 * (whose flock covers the pins): lockdown pins after locking, unlock
 * releases the pin before the lock, a forced unload releases modctl's own
 * pin first. Modules that could not be pinned are reported once per call,
 * grouped by the reason.
 */
#pragma once

#include <stdbool.h>

#include "pin.h"
#include "registry.h"

struct lockpin {
	struct pinner *pinner;
	bool no_pin;     /* registry-only locks by request */
	bool dry_run;
	/* modules left registry-only, by reason, for lockpin_report() */
	struct lockpin_reason {
		const char *why;
		char *names;
	} *reasons;
	size_t n_reasons;
};

int lockpin_init(struct lockpin *lp, bool no_pin, bool dry_run);
/* Say which locks stay registry-only and why; then free. */
void lockpin_done(struct lockpin *lp);

/*
 * Make the kernel hold the lock of name, locked in reg: pin it and record
 * the pin in reg, or record why not (lockpin_done() says it). With no_pin,
 * release a live pin of modctl's and record the request instead. Only a
 * failure to write memory is an error.
 */
int lockpin_pin(struct lockpin *lp, struct registry *reg, const char *name);
/*
 * Release modctl's pin of name before its lock goes. 0: no pin, or released;
 * -ESTALE: the pin was stale and is kept until reboot (said); another
 * -errno: the live pin could not be released (said), so the lock must stay.
 */
int lockpin_unpin(struct lockpin *lp, const char *name);
/* Whether modctl has a pin (live, stale or orphaned) for name. */
bool lockpin_exists(const char *name);
/*
 * Before modctl unloads a module by force (unload --force of a locked
 * module, --kernel-force): release modctl's own pin, so that modctl never
 * leaves a stale pin behind. The lock itself stays, registry-only.
 */
int lockpin_release_for_unload(const char *name);

/* What status and list show about the pin of one module. */
struct pin_facts {
	/* "live" (holds the locked module), "orphan" (live, but the registry
	 * does not lock the module), "stale", "none", or "unknown" (unreadable) */
	const char *pin;
	const char *type;             /* "program", "link", or NULL */
	char func[PIN_FUNC_MAX + 1];  /* the target function, "" when unknown */
	char path[96];                /* "" when there is no pin */
	const char *note;             /* why a lock is registry-only, or what the pin means; NULL */
};
/* Compare what the registry claims (reg is NULL when it is not trusted)
 * with the pin the kernel has. p may be NULL (this build has no BPF). */
void lockpin_facts(struct pinner *p, const struct registry *reg, const char *name, struct pin_facts *pf);
