/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a module with a soft dependency: "softdep=pre: crc32c" */
#include "fakemod.h"

int crc32c(void);
int crc32c(void) { return 0; }
EXPORT_SYMBOL(crc32c);

static int fk_init(void) { return 0; }
static void fk_exit(void) { }
module_init(fk_init);
module_exit(fk_exit);
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: crc32c");
MODULE_INTREE();
MODULE_FAKE_MODPOST("libcrc32c", "");
