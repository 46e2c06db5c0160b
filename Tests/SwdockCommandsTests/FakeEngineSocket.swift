import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on a temporary Unix socket that answers each request path (version
/// prefix and query removed) from a table, one request per connection; `silentPaths` are accepted
/// and never answered, as a stuck daemon would. It records every request target it saw.
final class FakeEngineSocket: @unchecked Sendable {
    struct Answer {
        var status: Int
        var body: String
    }

    let directory: URL
    var path: String { directory.appendingPathComponent("engine.sock").path }
    var host: String { "unix://" + path }

    private let listener: Int32
    private let answers: [String: Answer]
    private let silentPaths: Set<String>
    private let lock = NSLock()
    private var targets: [String] = []
    private var held: [Int32] = []
    private let finished = DispatchSemaphore(value: 0)

    init(answers: [String: Answer], silentPaths: Set<String> = []) throws {
        self.answers = answers
        self.silentPaths = silentPaths
        directory = URL(fileURLWithPath: "/tmp/swdock-fake-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw FakeEngineError("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(directory.appendingPathComponent("engine.sock").path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, byte) in bytes.enumerated() { raw[i] = byte } }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw FakeEngineError("bind/listen \(path): errno \(errno)")
        }
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Every request target received so far (`/v1.41/containers/json?all=1`).
    var requestTargets: [String] { lock.withLock { targets } }

    /// Stops accepting, drops held connections, removes the socket's directory.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))  // wakes accept(2) with EINVAL
        finished.wait()
        close(listener)
        lock.withLock { held.forEach { close($0) }; held = [] }
        try? FileManager.default.removeItem(at: directory)
    }

    private func serve() {
        defer { finished.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            handle(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.contains(subsequence: Array("\r\n\r\n".utf8)) {
            let n = read(connection, &chunk, chunk.count)
            if n <= 0 { close(connection); return }
            request += chunk[0..<n]
        }
        let line = String(decoding: request.prefix(while: { $0 != UInt8(ascii: "\r") }), as: UTF8.self)
        let target = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        lock.withLock { targets.append(target) }
        var path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        if path.hasPrefix("/v"), let slash = path.dropFirst().firstIndex(of: "/") { path = String(path[slash...]) }
        if silentPaths.contains(path) {
            lock.withLock { held.append(connection) }
            return
        }
        let answer = answers[path] ?? Answer(status: 404, body: #"{"message":"page not found"}"#)
        let body = Array(answer.body.utf8)
        let head = "HTTP/1.1 \(answer.status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
            + "Connection: close\r\n\r\n"
        let response = Array(head.utf8) + body
        _ = response.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
        close(connection)
    }
}

struct FakeEngineError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard count >= subsequence.count else { return false }
        return (0...(count - subsequence.count)).contains { self[$0..<$0 + subsequence.count].elementsEqual(subsequence) }
    }
}
