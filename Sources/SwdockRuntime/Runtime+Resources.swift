#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SwdockCgroups
import SwdockOCI

extension Runtime {
    /// `pause`: freezes every process of the container.
    public func pause(_ id: String) throws(RuntimeError) {
        let record = try store.load(id)
        guard status(of: record) == .running else { throw RuntimeError(.invalidState, "container not running") }
        let manager = try cgroup(of: record)
        do { try manager.freeze() } catch { throw Runtime.wrap("pause \(id)", error) }
    }

    /// `resume`: thaws a paused container.
    public func resume(_ id: String) throws(RuntimeError) {
        let record = try store.load(id)
        guard status(of: record) == .paused else { throw RuntimeError(.invalidState, "container not paused") }
        let manager = try cgroup(of: record)
        do { try manager.thaw() } catch { throw Runtime.wrap("resume \(id)", error) }
    }

    /// `update`: new cgroup limits; the record keeps them for later `update`s and `exec`s.
    public func update(_ id: String, resources: RuntimeSpec.Resources) throws(RuntimeError) {
        var record = try store.load(id)
        guard status(of: record) != .stopped else { throw RuntimeError(.invalidState, "container not running") }
        let manager = try cgroup(of: record)
        do { try manager.update(resources: resources) } catch { throw Runtime.wrap("update \(id)", error) }
        var linux = record.config.linux ?? RuntimeSpec.Linux()
        var merged = linux.resources ?? RuntimeSpec.Resources()
        if let memory = resources.memory { merged.memory = memory }
        if let cpu = resources.cpu { merged.cpu = cpu }
        if let pids = resources.pids { merged.pids = pids }
        if let blockIO = resources.blockIO { merged.blockIO = blockIO }
        if let unified = resources.unified { merged.unified = unified }
        linux.resources = merged
        record.config.linux = linux
        try store.save(record)
    }

    /// `ps`: the host pids of the container's processes.
    public func processes(_ id: String) throws(RuntimeError) -> [Int32] {
        let record = try store.load(id)
        let manager = try cgroup(of: record)
        do { return try manager.processes() } catch { throw Runtime.wrap("list the processes of \(id)", error) }
    }

    /// `events --stats`-like statistics of the cgroup.
    public func stats(_ id: String) throws(RuntimeError) -> CgroupStats {
        let record = try store.load(id)
        let manager = try cgroup(of: record)
        do { return try manager.stats() } catch { throw Runtime.wrap("stats of \(id)", error) }
    }

    /// Decodes a `linux.resources` JSON document (`update -r FILE`).
    public static func decodeResources(_ bytes: [UInt8]) throws(RuntimeError) -> RuntimeSpec.Resources {
        do { return try JSONDecoder().decode(RuntimeSpec.Resources.self, from: Data(bytes)) } catch {
            throw RuntimeError(.invalidArgument, "decode resources: \(describe(decodingError: error))")
        }
    }
}
