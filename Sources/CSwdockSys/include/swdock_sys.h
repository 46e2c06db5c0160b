/* Thin C wrappers for what Swift cannot import: variadic calls (open, fcntl, ioctl, prctl),
 * syscalls without a glibc wrapper (openat2, pidfd_open, clone3) and macros.
 * Every function returns what the kernel returns (-1 and errno on failure); the Swift
 * side (SwdockOS) retries EINTR and turns errno into an error naming the call. */
#ifndef SWDOCK_SYS_H
#define SWDOCK_SYS_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/stat.h>

int swdock_open(const char *path, int flags, mode_t mode);
int swdock_openat(int dirfd, const char *path, int flags, mode_t mode);
int swdock_fcntl_int(int fd, int cmd, int arg);
int swdock_ioctl_ptr(int fd, unsigned long request, void *arg);
int swdock_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);

/* openat2(2) with RESOLVE_* flags; -1/ENOSYS where the kernel lacks it. */
int swdock_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
int swdock_pidfd_open(pid_t pid, unsigned int flags);
int swdock_pidfd_send_signal(int pidfd, int sig);

/* Values of macros and enum constants Swift does not see (O_PATH needs _GNU_SOURCE). */
extern const int SWDOCK_O_PATH;
extern const uint64_t SWDOCK_RESOLVE_IN_ROOT;
extern const uint64_t SWDOCK_RESOLVE_NO_MAGICLINKS;
extern const uint64_t SWDOCK_RESOLVE_NO_SYMLINKS;
extern const uint64_t SWDOCK_RESOLVE_BENEATH;
extern const uint64_t SWDOCK_RESOLVE_NO_XDEV;

/* errno accessors: Swift's Glibc errno is a computed property; these keep it explicit. */
int swdock_errno(void);
void swdock_set_errno(int value);

#endif
