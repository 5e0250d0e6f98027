/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* uses udp_tunnel and ip6_udp_tunnel: the dependency chain */
#include "fakemod.h"

extern int setup_udp_tunnel_sock(void);
extern int udp_tunnel_sock_release(void);
extern int udp_tunnel6_xmit_skb(void);

static int fk_init(void) { return setup_udp_tunnel_sock() + udp_tunnel6_xmit_skb(); }
static void fk_exit(void) { udp_tunnel_sock_release(); }
module_init(fk_init);
module_exit(fk_exit);

module_param(udp_port, ushort, 0444);
MODULE_PARM_DESC(udp_port, "Destination UDP port");
module_param(log_ecn_error, bool, 0644);
MODULE_PARM_DESC(log_ecn_error, "Log packets received with corrupted ECN");
MODULE_LICENSE("GPL");
MODULE_ALIAS("rtnl-link-vxlan");
MODULE_INTREE();
MODULE_INFO(srcversion, "5D3F1CB8E3A5B7E9E1C2F0A");
MODULE_FAKE_MODPOST("vxlan", "udp_tunnel,ip6_udp_tunnel");
