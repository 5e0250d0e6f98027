/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every cmocka unit test includes: cmocka and TAP output for Automake. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define RUN_TESTS(tests)                                       \
	int main(void)                                         \
	{                                                      \
		cmocka_set_message_output(CM_OUTPUT_TAP);      \
		return cmocka_run_group_tests(tests, NULL, NULL); \
	}
