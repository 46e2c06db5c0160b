/// The interactive part of the container side: attach with stdin, resize, exec, pause and
/// stats. `ContainerBackend` refines it; the routes are in SwdockServer/InteractiveRoutes.swift.
public protocol ContainerStreamsBackend: Sendable {
    /// `POST /containers/{id}/attach` with or without stdin.
    func attachContainerStreams(_ id: String, options: ContainerAttachOptions, stdin: Bool) async throws -> ContainerStreams
    /// `POST /containers/{id}/resize?h=&w=`.
    func resizeContainer(_ id: String, height: Int, width: Int) async throws
    /// `POST /containers/{id}/exec`.
    func createExec(_ id: String, request: ExecCreateRequest) async throws -> ExecCreateResponse
    /// `POST /exec/{id}/start` (the caller hijacks the connection unless `Detach`).
    func startExec(_ id: String, request: ExecStartRequest) async throws -> ContainerStreams
    /// `GET /exec/{id}/json`.
    func inspectExec(_ id: String) async throws -> ExecInspect
    /// `POST /exec/{id}/resize?h=&w=`.
    func resizeExec(_ id: String, height: Int, width: Int) async throws
    /// The detach sequence when a request names none (empty: ctrl-p,ctrl-q).
    var defaultDetachKeys: String { get }
    /// `POST /containers/{id}/pause`.
    func pauseContainer(_ id: String) async throws
    /// `POST /containers/{id}/unpause`.
    func unpauseContainer(_ id: String) async throws
    /// `GET /containers/{id}/stats`: one document; `previous` (the last one sent) fills
    /// `precpu_stats` and `preread`. `running` is false once the container does not run.
    func containerStats(_ id: String, previous: ContainerStatsResponse?) async throws -> (stats: ContainerStatsResponse, running: Bool)
}

/// The process's stdin as the hijacked stream feeds it.
public protocol ContainerStreamInput: Sendable {
    func write(_ bytes: [UInt8]) async throws
    /// The client's half-close or hang-up.
    func end() async
    /// The client typed the detach sequence.
    func detach() async
}

/// Output (framed unless TTY) plus, for an attach with stdin, the stdin sink.
public struct ContainerStreams: Sendable {
    public var output: ContainerOutputStream
    public var input: (any ContainerStreamInput)?
    public init(output: ContainerOutputStream, input: (any ContainerStreamInput)? = nil) {
        self.output = output
        self.input = input
    }
}

/// `POST /containers/{id}/exec`'s body (dockerd's `types.ExecConfig`).
public struct ExecCreateRequest: Codable, Sendable, Equatable {
    public var User: String?
    public var Privileged: Bool?
    public var Tty: Bool?
    public var ConsoleSize: [UInt]?
    public var AttachStdin: Bool?
    public var AttachStderr: Bool?
    public var AttachStdout: Bool?
    public var Detach: Bool?
    public var DetachKeys: String?
    public var Env: [String]?
    public var WorkingDir: String?
    public var Cmd: [String]?
    public init() {}
}

public struct ExecCreateResponse: Codable, Sendable, Equatable {
    public var Id: String
    public init(Id: String) { self.Id = Id }
}

/// `POST /exec/{id}/start`'s body.
public struct ExecStartRequest: Codable, Sendable, Equatable {
    public var Detach: Bool?
    public var Tty: Bool?
    public var ConsoleSize: [UInt]?
    public init() {}
}

/// `GET /exec/{id}/json` as dockerd 20.10 answers it.
public struct ExecInspect: Codable, Sendable, Equatable {
    public struct Process: Codable, Sendable, Equatable {
        public var tty: Bool
        public var entrypoint: String
        public var arguments: [String]
        public var privileged: Bool
        public var user: String?
        public init(tty: Bool, entrypoint: String, arguments: [String], privileged: Bool, user: String?) {
            self.tty = tty; self.entrypoint = entrypoint; self.arguments = arguments; self.privileged = privileged; self.user = user
        }
    }
    public var ID: String
    public var Running: Bool
    /// null until the process has exited.
    public var ExitCode: Int32?
    public var ProcessConfig: Process
    public var OpenStdin: Bool
    public var OpenStderr: Bool
    public var OpenStdout: Bool
    public var CanRemove: Bool
    public var ContainerID: String
    public var DetachKeys: String
    public var Pid: Int32

    public init(ID: String, Running: Bool, ExitCode: Int32?, ProcessConfig: Process, OpenStdin: Bool, OpenStderr: Bool,
                OpenStdout: Bool, CanRemove: Bool, ContainerID: String, DetachKeys: String, Pid: Int32) {
        self.ID = ID; self.Running = Running; self.ExitCode = ExitCode; self.ProcessConfig = ProcessConfig
        self.OpenStdin = OpenStdin; self.OpenStderr = OpenStderr; self.OpenStdout = OpenStdout; self.CanRemove = CanRemove
        self.ContainerID = ContainerID; self.DetachKeys = DetachKeys; self.Pid = Pid
    }

    // ExitCode is always present (null while running), as dockerd encodes it.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ID, forKey: .ID)
        try c.encode(Running, forKey: .Running)
        try c.encode(ExitCode, forKey: .ExitCode)
        try c.encode(ProcessConfig, forKey: .ProcessConfig)
        try c.encode(OpenStdin, forKey: .OpenStdin)
        try c.encode(OpenStderr, forKey: .OpenStderr)
        try c.encode(OpenStdout, forKey: .OpenStdout)
        try c.encode(CanRemove, forKey: .CanRemove)
        try c.encode(ContainerID, forKey: .ContainerID)
        try c.encode(DetachKeys, forKey: .DetachKeys)
        try c.encode(Pid, forKey: .Pid)
    }
}
