#if canImport(Glibc)
import Glibc
#endif
import CSwdockSys
import SwdockOS

/// Docker's embedded DNS server (127.0.0.11): one per container on a user-defined network.
///
/// Each server's UDP and TCP sockets are bound to 127.0.0.11:53 *inside* the container's network
/// namespace (made by a thread that `setns`es there and ends: a socket stays in the namespace it
/// was created in), and then served by one epoll thread of the daemon, which itself stays in the
/// host namespace — so forwarded queries leave from the host, where a resolver on 127.0.0.53
/// works. Names of the container's networks are answered from its `DNSView`; everything else is
/// forwarded to the view's upstreams (UDP for UDP, TCP for TCP), each tried for
/// `forwardTimeoutMilliseconds`, then SERVFAIL. Malformed packets are dropped.
///
/// TCP connections are rare (truncated answers) and each gets a short-lived thread with
/// blocking I/O and timeouts, at most `maxTCPConnections` at a time.
public final class EmbeddedDNS: @unchecked Sendable {
    /// 127.0.0.11, as Docker.
    public static let address: UInt32 = 0x7F00_000B
    public static let port: UInt16 = 53
    public static let forwardTimeoutMilliseconds: Int64 = 2000
    /// Each forward holds a socket of the daemon: a container flooding unknown names must not
    /// take the daemon's file descriptors (beyond this, SERVFAIL at once).
    static let maxPendingForwards = 256
    static let maxTCPConnections = 64

    private let loop: EpollLoop
    private let wakeRead: FileDescriptor
    private let wakeWrite: FileDescriptor
    /// Work handed to the loop thread by other threads.
    private let inbox = Locked<(jobs: [() -> Void], stopped: Bool)>(([], false))
    private let views = Locked<[String: DNSView]>([:])
    /// Open TCP connections per server (shut down when the server goes).
    private let tcp = Locked<[String: Set<Int32>]>([:])

    // Loop-thread state.
    private var servers: [String: (udp: FileDescriptor, tcp: FileDescriptor)] = [:]
    private var forwards: [UInt64: Forward] = [:]
    private var nextForward: UInt64 = 1
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    /// Starts the server thread (no sockets yet).
    public init() throws(NetworkError) {
        loop = try os("create the embedded DNS event loop") { () throws(OSError) in try EpollLoop() }
        let pipe = try os("create the embedded DNS wakeup pipe") { () throws(OSError) in try FileDescriptor.pipe() }
        wakeRead = pipe.read
        wakeWrite = pipe.write
        try os("set up the embedded DNS wakeup pipe") { () throws(OSError) in
            try wakeRead.setNonBlocking()
            try wakeWrite.setNonBlocking()
            try loop.register(wakeRead, for: .readable) { [unowned self] _ in self.drainInbox() }
        }
        guard spawnThread({ [self] in try? self.loop.run() }) else {
            throw NetworkError(.system, "start the embedded DNS thread")
        }
    }

    /// Only after `shutdownAll`: the running thread holds the server.
    deinit {
        wakeRead.close()
        wakeWrite.close()
    }

    // MARK: servers

    /// Binds 127.0.0.11:53 (UDP and TCP) in `namespace` and answers there with `view`.
    /// `lo` must be up. Replaces a server `key` already has.
    public func serve(_ key: String, in namespace: NetworkNamespace, view: DNSView) throws(NetworkError) {
        let sockets = try namespace.run { () throws(NetworkError) -> (udp: FileDescriptor, tcp: FileDescriptor) in
            let udp = try Self.boundSocket(Int32(SOCK_DGRAM.rawValue), in: namespace.path)
            do throws(NetworkError) {
                let tcp = try Self.boundSocket(Int32(SOCK_STREAM.rawValue), in: namespace.path)
                return (udp, tcp)
            } catch {
                udp.close()
                throw error
            }
        }
        views.withLock { $0[key] = view }
        let failure = Locked<OSError?>(nil)
        let ran = onLoop { [self] in
            closeServer(key)
            do throws(OSError) {
                try loop.register(sockets.udp, for: .readable) { [unowned self] _ in self.readQueries(key, sockets.udp) }
                try loop.register(sockets.tcp, for: .readable) { [unowned self] _ in self.acceptConnections(key, sockets.tcp) }
                servers[key] = sockets
            } catch {
                loop.unregister(sockets.udp)
                sockets.udp.close()
                sockets.tcp.close()
                failure.withLock { $0 = error }
            }
        }
        if !ran || failure.withLock({ $0 }) != nil {
            views.withLock { _ = $0.removeValue(forKey: key) }
            if !ran {
                sockets.udp.close()
                sockets.tcp.close()
                throw NetworkError(.system, "serve DNS in \"\(namespace.path)\": the embedded DNS thread has stopped")
            }
            throw NetworkError.system("serve DNS in \"\(namespace.path)\"", failure.withLock { $0 }!)
        }
    }

    /// Replaces what server `key` answers (no-op when it has none).
    public func update(_ key: String, view: DNSView) {
        views.withLock { if $0[key] != nil { $0[key] = view } }
    }

    /// Closes server `key`'s sockets (and its open TCP connections and pending forwards), so the
    /// namespace is no longer held by the daemon. Idempotent.
    public func stop(_ key: String) {
        views.withLock { _ = $0.removeValue(forKey: key) }
        _ = onLoop { [self] in closeServer(key) }
        tcp.withLock { connections in
            for fd in connections[key] ?? [] { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// The servers that are up.
    public var serving: Set<String> { Set(views.withLock { $0.keys }) }

    public func isServing(_ key: String) -> Bool { views.withLock { $0[key] != nil } }

    /// Closes every server and ends the thread (daemon exit, tests).
    public func shutdownAll() {
        for key in serving { stop(key) }
        _ = onLoop { [self] in
            // Refuse new work, run what was queued meanwhile (its callers wait for it), then end.
            let leftovers = inbox.withLock { state -> [() -> Void] in
                state.stopped = true
                defer { state.jobs = [] }
                return state.jobs
            }
            for job in leftovers { job() }
            for key in Array(servers.keys) { closeServer(key) }
            loop.stop()
        }
    }

    // MARK: loop thread

    /// Runs `body` on the loop thread and waits for it; false when the thread has stopped.
    private func onLoop(_ body: @escaping () -> Void) -> Bool {
        let done = Semaphore()
        let queued = inbox.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.jobs.append { body(); done.signal() }
            return true
        }
        guard queued else { return false }
        var one: UInt8 = 1
        _ = write(wakeWrite.rawValue, &one, 1)
        done.wait()
        return true
    }

    private func drainInbox() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(wakeRead.rawValue, &scratch, scratch.count) > 0 {}
        let jobs = inbox.withLock { state -> [() -> Void] in
            defer { state.jobs = [] }
            return state.jobs
        }
        for job in jobs { job() }
    }

    private func closeServer(_ key: String) {
        if let sockets = servers.removeValue(forKey: key) {
            loop.unregister(sockets.udp)
            loop.unregister(sockets.tcp)
            sockets.udp.close()
            sockets.tcp.close()
        }
        for (token, forward) in forwards where forward.key == key { finish(token, forward) }
    }

    /// Reads what the UDP socket has (a bounded batch, to stay fair to other servers).
    private func readQueries(_ key: String, _ socket: FileDescriptor) {
        for _ in 0..<64 {
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &from) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(socket.rawValue, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, &length)
                    }
                }
            }
            if count < 0 {
                if swdock_errno() == EINTR { continue }
                return
            }
            handleQuery(key, socket, Array(buffer[0..<count]), client: from)
        }
    }

    private func handleQuery(_ key: String, _ socket: FileDescriptor, _ packet: [UInt8], client: sockaddr_in) {
        guard let query = try? DNSMessage.parse(packet), !query.isResponse else { return }
        guard let view = views.withLock({ $0[key] }) else { return }
        if let answer = view.localAnswer(to: query, limit: query.udpPayloadLimit) {
            Self.send(answer, on: socket, to: client)
            return
        }
        let failure = DNSMessage.response(to: query, code: DNSResponseCode.serverFailure).encoded()
        guard !view.upstreams.isEmpty, forwards.count < Self.maxPendingForwards else {
            Self.send(failure, on: socket, to: client)
            return
        }
        let token = nextForward
        nextForward += 1
        let forward = Forward(key: key, server: socket, client: client, query: packet, id: query.id, failure: failure,
                              upstreams: view.upstreams)
        forwards[token] = forward
        attempt(token)
    }

    /// Sends the query to the next upstream (the previous one failed or timed out); SERVFAIL
    /// to the client once none is left.
    private func attempt(_ token: UInt64) {
        guard let forward = forwards[token] else { return }
        forward.dropAttempt(loop)
        while forward.next < forward.upstreams.count {
            let upstream = forward.upstreams[forward.next]
            forward.next += 1
            guard let socket = try? Self.connectedSocket(Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), to: upstream) else { continue }
            let sent = forward.query.withUnsafeBytes { Glibc.send(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == forward.query.count,
                  (try? loop.register(socket, for: .readable, handler: { [unowned self] _ in self.readReply(token) })) != nil else {
                socket.close()
                continue
            }
            forward.socket = socket
            forward.timer = loop.schedule(afterMilliseconds: Self.forwardTimeoutMilliseconds) { [unowned self] in self.attempt(token) }
            return
        }
        Self.send(forward.failure, on: forward.server, to: forward.client)
        finish(token, forward)
    }

    private func readReply(_ token: UInt64) {
        guard let forward = forwards[token], let socket = forward.socket else { return }
        let count = buffer.withUnsafeMutableBytes { recv(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count < 0 {
            let code = swdock_errno()
            if code == EAGAIN || code == EINTR { return }
            attempt(token)  // ECONNREFUSED: nothing listens there
            return
        }
        let reply = Array(buffer[0..<count])
        // Only the answer to our query (same ID) counts; anything else is ignored.
        guard DNSMessage.peekID(reply) == forward.id, reply[2] & 0x80 != 0 else { return }
        Self.send(reply, on: forward.server, to: forward.client)
        finish(token, forward)
    }

    private func finish(_ token: UInt64, _ forward: Forward) {
        forward.dropAttempt(loop)
        forwards[token] = nil
    }

    // MARK: TCP

    private func acceptConnections(_ key: String, _ listener: FileDescriptor) {
        while true {
            let fd = swdock_accept_cloexec(listener.rawValue)
            if fd < 0 {
                if swdock_errno() == EINTR { continue }
                return
            }
            let admitted = tcp.withLock { connections -> Bool in
                guard connections.values.reduce(0, { $0 + $1.count }) < Self.maxTCPConnections else { return false }
                connections[key, default: []].insert(fd)
                return true
            }
            guard admitted else { _ = Glibc.close(fd); continue }
            let started = spawnThread { [self] in
                self.serveConnection(key, FileDescriptor(rawValue: fd))
            }
            if !started { closeConnection(key, fd) }
        }
    }

    private func closeConnection(_ key: String, _ fd: Int32) {
        tcp.withLock { connections in
            connections[key]?.remove(fd)
            if connections[key]?.isEmpty == true { connections[key] = nil }
            _ = Glibc.close(fd)
        }
    }

    /// One TCP client: length-prefixed queries until it closes, goes idle or sends garbage.
    private func serveConnection(_ key: String, _ connection: FileDescriptor) {
        defer { closeConnection(key, connection.rawValue) }
        Self.setTimeouts(connection, milliseconds: 10_000)
        while let query = Self.readFrame(connection) {
            guard let message = try? DNSMessage.parse(query), !message.isResponse,
                  let view = views.withLock({ $0[key] }) else { return }
            let answer = view.localAnswer(to: message, limit: nil)
                ?? Self.forwardOverTCP(query, id: message.id, to: view.upstreams)
                ?? DNSMessage.response(to: message, code: DNSResponseCode.serverFailure).encoded()
            guard Self.writeFrame(answer, to: connection) else { return }
        }
    }

    /// The first upstream's answer over TCP, nil when none answers in time.
    static func forwardOverTCP(_ query: [UInt8], id: UInt16, to upstreams: [DNSUpstream]) -> [UInt8]? {
        for upstream in upstreams {
            // SO_SNDTIMEO also bounds a blocking connect on Linux: set it before connecting.
            guard let socket = try? connectedSocket(Int32(SOCK_STREAM.rawValue), to: upstream, timeoutMilliseconds: forwardTimeoutMilliseconds) else {
                continue
            }
            defer { socket.close() }
            if writeFrame(query, to: socket), let reply = readFrame(socket), peekIDMatches(reply, id) { return reply }
        }
        return nil
    }

    private static func peekIDMatches(_ reply: [UInt8], _ id: UInt16) -> Bool { DNSMessage.peekID(reply) == id }

    static func readFrame(_ fd: FileDescriptor) -> [UInt8]? {
        guard let head = readExactly(fd, 2) else { return nil }
        let length = Int(head[0]) << 8 | Int(head[1])
        guard length >= 12 else { return nil }
        return readExactly(fd, length)
    }

    static func writeFrame(_ message: [UInt8], to fd: FileDescriptor) -> Bool {
        guard message.count <= 0xFFFF else { return false }
        let framed = [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
        var offset = 0
        while offset < framed.count {
            let n = framed.withUnsafeBytes { Glibc.send(fd.rawValue, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && swdock_errno() == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    private static func readExactly(_ fd: FileDescriptor, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = bytes.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress! + offset, count - offset, 0) }
            if n < 0 && swdock_errno() == EINTR { continue }
            guard n > 0 else { return nil }
            offset += n
        }
        return bytes
    }

    // MARK: sockets

    /// A close-on-exec, non-blocking socket bound to 127.0.0.11:53 (listening for TCP).
    static func boundSocket(_ type: Int32, in namespace: String) throws(NetworkError) -> FileDescriptor {
        let what = "bind \(type == Int32(SOCK_STREAM.rawValue) ? "TCP" : "UDP") 127.0.0.11:53 in \"\(namespace)\""
        let fd = FileDescriptor(rawValue: try os(what) { () throws(OSError) in
            try sys("socket", "AF_INET") { socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0) }
        })
        do throws(OSError) {
            if type == Int32(SOCK_STREAM.rawValue) {
                // A restarted daemon rebinds while old connections may linger in TIME_WAIT.
                var on: Int32 = 1
                try sys("setsockopt", "SO_REUSEADDR") { setsockopt(fd.rawValue, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(4)) }
            }
            try withSocketAddress(address, port) { (pointer, length) throws(OSError) in
                try sys("bind", "127.0.0.11:53") { bind(fd.rawValue, pointer, length) }
            }
            if type == Int32(SOCK_STREAM.rawValue) { try sys("listen", "127.0.0.11:53") { listen(fd.rawValue, 64) } }
        } catch {
            fd.close()
            throw NetworkError.system(what, error)
        }
        return fd
    }

    /// A socket (close-on-exec) connected to `upstream`.
    static func connectedSocket(_ type: Int32, to upstream: DNSUpstream, timeoutMilliseconds: Int64? = nil) throws(OSError) -> FileDescriptor {
        let fd = FileDescriptor(rawValue: try sys("socket", "AF_INET") { socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0) })
        if let timeoutMilliseconds { setTimeouts(fd, milliseconds: timeoutMilliseconds) }
        do throws(OSError) {
            try withSocketAddress(upstream.address, upstream.port) { (pointer, length) throws(OSError) in
                try sys("connect", upstream.description) { connect(fd.rawValue, pointer, length) }
            }
        } catch {
            fd.close()
            throw error
        }
        return fd
    }

    static func setTimeouts(_ fd: FileDescriptor, milliseconds: Int64) {
        var time = timeval(tv_sec: Int(milliseconds / 1000), tv_usec: Int(milliseconds % 1000) * 1000)
        let size = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &time, size)
        _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_SNDTIMEO, &time, size)
    }

    static func send(_ bytes: [UInt8], on socket: FileDescriptor, to client: sockaddr_in) {
        var client = client
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &client) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket.rawValue, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL), $0,
                           socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}

/// One UDP query being forwarded: who asked, what, and the upstream attempt in flight.
private final class Forward {
    let key: String
    let server: FileDescriptor
    let client: sockaddr_in
    let query: [UInt8]
    let id: UInt16
    let failure: [UInt8]
    let upstreams: [DNSUpstream]
    var next = 0
    var socket: FileDescriptor?
    var timer: UInt64?

    init(key: String, server: FileDescriptor, client: sockaddr_in, query: [UInt8], id: UInt16, failure: [UInt8], upstreams: [DNSUpstream]) {
        self.key = key
        self.server = server
        self.client = client
        self.query = query
        self.id = id
        self.failure = failure
        self.upstreams = upstreams
    }

    /// Closes the current attempt's socket and cancels its timer.
    func dropAttempt(_ loop: EpollLoop) {
        if let timer { loop.cancelTimer(timer) }
        timer = nil
        if let socket {
            loop.unregister(socket)
            socket.close()
        }
        socket = nil
    }
}

/// `address:port` as a `sockaddr_in` for the duration of `body`.
func withSocketAddress<R, E: Error>(_ address: UInt32, _ port: UInt16,
                                    _ body: (UnsafePointer<sockaddr>, socklen_t) throws(E) -> R) throws(E) -> R {
    var value = sockaddr_in()
    value.sin_family = sa_family_t(AF_INET)
    value.sin_port = port.bigEndian
    value.sin_addr.s_addr = address.bigEndian
    return try withUnsafePointer(to: &value) { pointer throws(E) -> R in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { rebound throws(E) -> R in
            try body(rebound, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
}

/// A counting semaphore for waiting on the loop thread.
final class Semaphore: @unchecked Sendable {
    private let value = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    init() { sem_init(value, 0, 0) }
    deinit {
        sem_destroy(value)
        value.deallocate()
    }
    func signal() { sem_post(value) }
    func wait() { while sem_wait(value) != 0 && swdock_errno() == EINTR {} }
}

/// Starts `body` on a detached OS thread (in the caller's network namespace); false when the
/// thread could not be made.
func spawnThread(_ body: @escaping () -> Void) -> Bool {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, context)
    guard rc == 0 else {
        Unmanaged<ThreadBody>.fromOpaque(context).release()
        return false
    }
    pthread_detach(thread)
    return true
}

private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
