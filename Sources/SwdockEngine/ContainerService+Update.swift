#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockOS

/// What `docker update` changes (nil: unchanged), in Docker's units.
public struct ContainerUpdate: Sendable, Equatable {
    public var restartPolicy: HostConfiguration.RestartPolicy?
    public var memory: Int64?
    public var memoryReservation: Int64?
    public var memorySwap: Int64?
    public var nanoCpus: Int64?
    public var cpuShares: Int64?
    public var cpuPeriod: Int64?
    public var cpuQuota: Int64?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var pidsLimit: Int64?
    public var blkioWeight: UInt16?
    public init() {}

    var changesResources: Bool {
        memory != nil || memoryReservation != nil || memorySwap != nil || nanoCpus != nil || cpuShares != nil || cpuPeriod != nil
            || cpuQuota != nil || cpusetCpus != nil || cpusetMems != nil || pidsLimit != nil || blkioWeight != nil
    }
}

extension ContainerService {
    /// `POST /containers/{id}/update`: the restart policy (validated as at create) and cgroup
    /// resources. A running container's cgroups change through the runtime's `update`; the
    /// HostConfig is recorded, and the bundle's spec is rewritten (running) or dropped
    /// (stopped: the next start rebuilds it) so a restart keeps the new limits.
    public func update(_ ref: String, _ change: ContainerUpdate) async throws {
        try await offload {
            let id = try self.resolve(ref).id
            try self.withContainerLock(id) { () throws -> Void in
                guard let container = try self.reload(id) else { throw EngineError(.notFound, "No such container: \(ref)") }
                var hostConfig = container.document.HostConfig
                if let policy = change.restartPolicy {
                    hostConfig.restartPolicy = policy
                    try ContainerSpecBuilder.checkRestartPolicy(hostConfig)
                }
                if change.changesResources {
                    try Self.apply(change, to: &hostConfig)
                    if [.running, .paused].contains(container.state.Status) {
                        try self.runtimeUpdate(id, runtime: container.document.Runtime, hostConfig)
                    }
                }
                var document = container.document
                document.HostConfig = hostConfig
                try self.saveDocument(id, state: container.state, document: document)
                if change.changesResources {
                    var updated = container
                    updated.document = document
                    if [.running, .paused].contains(container.state.Status) {
                        try self.rebuildSpec(updated)
                    } else {
                        try? FileSystem.remove(self.bundle(id) + "/config.json")
                    }
                }
            }
            self.emit("update", id: id)
        }
    }

    /// moby's update checks, then the new values in `hostConfig`.
    static func apply(_ change: ContainerUpdate, to hostConfig: inout HostConfiguration) throws(EngineError) {
        if let memory = change.memory {
            if change.memorySwap == nil, hostConfig.memorySwap > 0, memory > hostConfig.memorySwap {
                throw EngineError(.conflict, "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time")
            }
            if memory < 6 * 1024 * 1024 { throw EngineError(.invalidArgument, "Minimum memory limit allowed is 6MB") }
            hostConfig.memory = memory
        }
        if let swap = change.memorySwap {
            if swap > 0 && swap < hostConfig.memory {
                throw EngineError(.invalidArgument, "Minimum memoryswap limit should be larger than memory limit, see usage")
            }
            hostConfig.memorySwap = swap
        }
        if let value = change.memoryReservation { hostConfig.memoryReservation = value }
        if change.nanoCpus != nil && (change.cpuQuota != nil || change.cpuPeriod != nil || hostConfig.cpuQuota != 0 || hostConfig.cpuPeriod != 0) {
            throw EngineError(.invalidArgument, "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set")
        }
        if let value = change.nanoCpus { hostConfig.nanoCpus = value }
        if let value = change.cpuShares { hostConfig.cpuShares = value }
        if let value = change.cpuPeriod { hostConfig.cpuPeriod = value }
        if let value = change.cpuQuota { hostConfig.cpuQuota = value }
        if let value = change.cpusetCpus { hostConfig.cpusetCpus = value }
        if let value = change.cpusetMems { hostConfig.cpusetMems = value }
        if let value = change.pidsLimit { hostConfig.pidsLimit = value }
        if let value = change.blkioWeight { hostConfig.blkioWeight = value }
    }

    /// `<runtime> update` with runc's flags, from the container's whole (updated) resources.
    func runtimeUpdate(_ id: String, runtime name: String, _ hc: HostConfiguration) throws(EngineError) {
        guard let runtime = options.runtimes[name] else { throw EngineError(.invalidArgument, "Unknown runtime specified \(name)") }
        var flags: [String] = []
        if hc.memory > 0 { flags += ["--memory", String(hc.memory)] }
        if hc.memorySwap != 0 { flags += ["--memory-swap", String(hc.memorySwap)] }
        if hc.memoryReservation > 0 { flags += ["--memory-reservation", String(hc.memoryReservation)] }
        if hc.cpuShares > 0 { flags += ["--cpu-shares", String(hc.cpuShares)] }
        if hc.nanoCpus > 0 {
            flags += ["--cpu-period", "100000", "--cpu-quota", String(hc.nanoCpus * 100_000 / 1_000_000_000)]
        } else {
            if hc.cpuPeriod > 0 { flags += ["--cpu-period", String(hc.cpuPeriod)] }
            if hc.cpuQuota != 0 { flags += ["--cpu-quota", String(hc.cpuQuota)] }
        }
        if !hc.cpusetCpus.isEmpty { flags += ["--cpuset-cpus", hc.cpusetCpus] }
        if !hc.cpusetMems.isEmpty { flags += ["--cpuset-mems", hc.cpusetMems] }
        if let pids = hc.pidsLimit, pids != 0 { flags += ["--pids-limit", String(pids)] }
        if hc.blkioWeight > 0 { flags += ["--blkio-weight", String(hc.blkioWeight)] }
        let arguments = ["runtime"] + runtime.arguments + ["--root", layout.runtimeRoot(name), "update"] + flags + [id]
        let errorPath = layout.containerRunDirectory(id) + "/update.err"
        let pid: pid_t
        do {
            let errorFD = try FileDescriptor.open(errorPath, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
            defer { errorFD.close() }
            pid = try ChildProcess.spawn(runtime.path, arguments: arguments, environment: ChildProcess.currentEnvironment(),
                                         stdio: [nil, nil, errorFD])
        } catch {
            throw EngineError(.system, "run \(runtime.path) update for container \(id)", cause: DescribedError(error))
        }
        let status: Int32
        do { status = try ChildProcess.wait(pid).code } catch {
            throw EngineError(.system, "wait for \(runtime.path) update of container \(id)", cause: DescribedError(error))
        }
        let message = ((try? FileSystem.read(errorPath)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileSystem.remove(errorPath)
        guard status == 0 else {
            throw EngineError(.system, "Cannot update container \(id): \(message.isEmpty ? "the runtime's update exited with \(status)" : message)")
        }
    }
}
