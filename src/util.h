/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure helpers: module names, numbers, durations, small file reads. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The kernel's MODULE_NAME_LEN is 64 - sizeof(unsigned long): 55 usable bytes. */
#define MODULE_NAME_MAX 55

/*
 * Check a module name given by a user and copy it to out in the kernel's
 * spelling (dashes become underscores). Returns 0, -EINVAL (empty, a slash,
 * a character no module name has) or -ENAMETOOLONG.
 */
int module_name_normalize(const char *in, char out[MODULE_NAME_MAX + 1]);
/* A message for a failed module_name_normalize(). */
const char *module_name_error(int err);
/* Equal under the kernel's spelling: '-' and '_' match each other. */
bool module_name_eq(const char *a, const char *b);

/* Parse a decimal integer that fills the whole string (a trailing newline is allowed). */
int parse_long(const char *s, long *out);

/* The PID a /proc directory entry names, or 0 for any other entry. */
pid_t proc_entry_pid(const char *name);

/* Durations: "250ms", "2s", "1.5s", "1m", a bare number of seconds, "infinity".
 * The result is in microseconds; DURATION_INFINITY for infinity. */
#define DURATION_INFINITY UINT64_MAX
int parse_duration(const char *s, uint64_t *usec);
/* Format a duration for messages: "1.25s", "40ms", "infinity". */
const char *format_duration(char *buf, size_t size, uint64_t usec);
/* The monotonic clock in microseconds: the only clock durations are measured on. */
uint64_t now_usec(void);

/*
 * Read a whole file into a NUL-terminated buffer that grows as needed.
 * Used for /proc/modules: one open, reads until EOF, one close.
 */
int read_full_file(const char *path, char **buf, size_t *len);
/*
 * Read fd until end of file into a NUL-terminated buffer the caller frees.
 * More than max bytes (max < SIZE_MAX / 2) is -EFBIG, and nothing is kept.
 */
int read_fd_full(int fd, size_t max, char **buf, size_t *len);
/* The path of a file of the running kernel: before, the release, after,
 * as in "/lib/modules/" RELEASE "/modules.dep". */
int running_kernel_file(char *buf, size_t size, const char *before, const char *after);
/* Read a small attribute file into buf, without its trailing newline. */
int read_small_file(const char *path, char *buf, size_t size);

/*
 * The one way modctl reads its environment: secure_getenv(), so that a
 * program run with raised privileges (setuid, file capabilities) takes no
 * setting from the user who started it.
 */
const char *modctl_getenv(const char *name);

/* Print s as a JSON string, quotes included. */
void json_put_string(FILE *f, const char *s);
