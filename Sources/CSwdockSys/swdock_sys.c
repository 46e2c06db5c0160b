#define _GNU_SOURCE
#include "swdock_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int swdock_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
int swdock_openat(int dirfd, const char *path, int flags, mode_t mode) { return openat(dirfd, path, flags, mode); }
int swdock_fcntl_int(int fd, int cmd, int arg) { return fcntl(fd, cmd, arg); }
int swdock_ioctl_ptr(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
int swdock_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return prctl(option, a2, a3, a4, a5);
}

int swdock_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int swdock_pidfd_open(pid_t pid, unsigned int flags) { return (int)syscall(SYS_pidfd_open, pid, flags); }
int swdock_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0); }

const int SWDOCK_O_PATH = O_PATH;
const uint64_t SWDOCK_RESOLVE_IN_ROOT = RESOLVE_IN_ROOT;
const uint64_t SWDOCK_RESOLVE_NO_MAGICLINKS = RESOLVE_NO_MAGICLINKS;
const uint64_t SWDOCK_RESOLVE_NO_SYMLINKS = RESOLVE_NO_SYMLINKS;
const uint64_t SWDOCK_RESOLVE_BENEATH = RESOLVE_BENEATH;
const uint64_t SWDOCK_RESOLVE_NO_XDEV = RESOLVE_NO_XDEV;

int swdock_errno(void) { return errno; }
void swdock_set_errno(int value) { errno = value; }
