/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fakemod.h"

static int fk_init(void) { return 0; }
static void fk_exit(void) { }
module_init(fk_init);
module_exit(fk_exit);
module_param(max_loop, int, 0444);
MODULE_PARM_DESC(max_loop, "Maximum number of loop devices");
module_param(max_part, int, 0444);
MODULE_PARM_DESC(max_part, "Maximum number of partitions per loop device");
MODULE_LICENSE("GPL");
MODULE_ALIAS("block-major-7-*");
MODULE_ALIAS("char-major-10-237");
MODULE_ALIAS("devname:loop-control");
MODULE_INTREE();
MODULE_FAKE_MODPOST("loop", "");
