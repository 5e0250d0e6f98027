/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* file snd-dummy.ko, module name snd_dummy: dashes in the file name */
#include "fakemod.h"

static int fk_init(void) { return 0; }
static void fk_exit(void) { }
module_init(fk_init);
module_exit(fk_exit);
module_param(fake_buffer, bool, 0444);
MODULE_PARM_DESC(fake_buffer, "Fake buffer allocations.");
MODULE_LICENSE("GPL");
MODULE_INTREE();
MODULE_FAKE_MODPOST("snd_dummy", "");
