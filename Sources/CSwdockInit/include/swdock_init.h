/* The container init: the only code that runs between clone() and execve().
 * It reads a flat bootstrap prepared by SwdockRuntime (no allocation, no locks, only
 * async-signal-safe calls), performs it, and reports failures as (stage, errno) records
 * over the sync socket. See Sources/SwdockRuntime for the side that builds it.
 *
 * The bootstrap is plain memory built by the parent before the clone; the child sees a
 * copy of it (fork semantics), so it only reads pointers, never parses or allocates. */
#ifndef SWDOCK_INIT_H
#define SWDOCK_INIT_H

#include <stdint.h>
#include <sys/types.h>

/* One failure report written by the child to the sync socket before it exits. */
struct swdock_init_report {
    uint32_t stage;     /* which step failed (an index into the stage names Swift knows) */
    int32_t  error;     /* errno of the failing call */
    char     detail[240]; /* the object: a path, a mount target, a file name */
};

/* Stages named in reports (SwdockRuntime maps them to messages). */
enum swdock_init_stage {
    SWDOCK_STAGE_SETNS = 1,         /* detail: namespace type */
    SWDOCK_STAGE_UNSHARE_USER,
    SWDOCK_STAGE_UNSHARE,
    SWDOCK_STAGE_SYNC,              /* the parent went away or sent garbage */
    SWDOCK_STAGE_SETID_USERNS,
    SWDOCK_STAGE_TIMENS,
    SWDOCK_STAGE_FORK,
    SWDOCK_STAGE_SETSID,
    SWDOCK_STAGE_ROOT_PROPAGATION,
    SWDOCK_STAGE_ROOT_BIND,
    SWDOCK_STAGE_OP,                /* detail: the op's description */
    SWDOCK_STAGE_CONSOLE,
    SWDOCK_STAGE_RLIMIT,            /* detail: resource number */
    SWDOCK_STAGE_CAPS,
    SWDOCK_STAGE_SETGROUPS,
    SWDOCK_STAGE_SETGID,
    SWDOCK_STAGE_SETUID,
    SWDOCK_STAGE_CWD,               /* detail: the directory */
    SWDOCK_STAGE_FDS,
    SWDOCK_STAGE_LOOKUP,            /* detail: argv[0]; error ENOENT = not found in $PATH */
    SWDOCK_STAGE_FIFO,
    SWDOCK_STAGE_NO_NEW_PRIVS,
    SWDOCK_STAGE_SECCOMP,
    SWDOCK_STAGE_EXEC,              /* detail: the path */
    SWDOCK_STAGE_SCHED,
    SWDOCK_STAGE_PERSONALITY,
    SWDOCK_STAGE_HOOK,              /* the parent said a createContainer hook failed */
    SWDOCK_STAGE_START_HOOK,        /* detail: the hook path (and exit status); error 0 = it ran and failed */
};

/* Messages on the sync socket (SOCK_SEQPACKET: one message per record). */
enum swdock_msg_type {
    SWDOCK_MSG_HELLO = 1,   /* child → parent: user ns made (value: child pid); write maps, join cgroup */
    SWDOCK_MSG_GO,          /* parent → child: carry on (value 0), or abort (value != 0) */
    SWDOCK_MSG_PID,         /* child → parent: value = pid of the container process */
    SWDOCK_MSG_HOOKS,       /* init → parent: mounts done, run createContainer hooks; parent answers GO */
    SWDOCK_MSG_READY,       /* init → parent: set up, about to wait on the exec fifo (or exec) */
    SWDOCK_MSG_ERROR,       /* child → parent: report follows in the message */
};

struct swdock_msg {
    uint32_t type;
    int32_t  value;
    struct swdock_init_report report;
};

/* Kinds of setup operations, run in order inside the new mount namespace. */
enum swdock_op_kind {
    SWDOCK_OP_MOUNT = 1,     /* mount source on target (resolved in root): bind or fstype */
    SWDOCK_OP_REMOUNT,       /* remount target with mount_flags (MS_REMOUNT added) */
    SWDOCK_OP_MKNOD,         /* mknod target with mode/dev, chown uid/gid */
    SWDOCK_OP_SYMLINK,       /* symlink target → source */
    SWDOCK_OP_MKDIR,         /* mkdir -p target with mode */
    SWDOCK_OP_WRITE,         /* write data to target (sysctl) */
    SWDOCK_OP_MASK,          /* maskedPaths: /dev/null over a file, ro tmpfs over a dir */
    SWDOCK_OP_PIVOT,         /* pivot_root into root (or MS_MOVE + chroot when no_pivot) */
    SWDOCK_OP_SETHOSTNAME,   /* source = the name */
    SWDOCK_OP_SETDOMAINNAME,
    SWDOCK_OP_HOOKS,         /* ask the parent to run createContainer hooks, wait for its answer */
};

/* Op flags. */
#define SWDOCK_OPF_MKDIR          0x1u  /* create the target (and parents) inside the root */
#define SWDOCK_OPF_TARGET_FILE    0x2u  /* the target is a file, not a directory */
#define SWDOCK_OPF_IGNORE_ENOENT  0x4u  /* a missing target is not an error */
#define SWDOCK_OPF_SOURCE_IN_ROOT 0x8u  /* the bind source is a path inside the root */
#define SWDOCK_OPF_BIND           0x10u /* a bind mount (fstype ignored) */
#define SWDOCK_OPF_REMOUNT_BIND   0x20u /* remount a bind mount (MS_BIND added to the remount) */

struct swdock_op {
    uint32_t kind;
    uint32_t flags;
    unsigned long mount_flags;    /* mount(2) flags of the mount itself */
    unsigned long remount_flags;  /* when not 0: a remount after the mount with these flags */
    unsigned long propagation;    /* when not 0: MS_PRIVATE/MS_SLAVE/… (+MS_REC) after the mount */
    const char *source;
    const char *target;           /* path inside the root, absolute */
    const char *fstype;
    const char *data;
    uint32_t mode;
    uint64_t dev;
    uint32_t uid;
    uint32_t gid;
    const char *describe;         /* what the error message names: `mount "proc" on "/proc"` */
};

struct swdock_rlimit {
    int resource;
    uint64_t soft;
    uint64_t hard;
};

struct swdock_join {
    int fd;        /* an open namespace file */
    int nstype;    /* CLONE_NEW* */
};

/* A startContainer hook: run by the init itself, inside the container, after `start`. */
struct swdock_hook {
    const char *path;          /* resolved in the container's root */
    char *const *argv;
    char *const *envp;
    int timeout;               /* seconds; 0 = none */
};

/* Everything the child does, prepared by the parent. */
struct swdock_bootstrap {
    int sync_fd;               /* child's end of the sync socket */
    int exec_fifo_fd;          /* O_PATH fd of the exec fifo; -1 = exec at once */
    int console_fd;            /* connected console socket; -1 = none */
    int preserve_fds;          /* fds 3 .. 3+n-1 stay open in the container */
    int exec_mode;             /* 1: `exec` into a running container (no mount setup) */

    struct swdock_join *joins; /* namespaces to join, user first */
    int njoins;
    int new_userns;            /* unshare(CLONE_NEWUSER) and let the parent write the maps */
    int userns_present;        /* the process ends in a non-initial user ns (new or joined) */
    int unshare_flags;         /* the other new namespaces */
    int need_fork;             /* a pid or time ns (new or joined) needs a fork to take effect */
    const char *timens_offsets;/* written to /proc/self/timens_offsets, or NULL */

    const char *rootfs;        /* absolute path of the root filesystem */
    unsigned long root_propagation; /* applied to "/" before anything else (0 = none) */
    const struct swdock_op *ops;
    int nops;

    /* process */
    char *const *argv;
    char *const *envp;
    const char *path_env;      /* PATH for the lookup of argv[0], NULL = the default */
    const char *cwd;
    uint32_t uid;
    uint32_t gid;
    const gid_t *groups;
    int ngroups;
    int set_groups;            /* call setgroups (not allowed in a user ns with setgroups=deny) */
    int umask;                 /* -1 = 022 */
    const struct swdock_rlimit *rlimits;
    int nrlimits;
    int set_caps;
    uint64_t cap_bounding;
    uint64_t cap_effective;
    uint64_t cap_permitted;
    uint64_t cap_inheritable;
    uint64_t cap_ambient;
    int last_cap;              /* highest capability number the kernel knows */
    int no_new_privs;
    const void *seccomp_filter;/* struct sock_filter[], or NULL */
    uint32_t seccomp_len;      /* number of sock_filter entries */
    uint32_t seccomp_flags;    /* SECCOMP_FILTER_FLAG_* */
    int terminal;
    unsigned short console_rows;
    unsigned short console_cols;
    int personality;           /* -1 = leave */

    /* startContainer hooks get the state JSON on stdin: head + the init's pid + tail. */
    const struct swdock_hook *start_hooks;
    int nstart_hooks;
    const char *hook_state_head;
    const char *hook_state_tail;

    /* New namespaces the clone itself makes (CLONE_NEW* flags; 0 = none). Only when nothing
     * has to happen before they exist (no namespace to join, no user, cgroup or time ns): the
     * child then neither unshares nor forks, and it sends 0 as its pid in HELLO and PID (its
     * getpid() is 1 in the new pid ns; the parent has the real pid from the clone). */
    int clone_flags;
};

/* Clones the child (fork semantics plus `clone_flags`; without them the child unshares
 * itself) and returns its pid in the parent, or -1 with errno. The child never returns. */
pid_t swdock_init_spawn(const struct swdock_bootstrap *bootstrap);

/* Starts a hook: a raw clone that joins the mount namespace `mntns_fd` (when >= 0), takes
 * `stdin_fd` as stdin, and execs `path`. Returns the pid or -1 with errno. */
pid_t swdock_spawn_hook(int mntns_fd, const char *path, char *const argv[], char *const envp[], int stdin_fd);

/* Sends `fd` with SCM_RIGHTS over the unix socket `sock`, with `name` as the payload
 * (the runc console-socket protocol). Returns 0 or -1 with errno. */
int swdock_init_send_fd(int sock, int fd, const char *name);

/* Receives one fd sent with SCM_RIGHTS; returns it, or -1 with errno. `name` gets the payload. */
int swdock_init_recv_fd(int sock, char *name, int name_size);

#endif
