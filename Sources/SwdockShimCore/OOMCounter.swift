import SwdockOS

/// The memory cgroup's count of OOM kills, read from the container's cgroup at exit to tell
/// whether it was OOM-killed (Docker's `State.OOMKilled`): `oom_kill` in `memory.oom_control`
/// (cgroup v1) or in `memory.events` (cgroup v2).
struct OOMCounter {
    /// The file holding the counter.
    let path: String

    /// The counter of the memory cgroup `pid` is in, nil when no memory cgroup is found.
    static func of(pid: Int32) -> OOMCounter? {
        guard let bytes = try? FileSystem.read("/proc/\(pid)/cgroup") else { return nil }
        var unified: String?
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1].split(separator: ",").contains("memory") {
                return OOMCounter(path: "/sys/fs/cgroup/memory\(parts[2])/memory.oom_control")
            }
            if parts[0] == "0" && parts[1].isEmpty { unified = String(parts[2]) }
        }
        guard let unified else { return nil }
        // Pure v2 mounts the hierarchy at /sys/fs/cgroup, hybrid at /sys/fs/cgroup/unified.
        for root in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] where FileSystem.exists("\(root)\(unified)/memory.events") {
            return OOMCounter(path: "\(root)\(unified)/memory.events")
        }
        return nil
    }

    /// The current count; nil when the file is gone or has no `oom_kill` line.
    func read() -> Int? {
        guard let bytes = try? FileSystem.read(path) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.dropFirst("oom_kill ".count))
        }
        return nil
    }
}
