// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One line of /proc/modules: proc_modules_parse_line() over any bytes. An
 * accepted line has sane fields; re-printing the module the way the kernel
 * prints it and parsing that again gives the same module.
 */
#include "fuzz.h"
#include "log.h"
#include "sysfs.h"

static const char *state_word(enum module_state s)
{
	switch (s) {
	case MODULE_STATE_LIVE:
		return "Live";
	case MODULE_STATE_COMING:
		return "Loading";
	case MODULE_STATE_GOING:
		return "Unloading";
	default:
		return "?";
	}
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_strdup(data, size), *again, refcnt[32];
	struct proc_module m, m2;
	size_t len;
	int r;

	log_set_max_level(-1);
	r = proc_modules_parse_line(line, &m);
	fuzz_check(r == 0 || r == -EINVAL, "proc_modules_parse_line() = %d", r);
	if (r < 0) {
		free(line);
		return 0;
	}
	fuzz_check(*m.name && strlen(m.name) <= MODULE_NAME_MAX, "bad name '%s'", m.name);
	fuzz_check(m.state != MODULE_STATE_UNKNOWN, "state unknown");
	fuzz_check(m.n_holders == 0 || *m.holders, "holders counted but empty");
	fuzz_check(!holders_has(m.holders, "[permanent]"), "[permanent] kept in holders");

	/* The kernel's format: name size refcnt deps state addr [(taint)]. */
	len = strlen(m.name) + strlen(m.holders) + strlen(m.taint) + 128;
	again = malloc(len);
	if (!again)
		abort();
	if (m.has_refcnt)
		snprintf(refcnt, sizeof(refcnt), "%ld", m.refcnt);
	else
		snprintf(refcnt, sizeof(refcnt), "-");
	snprintf(again, len, "%s %lu %s %s%s%s%s %s 0x0%s%s%s", m.name, m.size, refcnt,
		 m.permanent ? "[permanent]," : "", m.holders, m.n_holders ? "," : "",
		 !m.permanent && !m.n_holders ? "-" : "", state_word(m.state),
		 m.taint[0] ? " (" : "", m.taint, m.taint[0] ? ")" : "");
	r = proc_modules_parse_line(again, &m2);
	fuzz_check(r == 0, "the re-printed line '%s' is refused", again);
	fuzz_check(strcmp(m.name, m2.name) == 0 && m.size == m2.size && m.refcnt == m2.refcnt &&
			   m.has_refcnt == m2.has_refcnt && m.permanent == m2.permanent &&
			   strcmp(m.holders, m2.holders) == 0 && m.n_holders == m2.n_holders &&
			   m.state == m2.state && strcmp(m.taint, m2.taint) == 0,
		   "re-printed line '%s' parses differently", again);
	free(again);
	free(line);
	return 0;
}
