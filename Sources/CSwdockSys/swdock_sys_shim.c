#define _GNU_SOURCE
#include "swdock_sys_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int swdock_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int swdock_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &ev);
}

int swdock_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event ready[64];
    if (max > 64) max = 64;
    int n = epoll_wait(epfd, ready, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        tokens[i] = ready[i].data.u64;
        events[i] = ready[i].events;
    }
    return n;
}

const uint32_t SWDOCK_EPOLLIN = EPOLLIN;
const uint32_t SWDOCK_EPOLLOUT = EPOLLOUT;
const uint32_t SWDOCK_EPOLLERR = EPOLLERR;
const uint32_t SWDOCK_EPOLLHUP = EPOLLHUP;
const uint32_t SWDOCK_EPOLLRDHUP = EPOLLRDHUP;
const int SWDOCK_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
const int SWDOCK_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
const int SWDOCK_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

static void fill_set(sigset_t *set, const int *signals, int count) {
    sigemptyset(set);
    for (int i = 0; i < count; i++) sigaddset(set, signals[i]);
}

int swdock_sigmask(int how, const int *signals, int count) {
    sigset_t set;
    fill_set(&set, signals, count);
    return sigprocmask(how, &set, NULL);
}

int swdock_signalfd_open(const int *signals, int count) {
    sigset_t set;
    fill_set(&set, signals, count);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int swdock_signalfd_read(int fd, uint32_t *signo) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n < 0) return (errno == EAGAIN) ? 0 : -1;
    if ((size_t)n != sizeof info) { errno = EIO; return -1; }
    *signo = info.ssi_signo;
    return 1;
}

/* A socket path longer than sun_path (107 bytes) — a deep exec root — is reached through its
 * directory instead: "/proc/self/fd/<dirfd>/<name>" names the same inode and fits, as systemd
 * does for long paths. *dirfd is that directory's O_PATH fd (or -1); the caller closes it once
 * bind/connect is done. */
static int fill_address(struct sockaddr_un *addr, const char *path, int *dirfd) {
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    *dirfd = -1;
    size_t len = strlen(path);
    if (len < sizeof addr->sun_path) {
        memcpy(addr->sun_path, path, len + 1);
        return 0;
    }
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path) { errno = ENAMETOOLONG; return -1; }
    char directory[4096];
    size_t dirlen = (size_t)(slash - path);
    if (dirlen >= sizeof directory) { errno = ENAMETOOLONG; return -1; }
    memcpy(directory, path, dirlen);
    directory[dirlen] = 0;
    int fd = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int n = snprintf(addr->sun_path, sizeof addr->sun_path, "/proc/self/fd/%d/%s", fd, slash + 1);
    if (n < 0 || (size_t)n >= sizeof addr->sun_path) {
        close(fd);
        errno = ENAMETOOLONG;
        return -1;
    }
    *dirfd = fd;
    return 0;
}

static void close_saving_errno(int fd) {
    if (fd < 0) return;
    int saved = errno;
    close(fd);
    errno = saved;
}

int swdock_unix_listen(const char *path, int backlog) {
    struct sockaddr_un addr;
    int dirfd;
    if (fill_address(&addr, path, &dirfd) < 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { close_saving_errno(dirfd); return -1; }
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, backlog) < 0) {
        close_saving_errno(fd);
        close_saving_errno(dirfd);
        return -1;
    }
    close_saving_errno(dirfd);
    return fd;
}

int swdock_unix_accept(int listener) { return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }

int swdock_unix_connect(const char *path) {
    struct sockaddr_un addr;
    int dirfd;
    if (fill_address(&addr, path, &dirfd) < 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { close_saving_errno(dirfd); return -1; }
    int rc;
    do { rc = connect(fd, (struct sockaddr *)&addr, sizeof addr); } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        close_saving_errno(fd);
        close_saving_errno(dirfd);
        return -1;
    }
    close_saving_errno(dirfd);
    return fd;
}

int swdock_send_fd(int sock, int fd) {
    char byte = 0;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    return (int)sendmsg(sock, &msg, MSG_NOSIGNAL);
}

ssize_t swdock_recv_fd(int sock, void *buf, size_t len, int *fd_out) {
    *fd_out = -1;
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    union { char buf[CMSG_SPACE(sizeof(int) * 4)]; struct cmsghdr align; } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int fds[4];
        if (count > 4) count = 4;
        memcpy(fds, CMSG_DATA(c), count * sizeof(int));
        for (size_t i = 0; i < count; i++) {
            /* Keep the first fd; a peer sending more must not leak fds into us. */
            if (*fd_out < 0) *fd_out = fds[i]; else close(fds[i]);
        }
    }
    return n;
}

int swdock_peer_uid(int sock, uid_t *uid) {
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) return -1;
    *uid = cred.uid;
    return 0;
}

int swdock_spawn(const char *path, char *const argv[], char *const envp[],
                 const int *fds, int fd_count, int new_session, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) { posix_spawn_file_actions_destroy(&actions); return rc; }

    /* Two passes so a source fd numbered like another mapping's target is never clobbered:
     * first copy every source above the target range, then move the copies into place. */
    int staging = fd_count;
    for (int i = 0; i < fd_count; i++) if (fds[i] >= staging) staging = fds[i] + 1;
    for (int i = 0; i < fd_count && rc == 0; i++) {
        if (fds[i] >= 0) rc = posix_spawn_file_actions_adddup2(&actions, fds[i], staging + i);
    }
    for (int i = 0; i < fd_count && rc == 0; i++) {
        if (fds[i] >= 0) {
            rc = posix_spawn_file_actions_adddup2(&actions, staging + i, i);
            if (rc == 0) rc = posix_spawn_file_actions_addclose(&actions, staging + i);
        } else {
            rc = posix_spawn_file_actions_addopen(&actions, i, "/dev/null", O_RDWR, 0);
        }
    }

    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (new_session) flags |= POSIX_SPAWN_SETSID;
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &empty);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &all);
    if (rc == 0) rc = posix_spawnattr_setflags(&attr, flags);
    if (rc == 0) rc = posix_spawn(pid, path, &actions, &attr, argv, envp);

    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int swdock_cloexec_from(unsigned int first) {
    return (int)syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC);
}

int swdock_close_range(unsigned int first, unsigned int last) {
    return (int)syscall(SYS_close_range, first, last, 0);
}

int swdock_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize size;
    memset(&size, 0, sizeof size);
    size.ws_row = rows;
    size.ws_col = cols;
    return ioctl(fd, TIOCSWINSZ, &size);
}

int swdock_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
int swdock_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
int swdock_dup3(int oldfd, int newfd, int cloexec) { return dup3(oldfd, newfd, cloexec ? O_CLOEXEC : 0); }

#include <sys/mman.h>
extern char __executable_start[];
extern char etext[];

int swdock_release_text_mappings(void) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)__executable_start & ~(page - 1);
    uintptr_t end = ((uintptr_t)etext + page - 1) & ~(page - 1);
    return madvise((void *)start, end - start, MADV_DONTNEED);
}
