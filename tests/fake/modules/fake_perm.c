/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* module_init without module_exit: "[permanent]", cannot be unloaded */
#include "fakemod.h"

static int fk_init(void) { return 0; }
module_init(fk_init);
MODULE_LICENSE("GPL");
MODULE_INTREE();
MODULE_FAKE_MODPOST("fake_perm", "");
