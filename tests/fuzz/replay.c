// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Replays a fuzz target's inputs without libFuzzer, as a TAP test for
 * 'make check' (any compiler, any build): the regression inputs
 * tests/fuzz/regressions/TARGET/ and the seed corpus tests/fuzz/corpus/TARGET/.
 * Each input runs in a child process, so a crash or a failed invariant
 * (abort) is one failed test point, not the end of the test.
 *
 * Regression inputs run with every invariant enforced. One whose name
 * starts with an ID listed in tests/fuzz/known-bugs ("ID-...") is a known,
 * reported bug: its test point carries "# TODO" (XFAIL while it fails;
 * XPASS, a failure, once fixed: then remove the ID from the list).
 * Seed inputs run with the known bugs tolerated, like 'make fuzz'.
 *
 * Usage: replay-TARGET [FILE...]   (no FILE: the directories above, found
 * through $top_srcdir, else the source directory compiled in)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET='\"name\"'"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static char known[4096]; /* IDs of known bugs, blank-separated */

static void load_known(const char *top)
{
	char path[4096], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fuzz/known-bugs", top);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, " \t\n");

		if (line[0] == '#' || n == 0 || strlen(known) + n + 2 > sizeof(known))
			continue;
		strncat(known, line, n);
		strcat(known, " ");
	}
	fclose(f);
}

/* The known-bug ID this regression input belongs to, or NULL. */
static const char *known_id(const char *path, char *id, size_t size)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *p = known;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n < size && strncmp(base, p, n) == 0 && (base[n] == '-' || base[n] == '\0')) {
			memcpy(id, p, n);
			id[n] = '\0';
			return id;
		}
		p += n;
		p += strspn(p, " ");
	}
	return NULL;
}

static int read_input(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t used = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	/* Exactly the input's size, as libFuzzer gives it: ASan sees overreads. */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (used < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + used, (size_t)st.st_size - used);

		if (n <= 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = used;
	return 0;
}

/* Run one input in a child. 0 passed, else a description in why. */
static int run_one(const char *path, bool tolerate_known, char *why, size_t size)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(why, size, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		uint8_t *data = NULL;
		size_t n = 0;
		int r = read_input(path, &data, &n);

		if (r < 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(-r));
			_exit(99);
		}
		if (tolerate_known)
			setenv("MODCTL_FUZZ_KNOWN_BUGS", known, 1);
		else
			unsetenv("MODCTL_FUZZ_KNOWN_BUGS");
		LLVMFuzzerTestOneInput(data, n);
		free(data);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0) {
		snprintf(why, size, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(why, size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(why, size, "exit status %d", WEXITSTATUS(status));
	return -1;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the regular files of dir, sorted, to list. */
static void list_dir(const char *dir, char ***list, size_t *n, bool **is_seed, bool seed)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t start = *n;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *p;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			abort();
		*list = realloc(*list, (*n + 1) * sizeof(char *));
		*is_seed = realloc(*is_seed, (*n + 1) * sizeof(bool));
		if (!*list || !*is_seed)
			abort();
		(*list)[*n] = p;
		(*is_seed)[*n] = seed;
		(*n)++;
	}
	closedir(d);
	qsort(*list + start, *n - start, sizeof(char *), cmpstr);
}

int main(int argc, char *argv[])
{
	const char *top = getenv("top_srcdir");
	char **files = NULL, dir[4096];
	bool *is_seed = NULL;
	size_t n = 0, i;
	int failed = 0;

	if (!top || !*top)
		top = FUZZ_SRCDIR;
	load_known(top);
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);

	if (argc > 1) {
		for (i = 1; i < (size_t)argc; i++) {
			files = realloc(files, (n + 1) * sizeof(char *));
			is_seed = realloc(is_seed, (n + 1) * sizeof(bool));
			if (!files || !is_seed)
				abort();
			files[n] = strdup(argv[i]);
			is_seed[n++] = false;
		}
	} else {
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/regressions/%s", top, FUZZ_TARGET);
		list_dir(dir, &files, &n, &is_seed, false);
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top, FUZZ_TARGET);
		list_dir(dir, &files, &n, &is_seed, true);
	}

	if (n == 0) {
		printf("1..0 # SKIP no inputs for %s\n", FUZZ_TARGET);
		return 0;
	}
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		char why[256] = "", id[64];
		const char *bug = is_seed[i] ? NULL : known_id(files[i], id, sizeof(id));
		const char *name = files[i];
		int r = run_one(files[i], is_seed[i], why, sizeof(why));

		/* Name inputs as tests/fuzz/...: shorter, and the same in every build. */
		if (argc <= 1 && strncmp(name, top, strlen(top)) == 0 && name[strlen(top)] == '/')
			name += strlen(top) + 1;

		if (r == 0)
			printf("ok %zu - %s%s%s\n", i + 1, name, bug ? " # TODO known bug " : "",
			       bug ? bug : "");
		else if (bug)
			printf("not ok %zu - %s: %s # TODO known bug %s\n", i + 1, name, why, bug);
		else {
			printf("not ok %zu - %s: %s\n", i + 1, name, why);
			failed++;
		}
		free(files[i]);
	}
	free(files);
	free(is_seed);
	return failed ? 1 : 0;
}
