/// Which cgroup hierarchy a host runs.
public enum CgroupVersion: String, Sendable {
    /// cgroup v1 controllers mounted under /sys/fs/cgroup/<controller> (a hybrid host also has an
    /// empty v2 mount at /sys/fs/cgroup/unified; it is v1 for every controller).
    case v1
    /// The unified hierarchy mounted at /sys/fs/cgroup.
    case v2

    /// Tells the version from the mount table text of `/proc/self/mountinfo`: v2 when the cgroup2
    /// filesystem is mounted at `mountPoint` itself, v1 otherwise.
    public static func detect(mountinfo: String, mountPoint: String = "/sys/fs/cgroup") -> CgroupVersion {
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[4] == Substring(mountPoint),
                  let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            if fields[dash + 1] == "cgroup2" { return .v2 }
        }
        return .v1
    }
}
