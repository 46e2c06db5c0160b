import Foundation
import NIOHTTP1
import SwdockAPI

/// What a route handler answers: a complete body, a streamed body, or a hijacked connection.
public struct APIResponse: Sendable {
    /// How the body is produced.
    public enum Body: Sendable {
        /// A complete body, sent with Content-Length.
        case bytes([UInt8])
        /// A body written by `producer` as it goes: the status and headers are flushed before the
        /// producer starts, the body is chunked, and the response ends when the producer returns.
        /// If it throws after writing, the connection is closed (the status is already sent).
        case stream(@Sendable (any ResponseBodyWriter) async throws -> Void)
        /// `101 UPGRADED`, then raw bytes both ways; the connection closes when `session` returns.
        case hijack(@Sendable (any HijackedStream) async throws -> Void)
    }

    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON document ending in `\n`, as dockerd writes them: members in the wire type's
    /// declaration order (Docker's), map keys sorted, the same bytes for every request.
    public static func json<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) throws -> APIResponse {
        var bytes = try OrderedJSONEncoder().encode(value)
        bytes.append(UInt8(ascii: "\n"))
        return APIResponse(status: status, headers: ["Content-Type": "application/json"], body: .bytes(bytes))
    }

    /// A streamed JSON body (`Content-Type: application/json`, chunked).
    public static func jsonStream(status: HTTPResponseStatus = .ok,
                                  _ producer: @escaping @Sendable (any ResponseBodyWriter) async throws -> Void) -> APIResponse {
        APIResponse(status: status, headers: ["Content-Type": "application/json"], body: .stream(producer))
    }

    /// `204 No Content`: no body, no Content-Type.
    public static let noContent = APIResponse(status: .noContent, body: .bytes([]))

    /// A hijacked session after `101 UPGRADED`, with dockerd's headers.
    public static func hijack(contentType: String = "application/vnd.docker.raw-stream",
                              _ session: @escaping @Sendable (any HijackedStream) async throws -> Void) -> APIResponse {
        APIResponse(status: .custom(code: 101, reasonPhrase: "UPGRADED"),
                    headers: ["Content-Type": contentType, "Connection": "Upgrade", "Upgrade": "tcp"],
                    body: .hijack(session))
    }

    /// dockerd's error body for `error`: JSON `{"message":…}`, or plain text for clients below
    /// API 1.23 (as dockerd's `MakeErrorHandler`).
    public static func error(_ error: APIError, version: APIVersion? = nil) -> APIResponse {
        let status = HTTPResponseStatus(statusCode: error.status)
        if status == .notModified { return APIResponse(status: status, body: .bytes([])) }
        if let version, version < APIVersion("1.23")! {
            return APIResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8",
                                                         "X-Content-Type-Options": "nosniff"],
                               body: .bytes(Array((error.message + "\n").utf8)))
        }
        var bytes = (try? OrderedJSONEncoder().encode(ErrorResponse(message: error.message))) ?? Array("{}".utf8)
        bytes.append(UInt8(ascii: "\n"))
        return APIResponse(status: status, headers: ["Content-Type": "application/json"], body: .bytes(bytes))
    }
}
