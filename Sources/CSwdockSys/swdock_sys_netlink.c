#define _GNU_SOURCE
#include "swdock_sys_netlink.h"

#include <sched.h>
#include <sys/socket.h>

const int SWDOCK_SOL_NETLINK = SOL_NETLINK;
const int SWDOCK_CLONE_NEWNET = CLONE_NEWNET;

int swdock_setns(int fd, int nstype) { return setns(fd, nstype); }
int swdock_unshare(int flags) { return unshare(flags); }
