#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// `AF_UNIX` stream sockets: listen/accept/connect by path, fd passing (`SCM_RIGHTS`), peer uid.
public enum UnixSocket {
    /// Binds and listens on `path` (non-blocking, close-on-exec). A stale socket file left by a
    /// previous owner is removed first only when `replacingStale` is set.
    public static func listen(path: String, backlog: Int32 = 16, replacingStale: Bool = false) throws(OSError) -> FileDescriptor {
        if replacingStale { _ = unlink(path) }
        let fd = try sys("bind/listen", "\"\(path)\"") { swdock_unix_listen(path, backlog) }
        return FileDescriptor(rawValue: fd)
    }

    /// Accepts one pending connection (non-blocking, close-on-exec); nil when none is pending.
    public static func accept(_ listener: FileDescriptor) throws(OSError) -> FileDescriptor? {
        while true {
            let fd = swdock_unix_accept(listener.rawValue)
            if fd >= 0 { return FileDescriptor(rawValue: fd) }
            let code = swdock_errno()
            switch code {
            case EINTR: continue
            case EAGAIN, ECONNABORTED: return nil
            default: throw OSError(call: "accept4", object: "fd \(listener.rawValue)", errno: code)
            }
        }
    }

    /// A blocking, close-on-exec connection to the socket at `path`.
    public static func connect(path: String) throws(OSError) -> FileDescriptor {
        FileDescriptor(rawValue: try sys("connect", "\"\(path)\"") { swdock_unix_connect(path) })
    }

    /// Sends `fd` to the peer (with one filler byte, as runc's console socket protocol does).
    public static func send(fileDescriptor fd: FileDescriptor, over socket: FileDescriptor) throws(OSError) {
        try sys("sendmsg(SCM_RIGHTS)", "fd \(socket.rawValue)") { swdock_send_fd(socket.rawValue, fd.rawValue) }
    }

    /// Receives bytes and at most one passed fd (close-on-exec). `bytes` is empty at end of stream.
    public static func receive(over socket: FileDescriptor, upTo count: Int = 4096) throws(OSError)
        -> (bytes: [UInt8], fileDescriptor: FileDescriptor?) {
        var buffer = [UInt8](repeating: 0, count: count)
        var passed: Int32 = -1
        let n = try sys("recvmsg", "fd \(socket.rawValue)") {
            buffer.withUnsafeMutableBytes { swdock_recv_fd(socket.rawValue, $0.baseAddress, count, &passed) }
        }
        buffer.removeSubrange(n...)
        return (buffer, passed >= 0 ? FileDescriptor(rawValue: passed) : nil)
    }

    /// The uid of the process at the other end of a connected socket (`SO_PEERCRED`).
    public static func peerUID(_ socket: FileDescriptor) throws(OSError) -> uid_t {
        var uid: uid_t = 0
        try sys("getsockopt(SO_PEERCRED)", "fd \(socket.rawValue)") { swdock_peer_uid(socket.rawValue, &uid) }
        return uid
    }
}
