/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* provides the "crc32c" alias libcrc32c's softdep asks for */
#include "fakemod.h"

static int fk_init(void) { return 0; }
static void fk_exit(void) { }
module_init(fk_init);
module_exit(fk_exit);
MODULE_LICENSE("GPL");
MODULE_ALIAS("crc32c");
MODULE_ALIAS("crypto-crc32c");
MODULE_ALIAS("crypto-crc32c-generic");
MODULE_INTREE();
MODULE_FAKE_MODPOST("crc32c_generic", "");
