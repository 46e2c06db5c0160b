#define _GNU_SOURCE
#include "swdock_sys_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const int SWDOCK_O_TMPFILE = O_TMPFILE;

int swdock_statx_btime(int dirfd, const char *path, int64_t *sec, uint32_t *nsec) {
    struct statx info;
    int flags = AT_SYMLINK_NOFOLLOW | (path[0] == '\0' ? AT_EMPTY_PATH : 0);
    if (statx(dirfd, path, flags, STATX_BTIME, &info) != 0) return -1;
    if (!(info.stx_mask & STATX_BTIME)) return 0;
    *sec = info.stx_btime.tv_sec;
    *nsec = info.stx_btime.tv_nsec;
    return 1;
}

int swdock_is_mount_root(const char *path) {
    struct statx info;
    if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, 0, &info) != 0) return -1;
    if (!(info.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)) return -2;
    return (info.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 1 : 0;
}

ssize_t swdock_copy_file_range(int fd_in, int fd_out, size_t len) {
    return copy_file_range(fd_in, NULL, fd_out, NULL, len, 0);
}

int swdock_fsopen(const char *fs_name) { return fsopen(fs_name, FSOPEN_CLOEXEC); }
int swdock_fsconfig_string(int fd, const char *key, const char *value) {
    return fsconfig(fd, FSCONFIG_SET_STRING, key, value, 0);
}
int swdock_fsconfig_flag(int fd, const char *key) { return fsconfig(fd, FSCONFIG_SET_FLAG, key, NULL, 0); }
int swdock_fsconfig_create(int fd) { return fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0); }
int swdock_fsmount(int fd, unsigned int attr_flags) { return fsmount(fd, FSMOUNT_CLOEXEC, attr_flags); }
int swdock_move_mount_to(int from_fd, const char *to_path) {
    return move_mount(from_fd, "", AT_FDCWD, to_path, MOVE_MOUNT_F_EMPTY_PATH);
}

const unsigned int SWDOCK_MOUNT_ATTR_RDONLY = MOUNT_ATTR_RDONLY;
const unsigned int SWDOCK_MOUNT_ATTR_NOSUID = MOUNT_ATTR_NOSUID;
const unsigned int SWDOCK_MOUNT_ATTR_NODEV = MOUNT_ATTR_NODEV;
const unsigned int SWDOCK_MOUNT_ATTR_NOEXEC = MOUNT_ATTR_NOEXEC;
const unsigned int SWDOCK_MOUNT_ATTR_NOATIME = MOUNT_ATTR_NOATIME;
