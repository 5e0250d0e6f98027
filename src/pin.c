// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel-enforced locks, the part that needs no libbpf: names, the pin
 * directories in bpffs and what is in them. pin-bpf.c makes and reads the
 * pins themselves.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "pin.h"
#include "strv.h"
#include "util.h"

/* statfs() f_type of bpffs (BPF_FS_MAGIC in linux/magic.h). */
#define PIN_BPF_FS_MAGIC 0xcafe4a11

const char *pin_mech_name(enum pin_mech m)
{
	switch (m) {
	case PIN_MECH_PROG:
		return "program";
	case PIN_MECH_LINK:
		return "link";
	default:
		return "none";
	}
}

const char *pin_state_name(enum pin_state s)
{
	switch (s) {
	case PIN_LIVE:
		return "live";
	case PIN_STALE:
		return "stale";
	default:
		return "absent";
	}
}

const char *pin_unavailable(void)
{
	struct statfs sfs;

	if (!pin_built())
		return "modctl was built without libbpf";
	if (statfs(BPFFS_DIR, &sfs) < 0 || (unsigned long)sfs.f_type != PIN_BPF_FS_MAGIC)
		return "bpffs is not mounted on " BPFFS_DIR " (mount -t bpf bpf " BPFFS_DIR ")";
	return NULL;
}

/* Module names (without a dot) of the entries of dir, sorted. */
static int list_dir(const char *dir, bool strip_suffix, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	char **v = NULL;
	size_t cnt = 0;
	struct dirent *de;

	*names = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char **nv;
		char *s, *dot;

		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		s = strdup(de->d_name);
		nv = s ? realloc(v, (cnt + 2) * sizeof(char *)) : NULL;
		if (!nv) {
			free(s);
			strv_free(v);
			closedir(d);
			return -ENOMEM;
		}
		v = nv;
		dot = strip_suffix ? strchr(s, '-') : NULL;
		if (dot)
			*dot = '\0';
		v[cnt++] = s;
		v[cnt] = NULL;
	}
	closedir(d);
	strv_sort(v, cnt);
	*names = v;
	*n = cnt;
	return 0;
}

int pin_list(char ***names, size_t *n)
{
	return list_dir(PIN_DIR, false, names, n);
}

int pin_list_stale(char ***names, size_t *n)
{
	char **v = NULL;
	size_t cnt = 0;
	int r = list_dir(PIN_STALE_DIR, true, &v, &cnt);

	if (r < 0)
		return r;
	if (names)
		*names = v;
	else
		strv_free(v);
	if (n)
		*n = cnt;
	return (int)cnt;
}
