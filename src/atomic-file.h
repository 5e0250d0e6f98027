/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A file replaced atomically: the new text goes to a temporary file in the
 * same directory (written, fsynced), which replaces the file by rename()
 * only when the caller says so, so that several files can be made ready
 * first and a failure half-way changes none of them. Everything happens
 * relative to the directory's fd, which the caller has checked.
 */
#pragma once

#include <limits.h>

struct atomic_file {
	int dfd;            /* the directory, checked by the caller */
	const char *dir;    /* its path, for messages */
	const char *name;   /* the file's name in dir */
	const char *path;   /* dir/name, for messages */
	char tmp[NAME_MAX + 1]; /* the temporary file while it exists, else "" */
};

/* Write text to a new temporary file next to the file, and fsync it.
 * Returns 0 or a logged -errno (the temporary file is then gone). */
int atomic_file_write(struct atomic_file *f, const char *text);
/* Rename the temporary file over the file and fsync the directory.
 * Returns 0 or a logged -errno. */
int atomic_file_install(struct atomic_file *f);
/* Remove the temporary file, if there is one. */
void atomic_file_discard(struct atomic_file *f);
/*
 * Remove temporary files of writers killed half-way ("BASE." and six
 * characters) from the directory dfd. Call it only under the lock that
 * every writer holds while its temporary file exists.
 */
void atomic_file_remove_stale(int dfd, const char *dir, const char *base);
