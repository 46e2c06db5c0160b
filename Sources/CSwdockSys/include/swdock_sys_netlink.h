/* Kernel netlink / rtnetlink constants for SwdockNetwork (the integer macros import into Swift;
 * the alignment macros are re-done in Swift). */
#ifndef SWDOCK_SYS_NETLINK_H
#define SWDOCK_SYS_NETLINK_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/veth.h>

/* Values Swift cannot see through the headers above (enum-in-macro or glibc-hidden). */
extern const int SWDOCK_SOL_NETLINK;
extern const int SWDOCK_CLONE_NEWNET;

/* setns(2) and unshare(2) (glibc declares them only under _GNU_SOURCE). */
int swdock_setns(int fd, int nstype);
int swdock_unshare(int flags);

#endif
