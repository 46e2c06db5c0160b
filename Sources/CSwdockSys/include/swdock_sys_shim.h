/* C wrappers the shim's event loop needs and Swift cannot express directly: epoll (its event
 * struct is packed on x86-64), signalfd, sockaddr_un, SCM_RIGHTS control messages (CMSG_*
 * macros), posix_spawn with a remapped fd table, close_range and TIOCSWINSZ.
 * Every function returns what the kernel returns (-1 and errno on failure) unless noted. */
#ifndef SWDOCK_SYS_SHIM_H
#define SWDOCK_SYS_SHIM_H

#include <stdint.h>
#include <sys/types.h>

/* ── epoll ─────────────────────────────────────────────────────────────── */
int swdock_epoll_create(void);
int swdock_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/* Fills tokens[i]/events[i] for up to max ready fds; returns their count. */
int swdock_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);

extern const uint32_t SWDOCK_EPOLLIN;
extern const uint32_t SWDOCK_EPOLLOUT;
extern const uint32_t SWDOCK_EPOLLERR;
extern const uint32_t SWDOCK_EPOLLHUP;
extern const uint32_t SWDOCK_EPOLLRDHUP;
extern const int SWDOCK_EPOLL_CTL_ADD;
extern const int SWDOCK_EPOLL_CTL_MOD;
extern const int SWDOCK_EPOLL_CTL_DEL;

/* ── signals ───────────────────────────────────────────────────────────── */
/* Blocks (how = SIG_BLOCK) or unblocks (SIG_UNBLOCK) the listed signals in this thread. */
int swdock_sigmask(int how, const int *signals, int count);
/* A non-blocking, close-on-exec signalfd for the listed signals (they must be blocked). */
int swdock_signalfd_open(const int *signals, int count);
/* Reads one siginfo; returns 1 and sets *signo, 0 when none is pending, -1 on error. */
int swdock_signalfd_read(int fd, uint32_t *signo);

/* ── unix sockets ──────────────────────────────────────────────────────── */
/* socket + bind + listen; the socket is non-blocking and close-on-exec. ENAMETOOLONG when the
 * path does not fit sun_path. */
int swdock_unix_listen(const char *path, int backlog);
/* accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC. */
int swdock_unix_accept(int listener);
/* A blocking, close-on-exec stream socket connected to path. */
int swdock_unix_connect(const char *path);
/* sendmsg of one data byte carrying fd as SCM_RIGHTS. */
int swdock_send_fd(int sock, int fd);
/* recvmsg of up to len bytes; a received SCM_RIGHTS fd (made close-on-exec) goes to *fd_out,
 * -1 when none came. Returns the byte count (0 at end of stream). */
ssize_t swdock_recv_fd(int sock, void *buf, size_t len, int *fd_out);
/* SO_PEERCRED of a connected unix socket. */
int swdock_peer_uid(int sock, uid_t *uid);

/* ── processes ─────────────────────────────────────────────────────────── */
/* posix_spawn of path with argv/envp (NULL-terminated). The child's fd i (0 ≤ i < fd_count)
 * becomes a copy of fds[i] (-1: opened on /dev/null); every other fd of ours is close-on-exec.
 * The child starts with an empty signal mask and default dispositions, in a new session when
 * new_session is set. Returns 0 and sets *pid, or an errno value (posix_spawn's convention). */
int swdock_spawn(const char *path, char *const argv[], char *const envp[],
                 const int *fds, int fd_count, int new_session, pid_t *pid);
/* Marks every fd ≥ first close-on-exec (close_range(CLOSE_RANGE_CLOEXEC)). */
int swdock_cloexec_from(unsigned int first);
/* Closes the fds first…last (close_range without flags; last may be ~0U). */
int swdock_close_range(unsigned int first, unsigned int last);
/* pipe2(O_CLOEXEC) and dup3, which glibc declares only under _GNU_SOURCE. */
int swdock_pipe_cloexec(int fds[2]);
int swdock_dup3(int oldfd, int newfd, int cloexec);
/* prctl(PR_SET_CHILD_SUBREAPER, 1). */
int swdock_set_child_subreaper(void);
/* TIOCSWINSZ on a terminal. */
int swdock_set_winsize(int fd, unsigned short rows, unsigned short cols);

/* madvise(MADV_DONTNEED) over this executable's text: drops this process's page-table
 * mappings of code pages. The pages stay in the page cache (clean, shared by every process
 * running the binary); code that runs again faults back in, 64 KiB of fault-around at a time. */
int swdock_release_text_mappings(void);

#endif
