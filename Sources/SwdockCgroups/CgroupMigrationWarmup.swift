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
    /// The `cgroup.procs` file of a cgroup this process is in: its pids cgroup on v1 (the
    /// cheapest to migrate in), its one cgroup on v2. Found from /proc/self/cgroup and the
    /// standard mount points, and only returned when the file lists this process, so the
    /// warm-up's write is a no-op by construction, wherever the hierarchies are mounted. No
    /// mountinfo: with two mounts per running container, parsing it cost more than the write.
    static func ownProcessesFile(mountRoot: String = "/sys/fs/cgroup") -> String? {
        guard let procSelfCgroup = try? CgroupFile.read("/proc/self/cgroup") else { return nil }
        var candidates: [String] = []
        for line in procSelfCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[1].isEmpty {
                candidates.append(mountRoot + "/" + fields[2])
            } else if fields[1].split(separator: ",").contains("pids") {
                candidates.insert(mountRoot + "/pids/" + fields[2], at: 0)
            }
        }
        let pid = Substring(String(getpid()))
        for directory in candidates {
            let file = cleanPath(directory) + "/cgroup.procs"
            if let listed = try? CgroupFile.read(file), listed.split(separator: "\n").contains(pid) { return file }
        }
        return nil
    }
}
