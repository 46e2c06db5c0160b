#include <seccomp.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>

/* Function-like macros of seccomp.h that Swift cannot import. */
static inline uint32_t swdock_scmp_act_errno(uint16_t value) { return SCMP_ACT_ERRNO(value); }
static inline uint32_t swdock_scmp_act_trace(uint16_t value) { return SCMP_ACT_TRACE(value); }

/* memfd_create(name, MFD_CLOEXEC) through syscall(2): seccomp_export_bpf writes the program
 * to an fd, and a memfd holds a program of any size (a pipe would block past 64 KiB). */
static inline int swdock_seccomp_memfd(const char *name) {
    return (int)syscall(SYS_memfd_create, name, 1U /* MFD_CLOEXEC */);
}
