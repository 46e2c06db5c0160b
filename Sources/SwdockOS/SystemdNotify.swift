#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys

/// `sd_notify(3)` without libsystemd: one datagram of newline-separated `KEY=VALUE` lines to
/// the `AF_UNIX` socket named by NOTIFY_SOCKET (a path, or `@name` for the abstract namespace).
public enum SystemdNotify {
    /// The socket systemd asked notifications on, or nil when this process was not started
    /// with NOTIFY_SOCKET (not under a `Type=notify` unit).
    public static var socketAddress: String? {
        guard let value = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return value
    }

    /// Sends `state` (e.g. `READY=1\nSTATUS=serving`). Returns false, sending nothing, when there is
    /// no NOTIFY_SOCKET; throws when the socket is set but the datagram cannot be delivered.
    @discardableResult
    public static func notify(_ state: String) throws(OSError) -> Bool {
        guard let address = socketAddress else { return false }
        try send(state, to: address)
        return true
    }

    /// Sends `state` as one datagram to `address` (`/path` or `@abstract`).
    public static func send(_ state: String, to address: String) throws(OSError) {
        var path = Array(address.utf8)
        guard path.first == UInt8(ascii: "/") || path.first == UInt8(ascii: "@") else {
            throw OSError(call: "sd_notify", object: "NOTIFY_SOCKET=\(address): neither a path nor @abstract", errno: EAFNOSUPPORT)
        }
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        var socketAddress = sockaddr_un()
        let capacity = MemoryLayout.size(ofValue: socketAddress.sun_path)
        guard path.count < capacity else {
            throw OSError(call: "sd_notify", object: "NOTIFY_SOCKET=\(address)", errno: ENAMETOOLONG)
        }
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        // An abstract name is exactly its bytes (no terminator); a path carries its NUL.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let fd = try sys("socket(AF_UNIX, SOCK_DGRAM)", "NOTIFY_SOCKET=\(address)") {
            socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        defer { close(fd) }
        let bytes = Array(state.utf8)
        let sent = try sys("sendto", "NOTIFY_SOCKET=\(address)") {
            withUnsafePointer(to: &socketAddress) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), address, length) }
                }
            }
        }
        guard sent == bytes.count else { throw OSError(call: "sendto", object: "NOTIFY_SOCKET=\(address): short datagram", errno: EMSGSIZE) }
    }
}
