/// A cgroup found again from what an earlier process recorded.
///
/// A relative `cgroupsPath` resolves against the cgroup of the process that resolves it, so
/// `delete`, `kill` or `pause` run from another cgroup than `create` would land elsewhere.
/// runc keeps the resolved directories in its state (`cgroup_paths`); so does swdock.
extension Cgroups {
    /// The manager of the cgroup whose resolved `path` and `directories` (as a manager made by
    /// `manager(cgroupsPath:containerID:)` reported them) were recorded.
    public static func manager(recordedPath path: String, directories: [String: String],
                               mountRoot: String = "/sys/fs/cgroup") throws(CgroupError) -> any CgroupManager {
        if let unified = directories[""], directories.count == 1 {
            // v2: one directory below the mount root; the path is already absolute.
            guard unified == cleanPath(mountRoot + path) else {
                throw CgroupError(.invalidArgument, "recorded cgroup directory \(unified) is not \(path) under \(mountRoot)")
            }
            return CgroupV2Manager(mountRoot: mountRoot, path: path)
        }
        let mounts = CgroupV1Mounts.parse(mountinfo: try CgroupFile.read("/proc/self/mountinfo"), under: mountRoot)
        return CgroupV1Manager(path: path, directories: directories, mountPoints: mounts.mapValues(\.mountPoint))
    }
}

extension CgroupV1Manager {
    init(path: String, directories: [String: String], mountPoints: [String: String]) {
        self.path = path
        self.directories = directories
        self.mountPoints = mountPoints.filter { directories[$0.key] != nil }
    }
}
