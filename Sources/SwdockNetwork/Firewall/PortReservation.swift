#if canImport(Glibc)
import Glibc
#endif
import SwdockOS

/// A host port held by a bound (not listening) socket while it is published, so that no host
/// process and no other container can take it, and so that `-p 80` (host port 0) gets a free
/// ephemeral port from the kernel. Packets never reach the socket: DNAT rewrites them first.
///
/// The engine keeps the reservation for as long as the mapping exists and re-reserves at
/// daemon start (a bound socket does not survive its process).
public final class PortReservation: Sendable {
    public let proto: TransportProtocol
    public let hostIP: UInt32?
    /// The reserved port (the kernel's choice when 0 was asked for).
    public let port: UInt16
    private let descriptor: Locked<Int32>

    private init(proto: TransportProtocol, hostIP: UInt32?, port: UInt16, fd: Int32) {
        self.proto = proto
        self.hostIP = hostIP
        self.port = port
        descriptor = Locked(fd)
    }

    /// Binds `hostIP:port` (every address when nil; an ephemeral port when 0); `.conflict`
    /// when the port is taken.
    public static func reserve(_ proto: TransportProtocol, hostIP: UInt32? = nil, port: UInt16) throws(NetworkError) -> PortReservation {
        let what = "reserve host port \(hostIP.map(IPv4Subnet.format) ?? "0.0.0.0"):\(port)/\(proto.rawValue)"
        let type = proto == .tcp ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        let fd = try os(what) { () throws(OSError) in
            try sys("socket", "AF_INET") { socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0) }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = (hostIP ?? 0).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            let code = swdock_errno()
            close(fd)
            throw NetworkError(code == EADDRINUSE ? .conflict : .system, "\(what): \(Errno.message(code)) (\(Errno.name(code)))",
                               errno: code, cause: OSError(call: "bind", object: what, errno: code))
        }
        return PortReservation(proto: proto, hostIP: hostIP, port: UInt16(bigEndian: address.sin_port), fd: fd)
    }

    /// Gives the port back (also done when the reservation is dropped).
    public func release() {
        descriptor.withLock { fd in
            if fd >= 0 { close(fd); fd = -1 }
        }
    }

    deinit { release() }
}

import CSwdockSys
