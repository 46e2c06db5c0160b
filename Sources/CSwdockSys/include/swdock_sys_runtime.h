/* Constants and calls of the OCI runtime that Swift's Glibc module does not expose
 * (they need _GNU_SOURCE). */
#ifndef SWDOCK_SYS_RUNTIME_H
#define SWDOCK_SYS_RUNTIME_H

#include <sys/types.h>

int swdock_pipe2(int fds[2], int flags);
/* memfd_create(2). */
int swdock_memfd_create(const char *name, unsigned int flags);
/* fcntl(F_ADD_SEALS). */
int swdock_add_seals(int fd, int seals);
extern const int SWDOCK_SEALS_ALL;
extern const unsigned int SWDOCK_MFD_CLOEXEC_ALLOW_SEALING;

#endif
