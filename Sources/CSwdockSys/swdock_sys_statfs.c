#include "swdock_sys_statfs.h"

#include <sys/vfs.h>

int swdock_statfs_type(const char *path, int64_t *type) {
    struct statfs info;
    int rc = statfs(path, &info);
    if (rc == 0) *type = (int64_t)info.f_type;
    return rc;
}
