#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwdockAPI

extension EngineClient {
    /// A request whose whole answer is read; statuses ≥ 400 throw the daemon's message.
    /// Returns the head and the body (empty for 204/304).
    @discardableResult
    public func call(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
                     headers: [(String, String)] = []) throws(ClientError) -> (head: ResponseHead, body: [UInt8]) {
        var response = try send(method, path, query: query, body: body, headers: headers)
        let bytes = try response.body.readAll()
        try Self.check(response.head, bytes)
        return (response.head, bytes)
    }

    /// `call` with an `Encodable` JSON body.
    @discardableResult
    public func call<Body: Encodable>(_ method: String, _ path: String, query: [(String, String)] = [],
                                      json: Body) throws(ClientError) -> (head: ResponseHead, body: [UInt8]) {
        let encoded: [UInt8]
        do { encoded = Array(try JSONEncoder().encode(json)) } catch {
            throw ClientError(.decode, "encode the body of \(method) \(path)", cause: "\(error)")
        }
        return try call(method, path, query: query, body: encoded)
    }

    /// Sends a request and returns the open response once its head arrived; an error status
    /// throws (its body read first). For streams the caller reads as they come: pull progress,
    /// `logs -f`, and `wait`, whose head dockerd flushes at once and whose body comes at exit.
    public func open(_ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
                     headers: [(String, String)] = []) throws(ClientError) -> Response {
        var response = try send(method, path, query: query, body: body, headers: headers)
        if response.head.status >= 400 {
            let bytes = try response.body.readAll()
            try Self.check(response.head, bytes)
        }
        return response
    }
}

/// Reads a JSON-lines body (pull progress, `docker events`): one document per line, separated by
/// `\r\n` or `\n`, in whatever chunks it comes.
public struct JSONLineReader {
    var body: BodyReader
    private var pending: [UInt8] = []
    private var ended = false

    public init(_ response: EngineClient.Response) { body = response.body }

    /// The next non-empty line's bytes, nil at the end of the body.
    public mutating func next() throws(ClientError) -> [UInt8]? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<newline])
                pending.removeFirst(newline + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                if line.isEmpty { continue }
                return line
            }
            if ended {
                if pending.isEmpty { return nil }
                defer { pending = [] }
                return pending
            }
            if let piece = try body.next() { pending.append(contentsOf: piece) } else { ended = true }
        }
    }
}
