/// The engine's container side as the API server sees it: create, start, stop, kill, wait,
/// attach, logs, list, inspect, top, rename, remove, prune. Wire types live in `Container*.swift`.
///
/// Container references (`id`) are what the client sent: a full ID, a name, or a unique ID
/// prefix. Methods throw `APIError` with Docker's status (404 "No such container: x", 409, …).
public protocol ContainerBackend: ContainerStreamsBackend {
    /// `POST /containers/create?name=`.
    func createContainer(name: String?, request: ContainerCreateRequest) async throws -> ContainerCreateResponse
    /// `POST /containers/{id}/start`; false when it already runs (304).
    func startContainer(_ id: String) async throws -> Bool
    /// `POST /containers/{id}/stop?t=`; false when it was not running (304).
    func stopContainer(_ id: String, timeout: Int?) async throws -> Bool
    /// `POST /containers/{id}/restart?t=`.
    func restartContainer(_ id: String, timeout: Int?) async throws
    /// `POST /containers/{id}/kill?signal=`.
    func killContainer(_ id: String, signal: String) async throws
    /// `POST /containers/{id}/wait?condition=`: resolves the container and registers the wait
    /// (errors here are HTTP errors); the handle delivers the body later.
    func waitContainer(_ id: String, condition: String) async throws -> any ContainerWaitHandle
    /// `POST /containers/{id}/attach` (no stdin): the output from now on (and the log with `logs`).
    func attachContainer(_ id: String, options: ContainerAttachOptions) async throws -> ContainerOutputStream
    /// `GET /containers/{id}/logs`.
    func containerLogs(_ id: String, options: ContainerLogsOptions) async throws -> ContainerOutputStream
    /// `GET /containers/json`.
    func listContainers(_ options: ContainerListQuery) async throws -> [ContainerSummary]
    /// `GET /containers/{id}/json?size=`.
    func inspectContainer(_ id: String, size: Bool) async throws -> ContainerInspect
    /// `GET /containers/{id}/top?ps_args=`.
    func topContainer(_ id: String, psArgs: String) async throws -> ContainerTopResponse
    /// `POST /containers/{id}/rename?name=`.
    func renameContainer(_ id: String, to name: String) async throws
    /// `DELETE /containers/{id}?force=&v=`.
    func removeContainer(_ id: String, force: Bool, volumes: Bool) async throws
    /// `POST /containers/prune?filters=`.
    func pruneContainers(filters: Filters) async throws -> ContainerPruneReport
    /// The `Containers` part of `GET /system/df` (with SizeRw and SizeRootFs).
    func containerDiskUsage() async throws -> [ContainerSummary]
}

/// A registered wait: `result()` returns at the condition, nil when cancelled.
public protocol ContainerWaitHandle: Sendable {
    func result() async -> ContainerWaitResponse?
    /// The client went away: unregister.
    func cancel()
}

/// One piece of container output: `stream` 1 stdout, 2 stderr.
public struct ContainerOutputChunk: Sendable, Equatable {
    public var stream: UInt8
    public var bytes: [UInt8]
    public init(stream: UInt8, bytes: [UInt8]) { self.stream = stream; self.bytes = bytes }
}

/// Output of attach or logs: raw bytes for a TTY container, otherwise the 8-byte-header frames.
public struct ContainerOutputStream: Sendable {
    public var tty: Bool
    public var chunks: AsyncStream<ContainerOutputChunk>
    public init(tty: Bool, chunks: AsyncStream<ContainerOutputChunk>) { self.tty = tty; self.chunks = chunks }
}

/// `attach`'s query.
public struct ContainerAttachOptions: Sendable, Equatable {
    public var stream = false
    public var stdout = false
    public var stderr = false
    public var logs = false
    public init() {}
}

/// `logs`' query; times are nanoseconds since the epoch.
public struct ContainerLogsOptions: Sendable, Equatable {
    public var stdout = false
    public var stderr = false
    public var follow = false
    public var timestamps = false
    /// nil: all.
    public var tail: Int?
    public var sinceNanoseconds: Int64?
    public var untilNanoseconds: Int64?
    public init() {}
}

/// `containers/json`'s query.
public struct ContainerListQuery: Sendable, Equatable {
    public var all = false
    public var limit = 0
    public var size = false
    public var filters = Filters()
    public init() {}
}
