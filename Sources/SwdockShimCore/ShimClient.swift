#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// A blocking client of one shim's socket: the daemon's side of docs/shim-protocol.md.
///
/// One thread at a time uses a client. Output and event frames that arrive while a response
/// is awaited are kept, in order, for `nextFrame()`.
public final class ShimClient {
    public let socketPath: String
    let fd: FileDescriptor
    private var decoder = ShimFrameDecoder()
    private var held: [ShimFrame] = []
    /// What the shim said in its hello response (`protocol`, `version`, `id`, `shim-pid`).
    public private(set) var hello = ShimMessage("ok")

    /// Connects and says hello; `timeoutSeconds` bounds every later read (0: no bound).
    public init(socketPath: String, timeoutSeconds: Int = 0) throws(ShimError) {
        self.socketPath = socketPath
        do { fd = try UnixSocket.connect(path: socketPath) } catch { throw ShimError("connect to shim \(socketPath)", error) }
        if timeoutSeconds > 0 {
            var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        do {
            hello = try request("hello", [("protocol", String(ShimProtocol.version))])
        } catch {
            fd.close()
            throw error
        }
    }

    deinit { fd.close() }

    /// Sends a request and returns its `ok` response; an `error` response is thrown as the
    /// `ShimError` it carries.
    @discardableResult
    public func request(_ verb: String, _ fields: [(String, String)] = []) throws(ShimError) -> ShimMessage {
        try send(ShimFrame(kind: .request, payload: ShimMessage(verb, fields).encoded))
        while true {
            guard let frame = try receiveFrame() else {
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

    /// The next output or event frame; nil when the shim closed the connection.
    public func nextFrame() throws(ShimError) -> ShimFrame? {
        if !held.isEmpty { return held.removeFirst() }
        return try receiveFrame()
    }

    /// Sends bytes to the attached process's stdin (after `attach` with `stdin=true`).
    public func sendStdin(_ bytes: [UInt8]) throws(ShimError) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + ShimProtocol.maxPayload)
            try send(ShimFrame(kind: .stdin, payload: Array(bytes[offset..<end])))
            offset = end
        }
    }

    /// Ends the attached process's stdin once what was sent is written.
    public func closeStdin() throws(ShimError) { try send(ShimFrame(kind: .stdinClose)) }

    private func send(_ frame: ShimFrame) throws(ShimError) {
        do { try fd.writeAll(frame.encoded) } catch { throw ShimError("write to shim \(socketPath)", error) }
    }

    private func receiveFrame() throws(ShimError) -> ShimFrame? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let frame = try decoder.next() { return frame }
            let n: Int
            do {
                n = try buffer.withUnsafeMutableBytes { raw in
                    try sys("read", "shim \(socketPath)") { Glibc.read(fd.rawValue, raw.baseAddress, raw.count) }
                }
            } catch let error as OSError {
                throw ShimError("read from shim \(socketPath)", error)
            } catch {
                throw ShimError(.os, "read from shim \(socketPath): \(error)")
            }
            if n == 0 {
                if decoder.bufferedCount > 0 { throw ShimError(.protocol, "shim \(socketPath) closed the connection inside a frame") }
                return nil
            }
            buffer.withUnsafeBytes { decoder.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}
