#if canImport(Glibc)
import Glibc
#endif
import SwdockCgroups
import SwdockOS

/// One sample of a container's resource use, with what Docker's stats put beside the cgroup
/// counters: the host's CPU time (for the CPU percentage) and memory.
public struct ContainerStatsSample: Sendable, Equatable {
    public var read: Timestamp
    public var cgroup: CgroupStats
    /// The cgroup version the counters come from (Docker's memory stats differ by version).
    public var cgroupVersion: CgroupVersion
    /// The host's CPU time in nanoseconds (/proc/stat, as dockerd's `getSystemCPUUsage`).
    public var systemCPUUsage: UInt64
    public var onlineCPUs: UInt32
    /// The host's memory (Docker reports it as the limit of an unlimited container).
    public var hostMemory: UInt64
    public var processCount: UInt32
}

extension ContainerService {
    /// Container name and ID for the stats document, and whether it runs.
    public func statsTarget(_ ref: String) async throws -> (id: String, name: String, running: Bool) {
        try await offload {
            let container = try self.resolve(ref)
            return (container.id, container.record.name, [.running, .paused].contains(container.state.Status))
        }
    }

    /// `GET /containers/{id}/stats`: one sample of the container's cgroup counters (nil when
    /// it does not run).
    public func statsSample(_ ref: String) async throws -> ContainerStatsSample? {
        try await offload { try self.statsSampleBlocking(ref) }
    }

    func statsSampleBlocking(_ ref: String) throws -> ContainerStatsSample? {
        let container = try resolve(ref)
        guard [.running, .paused].contains(container.state.Status) else { return nil }
        let parent = container.document.HostConfig.cgroupParent.isEmpty ? options.specDefaults.cgroupParent
                                                                         : container.document.HostConfig.cgroupParent
        let manager: any CgroupManager
        let counters: CgroupStats
        do {
            manager = try Cgroups.manager(cgroupsPath: ContainerSpecBuilder.cgroupsPath(parent: parent, id: container.id),
                                          containerID: container.id)
            counters = try manager.stats()
        } catch {
            throw EngineError(.system, "read the cgroup counters of container \(container.id)", cause: error)
        }
        return ContainerStatsSample(read: Timestamp.now(), cgroup: counters, cgroupVersion: manager.version,
                                    systemCPUUsage: Self.systemCPUUsage(), onlineCPUs: UInt32(max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1)),
                                    hostMemory: Self.hostMemory(), processCount: 0)
    }

    /// Sum of the first `cpu` line of /proc/stat (user … steal), ticks → nanoseconds.
    static func systemCPUUsage() -> UInt64 {
        guard let bytes = try? FileSystem.read("/proc/stat") else { return 0 }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return 0 }
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { UInt64($0) }.reduce(0, +)
        let hz = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        return ticks * (1_000_000_000 / hz)
    }

    /// MemTotal of /proc/meminfo in bytes.
    static func hostMemory() -> UInt64 {
        guard let bytes = try? FileSystem.read("/proc/meminfo") else { return 0 }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }) else { return 0 }
        return (line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) } ?? 0) * 1024
    }
}
