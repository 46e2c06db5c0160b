import SwdockAPI
import SwdockCgroups
import SwdockEngine
import SwdockOS

/// The engine's `AttachInput` as the API's stdin sink.
struct EngineStreamInput: ContainerStreamInput {
    let input: AttachInput
    func write(_ bytes: [UInt8]) async throws { try await input.write(bytes) }
    func end() async { await input.end() }
    func detach() async { await input.detach() }
}

extension ContainerService: ContainerStreamsBackend {
    public var defaultDetachKeys: String { options.defaultDetachKeys }

    public func attachContainerStreams(_ id: String, options: ContainerAttachOptions, stdin: Bool) async throws -> ContainerStreams {
        try await mapped {
            let output = try await attach(id, stdout: options.stdout, stderr: options.stderr, logs: options.logs,
                                          stream: options.stream, stdin: stdin)
            return ContainerStreams(output: Self.wire(output), input: output.input.map(EngineStreamInput.init))
        }
    }

    public func resizeContainer(_ id: String, height: Int, width: Int) async throws {
        try await mapped { try await resize(id, height: UInt16(height), width: UInt16(width)) }
    }

    public func createExec(_ id: String, request: ExecCreateRequest) async throws -> ExecCreateResponse {
        try await mapped {
            var config = ExecConfiguration()
            config.cmd = request.Cmd ?? []
            config.env = request.Env ?? []
            config.user = request.User ?? ""
            config.workingDir = request.WorkingDir ?? ""
            config.privileged = request.Privileged ?? false
            config.tty = request.Tty ?? false
            config.attachStdin = request.AttachStdin ?? false
            config.attachStdout = request.AttachStdout ?? false
            config.attachStderr = request.AttachStderr ?? false
            config.detachKeys = request.DetachKeys ?? ""
            config.consoleSize = Self.consoleSize(request.ConsoleSize)
            return ExecCreateResponse(Id: try await createExec(id, config: config))
        }
    }

    public func startExec(_ id: String, request: ExecStartRequest) async throws -> ContainerStreams {
        try await mapped {
            let output = try await startExec(id, detach: request.Detach ?? false, consoleSize: Self.consoleSize(request.ConsoleSize))
            return ContainerStreams(output: Self.wire(output), input: output.input.map(EngineStreamInput.init))
        }
    }

    public func inspectExec(_ id: String) async throws -> ExecInspect {
        try await mapped {
            let info = try inspectExec(id)
            let config = info.config
            return ExecInspect(ID: info.id, Running: info.running, ExitCode: info.exitCode,
                               ProcessConfig: .init(tty: config.tty, entrypoint: config.cmd.first ?? "",
                                                    arguments: Array(config.cmd.dropFirst()), privileged: config.privileged,
                                                    user: config.user.isEmpty ? nil : config.user),
                               OpenStdin: config.attachStdin, OpenStderr: config.attachStderr, OpenStdout: config.attachStdout,
                               CanRemove: false, ContainerID: info.containerID, DetachKeys: config.detachKeys, Pid: info.pid)
        }
    }

    public func resizeExec(_ id: String, height: Int, width: Int) async throws {
        try await mapped { try await resizeExec(id, height: UInt16(height), width: UInt16(width)) }
    }

    public func pauseContainer(_ id: String) async throws { try await mapped { try await pause(id) } }

    public func unpauseContainer(_ id: String) async throws { try await mapped { try await unpause(id) } }

    public func containerStats(_ id: String, previous: ContainerStatsResponse?) async throws -> (stats: ContainerStatsResponse, running: Bool) {
        try await mapped {
            let target = try await statsTarget(id)
            var stats = ContainerStatsResponse()
            stats.name = target.name
            stats.id = target.id
            if let previous {
                stats.preread = previous.read
                stats.precpu_stats = previous.cpu_stats
            }
            guard target.running, let sample = try await statsSample(target.id) else { return (stats, false) }
            Self.fill(&stats, from: sample)
            return (stats, true)
        }
    }

    static func consoleSize(_ size: [UInt]?) -> (rows: UInt16, columns: UInt16)? {
        guard let size, size.count == 2, size[0] > 0, size[1] > 0,
              let rows = UInt16(exactly: size[0]), let columns = UInt16(exactly: size[1]) else { return nil }
        return (rows, columns)
    }

    /// dockerd's mapping of the cgroup counters (daemon/stats_unix.go: v1 and v2).
    static func fill(_ stats: inout ContainerStatsResponse, from sample: ContainerStatsSample) {
        let cgroup = sample.cgroup
        stats.read = sample.read.rfc3339Nano
        stats.cpu_stats.cpu_usage.total_usage = cgroup.cpu.totalUsage
        stats.cpu_stats.cpu_usage.percpu_usage = cgroup.cpu.perCPUUsage.isEmpty ? nil : cgroup.cpu.perCPUUsage
        stats.cpu_stats.cpu_usage.usage_in_kernelmode = cgroup.cpu.systemUsage
        stats.cpu_stats.cpu_usage.usage_in_usermode = cgroup.cpu.userUsage
        stats.cpu_stats.system_cpu_usage = sample.systemCPUUsage
        stats.cpu_stats.online_cpus = sample.onlineCPUs
        stats.cpu_stats.throttling_data.periods = cgroup.cpu.periods
        stats.cpu_stats.throttling_data.throttled_periods = cgroup.cpu.throttledPeriods
        stats.cpu_stats.throttling_data.throttled_time = cgroup.cpu.throttledTime
        let memory = cgroup.memory
        stats.memory_stats.usage = memory.usage.usage
        stats.memory_stats.stats = memory.stat
        // An unlimited container reports the host's memory, as dockerd does.
        stats.memory_stats.limit = min(memory.usage.limit ?? sample.hostMemory, sample.hostMemory)
        if sample.cgroupVersion == .v1 {
            stats.memory_stats.max_usage = memory.usage.maxUsage
            stats.memory_stats.failcnt = memory.usage.failcnt
        }
        stats.pids_stats.current = cgroup.pids.current
        stats.pids_stats.limit = cgroup.pids.limit
        func entries(_ list: [CgroupStats.BlockIOEntry]) -> [ContainerStatsResponse.BlkioEntry]? {
            list.isEmpty ? nil : list.map { .init(major: $0.major, minor: $0.minor, op: $0.op, value: $0.value) }
        }
        stats.blkio_stats.io_service_bytes_recursive = entries(cgroup.blockIO.serviceBytes)
        stats.blkio_stats.io_serviced_recursive = entries(cgroup.blockIO.serviced)
    }
}
