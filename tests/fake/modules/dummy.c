/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fakemod.h"

static int fk_init(void) { return 0; }
static void fk_exit(void) { }
module_init(fk_init);
module_exit(fk_exit);
module_param(numdummies, int, 0);
MODULE_PARM_DESC(numdummies, "Number of dummy pseudo devices");
MODULE_LICENSE("GPL");
MODULE_ALIAS("rtnl-link-dummy");
MODULE_INTREE();
MODULE_FAKE_MODPOST("dummy", "");
