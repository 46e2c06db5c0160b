#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// A NETLINK_ROUTE socket that sends one request at a time and collects its answer: the ACK
/// (or the kernel's errno with its extended-ack text) or every part of a dump.
///
/// The socket belongs to the network namespace it was opened in, for its whole life: that is
/// how `RouteNetlink(namespace:)` works inside a container's netns without moving any thread
/// of the daemon.
final class NetlinkSocket: @unchecked Sendable {
    private let fd: Int32
    private var sequence: UInt32 = 0
    private var mutex = pthread_mutex_t()

    init() throws(NetworkError) {
        fd = try os("open netlink socket (NETLINK_ROUTE)") { () throws(OSError) in
            try sys("socket", "AF_NETLINK") { socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE) }
        }
        pthread_mutex_init(&mutex, nil)
        var one: Int32 = 1
        // Extended ACKs carry the kernel's reason in words ("Unknown device type"); best effort.
        _ = setsockopt(fd, SWDOCK_SOL_NETLINK, NETLINK_EXT_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SWDOCK_SOL_NETLINK, NETLINK_CAP_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        let fd = self.fd
        do {
            try os("bind netlink socket") { () throws(OSError) in
                try sys("bind", "netlink") {
                    withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                        }
                    }
                }
            }
        } catch { Glibc.close(fd); throw error }
    }

    deinit { Glibc.close(fd); pthread_mutex_destroy(&mutex) }

    /// Sends `request` and returns the data messages of the answer (empty for a plain ACK).
    /// `what` names the operation and the object for the error: `create bridge "swdock0"`.
    func perform(_ request: NetlinkRequest, _ what: @autoclosure () -> String) throws(NetworkError) -> [NetlinkReply] {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        // A dump that changed while the kernel sent it is flagged NLM_F_DUMP_INTR: ask again.
        for _ in 0..<4 {
            let replies = try performLocked(request, what)
            if !replies.contains(where: { $0.flags & UInt16(NLM_F_DUMP_INTR) != 0 }) { return replies }
        }
        throw NetworkError(.netlink, "\(what()): the kernel's answer kept changing while it was sent (NLM_F_DUMP_INTR)")
    }

    private func performLocked(_ request: NetlinkRequest, _ what: () -> String) throws(NetworkError) -> [NetlinkReply] {
        sequence &+= 1
        let seq = sequence
        let message = request.finished(sequence: seq)
        let fd = self.fd
        _ = try os("\(what()): send netlink request") { () throws(OSError) in
            try sys("send", "netlink") { message.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } }
        }
        var results: [NetlinkReply] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try os("\(what()): receive netlink answer") { () throws(OSError) in
                try sys("recv", "netlink") { buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
            }
            for reply in NetlinkReply.split(Array(buffer[0..<n])) where reply.sequence == seq {
                switch Int32(reply.type) {
                case NLMSG_DONE:
                    return results
                case NLMSG_ERROR:
                    let code = reply.payload.count >= 4 ? Int32(bitPattern: readUInt32(reply.payload, reply.payload.startIndex)) : -EIO
                    if code == 0 { return results }  // the ACK
                    throw Self.error(for: reply, errno: -code, what())
                default:
                    results.append(reply)
                    // A single (non-dump) answer has no NLMSG_DONE after it; the ACK follows it.
                }
            }
        }
    }

    /// The error for an NLMSG_ERROR reply, with the extended-ack message when the kernel sent one.
    private static func error(for reply: NetlinkReply, errno code: Int32, _ what: String) -> NetworkError {
        var detail = ""
        // struct nlmsgerr is the errno plus the request's header (capped: NETLINK_CAP_ACK), then TLVs.
        if reply.flags & UInt16(NLM_F_ACK_TLVS) != 0, reply.payload.count > 20 {
            let tlvs = NetlinkAttributes(reply.payload.dropFirst(20))
            if let text = tlvs.string(UInt16(NLMSGERR_ATTR_MSG.rawValue)), !text.isEmpty { detail = " (\(text))" }
        }
        let kind: NetworkError.Code = code == ENODEV || code == ENOENT || code == ESRCH ? .notFound : .netlink
        return NetworkError(kind, "\(what): \(Errno.message(code)) (\(Errno.name(code)))\(detail)", errno: code,
                            cause: OSError(call: "netlink", object: what, errno: code))
    }
}
