import SwdockOCI

/// One container's cgroup, on either cgroup version. Created before the container's init runs
/// (`create`), joined by its pid (`addProcess`), changed by `update`, frozen for pause, read
/// for stats, and removed after the container exits.
public protocol CgroupManager: Sendable {
    var version: CgroupVersion { get }
    /// The cgroup path inside the hierarchy, e.g. `/docker/abc` (a relative `cgroupsPath`
    /// resolved against the caller's own cgroup).
    var path: String { get }
    /// The cgroup directory of each controller: v1 controller name (`memory`, `name=systemd`)
    /// → directory; on v2 the single entry `""` → directory. runc keeps the same map as
    /// `cgroup_paths` in its state.
    var directories: [String: String] { get }
    /// Makes the cgroup (every v1 controller; v2 with controllers enabled in
    /// cgroup.subtree_control up the tree) and applies `resources`.
    func create(resources: RuntimeSpec.Resources?) throws(CgroupError)
    /// Moves a process (all its threads) into the cgroup.
    func addProcess(_ pid: Int32) throws(CgroupError)
    /// Applies new limits to an existing cgroup.
    func update(resources: RuntimeSpec.Resources) throws(CgroupError)
    /// Freezes every process and returns once the kernel reports the cgroup frozen.
    func freeze() throws(CgroupError)
    /// Thaws the cgroup and returns once the kernel reports it thawed.
    func thaw() throws(CgroupError)
    func isFrozen() throws(CgroupError) -> Bool
    /// The pids in the cgroup (cgroup.procs).
    func processes() throws(CgroupError) -> [Int32]
    func stats() throws(CgroupError) -> CgroupStats
    /// Removes the cgroup and its child cgroups (retrying briefly while EBUSY); fine if gone.
    func destroy() throws(CgroupError)
}

/// `cgroup.procs` content → pids.
func parsePids(_ text: String) -> [Int32] {
    text.split(separator: "\n").compactMap { Int32($0) }
}
