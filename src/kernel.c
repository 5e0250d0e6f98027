// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The few system calls that change modules, called directly so that modctl
 * controls the flags, plus the diagnosis of their failures and the readers
 * of the global policy (modules_disabled, sig_enforce, lockdown).
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "util.h"
#include "kernel.h"
#include "macro.h"
#include "sysfs.h"

int kernel_delete_module(const char *name, bool force)
{
	/* O_NONBLOCK: kernels before 3.13 would otherwise sleep in the call. */
	unsigned flags = O_NONBLOCK | (force ? O_TRUNC : 0);

	if (syscall(SYS_delete_module, name, flags) == 0)
		return 0;
	return -errno;
}

bool have_cap_sys_module(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return geteuid() == 0;
	return d[CAP_TO_INDEX(CAP_SYS_MODULE)].effective & CAP_TO_MASK(CAP_SYS_MODULE);
}

const char *kernel_eperm_cause(bool loading)
{
	char level[32];
	bool disabled = false, sig = false;

	if (kernel_modules_disabled(&disabled) == 0 && disabled)
		return "kernel.modules_disabled=1: the system is sealed and no module can be "
		       "loaded or unloaded until reboot";
	if (!have_cap_sys_module())
		return "modctl lacks the CAP_SYS_MODULE capability (run it as root)";
	if (loading && kernel_lockdown_level(level, sizeof(level)) == 0 && !streq(level, "none"))
		return "the kernel is locked down and refuses modules it cannot verify";
	if (loading && kernel_sig_enforce(&sig) == 0 && sig)
		return "module.sig_enforce is on and the module's signature was not accepted";
	if (loading)
		return "the kernel refused (a security module, or the module_blacklist= boot option)";
	return "the kernel refused (a security module)";
}

/* Look for CONFIG_MODULE_FORCE_UNLOAD in the kernel's installed config. */
int kernel_force_unload_supported(void)
{
	static const char key[] = "CONFIG_MODULE_FORCE_UNLOAD=";
	char path[512], line[256];
	FILE *f;
	int found = 0;

	if (running_kernel_file(path, sizeof(path), "/boot/config-", "") < 0)
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, sizeof(key) - 1) == 0)
			found = line[sizeof(key) - 1] == 'y';
	fclose(f);
	return found;
}

/* --- the global policy ------------------------------------------------ */

static int read_bool_file(const char *path, bool *out)
{
	char buf[16];
	int r;

	r = read_small_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (streq(buf, "1") || streq(buf, "Y") || streq(buf, "y"))
		*out = true;
	else if (streq(buf, "0") || streq(buf, "N") || streq(buf, "n"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

int kernel_modules_disabled(bool *disabled)
{
	return read_bool_file(PROC_MODULES_DISABLED, disabled);
}

int kernel_sig_enforce(bool *enforced)
{
	return read_bool_file(SYS_SIG_ENFORCE, enforced);
}

int kernel_lockdown_level(char *buf, size_t size)
{
	char raw[128], *open, *close;
	int r;

	r = read_small_file(SYS_LOCKDOWN, raw, sizeof(raw));
	if (r < 0)
		return r;
	open = strchr(raw, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!open || !close || (size_t)(close - open) > size)
		return -EINVAL;
	*close = '\0';
	snprintf(buf, size, "%s", open + 1);
	return 0;
}
