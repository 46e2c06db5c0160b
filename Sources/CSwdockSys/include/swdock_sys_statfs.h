/* statfs(2): <sys/vfs.h> is not part of Swift's Glibc module. */
#ifndef SWDOCK_SYS_STATFS_H
#define SWDOCK_SYS_STATFS_H

#include <stdint.h>

/* Stores the filesystem magic (f_type) of `path` in *type; returns what statfs returns. */
int swdock_statfs_type(const char *path, int64_t *type);

#endif
