import Dispatch
import SwdockOS
import SwdockShimCore

/// The client's side of an attach with stdin (container attach or exec start): bytes for the
/// process's stdin and the end of the client's input.
///
/// Bytes that arrive before the shim connection exists (an attach before `start`) are kept in
/// order and written once it does; the end is applied after them. What the end means is
/// Docker's rule (container/stream/attach.go): with `StdinOnce` and no TTY (and always for an
/// exec) it closes the process's stdin; otherwise it ends this attach and leaves the process's
/// stdin open for the next one.
public final class AttachInput: @unchecked Sendable {
    private struct State {
        var session: ShimSession?
        var pending: [[UInt8]] = []
        var ended = false
        var closed = false
    }
    private let state = Locked(State())
    /// The end of the client's input closes the process's stdin (else it only ends the attach).
    let closesProcessStdin: Bool
    /// Ends the attach's output (set by the owner of the output stream).
    let endAttach: @Sendable () -> Void

    init(closesProcessStdin: Bool, endAttach: @escaping @Sendable () -> Void) {
        self.closesProcessStdin = closesProcessStdin
        self.endAttach = endAttach
    }

    /// Writes `bytes` to the process's stdin (or keeps them until the shim is connected).
    /// Blocks while the shim holds more than 1 MiB of queued stdin: run it off the async pool.
    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await Self.offload { try self.writeBlocking(bytes) }
    }

    func writeBlocking(_ bytes: [UInt8]) throws {
        try state.withLock { state in
            guard !state.ended else { return }
            if let session = state.session {
                try session.sendStdin(bytes)
            } else {
                state.pending.append(bytes)
            }
        }
    }

    /// The client's input ended (its half-close or hang-up).
    public func end() async {
        await Self.offload { self.endBlocking() }
    }

    /// A detach sequence was read: the attach ends; stdin closes only where `StdinOnce` says so.
    public func detach() async {
        await end()
        endAttach()
    }

    func endBlocking() {
        let endOutput: Bool = state.withLock { state in
            guard !state.ended else { return false }
            state.ended = true
            guard closesProcessStdin else { return true }
            if let session = state.session, !state.closed {
                state.closed = true
                try? session.closeStdin()
            }
            return false
        }
        if endOutput { endAttach() }
    }

    /// The shim connection is attached with stdin: write what was kept, then apply an end
    /// that came meanwhile.
    func connected(_ session: ShimSession) {
        state.withLock { state in
            state.session = session
            for bytes in state.pending { try? session.sendStdin(bytes) }
            state.pending = []
            if state.ended && closesProcessStdin && !state.closed {
                state.closed = true
                try? session.closeStdin()
            }
        }
    }

    /// The process has no stdin to attach to any more: what the client sends is dropped.
    func unavailable() {
        state.withLock { state in
            state.pending = []
            state.ended = true
            state.closed = true
        }
    }

    static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func offload(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { body(); continuation.resume() }
        }
    }
}
