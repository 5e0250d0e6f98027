/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel-enforced locks. The kernel refuses to unload a module whose
 * reference count is above zero, and a BPF object pinned in bpffs can hold
 * one reference for as long as the pin exists, with no process alive:
 *
 *   kernel 6.4 and later  a loaded, never attached tracing program whose
 *                         target is a function of the module (the verifier
 *                         takes the reference at load time); pinned itself
 *   before 6.4            an fentry link on a teardown-only function of the
 *                         module (the trampoline takes the reference)
 *
 * The pins live in PIN_DIR, one per module, named after it. A pin whose
 * module was force-removed (or removed and loaded again) is stale: releasing
 * it would put a reference the module no longer has and oops the kernel, so
 * a stale pin is never released, only moved to PIN_STALE_DIR until reboot.
 *
 * Changes go through the registry transaction (its flock covers pins too).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define BPFFS_DIR "/sys/fs/bpf"
#define PIN_DIR BPFFS_DIR "/modctl"
#define PIN_STALE_DIR PIN_DIR "/stale"
/* The longest function name a pin records (the registry keeps it). */
#define PIN_FUNC_MAX 127

enum pin_mech {
	PIN_MECH_NONE = 0,
	PIN_MECH_PROG,  /* a loaded program (6.4 and later): costs nothing at run time */
	PIN_MECH_LINK,  /* an fentry link (before 6.4): one trampoline hop per call of func */
};

enum pin_state {
	PIN_ABSENT = 0, /* no pin for this module */
	PIN_LIVE,       /* holds a reference on the loaded module */
	PIN_STALE,      /* its module was removed by force or reloaded: never release */
};

struct pin_info {
	enum pin_state state;
	enum pin_mech mech;
	char func[PIN_FUNC_MAX + 1]; /* the target function, "" when unknown */
	uint32_t prog_id, link_id;
	uint32_t btf_obj_id;         /* the module BTF object the program holds; 0 once it is gone */
	uint64_t run_cnt;            /* calls of the program (link pins; needs kernel.bpf_stats_enabled) */
	char path[96];
};

const char *pin_mech_name(enum pin_mech m);   /* "program", "link", "none" */
const char *pin_state_name(enum pin_state s); /* "absent", "live", "stale" */

/* Whether this build has kernel-enforced locks at all (libbpf). */
bool pin_built(void);

/* The state of one command run: vmlinux BTF parsed once, the kernel's BTF
 * objects listed once, kallsyms read once (link mode only), however many
 * modules are pinned. */
struct pinner;
int pinner_new(struct pinner **ret);
void pinner_free(struct pinner *p);

/*
 * Pin module name. 0: pinned now; 1: a live pin already existed (kept);
 * a negative errno when the kernel cannot hold this lock, with *why set to
 * one line saying why (the lock then stays registry-only). A stale pin in
 * the way is moved aside first (*stale_moved set).
 */
int pin_module(struct pinner *p, const char *name, struct pin_info *info, const char **why, bool *stale_moved);
/* What the pin of name is. 0 with info->state PIN_ABSENT when there is none. */
int pin_inspect(struct pinner *p, const char *name, struct pin_info *info);
/*
 * Release the pin of name if it is live (0; info says what it was). A stale
 * pin is moved to PIN_STALE_DIR instead and -ESTALE returned; no pin is 0.
 */
int pin_release(struct pinner *p, const char *name, struct pin_info *info);
/* The module names that have a pin in PIN_DIR, sorted (NULL-terminated). */
int pin_list(char ***names, size_t *n);
/* How many pins wait in PIN_STALE_DIR for the reboot; their names in *names if not NULL. */
int pin_list_stale(char ***names, size_t *n);
/* Why no module can be pinned here, or NULL when pinning is possible. */
const char *pin_unavailable(void);
