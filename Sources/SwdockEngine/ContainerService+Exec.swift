import Foundation
import SwdockOCI
import SwdockOS
import SwdockShimCore

/// `POST /containers/{id}/exec`'s body, as the engine needs it.
public struct ExecConfiguration: Sendable, Equatable {
    public var cmd: [String] = []
    public var env: [String] = []
    public var user = ""
    public var workingDir = ""
    public var privileged = false
    public var tty = false
    public var attachStdin = false
    public var attachStdout = false
    public var attachStderr = false
    public var detachKeys = ""
    /// `ConsoleSize` `[rows, columns]` (API ≥ 1.42; 0s mean unset).
    public var consoleSize: (rows: UInt16, columns: UInt16)?
    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.cmd == b.cmd && a.env == b.env && a.user == b.user && a.workingDir == b.workingDir && a.privileged == b.privileged
            && a.tty == b.tty && a.attachStdin == b.attachStdin && a.attachStdout == b.attachStdout
            && a.attachStderr == b.attachStderr && a.detachKeys == b.detachKeys
            && a.consoleSize?.rows == b.consoleSize?.rows && a.consoleSize?.columns == b.consoleSize?.columns
    }
}

/// What `GET /exec/{id}/json` reports.
public struct ExecInfo: Sendable, Equatable {
    public var id: String
    public var containerID: String
    public var config: ExecConfiguration
    public var running: Bool
    /// nil until the process has exited.
    public var exitCode: Int32?
    public var pid: Int32
}

/// One exec instance: created by `exec`, run once by `exec start`.
final class ExecInstance: @unchecked Sendable {
    enum Phase { case created, running, exited }
    struct State {
        var phase = Phase.created
        var pid: Int32 = 0
        var exitCode: Int32?
        /// A resize that came before the shim had the process (the CLI resizes right after the 101).
        var pendingSize: (rows: UInt16, columns: UInt16)?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    let id: String
    let containerID: String
    let config: ExecConfiguration
    let state = Locked(State())

    init(id: String, containerID: String, config: ExecConfiguration) {
        self.id = id
        self.containerID = containerID
        self.config = config
    }

    func finish(exitCode: Int32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.phase = .exited
            state.exitCode = exitCode
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var info: ExecInfo {
        state.withLock { state in
            ExecInfo(id: id, containerID: containerID, config: config, running: state.phase == .running,
                     exitCode: state.exitCode, pid: state.pid)
        }
    }
}

/// The daemon's exec instances, by ID. Kept in memory, as dockerd does; finished ones are
/// dropped when their container is removed, and when more than `limit` exist.
final class ExecRegistry: @unchecked Sendable {
    private let instances = Locked<[String: ExecInstance]>([:])
    static let limit = 1024

    func add(_ instance: ExecInstance) {
        instances.withLock { all in
            all[instance.id] = instance
            guard all.count > Self.limit else { return }
            // Forget the finished ones beyond the limit; running ones stay until they finish.
            let finished = all.values.filter { $0.state.withLock { $0.phase == .exited } }
            for old in finished.prefix(all.count - Self.limit) { all[old.id] = nil }
        }
    }

    func find(_ ref: String) -> ExecInstance? { instances.withLock { $0[ref] } }

    func ids(of containerID: String) -> [String] {
        instances.withLock { $0.values.filter { $0.containerID == containerID }.map(\.id) }
    }

    func remove(containerID: String) {
        instances.withLock { all in all = all.filter { $0.value.containerID != containerID } }
    }
}

extension ContainerService {
    /// `POST /containers/{id}/exec`: registers an exec in a running container; returns its ID.
    public func createExec(_ ref: String, config: ExecConfiguration) async throws -> String {
        try await offload {
            let container = try self.resolve(ref)
            guard !config.cmd.isEmpty else { throw EngineError(.invalidArgument, "No exec command specified") }
            try self.checkExecutable(container)
            let instance = ExecInstance(id: Self.generateID(), containerID: container.id, config: config)
            self.execs.add(instance)
            return instance.id
        }
    }

    func checkExecutable(_ container: Loaded) throws(EngineError) {
        switch container.state.Status {
        case .running: return
        case .paused: throw EngineError(.conflict, "Container \(container.id) is paused, unpause the container before exec")
        case .restarting: throw EngineError(.conflict, "Container \(container.id) is restarting, wait until the container is running")
        default: throw EngineError(.conflict, "Container \(container.id) is not running")
        }
    }

    func execInstance(_ id: String) throws(EngineError) -> ExecInstance {
        guard let instance = execs.find(id) else { throw EngineError(.notFound, "No such exec instance: \(id)") }
        return instance
    }

    /// `GET /exec/{id}/json`.
    public func inspectExec(_ id: String) throws -> ExecInfo { try execInstance(id).info }

    /// `POST /exec/{id}/start`: runs the process through the container's shim (`runtime exec`).
    /// Attached: its output (raw with a TTY) until its output ends, by which time its exit code
    /// is recorded; `input` feeds its stdin when it was created with `AttachStdin`. Detached:
    /// an empty output, and a thread records the exit.
    public func startExec(_ id: String, detach: Bool, consoleSize: (rows: UInt16, columns: UInt16)? = nil) async throws -> ContainerOutput {
        try await offload { try self.startExecBlocking(id, detach: detach, consoleSize: consoleSize) }
    }

    func startExecBlocking(_ id: String, detach: Bool, consoleSize: (rows: UInt16, columns: UInt16)?) throws -> ContainerOutput {
        let instance = try execInstance(id)
        let config = instance.config
        let claimed = instance.state.withLock { state -> Bool in
            guard state.phase == .created else { return false }
            state.phase = .running
            return true
        }
        guard claimed else {
            let running = instance.state.withLock { $0.phase == .running }
            throw EngineError(.conflict, running ? "Error: Exec command \(id) is already running"
                                                 : "Error: Exec command \(id) has already run")
        }
        do {
            return try runExec(instance, detach: detach, consoleSize: consoleSize ?? config.consoleSize)
        } catch {
            // Docker's codes for an exec that could not start (the CLI exits with them).
            let text = "\(error)"
            let notFound = text.contains("executable file not found") || text.contains("no such file or directory")
            instance.finish(exitCode: notFound ? 127 : 126)
            throw error
        }
    }

    private func runExec(_ instance: ExecInstance, detach: Bool, consoleSize: (rows: UInt16, columns: UInt16)?) throws -> ContainerOutput {
        let config = instance.config
        guard let container = try reload(instance.containerID) else {
            throw EngineError(.notFound, "No such container: \(instance.containerID)")
        }
        try checkExecutable(container)
        let processFile = layout.containerRunDirectory(container.id) + "/exec-\(instance.id).json"
        try writeExecProcess(container, config: config, consoleSize: consoleSize, to: processFile)
        defer { try? FileSystem.remove(processFile) }

        let session: ShimSession
        var fields = [("exec-id", instance.id), ("process", processFile), ("tty", String(config.tty)),
                      ("stdin", String(config.attachStdin && !detach))]
        if let consoleSize, consoleSize.rows > 0, consoleSize.columns > 0 {
            fields += [("width", String(consoleSize.columns)), ("height", String(consoleSize.rows))]
        }
        let attach = !detach
        if attach { fields += [("attach", "true"), ("stdout", String(config.attachStdout)), ("stderr", String(config.attachStderr))] }
        let answer: ShimMessage
        do {
            session = try ShimSession(socketPath: shimSocket(container.id))
            answer = try session.request("exec", fields)
        } catch {
            if error.code == .notRunning { throw EngineError(.conflict, "Container \(container.id) is not running") }
            // runc's words for a missing executable, mapped to Docker's exit codes by the CLI.
            throw EngineError(.invalidArgument, "OCI runtime exec failed: \(error.message)", cause: error)
        }
        let pending = instance.state.withLock { state -> (rows: UInt16, columns: UInt16)? in
            state.pid = Int32(answer["pid"] ?? "") ?? 0
            defer { state.pendingSize = nil }
            return state.pendingSize
        }
        if let pending, config.tty { try? shimResize(container.id, execID: instance.id, height: pending.rows, width: pending.columns) }

        let (chunks, continuation) = AsyncStream<OutputChunk>.makeStream(bufferingPolicy: .unbounded)
        var input: AttachInput?
        if attach && config.attachStdin {
            // dockerd's exec CloseStdin: the client's end of input closes the process's stdin,
            // except with a TTY, where it (or the detach keys) ends the stream and the process goes on.
            let created = AttachInput(closesProcessStdin: !config.tty, endAttach: { continuation.finish() })
            created.connected(session)
            input = created
        }
        continuation.onTermination = { _ in if attach { session.cancel() } }
        let execID = instance.id
        let thread = Thread {
            ThreadName.set("swdock-exec")
            defer { continuation.finish() }
            if attach {
                readOutput: while let frame = try? session.nextFrame() {
                    switch frame.kind {
                    case .output: continuation.yield(OutputChunk(stream: frame.stream, bytes: frame.payload))
                    case .event: break readOutput
                    default: continue
                    }
                }
            }
            // The exit code is final before the client sees the end of the stream (the CLI reads it then).
            let waiter = session.isCancelled ? try? ShimSession(socketPath: session.socketPath) : session
            let exit = try? waiter?.request("wait", [("exec-id", execID)])
            instance.finish(exitCode: exit?["exit-code"].flatMap { Int32($0) } ?? 137)
        }
        if !attach { continuation.finish() }
        thread.start()
        return ContainerOutput(tty: config.tty, chunks: chunks, input: input)
    }

    /// The exec's OCI process: the container's process (from its bundle) with the exec's
    /// command, environment, user, working directory, terminal and (privileged) capabilities.
    func writeExecProcess(_ container: Loaded, config: ExecConfiguration, consoleSize: (rows: UInt16, columns: UInt16)?,
                          to path: String) throws(EngineError) {
        let spec: RuntimeSpec
        do {
            guard let bytes = try FileSystem.read(bundle(container.id) + "/config.json") else {
                throw EngineError(.system, "the bundle of container \(container.id) has no config.json")
            }
            spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(bytes))
        } catch {
            throw EngineError(.system, "read the OCI spec of container \(container.id)", cause: DescribedError(error))
        }
        guard var process = spec.process else { throw EngineError(.system, "the OCI spec of container \(container.id) has no process") }
        process.args = config.cmd
        process.terminal = config.tty
        process.consoleSize = nil
        if config.tty, let consoleSize, consoleSize.rows > 0, consoleSize.columns > 0 {
            process.consoleSize = RuntimeSpec.ConsoleSize(height: UInt(consoleSize.rows), width: UInt(consoleSize.columns))
        }
        var env = process.env ?? []
        for entry in config.env {
            let key = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            env.removeAll { ($0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? $0) == key }
            env.append(entry)
        }
        if config.tty && !env.contains(where: { $0.hasPrefix("TERM=") }) { env.append("TERM=xterm") }
        process.env = env
        if !config.workingDir.isEmpty { process.cwd = config.workingDir }
        if !config.user.isEmpty {
            let user = try UserLookup.resolve(config.user, files: RootfsFiles(rootfs: rootfs(container.id)))
            process.user.uid = user.uid
            process.user.gid = user.gid
            process.user.additionalGids = user.additionalGids.isEmpty ? nil : user.additionalGids
        }
        if config.privileged {
            // Every capability the kernel has that the daemon can hand on (its bounding set, as
            // podman does): asking for more fails the runtime's capset in a nested environment.
            let bounding = Self.ownBoundingSet()
            let all = DefaultCapabilities.all(lastCapability: builder.host.lastCapability).enumerated()
                .filter { entry in bounding.map { mask in entry.offset < 64 && mask & (1 << UInt64(entry.offset)) != 0 } ?? true }
                .map(\.element)
            process.capabilities = RuntimeSpec.Capabilities(bounding: all, effective: all, inheritable: nil, permitted: all, ambient: nil)
        }
        do {
            let bytes = try Self.encoder.encode(process)
            try FileSystem.writeAtomically(path, Array(bytes), mode: 0o600)
        } catch {
            throw EngineError(.system, "write the exec process of container \(container.id)", cause: DescribedError(error))
        }
    }

    /// `CapBnd` of /proc/self/status; nil when unreadable.
    static func ownBoundingSet() -> UInt64? {
        guard let bytes = try? FileSystem.read("/proc/self/status") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("CapBnd:") }) else { return nil }
        return UInt64(line.dropFirst("CapBnd:".count).trimmingCharacters(in: .whitespaces), radix: 16)
    }

    /// `POST /exec/{id}/resize?h=&w=`.
    public func resizeExec(_ id: String, height: UInt16, width: UInt16) async throws {
        try await offload {
            let instance = try self.execInstance(id)
            let deferred = try instance.state.withLock { state throws(EngineError) -> Bool in
                guard state.phase == .running else { throw EngineError(.conflict, "Exec \(id) is not running") }
                guard state.pid == 0 else { return false }
                state.pendingSize = (height, width)
                return true
            }
            if deferred { return }
            try self.shimResize(instance.containerID, execID: id, height: height, width: width)
        }
    }
}
