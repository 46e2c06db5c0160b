#if canImport(Glibc)
import Glibc
#endif

/// Lets the grace period that the kernel makes a cgroup join wait for pass while the runtime
/// does its own work, instead of after it.
///
/// Each write to a `cgroup.procs` file takes the kernel's `cgroup_threadgroup_rwsem` for
/// writing (v1 and v2, unless cgroup2 is mounted with `favordynmods`). A writer that finds the
/// semaphore idle waits one RCU grace period for the readers (every fork and exit) to switch to
/// its slow path: 7–20 ms on the 2-CPU VM this was measured on. A writer that comes during
/// that grace period, or within about one more after the last writer, does not wait (0.1 ms).
///
/// So `create` (once it has made the container's cgroup) and `exec` start a thread that writes
/// the runtime's own pid into the cgroup it already is in: a migration that moves nothing but
/// starts the grace period. The real join comes after the plan and the seccomp program are
/// built, and waits only for what is left of it. The kernel holds `cgroup_mutex` meanwhile,
/// so no other cgroup change (a mkdir in a hierarchy) belongs in that window. Nothing depends
/// on the warm-up succeeding (in a user namespace it may not be allowed); it only saves time.
public final class CgroupMigrationWarmup {
    private var thread = pthread_t()
    private var joined = false

    private init() {}

    /// Starts the no-op migration in a thread; nil if no thread could be started.
    public static func start() -> CgroupMigrationWarmup? {
        let warmup = CgroupMigrationWarmup()
        // With every signal blocked: a signal for the runtime (one it forwards, say) must not be
        // taken by this thread with its default action.
        var all = sigset_t(), previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_SETMASK, &all, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let rc = pthread_create(&warmup.thread, nil, { _ in
            if let file = Cgroups.ownProcessesFile() { try? CgroupFile.write(file, String(getpid())) }
            return nil
        }, nil)
        return rc == 0 ? warmup : nil
    }

    /// Waits for the thread. Call it before cloning the container's init: a clone must not
    /// copy this process while another thread of it is inside a write (or holds malloc's lock).
    public func finish() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { finish() }
}

extension Cgroups {
    /// The `cgroup.procs` file of the cgroup this process is in: on v2 its one cgroup, on v1
    /// its cgroup in the first mounted hierarchy (pids preferred: the cheapest to migrate in).
    /// Nil when /proc or the hierarchy cannot be read.
    static func ownProcessesFile(mountRoot: String = "/sys/fs/cgroup") -> String? {
        guard let mountinfo = try? CgroupFile.read("/proc/self/mountinfo"),
              let procSelfCgroup = try? CgroupFile.read("/proc/self/cgroup") else { return nil }
        if CgroupVersion.detect(mountinfo: mountinfo, mountPoint: mountRoot) == .v2 {
            return cleanPath(mountRoot + ownCgroupV2(procSelfCgroup: procSelfCgroup)) + "/cgroup.procs"
        }
        let mounts = CgroupV1Mounts.parse(mountinfo: mountinfo, under: mountRoot)
        let own = ownCgroupsV1(procSelfCgroup: procSelfCgroup)
        for controller in ["pids"] + CgroupV1Mounts.controllers {
            guard let mount = mounts[controller], var path = own[controller] else { continue }
            if mount.root != "/", path.hasPrefix(mount.root) { path = String(path.dropFirst(mount.root.count)) }
            return cleanPath(mount.mountPoint + "/" + path) + "/cgroup.procs"
        }
        return nil
    }
}
