#if canImport(Glibc)
import Glibc
#endif
import SwdockOS
import SwdockShimCore

/// One connection to a container's shim that another thread can cancel: the daemon's monitor
/// (a pending `wait`) and attach readers block in `poll` on the socket and a wake pipe, so
/// shutting the service down or a client going away ends them at once.
///
/// Frames follow docs/shim-protocol.md. One thread reads; writes are serialised by a lock.
final class ShimSession: @unchecked Sendable {
    let socketPath: String
    private let fd: FileDescriptor
    private let wake: (read: FileDescriptor, write: FileDescriptor)
    private var decoder = ShimFrameDecoder()
    private var held: [ShimFrame] = []
    private let writeLock = Locked(())
    private let cancelled = Locked(false)

    init(socketPath: String) throws(ShimError) {
        self.socketPath = socketPath
        do { fd = try UnixSocket.connect(path: socketPath) } catch { throw ShimError("connect to shim \(socketPath)", error) }
        do { wake = try FileDescriptor.pipe() } catch {
            fd.close()
            throw ShimError("create a wake pipe for shim \(socketPath)", error)
        }
        do {
            try request("hello", [("protocol", String(ShimProtocol.version))])
        } catch {
            fd.close(); wake.read.close(); wake.write.close()
            throw error
        }
    }

    deinit {
        fd.close()
        wake.read.close()
        wake.write.close()
    }

    /// Ends a blocked or later read on this session (it returns nil or throws `.protocol`).
    func cancel() {
        let first = cancelled.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        if first { try? wake.write.writeAll([1]) }
    }

    var isCancelled: Bool { cancelled.withLock { $0 } }

    /// Sends a request and returns its `ok` answer; an `error` answer is thrown as its ShimError.
    @discardableResult
    func request(_ verb: String, _ fields: [(String, String)] = []) throws(ShimError) -> ShimMessage {
        try send(ShimFrame(kind: .request, payload: ShimMessage(verb, fields).encoded))
        while true {
            guard let frame = try receive() else {
                throw ShimError(.protocol, "shim \(socketPath) closed the connection before answering \(verb)")
            }
            guard frame.kind == .response else {
                held.append(frame)
                continue
            }
            let message = try ShimMessage.decode(frame.payload)
            if message.verb == "ok" { return message }
            let code = ShimError.Code(rawValue: message["code"] ?? "") ?? .protocol
            throw ShimError(code, message["message"] ?? "shim answered \(message.verb) to \(verb)")
        }
    }

    /// The next output or event frame; nil when the shim closed the connection or on cancel.
    func nextFrame() throws(ShimError) -> ShimFrame? {
        if !held.isEmpty { return held.removeFirst() }
        return try receive()
    }

    func sendStdin(_ bytes: [UInt8]) throws(ShimError) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + ShimProtocol.maxPayload)
            try send(ShimFrame(kind: .stdin, payload: Array(bytes[offset..<end])))
            offset = end
        }
    }

    func closeStdin() throws(ShimError) { try send(ShimFrame(kind: .stdinClose)) }

    /// Writes with `MSG_NOSIGNAL`: a shim that has exited must be an error here, not a SIGPIPE
    /// that kills the daemon.
    private func send(_ frame: ShimFrame) throws(ShimError) {
        let bytes = frame.encoded
        let result: Result<Void, OSError> = writeLock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written: Int
                do {
                    written = try sys("send", socketPath) {
                        bytes.withUnsafeBytes { raw in
                            Glibc.send(fd.rawValue, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                        }
                    }
                } catch let error as OSError {
                    return .failure(error)
                } catch {
                    return .failure(OSError(call: "send", object: socketPath, errno: EIO))
                }
                offset += written
            }
            return .success(())
        }
        if case .failure(let error) = result { throw ShimError("write to shim \(socketPath)", error) }
    }

    private func receive() throws(ShimError) -> ShimFrame? {
        while true {
            if let frame = try decoder.next() { return frame }
            if isCancelled { return nil }
            var fds = [pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake.read.rawValue, events: Int16(POLLIN), revents: 0)]
            do {
                _ = try sys("poll", socketPath) { poll(&fds, 2, -1) }
            } catch { throw ShimError("wait for shim \(socketPath)", error) }
            if fds[1].revents != 0 { return nil }
            let bytes: [UInt8]
            do { bytes = try fd.read(upTo: 65536) } catch {
                if error.errno == ECONNRESET { return nil }
                throw ShimError("read from shim \(socketPath)", error)
            }
            if bytes.isEmpty { return nil }
            decoder.feed(bytes)
        }
    }
}

/// Names the calling thread (as `top -H` and /proc/<pid>/task/<tid>/comm show it; 15 bytes max).
enum ThreadName {
    static func set(_ name: String) {
        // /proc/thread-self/comm is PR_SET_NAME without a variadic prctl call.
        guard let fd = try? FileDescriptor.open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC) else { return }
        defer { fd.close() }
        try? fd.writeAll(Array(name.utf8.prefix(15)))
    }
}
