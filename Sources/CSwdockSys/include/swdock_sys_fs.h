/* File-system calls and constants that glibc only declares under _GNU_SOURCE, which the
 * Swift Glibc module is not built with: O_PATH, O_TMPFILE, statx birth times,
 * copy_file_range, and the new mount API (fsopen, fsconfig, fsmount, move_mount). */
#ifndef SWDOCK_SYS_FS_H
#define SWDOCK_SYS_FS_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/xattr.h> /* fsetxattr and friends, which the Swift Glibc module leaves out */

extern const int SWDOCK_O_TMPFILE;

/* Birth time of `path` in `dirfd` (not followed; "" means dirfd itself): returns 1 and fills
 * sec/nsec when the file system reports one, 0 when it does not, -1 with errno on failure. */
int swdock_statx_btime(int dirfd, const char *path, int64_t *sec, uint32_t *nsec);
/* Whether path (not followed if a symlink) is the root of a mount: 1 or 0 from statx's
 * STATX_ATTR_MOUNT_ROOT; -2 when the kernel does not report that attribute; -1 with errno set. */
int swdock_is_mount_root(const char *path);

ssize_t swdock_copy_file_range(int fd_in, int fd_out, size_t len);

int swdock_fsopen(const char *fs_name);
int swdock_fsconfig_string(int fd, const char *key, const char *value);
int swdock_fsconfig_flag(int fd, const char *key);
int swdock_fsconfig_create(int fd);
/* attr_flags: SWDOCK_MOUNT_ATTR_* */
int swdock_fsmount(int fd, unsigned int attr_flags);
int swdock_move_mount_to(int from_fd, const char *to_path);

extern const unsigned int SWDOCK_MOUNT_ATTR_RDONLY;
extern const unsigned int SWDOCK_MOUNT_ATTR_NOSUID;
extern const unsigned int SWDOCK_MOUNT_ATTR_NODEV;
extern const unsigned int SWDOCK_MOUNT_ATTR_NOEXEC;
extern const unsigned int SWDOCK_MOUNT_ATTR_NOATIME;

#endif
