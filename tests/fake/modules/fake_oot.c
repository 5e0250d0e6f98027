/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* out of tree and unsigned: loading it taints the kernel (OE) */
#include "fakemod.h"

static int fk_init(void) { return 0; }
static void fk_exit(void) { }
module_init(fk_init);
module_exit(fk_exit);
module_param(message, charp, 0644);
MODULE_PARM_DESC(message, "A string parameter");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.3");
MODULE_FAKE_MODPOST("fake_oot", "");
