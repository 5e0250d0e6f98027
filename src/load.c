// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loading modules through libkmod's probe API, shared by 'modctl load' and
 * 'modctl lockdown --boot': dependencies, softdeps, modprobe.d options,
 * aliases, blacklist and install commands as modprobe honours them, and
 * every failure turned into words. Failures are returned as a negative
 * errno with the meaning load.h documents; the command decides the exit
 * status from it.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>

#include "kernel.h"
#include "load.h"
#include "log.h"
#include "sysfs.h"
#include "wait.h"

bool load_arg_is_param(const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char *p;

	if (!eq || eq == arg)
		return false;
	for (p = arg; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			return false;
	return true;
}

bool load_arg_is_path(const char *arg)
{
	size_t l = strlen(arg);

	return strchr(arg, '/') || (l > 3 && strstr(arg, ".ko") &&
				    (streq(arg + l - 3, ".ko") || strstr(arg, ".ko.")));
}

/* What the kernel's parameter parser (next_arg) splits on: isspace() of
 * lib/ctype.c, which includes 0xa0. */
static bool kernel_blank(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

int load_add_option(char **opts, const char *word)
{
	const char *eq = strchr(word, '=');
	const char *val = eq + 1, *p;
	size_t vl = strlen(val);
	bool quoted = vl >= 2 && val[0] == '"' && val[vl - 1] == '"';
	bool blank = false;
	char *n;

	/* The kernel has no escapes: a quote anywhere but around the whole
	 * value would end the value early or swallow the next parameter. */
	for (p = val; *p; p++) {
		if (*p == '"' && !(quoted && (p == val || p == val + vl - 1)))
			return -EINVAL;
		if (kernel_blank((unsigned char)*p))
			blank = true;
	}
	if (asprintf(&n, "%s%s%.*s%s%s%s", *opts ? *opts : "", *opts ? " " : "", (int)(eq - word + 1),
		     word, blank && !quoted ? "\"" : "", val, blank && !quoted ? "\"" : "") < 0)
		return -ENOMEM;
	free(*opts);
	*opts = n;
	return 0;
}

/* --- loading ---------------------------------------------------------- */

struct probe_state {
	bool dry_run;
	const char *current;     /* the module libkmod is inserting now */
	char current_buf[MODULE_NAME_MAX + 1];
	char touched[64][MODULE_NAME_MAX + 1]; /* modules announced by libkmod */
	size_t n_touched;
	bool current_is_install;  /* the current step runs an install command */
};

/* libkmod passes no user data to print_action; one probe runs at a time. */
static struct probe_state *load_probe_state;

static void print_action(struct kmod_module *m, bool install, const char *options)
{
	struct probe_state *ps = load_probe_state;
	const char *path = kmod_module_get_path(m);
	int olen = options ? (int)strlen(options) : 0;

	/* libkmod's option string can end in a blank (modprobe.d options). */
	while (olen > 0 && (options[olen - 1] == ' ' || options[olen - 1] == '\t'))
		olen--;
	snprintf(ps->current_buf, sizeof(ps->current_buf), "%s", kmod_module_get_name(m));
	ps->current = ps->current_buf;
	ps->current_is_install = install;
	if (!install && ps->n_touched < ARRAY_SIZE(ps->touched))
		snprintf(ps->touched[ps->n_touched++], sizeof(ps->touched[0]), "%s", kmod_module_get_name(m));
	if (ps->dry_run) {
		/* libkmod hands over the module's options here, not the command. */
		if (install)
			printf("install %s %s\n", kmod_module_get_name(m),
			       kmod_module_get_install_commands(m) ? kmod_module_get_install_commands(m) : "");
		else
			printf("load %s %s%s%.*s\n", kmod_module_get_name(m), path ? path : "(no file)",
			       olen ? " " : "", olen, olen ? options : "");
		return;
	}
	if (install)
		log_info("running the install command of %s: %s", kmod_module_get_name(m),
			 kmod_module_get_install_commands(m) ? kmod_module_get_install_commands(m) : "");
	else
		log_info("loading %s%s%.*s", kmod_module_get_name(m), olen ? " " : "", olen, olen ? options : "");
}

/* The module directory libkmod searches, for "not found" messages. */
static const char *module_dir(struct kmod_ctx *ctx)
{
	const char *d = kmod_get_dirname(ctx);

	return d ? d : "/lib/modules";
}

/*
 * Put a failed insertion into words. Returns what it means for the caller
 * (see load.h): -EPERM, -ENOMEM, -EKEYREJECTED, or -ENOEXEC for every
 * other refusal by the kernel (an unknown symbol, a bad parameter...),
 * whose own errno would mean something else to the caller.
 */
static int load_error(const char *name, const char *what, int err)
{
	switch (-err) {
	case EPERM:
		log_error("cannot load %s: %s", name, kernel_eperm_cause(true));
		return -EPERM;
	case EKEYREJECTED:
		log_error("the kernel rejected %s: its signature is missing or not trusted "
			  "(module.sig_enforce or kernel lockdown)", name);
		return -EKEYREJECTED;
	case ENOEXEC:
		log_error("the kernel rejected %s: not a valid module for this kernel (bad ELF, "
			  "or built for another kernel version)", name);
		return -ENOEXEC;
	case ENOENT:
		log_error("the kernel rejected %s: unknown symbol (a dependency is missing or was "
			  "built for another kernel); see the kernel log (dmesg)", name);
		return -ENOEXEC;
	case EINVAL:
		log_error("the kernel rejected %s: invalid parameter or symbol version; see the "
			  "kernel log (dmesg)", name);
		return -ENOEXEC;
	case ETXTBSY:
	case EFBIG:
	case EOPNOTSUPP:
		log_error("the kernel rejected %s: %s", name, strerror(-err));
		return -ENOEXEC;
	case ENOMEM:
		log_error("cannot load %s: out of memory", name);
		return -ENOMEM;
	default:
		log_error("%s of %s failed: %s; see the kernel log (dmesg)", what, name, strerror(-err));
		return -ENOEXEC;
	}
}

static int racing_load_step(void *userdata, const struct waiter *w _unused_)
{
	const char *name = userdata;
	struct module_probe p;
	enum module_state s;
	bool present;

	if (sysfs_module_probe(name, &p) < 0)
		return -EBUSY;
	s = p.state;
	present = p.present;
	module_probe_free(&p);
	if (s == MODULE_STATE_LIVE)
		return STEP_DONE;
	return present ? STEP_AGAIN : -EBUSY;
}

/*
 * Another process is loading the same module (EBUSY): 0 if it ends live
 * within LOAD_RACE_TIMEOUT_USEC; -EINTR, said here, if a signal ends the
 * wait (its number in *o->signo); -EBUSY otherwise.
 */
static int wait_racing_load(const char *name, const struct load_opts *o)
{
	struct waiter w;
	int r;

	r = waiter_init(&w, LOAD_RACE_TIMEOUT_USEC, LOAD_RACE_POLL_MAX_USEC);
	if (r == 0)
		r = waiter_run(&w, racing_load_step, (void *)name);
	if (r == -EINTR) {
		log_error("interrupted while waiting for %s, which another process is loading", name);
		if (o->signo)
			*o->signo = waiter_signal(&w);
	}
	waiter_done(&w);
	return r == 0 || r == -EINTR ? r : -EBUSY;
}

static bool looks_like_module_file(const char *path, int *err)
{
	static const struct {
		const char *magic;
		size_t len;
	} magics[] = {
		{ "\x7f" "ELF", 4 }, { "\xfd" "7zXZ", 5 }, { "\x28\xb5\x2f\xfd", 4 }, { "\x1f\x8b", 2 },
	};
	unsigned char buf[8] = { 0 };
	ssize_t n;
	size_t i;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*err = -errno;
		return false;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	*err = 0;
	for (i = 0; n > 0 && i < ARRAY_SIZE(magics); i++)
		if ((size_t)n >= magics[i].len && memcmp(buf, magics[i].magic, magics[i].len) == 0)
			return true;
	return false;
}

static int load_path(struct kmod_ctx *ctx, const struct load_item *it, const struct load_opts *a)
{
	struct kmod_module *mod = NULL;
	const char *name;
	int r, err, race, ret = 0;

	if (!looks_like_module_file(it->arg, &err)) {
		if (err == -ENOENT) {
			log_error("module file %s does not exist", it->arg);
			return -ENOENT;
		}
		if (err < 0) {
			log_error_errno(err, "cannot read %s: %m", it->arg);
			/* Only a denied read is about permission; see load.h. */
			return err == -EACCES ? err : -EIO;
		}
		log_error("%s is not a kernel module file (no ELF, xz, zstd or gzip header)", it->arg);
		return -EINVAL;
	}
	r = kmod_module_new_from_path(ctx, it->arg, &mod);
	if (r < 0) {
		log_error_errno(r, "cannot use %s: %m", it->arg);
		return r == -ENOENT ? r : -EIO;
	}
	name = kmod_module_get_name(mod);
	if (a->dry_run) {
		printf("load %s %s%s%s\n", name, it->arg, it->options ? " " : "", it->options ? it->options : "");
		goto out;
	}
	log_info("loading %s from %s", name, it->arg);
	r = kmod_module_insert_module(mod, 0, it->options);
	if (r == -EEXIST) {
		log_info("%s is already loaded", name);
	} else if (r == -EBUSY && (race = wait_racing_load(name, a)) != -EBUSY) {
		if (race == 0)
			log_info("%s was loaded by someone else meanwhile", name);
		ret = race;
	} else if (r < 0) {
		ret = load_error(name, "loading", r);
	}
	if (ret == 0 && a->on_loaded)
		a->on_loaded(name, r == 0, a->data);
out:
	kmod_module_unref(mod);
	return ret;
}

int load_one(struct kmod_ctx *ctx, const struct load_item *it, const struct load_opts *a)
{
	struct kmod_list *list = NULL, *l;
	struct probe_state ps = { .dry_run = a->dry_run };
	int ret = 0, race, r;
	unsigned flags;

	if (load_arg_is_path(it->arg))
		return load_path(ctx, it, a);

	r = kmod_module_new_from_lookup(ctx, it->arg, &list);
	if (r < 0) {
		log_error_errno(r, "cannot look up %s: %m", it->arg);
		return -EIO;
	}
	if (!list) {
		log_error("module %s not found in %s", it->arg, module_dir(ctx));
		return -ENOENT;
	}

	/* modprobe's blacklist semantics: it stops aliases, never a module named outright. */
	flags = KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
	if (a->dry_run)
		flags |= KMOD_PROBE_DRY_RUN;
	if (a->ignore_install)
		flags |= KMOD_PROBE_IGNORE_COMMAND;

	load_probe_state = &ps;
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);
		const char *name = kmod_module_get_name(mod);
		int state = kmod_module_get_initstate(mod);

		if (state == KMOD_MODULE_BUILTIN) {
			log_info("%s is built into the kernel", name);
		} else if (state == KMOD_MODULE_LIVE) {
			log_info("%s is already loaded", name);
		} else if (a->no_deps) {
			_cleanup_free_ char *opts = NULL;
			const char *conf = kmod_module_get_options(mod);

			/* modprobe.d options still apply; the words given win. */
			if (asprintf(&opts, "%s%s%s", conf ? conf : "", conf && it->options ? " " : "",
				     it->options ? it->options : "") < 0)
				opts = NULL;
			if (a->dry_run) {
				print_action(mod, false, opts);
			} else {
				log_info("loading %s without its dependencies", name);
				r = kmod_module_insert_module(mod, 0, opts);
				if (r == -EBUSY)
					r = wait_racing_load(name, a);
				if (r == -EEXIST)
					r = 0;
				if (r == -EINTR)
					errno_keep_first(&ret, r);
				else if (r < 0)
					errno_keep_first(&ret, load_error(name, "loading", r));
			}
		} else {
			ps.current = NULL;
			r = kmod_module_probe_insert_module(mod, flags, it->options, NULL, NULL, print_action);
			if (r > 0) {
				log_error("%s is blacklisted in modprobe.d: refusing to load it through the alias %s",
					  name, it->arg);
				errno_keep_first(&ret, -ECANCELED);
			} else if (r == -EEXIST) {
				log_info("%s is already loaded", name);
			} else if (r == -EBUSY && (race = wait_racing_load(ps.current ? ps.current : name, a)) != -EBUSY) {
				if (race == 0)
					log_info("%s was loaded by someone else meanwhile", ps.current ? ps.current : name);
				errno_keep_first(&ret, race);
			} else if (r < 0 && ps.current && ps.current_is_install) {
				log_error("the install command of %s (from modprobe.d) failed", ps.current);
				errno_keep_first(&ret, -EIO);
			} else if (r < 0) {
				const char *failed = ps.current ? ps.current : name;

				if (ps.current && !streq(ps.current, name))
					log_error("cannot load %s: its dependency %s failed", name, failed);
				errno_keep_first(&ret, load_error(failed, "loading", r));
			}
		}
		if (a->on_loaded && !a->dry_run) {
			size_t i;

			for (i = 0; i < ps.n_touched; i++) {
				enum module_presence pr;

				if (sysfs_module_presence(ps.touched[i], &pr) == 0 && pr == MODULE_LOADABLE)
					a->on_loaded(ps.touched[i], true, a->data);
			}
			ps.n_touched = 0;
			state = kmod_module_get_initstate(mod);
			if (state == KMOD_MODULE_LIVE)
				a->on_loaded(name, false, a->data);
		}
		kmod_module_unref(mod);
	}
	load_probe_state = NULL;
	kmod_module_unref_list(list);
	return ret;
}

