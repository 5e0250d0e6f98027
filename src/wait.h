/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wait engine: call a step function, sleep by the backoff schedule,
 * repeat until the step says done, the deadline passes or SIGINT/SIGTERM
 * arrives. Every wait of modctl goes through it: unload, wait, udev
 * settling, a racing load, the seal's wait for modules in transition, and
 * the monitor's signal handling.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "backoff.h"
#include "exitcode.h"

/* Fields are the engine's own: callers use the functions below. */
struct waiter {
	struct backoff b;
	uint64_t start;
	uint64_t timeout;
	int sigfd;          /* signalfd for SIGINT/SIGTERM, or -1 */
	sigset_t oldmask;
	int signo;          /* the signal that ended the wait, or 0 */
	int wake_fd;        /* a sleep also ends when this fd is readable; -1 for none */
};

/* Block SIGINT and SIGTERM and watch them through a signalfd, so that a
 * signal ends a sleep at once and never a system call half-way. */
int waiter_init(struct waiter *w, uint64_t timeout, uint64_t poll_max);
void waiter_done(struct waiter *w);

enum {
	STEP_AGAIN = 0,
	STEP_DONE = 1,
};
/* Returns STEP_DONE, STEP_AGAIN or a negative errno that ends the wait. */
typedef int (*wait_step_fn)(void *userdata, const struct waiter *w);

/*
 * Run step until done. Returns 0, -ETIMEDOUT (the step ran once more at
 * the deadline and still said again), -EINTR (w->signo says which) or the
 * step's error. A timeout of 0 runs the step exactly once.
 */
int waiter_run(struct waiter *w, wait_step_fn step, void *userdata);
/* Microseconds since waiter_init. */
uint64_t waiter_elapsed(const struct waiter *w);
/* The timeout given to waiter_init. */
uint64_t waiter_timeout(const struct waiter *w);
/* A sleep also ends when fd is readable (for events that say when to look
 * again); -1 for none. */
void waiter_set_wake_fd(struct waiter *w, int fd);
/* For a caller that polls fds of its own: readable when SIGINT or SIGTERM
 * has arrived; then call waiter_check_signal(). */
int waiter_signal_fd(const struct waiter *w);
/* Consume a signal that has arrived: -EINTR (remembering which, for
 * waiter_signal_exit()), or 0 when none has. */
int waiter_check_signal(struct waiter *w);
/* The signal that ended a wait (SIGINT or SIGTERM), or 0. */
int waiter_signal(const struct waiter *w);
/* The exit code for a signal that ended a wait (130 or 143). */
enum exit_code waiter_signal_exit(const struct waiter *w);
