import Foundation
import SwdockOS
import SwdockShimCore

/// A piece of a container's output: `stream` 1 is stdout, 2 stderr (Docker's frame numbers).
public struct OutputChunk: Sendable, Equatable {
    public var stream: UInt8
    public var bytes: [UInt8]
    public init(stream: UInt8, bytes: [UInt8]) { self.stream = stream; self.bytes = bytes }
}

/// Output for attach or logs: raw when the container has a TTY, else the API frames it.
public struct ContainerOutput: Sendable {
    public var tty: Bool
    public var chunks: AsyncStream<OutputChunk>
    /// The process's stdin, for an attach with stdin (nil otherwise).
    public var input: AttachInput?
}

/// An attach waiting for its container to start, or connected to the running container's shim.
final class AttachSubscription: @unchecked Sendable {
    let stdout: Bool
    let stderr: Bool
    let continuation: AsyncStream<OutputChunk>.Continuation
    /// Set for an attach with stdin (see ContainerService+Stdin.swift).
    var input: AttachInput?
    let session = Locked<ShimSession?>(nil)
    let gone = Locked(false)

    init(stdout: Bool, stderr: Bool, continuation: AsyncStream<OutputChunk>.Continuation) {
        self.stdout = stdout
        self.stderr = stderr
        self.continuation = continuation
    }

    func cancel() {
        gone.withLock { $0 = true }
        session.withLock { $0 }?.cancel()
    }
}

extension ContainerService {
    /// `POST /containers/{id}/attach` without stdin: the container's live stdout/stderr from
    /// now on (with `logs`, the stored log first), ending when its output ends. An attach
    /// before `start` is connected to the shim before the process runs, so nothing is missed.
    ///
    /// With `stdin` (honoured only when the container has `OpenStdin`, as dockerd does) the
    /// result's `input` feeds the process's stdin; see `AttachInput` for what its end means.
    public func attach(_ ref: String, stdout: Bool, stderr: Bool, logs: Bool, stream: Bool,
                       stdin: Bool = false) async throws -> ContainerOutput {
        // It may wait for the container's lock while a start is under way: off the cooperative pool.
        try await offload { try self.attachBlocking(ref, stdout: stdout, stderr: stderr, logs: logs, stream: stream, stdin: stdin) }
    }

    func attachBlocking(_ ref: String, stdout: Bool, stderr: Bool, logs: Bool, stream: Bool,
                        stdin: Bool = false) throws -> ContainerOutput {
        let container = try resolve(ref)
        let id = container.id
        emit("attach", container)
        let (chunks, continuation) = AsyncStream<OutputChunk>.makeStream(bufferingPolicy: .unbounded)
        let subscription = AttachSubscription(stdout: stdout, stderr: stderr, continuation: continuation)
        let config = container.document.Config
        if stdin && stream && config.openStdin {
            subscription.input = AttachInput(closesProcessStdin: config.stdinOnce && !config.tty,
                                             endAttach: { continuation.finish() })
        }
        continuation.onTermination = { [weak self] _ in
            subscription.cancel()
            self?.live.withLock { state in state.pendingAttaches[id]?.removeAll { $0 === subscription } }
        }
        if logs, let path = container.document.LogPath {
            var logOptions = ContainerLogOptions()
            logOptions.stdout = stdout
            logOptions.stderr = stderr
            for chunk in (try? LogFileReader(path: path, maxFiles: container.document.LogMaxFiles).entries(logOptions)) ?? [] {
                continuation.yield(chunk)
            }
        }
        guard stream else {
            continuation.finish()
            return ContainerOutput(tty: container.document.Config.tty, chunks: chunks)
        }
        if !(stdout || stderr) && subscription.input == nil {
            continuation.finish()
            return ContainerOutput(tty: container.document.Config.tty, chunks: chunks)
        }
        try withContainerLock(id) {
            guard let current = try reload(id) else { throw EngineError(.notFound, "No such container: \(ref)") }
            if current.state.Status == .running {
                connect(subscription, socket: shimSocket(id))
            } else {
                live.withLock { $0.pendingAttaches[id, default: []].append(subscription) }
            }
        }
        return ContainerOutput(tty: container.document.Config.tty, chunks: chunks, input: subscription.input)
    }

    func connectPendingAttaches(_ id: String, socket: String) {
        let pending = live.withLock { state -> [AttachSubscription] in
            defer { state.pendingAttaches[id] = nil }
            return state.pendingAttaches[id] ?? []
        }
        for subscription in pending { connect(subscription, socket: socket) }
    }

    func finishPendingAttaches(_ id: String) {
        let pending = live.withLock { state -> [AttachSubscription] in
            defer { state.pendingAttaches[id] = nil }
            return state.pendingAttaches[id] ?? []
        }
        for subscription in pending {
            subscription.input?.unavailable()
            subscription.continuation.finish()
        }
    }

    /// Subscribes to the shim's output and relays it from a reader thread until `output-end`.
    func connect(_ subscription: AttachSubscription, socket: String) {
        let session: ShimSession
        do {
            session = try ShimSession(socketPath: socket)
            let streams = [("stdout", String(subscription.stdout)), ("stderr", String(subscription.stderr))]
            if let input = subscription.input {
                do {
                    try session.request("attach", streams + [("stdin", "true")])
                    input.connected(session)
                } catch let error where error.code == .invalid {
                    // Its stdin was closed already (StdinOnce): output only, as dockerd does.
                    input.unavailable()
                    try session.request("attach", streams)
                }
            } else {
                try session.request("attach", streams)
            }
        } catch {
            subscription.input?.unavailable()
            subscription.continuation.finish()
            return
        }
        subscription.session.withLock { $0 = session }
        if subscription.gone.withLock({ $0 }) { session.cancel() }
        let thread = Thread {
            ThreadName.set("swdock-attach")
            defer { subscription.continuation.finish() }
            while let frame = try? session.nextFrame() {
                switch frame.kind {
                case .output: subscription.continuation.yield(OutputChunk(stream: frame.stream, bytes: frame.payload))
                case .event: return
                default: continue
                }
            }
        }
        thread.start()
    }
}
