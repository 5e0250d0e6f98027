/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fakemod.h"

int setup_udp_tunnel_sock(void);
int udp_tunnel_sock_release(void);
int setup_udp_tunnel_sock(void) { return 0; }
int udp_tunnel_sock_release(void) { return 0; }
EXPORT_SYMBOL_GPL(setup_udp_tunnel_sock);
EXPORT_SYMBOL_GPL(udp_tunnel_sock_release);

static int fk_init(void) { return 0; }
static void fk_exit(void) { }
module_init(fk_init);
module_exit(fk_exit);
MODULE_LICENSE("GPL");
MODULE_INTREE();
MODULE_FAKE_MODPOST("udp_tunnel", "");
