/* The container init (see include/swdock_init.h).
 *
 * Runs in the child of a raw clone(): only async-signal-safe calls, no malloc, no stdio,
 * no locks. Scratch strings live in static buffers (the child is single-threaded and
 * owns its copy of them). Every failure is reported as (stage, errno, detail) on the sync
 * socket and ends the child with _exit(1). */
#define _GNU_SOURCE
#include "swdock_init.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

_Static_assert(sizeof(struct swdock_init_report) == 248, "report layout is part of the sync protocol");

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static const struct swdock_bootstrap *B;

/* ── small string helpers (no libc formatting: snprintf is not async-signal-safe) ── */

static size_t s_len(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

/* Appends src to dst (capacity cap), always NUL-terminated; returns the new length. */
static size_t s_cat(char *dst, size_t cap, const char *src) {
    size_t n = s_len(dst);
    while (*src && n + 1 < cap) dst[n++] = *src++;
    dst[n] = 0;
    return n;
}

static void s_itoa(char *out, long value) {
    char tmp[24]; int i = 0; int neg = value < 0;
    unsigned long v = neg ? (unsigned long)(-value) : (unsigned long)value;
    do { tmp[i++] = (char)('0' + v % 10); v /= 10; } while (v);
    int j = 0;
    if (neg) out[j++] = '-';
    while (i) out[j++] = tmp[--i];
    out[j] = 0;
}

static void fd_path(char *out, int fd) {
    out[0] = 0;
    s_cat(out, 64, "/proc/self/fd/");
    char num[24]; s_itoa(num, fd);
    s_cat(out, 64, num);
}

/* ── reporting ── */

static void send_msg(uint32_t type, int32_t value, uint32_t stage, int err, const char *detail) {
    struct swdock_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.type = type;
    msg.value = value;
    msg.report.stage = stage;
    msg.report.error = err;
    if (detail) {
        size_t i = 0;
        for (; detail[i] && i + 1 < sizeof msg.report.detail; i++) msg.report.detail[i] = detail[i];
        msg.report.detail[i] = 0;
    }
    ssize_t r;
    do { r = send(B->sync_fd, &msg, sizeof msg, MSG_NOSIGNAL); } while (r < 0 && errno == EINTR);
}

__attribute__((noreturn)) static void fail(uint32_t stage, int err, const char *detail) {
    send_msg(SWDOCK_MSG_ERROR, 0, stage, err, detail);
    _exit(1);
}

/* Waits for the parent's GO; any other answer (or none) ends the child quietly. */
static void wait_go(void) {
    struct swdock_msg msg;
    ssize_t r;
    do { r = recv(B->sync_fd, &msg, sizeof msg, 0); } while (r < 0 && errno == EINTR);
    if (r != (ssize_t)sizeof msg || msg.type != SWDOCK_MSG_GO) _exit(1);
    if (msg.value != 0) {
        if (msg.value > 0) fail(SWDOCK_STAGE_HOOK, msg.value, "");
        _exit(1);
    }
}

static long raw_clone(unsigned long flags) { return syscall(SYS_clone, flags, 0, 0, 0, 0); }

/* ── path resolution inside the root (CVE-2021-30465 class) ── */

static int open_in_root(int rootfd, const char *path, int flags, mode_t mode) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long fd;
    do { fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how); } while (fd < 0 && errno == EINTR);
    return (int)fd;
}

static char scratch[4096];

/* mkdir -p of `path` inside the root: each parent is opened with RESOLVE_IN_ROOT and the
 * next component made with mkdirat on that fd, so no symlink can lead outside the root. */
static int mkdir_in_root_depth(int rootfd, const char *path, mode_t mode, int last_is_file, int depth) {
    size_t len = s_len(path);
    if (len + 1 >= sizeof scratch) { errno = ENAMETOOLONG; return -1; }
    memcpy(scratch, path, len + 1);
    size_t i = 0;
    while (i < len) {
        while (i < len && scratch[i] == '/') i++;
        if (i >= len) break;
        size_t start = i;
        while (i < len && scratch[i] != '/') i++;
        int last = (i >= len);
        char saved = scratch[i];
        scratch[i] = 0;
        int fd = open_in_root(rootfd, scratch, O_PATH, 0);
        if (fd >= 0) { close(fd); scratch[i] = saved; continue; }
        if (errno != ENOENT) return -1;
        /* Open the parent (inside the root) and create this component in it. */
        char name[256];
        size_t nlen = i - start;
        if (nlen >= sizeof name) { errno = ENAMETOOLONG; return -1; }
        memcpy(name, scratch + start, nlen);
        name[nlen] = 0;
        scratch[start] = 0;
        int parent = open_in_root(rootfd, start ? scratch : "/", O_PATH | O_DIRECTORY, 0);
        scratch[start] = name[0];
        if (parent < 0) return -1;
        int r;
        if (last && last_is_file) {
            r = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (r >= 0) { close(r); r = 0; }
        } else {
            r = mkdirat(parent, name, mode);
        }
        int saved_errno = errno;
        if (r < 0 && saved_errno == EEXIST) {
            /* The name exists but did not resolve: a dangling symlink. Follow it inside the
             * root (lexically, then again with RESOLVE_IN_ROOT) and create its target. */
            char link[1024];
            ssize_t n = readlinkat(parent, name, link, sizeof link - 1);
            close(parent);
            if (n < 0) return -1;
            link[n] = 0;
            if (depth >= 40) { errno = ELOOP; return -1; }
            char next[4096];
            next[0] = 0;
            if (link[0] != '/') {
                scratch[start] = 0;
                s_cat(next, sizeof next, start ? scratch : "/");
            }
            s_cat(next, sizeof next, link);
            if (!last) {
                s_cat(next, sizeof next, "/");
                s_cat(next, sizeof next, path + i);
            }
            return mkdir_in_root_depth(rootfd, next, mode, last_is_file, depth + 1);
        }
        close(parent);
        if (r < 0) { errno = saved_errno; return -1; }
        scratch[i] = saved;
    }
    return 0;
}

static int mkdir_in_root(int rootfd, const char *path, mode_t mode, int last_is_file) {
    return mkdir_in_root_depth(rootfd, path, mode, last_is_file, 0);
}

/* Opens the parent directory of `path` inside the root and points *name at the last component. */
static int open_parent_in_root(int rootfd, const char *path, char *name, size_t name_cap) {
    size_t len = s_len(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t slash = len;
    while (slash > 0 && path[slash - 1] != '/') slash--;
    size_t nlen = len - slash;
    if (nlen == 0 || nlen >= name_cap || slash >= sizeof scratch) { errno = EINVAL; return -1; }
    memcpy(name, path + slash, nlen);
    name[nlen] = 0;
    memcpy(scratch, path, slash);
    scratch[slash] = 0;
    if (slash == 0) { scratch[0] = '/'; scratch[1] = 0; }
    return open_in_root(rootfd, scratch, O_PATH | O_DIRECTORY, 0);
}

static int is_dir_fd(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A bind remount; when the kernel refuses because flags of the mount are locked (a mount
 * made in another user ns), the locked flags are kept and the remount retried. */
static int remount(const char *path, unsigned long flags) {
    if (mount(NULL, path, NULL, flags | MS_REMOUNT, NULL) == 0) return 0;
    if (errno != EPERM) return -1;
    struct statvfs sfs;
    if (statvfs(path, &sfs) < 0) return -1;
    unsigned long locked = 0;
    if (sfs.f_flag & ST_NOSUID) locked |= MS_NOSUID;
    if (sfs.f_flag & ST_NODEV) locked |= MS_NODEV;
    if (sfs.f_flag & ST_NOEXEC) locked |= MS_NOEXEC;
    if (sfs.f_flag & ST_NOATIME) locked |= MS_NOATIME;
    if (sfs.f_flag & ST_NODIRATIME) locked |= MS_NODIRATIME;
    if (sfs.f_flag & ST_RELATIME) locked |= MS_RELATIME;
    if (sfs.f_flag & ST_RDONLY) locked |= MS_RDONLY;
    errno = EPERM;
    if ((flags | locked) == flags) return -1;
    return mount(NULL, path, NULL, flags | locked | MS_REMOUNT, NULL);
}

/* ── setup operations ── */

static int root_fd = -1;

static int op_mount(const struct swdock_op *op) {
    if ((op->flags & SWDOCK_OPF_MKDIR) &&
        mkdir_in_root(root_fd, op->target, 0755, (op->flags & SWDOCK_OPF_TARGET_FILE) != 0) < 0)
        return -1;
    int target = open_in_root(root_fd, op->target, O_PATH, 0);
    if (target < 0) return -1;
    char tpath[64]; fd_path(tpath, target);
    int r;
    if (op->flags & SWDOCK_OPF_BIND) {
        int source = -1;
        char spath[64];
        const char *src = op->source;
        if (op->flags & SWDOCK_OPF_SOURCE_IN_ROOT) {
            source = open_in_root(root_fd, op->source, O_PATH, 0);
            if (source < 0) { int e = errno; close(target); errno = e; return -1; }
            fd_path(spath, source);
            src = spath;
        }
        r = mount(src, tpath, NULL, op->mount_flags, NULL);
        if (source >= 0) close(source);
    } else {
        r = mount(op->source, tpath, op->fstype, op->mount_flags, op->data);
    }
    int e = errno;
    close(target);
    if (r < 0) { errno = e; return -1; }
    if (op->remount_flags == 0 && op->propagation == 0) return 0;
    /* Reopen: the fd above names the directory under the new mount, not the mount. */
    target = open_in_root(root_fd, op->target, O_PATH, 0);
    if (target < 0) return -1;
    fd_path(tpath, target);
    r = 0;
    if (op->remount_flags) r = remount(tpath, op->remount_flags);
    if (r == 0 && op->propagation) r = mount(NULL, tpath, NULL, op->propagation, NULL);
    e = errno;
    close(target);
    errno = e;
    return r;
}

static int op_remount(const struct swdock_op *op) {
    int target = open_in_root(root_fd, op->target, O_PATH, 0);
    if (target < 0) return -1;
    char tpath[64]; fd_path(tpath, target);
    int r = remount(tpath, op->mount_flags);
    int e = errno; close(target); errno = e;
    return r;
}

/* Creates the parent directories of `path` inside the root. */
static int mkdir_parent_in_root(int rootfd, const char *path) {
    size_t len = s_len(path);
    char dir[1024];
    if (len >= sizeof dir) { errno = ENAMETOOLONG; return -1; }
    memcpy(dir, path, len + 1);
    while (len > 0 && dir[len - 1] == '/') len--;
    while (len > 0 && dir[len - 1] != '/') len--;
    dir[len] = 0;
    if (len <= 1) return 0;
    return mkdir_in_root(rootfd, dir, 0755, 0);
}

static int op_mknod(const struct swdock_op *op) {
    if (mkdir_parent_in_root(root_fd, op->target) < 0) return -1;
    char name[256];
    int parent = open_parent_in_root(root_fd, op->target, name, sizeof name);
    if (parent < 0) return -1;
    unlinkat(parent, name, AT_REMOVEDIR);
    unlinkat(parent, name, 0);
    int r = mknodat(parent, name, op->mode, (dev_t)op->dev);
    if (r == 0) r = fchownat(parent, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW);
    if (r == 0) {
        /* mknod applies the umask; set the mode exactly as asked. */
        int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            char p[64]; fd_path(p, fd);
            r = chmod(p, op->mode & 07777);
            close(fd);
        }
    }
    int e = errno; close(parent); errno = e;
    return r;
}

static int op_symlink(const struct swdock_op *op) {
    char name[256];
    if (mkdir_parent_in_root(root_fd, op->target) < 0) return -1;
    int parent = open_parent_in_root(root_fd, op->target, name, sizeof name);
    if (parent < 0) return -1;
    int r = symlinkat(op->source, parent, name);
    if (r < 0 && errno == EEXIST) r = 0;
    int e = errno; close(parent); errno = e;
    return r;
}

static int op_write(const struct swdock_op *op) {
    int fd = open_in_root(root_fd, op->target, O_WRONLY | O_TRUNC, 0);
    if (fd < 0) return -1;
    size_t len = s_len(op->data), off = 0;
    while (off < len) {
        ssize_t n = write(fd, op->data + off, len - off);
        if (n < 0) { if (errno == EINTR) continue; int e = errno; close(fd); errno = e; return -1; }
        off += (size_t)n;
    }
    close(fd);
    return 0;
}

static int op_mask(const struct swdock_op *op) {
    int target = open_in_root(root_fd, op->target, O_PATH, 0);
    if (target < 0) return -1;
    char tpath[64]; fd_path(tpath, target);
    int r;
    if (is_dir_fd(target)) r = mount("tmpfs", tpath, "tmpfs", MS_RDONLY, NULL);
    else r = mount("/dev/null", tpath, NULL, MS_BIND, NULL);
    int e = errno; close(target); errno = e;
    return r;
}

static int op_pivot(const struct swdock_op *op) {
    if (op->flags) { /* no_pivot: move the root over / and chroot, for where pivot_root cannot work */
        if (fchdir(root_fd) < 0) return -1;
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) return -1;
        if (chroot(".") < 0) return -1;
    } else {
        int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (oldroot < 0) return -1;
        if (fchdir(root_fd) < 0) return -1;
        if (syscall(SYS_pivot_root, ".", ".") < 0) return -1;
        /* The old root is now stacked under "."; detach it without letting the umount
         * propagate back to the host. */
        if (fchdir(oldroot) < 0) return -1;
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) return -1;
        if (umount2(".", MNT_DETACH) < 0) return -1;
        close(oldroot);
    }
    if (chdir("/") < 0) return -1;
    close(root_fd);
    root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return root_fd < 0 ? -1 : 0;
}

static void run_ops(void) {
    for (int i = 0; i < B->nops; i++) {
        const struct swdock_op *op = &B->ops[i];
        int r = 0;
        switch (op->kind) {
        case SWDOCK_OP_MOUNT: r = op_mount(op); break;
        case SWDOCK_OP_REMOUNT: r = op_remount(op); break;
        case SWDOCK_OP_MKNOD: r = op_mknod(op); break;
        case SWDOCK_OP_SYMLINK: r = op_symlink(op); break;
        case SWDOCK_OP_MKDIR: r = mkdir_in_root(root_fd, op->target, op->mode, 0); break;
        case SWDOCK_OP_WRITE: r = op_write(op); break;
        case SWDOCK_OP_MASK: r = op_mask(op); break;
        case SWDOCK_OP_PIVOT: r = op_pivot(op); break;
        case SWDOCK_OP_SETHOSTNAME: r = sethostname(op->source, s_len(op->source)); break;
        case SWDOCK_OP_SETDOMAINNAME: r = setdomainname(op->source, s_len(op->source)); break;
        case SWDOCK_OP_HOOKS:
            send_msg(SWDOCK_MSG_HOOKS, 0, 0, 0, NULL);
            wait_go();
            break;
        default: errno = EINVAL; r = -1;
        }
        if (r < 0) {
            if (errno == ENOENT && (op->flags & SWDOCK_OPF_IGNORE_ENOENT)) continue;
            fail(SWDOCK_STAGE_OP, errno, op->describe);
        }
    }
}

/* ── console (runc's --console-socket protocol) ── */

static void setup_console(void) {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) fail(SWDOCK_STAGE_CONSOLE, errno, "open /dev/ptmx");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) fail(SWDOCK_STAGE_CONSOLE, errno, "unlockpt");
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) fail(SWDOCK_STAGE_CONSOLE, errno, "open the pty slave");
    if (B->console_rows || B->console_cols) {
        struct winsize ws;
        memset(&ws, 0, sizeof ws);
        ws.ws_row = B->console_rows;
        ws.ws_col = B->console_cols;
        if (ioctl(master, TIOCSWINSZ, &ws) < 0) fail(SWDOCK_STAGE_CONSOLE, errno, "set the console size");
    }
    unsigned int ptn = 0;
    char name[64] = "/dev/pts/";
    if (ioctl(master, TIOCGPTN, &ptn) == 0) { char n[24]; s_itoa(n, (long)ptn); s_cat(name, sizeof name, n); }
    if (swdock_init_send_fd(B->console_fd, master, name) < 0)
        fail(SWDOCK_STAGE_CONSOLE, errno, "send the pty master to the console socket");
    close(master);
    close(B->console_fd);
    for (int fd = 0; fd < 3; fd++)
        if (dup3(slave, fd, 0) < 0) fail(SWDOCK_STAGE_CONSOLE, errno, "dup the pty slave to stdio");
    if (slave > 2) close(slave);
    if (ioctl(0, TIOCSCTTY, 0) < 0) fail(SWDOCK_STAGE_CONSOLE, errno, "make the pty the controlling terminal");
}

/* ── credentials and capabilities ── */

static void set_caps(void) {
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    data[0].effective = (uint32_t)B->cap_effective;
    data[1].effective = (uint32_t)(B->cap_effective >> 32);
    data[0].permitted = (uint32_t)B->cap_permitted;
    data[1].permitted = (uint32_t)(B->cap_permitted >> 32);
    data[0].inheritable = (uint32_t)B->cap_inheritable;
    data[1].inheritable = (uint32_t)(B->cap_inheritable >> 32);
    if (syscall(SYS_capset, &hdr, data) < 0) fail(SWDOCK_STAGE_CAPS, errno, "capset");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        fail(SWDOCK_STAGE_CAPS, errno, "clear the ambient set");
    for (int c = 0; c <= B->last_cap && c < 64; c++)
        if ((B->cap_ambient >> c) & 1)
            /* EPERM: not in the inheritable set. runc and crun skip those; so do we. */
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0 && errno != EPERM && errno != EINVAL)
                fail(SWDOCK_STAGE_CAPS, errno, "raise an ambient capability");
}

static void set_user(void) {
    if (B->set_caps) {
        /* Keep the permitted set across setuid; the final sets are applied after it. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail(SWDOCK_STAGE_CAPS, errno, "PR_SET_KEEPCAPS");
        for (int c = 0; c <= B->last_cap && c < 64; c++)
            if (!((B->cap_bounding >> c) & 1))
                if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0 && errno != EINVAL)
                    fail(SWDOCK_STAGE_CAPS, errno, "drop from the bounding set");
    }
    if (B->set_groups && syscall(SYS_setgroups, (size_t)B->ngroups, B->groups) < 0)
        fail(SWDOCK_STAGE_SETGROUPS, errno, "");
    /* Raw syscalls: glibc's setresuid signals other threads (there are none here, and its
     * machinery is not async-signal-safe). */
    if (syscall(SYS_setresgid, B->gid, B->gid, B->gid) < 0) fail(SWDOCK_STAGE_SETGID, errno, "");
    if (syscall(SYS_setresuid, B->uid, B->uid, B->uid) < 0) fail(SWDOCK_STAGE_SETUID, errno, "");
    if (B->set_caps) {
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) fail(SWDOCK_STAGE_CAPS, errno, "PR_SET_KEEPCAPS");
        set_caps();
    }
}

/* ── argv[0] lookup in $PATH, inside the container (like Go's exec.LookPath) ── */

static char exec_path[4096];

static int executable(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) return 0;
    if (S_ISDIR(st.st_mode)) { errno = EACCES; return 0; }
    return (st.st_mode & 0111) != 0;
}

static const char *lookup(const char *name) {
    errno = 0;
    for (const char *p = name; *p; p++)
        if (*p == '/') {
            struct stat st;
            return stat(name, &st) == 0 ? name : NULL;
        }
    const char *path = B->path_env ? B->path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    const char *dir = path;
    for (;;) {
        const char *end = dir;
        while (*end && *end != ':') end++;
        size_t dlen = (size_t)(end - dir);
        size_t nlen = s_len(name);
        if (dlen + nlen + 2 < sizeof exec_path) {
            if (dlen == 0) { exec_path[0] = '.'; dlen = 1; } else memcpy(exec_path, dir, dlen);
            exec_path[dlen] = '/';
            memcpy(exec_path + dlen + 1, name, nlen + 1);
            if (executable(exec_path)) return exec_path;
        }
        if (!*end) break;
        dir = end + 1;
    }
    return NULL;
}

/* ── fds (CVE-2024-21626 class) ── */

static void fix_fds(void) {
    unsigned int first = 3u + (unsigned int)(B->preserve_fds > 0 ? B->preserve_fds : 0);
    if (syscall(SYS_close_range, first, ~0u, CLOSE_RANGE_CLOEXEC) < 0) {
        /* Kernels before 5.11: mark each open fd by hand. */
        for (int fd = (int)first; fd < 65536; fd++) {
            int fl = fcntl(fd, F_GETFD);
            if (fl >= 0) fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
        }
    }
    for (int fd = 3; fd < (int)first; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0) fail(SWDOCK_STAGE_FDS, errno, "preserved fd");
    }
}

/* ── seccomp ── */

static void load_seccomp(void) {
    if (!B->seccomp_filter) return;
    struct sock_fprog prog = { .len = (unsigned short)B->seccomp_len,
                               .filter = (struct sock_filter *)B->seccomp_filter };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, B->seccomp_flags, &prog) < 0)
        fail(SWDOCK_STAGE_SECCOMP, errno, "");
}

/* ── startContainer hooks (run by the init, in the container, after `start`) ── */

static void write_all(int fd, const char *text) {
    size_t len = s_len(text), off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; /* the hook need not read its stdin */
        off += (size_t)n;
    }
}

static long elapsed_ms(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000L + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

static void run_start_hook(const struct swdock_hook *hook) {
    static char detail[240];
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) fail(SWDOCK_STAGE_START_HOOK, errno, hook->path);
    /* A hook that exits without reading stdin must not kill the init with SIGPIPE. */
    struct sigaction ign, dfl;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &ign, NULL);
    long pid = raw_clone(SIGCHLD);
    if (pid < 0) fail(SWDOCK_STAGE_START_HOOK, errno, hook->path);
    if (pid == 0) {
        sigaction(SIGPIPE, &dfl, NULL);
        if (dup2(p[0], 0) < 0) _exit(126); /* dup2 leaves fd 0 without FD_CLOEXEC */
        execve(hook->path, hook->argv, hook->envp);
        _exit(127);
    }
    close(p[0]);
    char num[24];
    s_itoa(num, (long)getpid());
    write_all(p[1], B->hook_state_head);
    write_all(p[1], num);
    write_all(p[1], B->hook_state_tail);
    close(p[1]);
    sigaction(SIGPIPE, &dfl, NULL);
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    for (;;) {
        int status = 0;
        long r = waitpid((pid_t)pid, &status, WNOHANG);
        if (r < 0 && errno != EINTR) fail(SWDOCK_STAGE_START_HOOK, errno, hook->path);
        if (r == pid) {
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
            detail[0] = 0;
            s_cat(detail, sizeof detail, hook->path);
            s_cat(detail, sizeof detail, WIFEXITED(status) ? ": exit status " : ": killed by signal ");
            s_itoa(num, WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            s_cat(detail, sizeof detail, num);
            fail(SWDOCK_STAGE_START_HOOK, 0, detail);
        }
        if (hook->timeout > 0 && elapsed_ms(&started) >= (long)hook->timeout * 1000L) {
            kill((pid_t)pid, SIGKILL);
            while (waitpid((pid_t)pid, &status, 0) < 0 && errno == EINTR) {}
            detail[0] = 0;
            s_cat(detail, sizeof detail, hook->path);
            s_cat(detail, sizeof detail, ": timed out after ");
            s_itoa(num, hook->timeout);
            s_cat(detail, sizeof detail, num);
            s_cat(detail, sizeof detail, " s");
            fail(SWDOCK_STAGE_START_HOOK, 0, detail);
        }
        struct timespec pause = { 0, 1000000L };
        nanosleep(&pause, NULL);
    }
}

/* ── the child ── */

__attribute__((noreturn)) static void init_process(void) {
    if (!B->exec_mode) {
        if (setsid() < 0) fail(SWDOCK_STAGE_SETSID, errno, "");
        if (B->root_propagation && mount(NULL, "/", NULL, B->root_propagation, NULL) < 0)
            fail(SWDOCK_STAGE_ROOT_PROPAGATION, errno, B->rootfs);
        /* The rootfs must be a mount point for pivot_root. */
        if (mount(B->rootfs, B->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
            fail(SWDOCK_STAGE_ROOT_BIND, errno, B->rootfs);
        root_fd = open(B->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0) fail(SWDOCK_STAGE_ROOT_BIND, errno, B->rootfs);
        run_ops();
    } else if (B->terminal) {
        if (setsid() < 0) fail(SWDOCK_STAGE_SETSID, errno, "");
    }
    if (B->terminal && B->console_fd >= 0) setup_console();
    if (B->personality >= 0 && personality((unsigned long)B->personality) < 0)
        fail(SWDOCK_STAGE_PERSONALITY, errno, "");
    for (int i = 0; i < B->nrlimits; i++) {
        struct rlimit rl = { .rlim_cur = B->rlimits[i].soft, .rlim_max = B->rlimits[i].hard };
        if (setrlimit((__rlimit_resource_t)B->rlimits[i].resource, &rl) < 0) {
            char n[24]; s_itoa(n, B->rlimits[i].resource);
            fail(SWDOCK_STAGE_RLIMIT, errno, n);
        }
    }
    /* cwd first as root (it may be unreadable to the user), and again after setuid. */
    int cwd_ok = chdir(B->cwd) == 0;
    int cwd_errno = errno;
    /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while the init
     * still has it (before the capabilities are dropped and the uid changes), as runc does. */
    if (!B->no_new_privs) load_seccomp();
    set_user();
    if (!cwd_ok && chdir(B->cwd) < 0) fail(SWDOCK_STAGE_CWD, cwd_errno == ENOENT ? ENOENT : errno, B->cwd);
    umask(B->umask >= 0 ? (mode_t)B->umask : 022);
    fix_fds();
    const char *path = lookup(B->argv[0]);
    if (!path) fail(SWDOCK_STAGE_LOOKUP, errno ? errno : ENOENT, B->argv[0]);
    send_msg(SWDOCK_MSG_READY, 0, 0, 0, NULL);
    if (B->exec_fifo_fd >= 0) {
        char fpath[64]; fd_path(fpath, B->exec_fifo_fd);
        /* Blocks until `start` opens the fifo for reading. */
        int fifo = open(fpath, O_WRONLY | O_CLOEXEC);
        if (fifo < 0) fail(SWDOCK_STAGE_FIFO, errno, "exec.fifo");
        char zero = '0';
        if (write(fifo, &zero, 1) != 1) fail(SWDOCK_STAGE_FIFO, errno, "exec.fifo");
        close(fifo);
        close(B->exec_fifo_fd);
    }
    for (int i = 0; i < B->nstart_hooks; i++) run_start_hook(&B->start_hooks[i]);
    if (B->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(SWDOCK_STAGE_NO_NEW_PRIVS, errno, "");
    /* With no_new_privs the filter needs no privilege: load it as late as possible, right
     * before execve, so it only has to allow what the container process itself needs. */
    if (B->no_new_privs) load_seccomp();
    execve(path, B->argv, B->envp);
    fail(SWDOCK_STAGE_EXEC, errno, path);
}

__attribute__((noreturn)) static void child(const struct swdock_bootstrap *b) {
    B = b;
    /* The parent may block signals (to forward them) and ignore some; the container starts
     * with an empty mask and default dispositions. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < 65; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
    /* Device nodes and dirs get exactly the modes asked; the process umask is set at the end. */
    umask(0);
    int i = 0;
    if (b->njoins > 0 && b->joins[0].nstype == CLONE_NEWUSER) {
        if (setns(b->joins[0].fd, CLONE_NEWUSER) < 0) fail(SWDOCK_STAGE_SETNS, errno, "user");
        i = 1;
    }
    /* Join the other namespaces while we still hold the host's capabilities (before a new
     * user ns), mount last since it changes the root. */
    int mnt_join = -1;
    for (; i < b->njoins; i++) {
        if (b->joins[i].nstype == CLONE_NEWNS) { mnt_join = i; continue; }
        if (setns(b->joins[i].fd, b->joins[i].nstype) < 0) {
            const char *n = "namespace";
            switch (b->joins[i].nstype) {
            case CLONE_NEWNET: n = "net"; break; case CLONE_NEWIPC: n = "ipc"; break;
            case CLONE_NEWUTS: n = "uts"; break; case CLONE_NEWPID: n = "pid"; break;
            case CLONE_NEWCGROUP: n = "cgroup"; break; case CLONE_NEWTIME: n = "time"; break;
            }
            fail(SWDOCK_STAGE_SETNS, errno, n);
        }
    }
    if (mnt_join >= 0 && setns(b->joins[mnt_join].fd, CLONE_NEWNS) < 0) fail(SWDOCK_STAGE_SETNS, errno, "mnt");
    if (b->new_userns && unshare(CLONE_NEWUSER) < 0) fail(SWDOCK_STAGE_UNSHARE_USER, errno, "");
    /* The parent writes the id maps, joins us to the cgroup and sets oom_score_adj. */
    send_msg(SWDOCK_MSG_HELLO, b->clone_flags ? 0 : (int32_t)getpid(), 0, 0, NULL);
    wait_go();
    if (b->userns_present) {
        if (syscall(SYS_setresgid, 0, 0, 0) < 0) fail(SWDOCK_STAGE_SETID_USERNS, errno, "gid 0");
        if (syscall(SYS_setresuid, 0, 0, 0) < 0) fail(SWDOCK_STAGE_SETID_USERNS, errno, "uid 0");
    }
    if (b->clone_flags) {
        /* The clone made the namespaces and this process is already the container's init. */
        send_msg(SWDOCK_MSG_PID, 0, 0, 0, NULL);
        init_process();
    }
    if (b->unshare_flags && unshare(b->unshare_flags) < 0) fail(SWDOCK_STAGE_UNSHARE, errno, "");
    if (b->timens_offsets) {
        int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, b->timens_offsets, s_len(b->timens_offsets)) < 0)
            fail(SWDOCK_STAGE_TIMENS, errno, "/proc/self/timens_offsets");
        close(fd);
    }
    if (b->need_fork) {
        /* CLONE_PARENT: the container process becomes the runtime's child, so `run` and
         * `exec` can wait for it; this intermediate process only reports its pid. The
         * container process waits on `reported` until that report is on the sync socket:
         * otherwise, with both writing to it, its HOOKS or READY could reach the runtime
         * before its pid does (a CI run saw a pid file of "0"). */
        int reported[2];
        if (pipe2(reported, O_CLOEXEC) < 0) fail(SWDOCK_STAGE_FORK, errno, "");
        long pid = raw_clone(CLONE_PARENT | SIGCHLD);
        if (pid < 0) fail(SWDOCK_STAGE_FORK, errno, "");
        if (pid > 0) {
            send_msg(SWDOCK_MSG_PID, (int32_t)pid, 0, 0, NULL);
            char one = 1;
            ssize_t w;
            do { w = write(reported[1], &one, 1); } while (w < 0 && errno == EINTR);
            _exit(0);
        }
        close(reported[1]);
        char byte;
        ssize_t r;
        do { r = read(reported[0], &byte, 1); } while (r < 0 && errno == EINTR);
        if (r != 1) _exit(1);   /* the intermediate died before reporting: the runtime sees it exit */
        close(reported[0]);
    } else {
        send_msg(SWDOCK_MSG_PID, (int32_t)getpid(), 0, 0, NULL);
    }
    init_process();
}

pid_t swdock_init_spawn(const struct swdock_bootstrap *bootstrap) {
    /* A raw clone: like fork() but without glibc's atfork handlers, which take locks. */
    long pid = raw_clone((unsigned long)bootstrap->clone_flags | SIGCHLD);
    if (pid == 0) child(bootstrap);
    return (pid_t)pid;
}

pid_t swdock_spawn_hook(int mntns_fd, const char *path, char *const argv[], char *const envp[], int stdin_fd) {
    long pid = raw_clone(SIGCHLD);
    if (pid != 0) return (pid_t)pid;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (mntns_fd >= 0 && setns(mntns_fd, CLONE_NEWNS) < 0) _exit(126);
    if (stdin_fd >= 0 && dup2(stdin_fd, 0) < 0) _exit(126);
    syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
    execve(path, argv, envp);
    _exit(127);
}

int swdock_init_send_fd(int sock, int fd, const char *name) {
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec iov = { .iov_base = (void *)name, .iov_len = s_len(name) };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t r;
    do { r = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}

int swdock_init_recv_fd(int sock, char *name, int name_size) {
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = name, .iov_len = (size_t)(name_size > 1 ? name_size - 1 : 0) };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf;
    msg.msg_controllen = sizeof cbuf;
    ssize_t r;
    do { r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    if (name_size > 0) name[r < name_size ? r : name_size - 1] = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return fd;
        }
    }
    errno = EBADMSG;
    return -1;
}
