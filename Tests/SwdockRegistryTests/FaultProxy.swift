import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP proxy on 127.0.0.1 in front of a test registry that misbehaves on request:
/// error statuses, connection resets and truncation mid-body, corrupted bytes, throttling,
/// redirects. One request per connection (it answers `Connection: close`), which keeps the
/// fault accounting exact.
final class FaultProxy: @unchecked Sendable {
    struct Request: Sendable {
        let method: String
        let path: String
        let headers: [String: String]
        /// Whether it came to the `/redirected` location of a `.redirect`.
        var redirected = false
    }

    enum Action: Sendable {
        case forward
        /// Answer with this status and body, not contacting the registry.
        case respond(status: Int, body: String, contentType: String = "application/json")
        /// Forward, but reset the connection (RST) after this many body bytes.
        case resetAfter(Int)
        /// Forward, but close the connection cleanly after this many body bytes (the declared
        /// Content-Length stays, so the body is short).
        case truncateAfter(Int)
        /// Forward with the body byte at this offset flipped.
        case corrupt(at: Int)
        /// Forward at about this many bytes per second.
        case throttle(bytesPerSecond: Int)
        /// Answer 307 to the same path under `/redirected`, which is then forwarded.
        case redirect
    }

    let upstreamPort: UInt16
    private(set) var port: UInt16 = 0
    private let rule: @Sendable (Request) -> Action
    private let lock = NSLock()
    private var requests: [Request] = []
    private var listener: Int32 = -1
    private var stopped = false
    private let group = DispatchGroup()

    /// `upstream` is `127.0.0.1:PORT`.
    init(upstream: String, rule: @escaping @Sendable (Request) -> Action) throws {
        guard let colon = upstream.lastIndex(of: ":"), let port = UInt16(upstream[upstream.index(after: colon)...]),
              upstream[..<colon] == "127.0.0.1" else {
            throw NSError(domain: "FaultProxy", code: 1, userInfo: [NSLocalizedDescriptionKey: "upstream must be 127.0.0.1:PORT"])
        }
        upstreamPort = port
        self.rule = rule
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = FaultProxy.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            throw NSError(domain: "FaultProxy", code: 2, userInfo: [NSLocalizedDescriptionKey: "bind/listen: errno \(errno)"])
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `127.0.0.1:PORT` of the proxy.
    var address: String { "127.0.0.1:\(port)" }

    /// Requests seen so far (HTTP ones; TLS probes are refused and not logged).
    var log: [Request] { lock.withLock { requests } }

    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = group.wait(timeout: .now() + 10)
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            if lock.withLock({ stopped }) {
                close(client)
                return
            }
            group.enter()
            let thread = Thread { [self] in
                handle(client)
                group.leave()
            }
            thread.start()
        }
    }

    // MARK: One connection

    private func readHead(_ fd: Int32) -> (head: [UInt8], rest: [UInt8])? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            data.append(contentsOf: buffer[0..<n])
            if data.first == 0x16 { return nil }  // a TLS ClientHello: this is a plain-HTTP proxy
            if let end = FaultProxy.find(data, Array("\r\n\r\n".utf8)) {
                return (Array(data[..<(end + 4)]), Array(data[(end + 4)...]))
            }
            if data.count > 1 << 20 { return nil }
        }
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    static func parseHead(_ head: [UInt8]) -> (first: String, headers: [(String, String)]) {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return (lines.first ?? "", headers)
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        guard let (head, rest) = readHead(client) else { return }
        let (first, headerList) = FaultProxy.parseHead(head)
        let parts = first.split(separator: " ")
        guard parts.count >= 2 else { return }
        var path = String(parts[1])
        var headers: [String: String] = [:]
        for (name, value) in headerList { headers[name.lowercased()] = value }
        let redirected = path.hasPrefix("/redirected/")
        if redirected { path = String(path.dropFirst("/redirected".count)) }
        let request = Request(method: String(parts[0]), path: path, headers: headers, redirected: redirected)
        lock.withLock { requests.append(request) }
        let action = redirected ? .forward : rule(request)

        switch action {
        case .respond(let status, let body, let contentType):
            let bytes = Array(body.utf8)
            let answer = "HTTP/1.1 \(status) Status\r\nContent-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
            _ = sendAll(client, Array(answer.utf8) + bytes)
            return
        case .redirect:
            let answer = "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://\(address)/redirected\(path)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            _ = sendAll(client, Array(answer.utf8))
            return
        default:
            break
        }

        // Forward to the registry with Connection: close.
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(upstream) }
        var address = FaultProxy.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return }
        var out = "\(parts[0]) \(path) HTTP/1.1\r\n"
        for (name, value) in headerList where !["connection", "keep-alive"].contains(name.lowercased()) {
            out += "\(name): \(value)\r\n"
        }
        out += "Connection: close\r\n\r\n"
        guard sendAll(upstream, Array(out.utf8) + rest) else { return }
        // A request body beyond what came with the head (token POSTs are small).
        if let length = Int(headers["content-length"] ?? ""), length > rest.count {
            var remaining = length - rest.count
            var buffer = [UInt8](repeating: 0, count: 16384)
            while remaining > 0 {
                let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, min($0.count, remaining), 0) }
                if n <= 0 { return }
                guard sendAll(upstream, Array(buffer[0..<n])) else { return }
                remaining -= n
            }
        }
        guard let (responseHead, bodyStart) = readHead(upstream) else { return }
        let (status, responseHeaders) = FaultProxy.parseHead(responseHead)
        var rewritten = status + "\r\n"
        for (name, value) in responseHeaders where !["connection", "keep-alive"].contains(name.lowercased()) {
            rewritten += "\(name): \(value)\r\n"
        }
        rewritten += "Connection: close\r\n\r\n"
        guard sendAll(client, Array(rewritten.utf8)) else { return }

        var sent = 0
        var pending = bodyStart
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if pending.isEmpty {
                let n = buffer.withUnsafeMutableBytes { recv(upstream, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return }
                pending = Array(buffer[0..<n])
            }
            var chunk = pending
            pending = []
            switch action {
            case .resetAfter(let limit), .truncateAfter(let limit):
                if sent + chunk.count >= limit {
                    _ = sendAll(client, Array(chunk[0..<(limit - sent)]))
                    if case .resetAfter = action {
                        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                        setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                    } else {
                        shutdown(client, Int32(SHUT_WR))
                    }
                    return
                }
            case .corrupt(let offset):
                if offset >= sent && offset < sent + chunk.count { chunk[offset - sent] ^= 0xff }
            case .throttle(let rate):
                let slice = max(1, rate / 20)
                if chunk.count > slice {
                    pending = Array(chunk[slice...])
                    chunk = Array(chunk[..<slice])
                }
                usleep(50_000)
            default:
                break
            }
            guard sendAll(client, chunk) else { return }
            sent += chunk.count
        }
    }
}
