#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockAPI
import SwdockOS

/// The Engine API client the CLI uses: HTTP/1.1 over the daemon's Unix socket, one connection
/// per call, API paths prefixed with `/v1.41`.
public struct EngineClient: Sendable {
    public let address: DaemonAddress
    /// The prefix put before every path.
    public let versionPrefix: String
    /// How long connecting, each send and each read may block; nil waits as long as the daemon takes.
    public let timeout: Duration?

    public init(address: DaemonAddress, apiVersion: String = SwdockVersion.apiVersion, timeout: Duration? = nil) {
        self.address = address
        versionPrefix = "/v" + apiVersion
        self.timeout = timeout
    }

    /// An open response: its head and a reader for the body (or, after `101`, the raw connection).
    public struct Response {
        public let head: ResponseHead
        public var body: BodyReader
        /// The connection, for hijacked streams.
        public let connection: SocketConnection
    }

    /// Sends a request and reads the response head. `path` is unversioned (`/containers/json`);
    /// `query` is encoded here. Error statuses are returned, not thrown (see `checked`).
    public func send(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
                     contentType: String = "application/json", headers: [(String, String)] = [],
                     versioned: Bool = true) throws(ClientError) -> Response {
        let connection = try SocketConnection(address, timeout: timeout)
        var text = requestHead(method, path, query: query, headers: headers, versioned: versioned)
        if let body {
            text += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        } else if method == "POST" || method == "PUT" {
            text += "Content-Length: 0\r\n"
        }
        text += "\r\n"
        var bytes = Array(text.utf8)
        if let body { bytes.append(contentsOf: body) }
        try connection.write(bytes)
        let head = try Self.readHead(connection)
        let reader = try BodyReader(connection: connection, head: head, requestMethod: method)
        return Response(head: head, body: reader, connection: connection)
    }

    /// The request line and the common headers, without the final empty line.
    func requestHead(_ method: String, _ path: String, query: [(String, String)], headers: [(String, String)],
                     versioned: Bool) -> String {
        var target = (versioned ? versionPrefix : "") + path
        if !query.isEmpty {
            target += "?" + query.map { Self.escape($0.0) + "=" + Self.escape($0.1) }.joined(separator: "&")
        }
        var text = "\(method) \(target) HTTP/1.1\r\nHost: swdock\r\nUser-Agent: swdock/\(SwdockVersion.version) (linux)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return text
    }

    /// `GET path` decoded as `T`; an error status throws with the daemon's message.
    public func get<T: Decodable>(_ path: String, query: [(String, String)] = [], as type: T.Type) throws(ClientError) -> T {
        var response = try send("GET", path, query: query)
        let body = try response.body.readAll()
        try Self.check(response.head, body)
        do { return try JSONDecoder().decode(T.self, from: Data(body)) } catch {
            throw ClientError(.decode, "decode the answer to GET \(path)", cause: "\(error)")
        }
    }

    /// Throws the daemon's `{"message": …}` for statuses ≥ 400.
    public static func check(_ head: ResponseHead, _ body: [UInt8]) throws(ClientError) {
        guard head.status >= 400 else { return }
        let message = (try? JSONDecoder().decode(ErrorResponse.self, from: Data(body)))?.message
            ?? String(decoding: body, as: UTF8.self).trimmingCharacters()
        throw ClientError(.daemon(status: head.status), message)
    }

    static func readHead(_ connection: SocketConnection) throws(ClientError) -> ResponseHead {
        var statusLine = try connection.readLine()
        while true {
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw ClientError(.protocolError, "unexpected status line from swdockd: \"\(statusLine)\"")
            }
            var headers: [String: String] = [:]
            while true {
                let line = try connection.readLine()
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                let value = String(line[line.index(after: colon)...]).trimmingCharacters()
                headers[name] = headers[name].map { $0 + ", " + value } ?? value
            }
            // 100 Continue precedes the real answer.
            if status == 100 {
                statusLine = try connection.readLine()
                continue
            }
            return ResponseHead(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers)
        }
    }

    /// Percent-encodes a query component as Go's `url.QueryEscape` does (space as `+`).
    public static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
