/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fakemod.h"

int udp_tunnel6_xmit_skb(void);
int udp_tunnel6_xmit_skb(void) { return 0; }
EXPORT_SYMBOL_GPL(udp_tunnel6_xmit_skb);

static int fk_init(void) { return 0; }
static void fk_exit(void) { }
module_init(fk_init);
module_exit(fk_exit);
MODULE_LICENSE("GPL");
MODULE_INTREE();
MODULE_FAKE_MODPOST("ip6_udp_tunnel", "");
