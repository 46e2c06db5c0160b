#define _GNU_SOURCE
#include "swdock_sys_runtime.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int swdock_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
int swdock_memfd_create(const char *name, unsigned int flags) { return memfd_create(name, flags); }
int swdock_add_seals(int fd, int seals) { return fcntl(fd, F_ADD_SEALS, seals); }
const int SWDOCK_SEALS_ALL = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
const unsigned int SWDOCK_MFD_CLOEXEC_ALLOW_SEALING = MFD_CLOEXEC | MFD_ALLOW_SEALING;
