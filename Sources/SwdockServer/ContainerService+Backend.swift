import Foundation
import SwdockAPI
import SwdockEngine
import SwdockOS

/// The Engine API's container side served by the engine's `ContainerService`: wire types in,
/// engine values out, `EngineError` → Docker's status.
extension ContainerService: ContainerBackend {
    public func createContainer(name: String?, request: ContainerCreateRequest) async throws -> ContainerCreateResponse {
        try await mapped {
            let created = try await create(name: name, config: request.engineConfiguration, hostConfig: request.engineHostConfiguration,
                                           network: request.engineNetworkRequest)
            return ContainerCreateResponse(Id: created.id, Warnings: created.warnings)
        }
    }

    public func startContainer(_ id: String) async throws -> Bool { try await mapped { try await start(id) } }

    public func stopContainer(_ id: String, timeout: Int?) async throws -> Bool {
        try await mapped { try await stop(id, timeout: timeout) }
    }

    public func restartContainer(_ id: String, timeout: Int?) async throws {
        try await mapped { try await restart(id, timeout: timeout) }
    }

    public func killContainer(_ id: String, signal: String) async throws {
        try await mapped { try await kill(id, signal: signal) }
    }

    public func waitContainer(_ id: String, condition: String) async throws -> any ContainerWaitHandle {
        try await mapped { WaitHandle(waiter: try wait(id, condition: try WaitCondition(parsing: condition))) }
    }

    public func attachContainer(_ id: String, options: ContainerAttachOptions) async throws -> ContainerOutputStream {
        try await mapped {
            Self.wire(try await attach(id, stdout: options.stdout, stderr: options.stderr, logs: options.logs, stream: options.stream))
        }
    }

    public func containerLogs(_ id: String, options: ContainerLogsOptions) async throws -> ContainerOutputStream {
        try await mapped {
            var engine = ContainerLogOptions()
            engine.stdout = options.stdout
            engine.stderr = options.stderr
            engine.follow = options.follow
            engine.timestamps = options.timestamps
            engine.tail = options.tail
            engine.since = options.sinceNanoseconds.map(Self.timestamp)
            engine.until = options.untilNanoseconds.map(Self.timestamp)
            return Self.wire(try logs(id, options: engine))
        }
    }

    public func listContainers(_ options: ContainerListQuery) async throws -> [ContainerSummary] {
        try await mapped {
            var engine = ContainerListOptions()
            engine.all = options.all
            engine.limit = options.limit
            engine.size = options.size
            engine.filters = options.filters.fields
            return try await list(engine).map(Self.summary)
        }
    }

    public func inspectContainer(_ id: String, size: Bool) async throws -> ContainerInspect {
        try await mapped { try Self.inspectJSON(try await inspect(id, size: size)) }
    }

    public func topContainer(_ id: String, psArgs: String) async throws -> ContainerTopResponse {
        try await mapped {
            let top = try await top(id, psArguments: psArgs)
            return ContainerTopResponse(Titles: top.titles, Processes: top.processes)
        }
    }

    public func renameContainer(_ id: String, to name: String) async throws {
        try await mapped { try await rename(id, to: name) }
    }

    public func removeContainer(_ id: String, force: Bool, volumes: Bool) async throws {
        try await mapped { try await remove(id, force: force, volumes: volumes) }
    }

    public func pruneContainers(filters: Filters) async throws -> ContainerPruneReport {
        try await mapped {
            let (removed, reclaimed) = try await prune(filters: filters.fields)
            return ContainerPruneReport(ContainersDeleted: removed.isEmpty ? nil : removed, SpaceReclaimed: reclaimed)
        }
    }

    public func containerDiskUsage() async throws -> [ContainerSummary] {
        try await mapped { try await diskUsage().map(Self.summary) }
    }

    // MARK: mapping

    /// Runs `body`, turning `EngineError` into the `APIError` with Docker's status.
    func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as EngineError { throw error.apiError }
    }

    static func timestamp(_ nanoseconds: Int64) -> Timestamp {
        Timestamp(seconds: nanoseconds / 1_000_000_000, nanoseconds: Int32(nanoseconds % 1_000_000_000))
    }

    static func wire(_ output: ContainerOutput) -> ContainerOutputStream {
        let (stream, continuation) = AsyncStream<SwdockAPI.ContainerOutputChunk>.makeStream(bufferingPolicy: .unbounded)
        let task = Task {
            for await chunk in output.chunks { continuation.yield(.init(stream: chunk.stream, bytes: chunk.bytes)) }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return ContainerOutputStream(tty: output.tty, chunks: stream)
    }

    static func mounts(_ points: [ContainerMountPoint]) -> [ContainerMount] {
        points.map { point in
            var mount = ContainerMount()
            mount.Type = point.Type
            mount.Name = point.Name
            mount.Driver = point.Driver
            mount.Source = point.Source
            mount.Destination = point.Destination
            mount.Mode = point.Mode
            mount.RW = point.RW
            mount.Propagation = point.Propagation
            return mount
        }
    }

    /// Docker's network name for a mode (`none`, `host`).
    static func networks(_ mode: String) -> [String: EndpointSettings] {
        mode.isEmpty ? [:] : [mode: EndpointSettings()]
    }

    static func summary(_ info: ContainerInfo) -> ContainerSummary {
        var summary = ContainerSummary()
        summary.Id = info.id
        summary.Names = [info.name]
        summary.Image = info.config.image.isEmpty ? info.imageID : info.config.image
        summary.ImageID = info.imageID
        summary.Command = info.command
        summary.Created = info.created.seconds
        summary.SizeRw = info.sizeRw
        summary.SizeRootFs = info.sizeRootFs
        summary.Labels = info.config.labels ?? [:]
        summary.State = info.state.Status.rawValue
        summary.Status = statusText(info.state, now: Timestamp.now())
        summary.HostConfig.NetworkMode = info.hostConfig.networkMode
        summary.NetworkSettings.Networks = networks(info.hostConfig.networkMode)
        if let network = info.network { applyNetwork(network, to: &summary) }
        summary.Mounts = mounts(info.mounts)
        return summary
    }

    static func inspectJSON(_ info: ContainerInfo) throws -> ContainerInspect {
        var result = ContainerInspect()
        result.Id = info.id
        result.Created = info.created.rfc3339Nano
        result.Path = info.path
        result.Args = info.args
        let state = info.state
        result.State.Status = state.Status.rawValue
        result.State.Running = state.Running
        result.State.Paused = state.Paused
        result.State.Restarting = state.Restarting
        result.State.OOMKilled = state.OOMKilled
        result.State.Dead = state.Dead
        result.State.Pid = state.Pid
        result.State.ExitCode = state.ExitCode
        result.State.Error = state.Error
        result.State.StartedAt = state.StartedAt
        result.State.FinishedAt = state.FinishedAt
        result.Image = info.imageID
        result.ResolvConfPath = info.resolvConfPath
        result.HostnamePath = info.hostnamePath
        result.HostsPath = info.hostsPath
        result.LogPath = info.logPath
        result.Name = info.name
        result.RestartCount = info.restartCount
        result.Driver = info.driver
        result.HostConfig = try jsonValue(info.hostConfig)
        result.GraphDriver.Name = info.driver
        result.GraphDriver.Data = info.graphDriverData.isEmpty ? nil : info.graphDriverData
        result.SizeRw = info.sizeRw
        result.SizeRootFs = info.sizeRootFs
        result.Mounts = mounts(info.mounts)
        result.Config = try jsonValue(info.config)
        result.NetworkSettings.Networks = networks(info.hostConfig.networkMode)
        if let network = info.network { applyNetwork(network, to: &result.NetworkSettings) }
        return result
    }

    static func jsonValue<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    /// `ps`'s STATUS column as dockerd words it (`Up 5 seconds`, `Exited (3) 13 minutes ago`).
    public static func statusText(_ state: ContainerState, now: Timestamp) -> String {
        func since(_ text: String) -> String {
            guard let time = Timestamp(rfc3339Nano: text) else { return "" }
            let seconds = Double(now.seconds - time.seconds) + Double(now.nanoseconds - time.nanoseconds) / 1e9
            return humanDuration(seconds)
        }
        switch state.Status {
        case .created: return "Created"
        case .running: return "Up \(since(state.StartedAt))"
        case .paused: return "Up \(since(state.StartedAt)) (Paused)"
        case .restarting: return "Restarting (\(state.ExitCode)) \(since(state.FinishedAt)) ago"
        case .removing: return "Removal In Progress"
        case .dead: return "Dead"
        case .exited:
            if state.FinishedAt == ContainerState.zeroTime || state.FinishedAt.isEmpty { return "Exited (\(state.ExitCode))" }
            return "Exited (\(state.ExitCode)) \(since(state.FinishedAt)) ago"
        }
    }

    /// go-units `HumanDuration`.
    public static func humanDuration(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 1 { return "Less than a second" }
        if s == 1 { return "1 second" }
        if s < 60 { return "\(s) seconds" }
        let minutes = Int(seconds / 60)
        if minutes == 1 { return "About a minute" }
        if minutes < 60 { return "\(minutes) minutes" }
        let hours = Int((seconds / 3600).rounded())
        if hours == 1 { return "About an hour" }
        if hours < 48 { return "\(hours) hours" }
        if hours < 24 * 7 * 2 { return "\(hours / 24) days" }
        if hours < 24 * 30 * 2 { return "\(hours / 24 / 7) weeks" }
        if hours < 24 * 365 * 2 { return "\(hours / 24 / 30) months" }
        return "\(Int(seconds / 3600 / 24 / 365)) years"
    }
}

/// The wait handle over the engine's waiter.
struct WaitHandle: ContainerWaitHandle {
    let waiter: ContainerWaiter

    func result() async -> ContainerWaitResponse? {
        guard let result = await waiter.result() else { return nil }
        return ContainerWaitResponse(StatusCode: result.statusCode, Error: result.error.map { .init(Message: $0) })
    }

    func cancel() { waiter.cancel() }
}

extension EngineError {
    /// Docker's status for the engine's codes: 400, 404, 409, 501, 500.
    public var apiError: APIError {
        switch code {
        case .invalidArgument: return APIError(status: 400, message)
        case .notFound: return APIError(status: 404, message)
        case .conflict: return APIError(status: 409, message)
        case .notSupported: return .notSupported(message)
        case .system: return .internalError(description)
        }
    }
}
