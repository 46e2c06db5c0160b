#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockNetwork
import SwdockOS

/// A tiny authoritative DNS server for tests, on a loopback address of the host (127.0.53.53:53
/// unless taken): UDP and TCP, A records for the names it is given, NXDOMAIN for everything
/// else, and a log of every question it saw. Containers get it with `--dns ADDRESS`, so no
/// test query ever leaves the machine.
public final class TestDNSServer: @unchecked Sendable {
    public let address: UInt32
    public var addressText: String { IPv4Subnet.format(address) }
    private let records: [String: UInt32]
    private let udp: Int32
    private let tcp: Int32
    private let seen = Locked<[(name: String, type: UInt16, tcp: Bool)]>([])
    private let stopped = Locked(false)
    private var threads: [Thread] = []
    private let done = DispatchGroup()

    /// Binds 127.0.53.53:53 (or another free 127.53.x.y:53) and starts answering.
    public init(records: [String: String]) throws {
        self.records = Dictionary(uniqueKeysWithValues: records.map { ($0.key.lowercased(), IPv4Subnet.parseAddress($0.value)!) })
        var candidates: [UInt32] = [0x7F00_3535]
        for _ in 0..<20 { candidates.append(0x7F35_0000 | UInt32.random(in: 1...0xFFFE)) }
        var bound: (UInt32, Int32, Int32)?
        for candidate in candidates {
            guard let u = Self.bind(candidate, SOCK_DGRAM) else { continue }
            guard let t = Self.bind(candidate, SOCK_STREAM) else { close(u); continue }
            bound = (candidate, u, t)
            break
        }
        guard let bound else { throw NSError(domain: "TestDNSServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "no free 127.x address for port 53"]) }
        (address, udp, tcp) = bound
        listen(tcp, 16)
        start { [self] in serveUDP() }
        start { [self] in serveTCP() }
    }

    deinit { stop() }

    /// The questions seen so far (lower-cased names).
    public var questions: [(name: String, type: UInt16, tcp: Bool)] { seen.withLock { $0 } }

    /// Stops both loops and closes the sockets (idempotent).
    public func stop() {
        let first = stopped.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        guard first else { return }
        shutdown(udp, Int32(SHUT_RDWR))
        shutdown(tcp, Int32(SHUT_RDWR))
        done.wait()
        close(udp)
        close(tcp)
    }

    private func start(_ body: @escaping @Sendable () -> Void) {
        done.enter()
        let thread = Thread { [done] in
            body()
            done.leave()
        }
        threads.append(thread)
        thread.start()
    }

    private static func bind(_ address: UInt32, _ type: __socket_type) -> Int32? {
        let fd = socket(AF_INET, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var on: Int32 = 1
        if type == SOCK_STREAM { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, 4) }
        var time = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var value = sockaddr_in()
        value.sin_family = sa_family_t(AF_INET)
        value.sin_port = UInt16(53).bigEndian
        value.sin_addr.s_addr = address.bigEndian
        let ok = withUnsafePointer(to: &value) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if !ok { close(fd); return nil }
        return fd
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    /// The answer to a query: A records for known names, NXDOMAIN otherwise.
    private func answer(_ bytes: [UInt8], tcp: Bool) -> [UInt8]? {
        guard let query = try? DNSMessage.parse(bytes), let question = query.questions.first else { return nil }
        seen.withLock { $0.append((question.name.text, question.type, tcp)) }
        if let address = records[question.name.text] {
            let answers = question.type == DNSType.a ? [DNSRecord(name: question.name, type: DNSType.a, ttl: 30, data: .a(address))] : []
            return DNSMessage.response(to: query, code: DNSResponseCode.noError, answers: answers, authoritative: true).encoded()
        }
        return DNSMessage.response(to: query, code: DNSResponseCode.nameError, authoritative: true).encoded()
    }

    private func serveUDP() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !isStopped {
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(udp, raw.baseAddress, raw.count, 0, $0, &length) }
                }
            }
            guard n > 0, let reply = answer(Array(buffer[0..<n]), tcp: false) else { continue }
            _ = reply.withUnsafeBytes { raw in
                withUnsafePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(udp, raw.baseAddress, raw.count, 0, $0, length) }
                }
            }
        }
    }

    private func serveTCP() {
        while !isStopped {
            let connection = accept(tcp, nil, nil)
            if connection < 0 { continue }
            var time = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
            while let query = Self.readFrame(connection), let reply = answer(query, tcp: true) {
                let framed = [UInt8(reply.count >> 8), UInt8(reply.count & 0xFF)] + reply
                guard framed.withUnsafeBytes({ send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == framed.count else { break }
            }
            close(connection)
        }
    }

    private static func readFrame(_ fd: Int32) -> [UInt8]? {
        func exactly(_ count: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            var offset = 0
            while offset < count {
                let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
                guard n > 0 else { return nil }
                offset += n
            }
            return bytes
        }
        guard let head = exactly(2) else { return nil }
        return exactly(Int(head[0]) << 8 | Int(head[1]))
    }
}

/// A DNS query from inside a network namespace (the way a container's stub resolver asks).
public enum DNSProbe {
    /// Sends `name`/`type` to `server` (127.0.0.11:53 by default) from a thread in `namespace`
    /// over UDP or TCP and returns the parsed reply (nil on timeout).
    public static func query(_ name: String, type: UInt16 = DNSType.a, in namespace: NetworkNamespace,
                             server: UInt32 = EmbeddedDNS.address, tcp: Bool = false, timeoutSeconds: Int = 5) throws -> DNSMessage? {
        let id = UInt16.random(in: 1...0xFFFF)
        let query = DNSMessage.query(id: id, name: DNSName(name)!, type: type).encoded()
        let reply = try namespace.run { () throws(NetworkError) -> [UInt8]? in exchange(query, server: server, tcp: tcp, timeoutSeconds: timeoutSeconds) }
        guard let reply else { return nil }
        let message = try DNSMessage.parse(reply)
        return message.id == id ? message : nil
    }

    /// One exchange of raw bytes with `server:53` from the calling thread's namespace.
    public static func exchange(_ query: [UInt8], server: UInt32, tcp: Bool, timeoutSeconds: Int = 5) -> [UInt8]? {
        let fd = socket(AF_INET, Int32((tcp ? SOCK_STREAM : SOCK_DGRAM).rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var time = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var value = sockaddr_in()
        value.sin_family = sa_family_t(AF_INET)
        value.sin_port = UInt16(53).bigEndian
        value.sin_addr.s_addr = server.bigEndian
        let connected = withUnsafePointer(to: &value) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        let payload = tcp ? [UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query : query
        guard payload.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == payload.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        if !tcp {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return n > 0 ? Array(buffer[0..<n]) : nil
        }
        var received: [UInt8] = []
        while received.count < 2 || received.count < 2 + (Int(received[0]) << 8 | Int(received[1])) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            received += buffer[0..<n]
        }
        return Array(received[2..<2 + (Int(received[0]) << 8 | Int(received[1]))])
    }
}
