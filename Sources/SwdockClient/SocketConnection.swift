#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// A blocking connection to the daemon's Unix socket with a read buffer: no threads and no event
/// loop, so a CLI call costs a connect, a write and a read.
public final class SocketConnection {
    public let fd: FileDescriptor
    private var buffer: [UInt8] = []
    private var position = 0

    /// Connects to `address`; a missing socket or nobody listening is Docker's
    /// "Cannot connect … Is it running?". With a `timeout`, connecting (to a full backlog),
    /// each send and each read give up after that long (SO_SNDTIMEO/SO_RCVTIMEO).
    public init(_ address: DaemonAddress, timeout: Duration? = nil) throws(ClientError) {
        let raw: Int32
        do {
            raw = try sys("socket", "AF_UNIX") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        } catch {
            throw ClientError(.connect, "create a socket", cause: error.description)
        }
        fd = FileDescriptor(rawValue: raw)
        if let timeout {
            do { try Self.setTimeout(timeout, on: raw) } catch {
                fd.close()
                throw ClientError(.connect, "set a \(timeout) timeout on the socket to \(address)", cause: error.description)
            }
        }
        var sockaddr = sockaddr_un()
        sockaddr.sun_family = sa_family_t(AF_UNIX)
        let path = Array(address.socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: sockaddr.sun_path) else {
            fd.close()
            throw ClientError(.connect, "socket path \(address.socketPath) is too long")
        }
        withUnsafeMutableBytes(of: &sockaddr.sun_path) { raw in
            for (i, byte) in path.enumerated() { raw[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        do {
            try sys("connect", address.description) {
                withUnsafePointer(to: &sockaddr) { $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { connect(raw, $0, length) } }
            }
        } catch {
            fd.close()
            switch error.errno {
            case ENOENT, ECONNREFUSED:
                throw ClientError(.connect, "Cannot connect to swdockd at \(address). Is it running?")
            case EACCES:
                throw ClientError(.connect, "permission denied while trying to connect to swdockd at \(address)")
            default:
                throw ClientError(.connect, "Cannot connect to swdockd at \(address)", cause: error.description)
            }
        }
    }

    deinit { fd.close() }

    /// SO_SNDTIMEO (which also bounds a Unix-socket connect) and SO_RCVTIMEO; at least 1 µs, as 0 means "never".
    private static func setTimeout(_ timeout: Duration, on socket: Int32) throws(OSError) {
        let (seconds, attoseconds) = timeout.components
        let microseconds = max(seconds * 1_000_000 + attoseconds / 1_000_000_000_000, 1)
        var value = timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        for option in [SO_SNDTIMEO, SO_RCVTIMEO] {
            try sys("setsockopt", option == SO_SNDTIMEO ? "SO_SNDTIMEO" : "SO_RCVTIMEO") {
                setsockopt(socket, SOL_SOCKET, option, &value, size)
            }
        }
    }

    /// True when bytes already read from the socket wait in the buffer (poll would not see them).
    public var hasBufferedBytes: Bool { position < buffer.count }

    public func write(_ bytes: [UInt8]) throws(ClientError) {
        do { try fd.writeAll(bytes) } catch { throw ClientError(.protocolError, "send to swdockd", cause: error.description) }
    }

    /// Closes our sending side (stdin EOF on a hijacked stream); the daemon's output keeps coming.
    public func shutdownWrite() throws(ClientError) {
        do { try sys("shutdown", "SHUT_WR") { shutdown(fd.rawValue, Int32(SHUT_WR)) } } catch {
            throw ClientError(.protocolError, "half-close the connection", cause: error.description)
        }
    }

    /// Up to `limit` buffered or freshly read bytes; empty at end of stream.
    public func readSome(limit: Int = 65536) throws(ClientError) -> [UInt8] {
        if position < buffer.count {
            let end = min(buffer.count, position + limit)
            defer { position = end }
            return Array(buffer[position..<end])
        }
        do { return try fd.read(upTo: limit) } catch { throw ClientError(.protocolError, "read from swdockd", cause: error.description) }
    }

    private func fill() throws(ClientError) -> Bool {
        if position > 0 && position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        let chunk: [UInt8]
        do { chunk = try fd.read(upTo: 65536) } catch { throw ClientError(.protocolError, "read from swdockd", cause: error.description) }
        if chunk.isEmpty { return false }
        buffer.append(contentsOf: chunk)
        return true
    }

    /// One line without its CRLF (or LF).
    func readLine() throws(ClientError) -> String {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > position, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = newline + 1
                return line
            }
            guard try fill() else { throw ClientError(.protocolError, "swdockd closed the connection in the middle of a response") }
        }
    }

    /// Exactly `count` bytes.
    func readExactly(_ count: Int) throws(ClientError) -> [UInt8] {
        while buffer.count - position < count {
            guard try fill() else { throw ClientError(.protocolError, "swdockd closed the connection in the middle of a body") }
        }
        defer { position += count }
        return Array(buffer[position..<position + count])
    }

    /// Everything until the daemon closes.
    func readToEnd() throws(ClientError) -> [UInt8] {
        while try fill() {}
        defer { position = buffer.count }
        return Array(buffer[position...])
    }
}
