import Logging
import NIOCore
import NIOHTTP1
import SwdockOS

/// Limits and identity of the HTTP server.
public struct ServerConfiguration: Sendable {
    /// Largest request body accepted; larger ones get 413 and the connection is closed.
    public var maxBodyBytes: Int = 16 << 20
    /// Time a connection may take to deliver a complete request (head and body), counted from
    /// the end of the previous response (or from accept). A client that connects and sends
    /// nothing, or stops half-way, is disconnected after it.
    public var requestReadTimeout: TimeAmount = .seconds(60)
    /// Pipelined request parts buffered while a response is in progress before reading pauses.
    public var maxPendingParts: Int = 64
    /// The `Server` header value.
    public var serverHeader: String = "swdock/\(SwdockVersion.version) (linux)"

    public init() {}
}

/// The headers dockerd puts on every response (trace §1.2).
enum StandardHeaders {
    static func add(to headers: inout HTTPHeaders, server: String) {
        headers.replaceOrAdd(name: "Api-Version", value: SwdockVersion.apiVersion)
        headers.replaceOrAdd(name: "Docker-Experimental", value: "false")
        headers.replaceOrAdd(name: "Ostype", value: "linux")
        headers.replaceOrAdd(name: "Server", value: server)
        headers.replaceOrAdd(name: "Date", value: httpDate())
    }

    /// RFC 7231 IMF-fixdate of now (`Mon, 01 Dec 2026 19:45:16 GMT`).
    static func httpDate() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#endif
