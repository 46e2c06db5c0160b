#ifndef SWDOCK_SYS_SOCKET_H
#define SWDOCK_SYS_SOCKET_H

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC): glibc declares accept4 only under _GNU_SOURCE, which
/// Swift's Glibc module does not see; close-on-exec must be atomic (shims are spawned meanwhile).
int swdock_accept_cloexec(int fd);

#endif
