/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alias char-major-10-200 and devname:net/tun, like drivers/net/tun.c */
#include "fakemod.h"

static int fk_init(void) { return 0; }
static void fk_exit(void) { }
module_init(fk_init);
module_exit(fk_exit);
MODULE_DESCRIPTION("Universal TUN/TAP device driver");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.6");
MODULE_ALIAS("char-major-10-200");
MODULE_ALIAS("devname:net/tun");
MODULE_ALIAS("rtnl-link-tun");
MODULE_INTREE();
MODULE_INFO(srcversion, "A2F0C1B1D7C3E5A4B6C8D9E");
MODULE_FAKE_MODPOST("tun", "");
