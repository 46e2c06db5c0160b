/// The error of the API layer: the HTTP status Docker answers with, the message it puts in
/// `{"message": …}`, and the lower-layer error behind it when there is one.
///
/// Engine code throws these (or errors the server maps to 500) and the server renders them.
public struct APIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The HTTP status code (400, 404, 409, 500, 501, …; 304 for "already stopped").
    public let status: Int
    /// The text clients print after "Error response from daemon: ".
    public let message: String
    /// What caused it, for the daemon's log (not sent to the client).
    public let cause: String?

    public init(status: Int, _ message: String, cause: String? = nil) {
        self.status = status
        self.message = message
        self.cause = cause
    }

    public var description: String { cause.map { "\(message) (\($0))" } ?? message }

    public static func badRequest(_ message: String, cause: String? = nil) -> APIError { APIError(status: 400, message, cause: cause) }
    public static func notFound(_ message: String) -> APIError { APIError(status: 404, message) }
    public static func conflict(_ message: String) -> APIError { APIError(status: 409, message) }
    public static func notModified() -> APIError { APIError(status: 304, "") }
    public static func payloadTooLarge(_ message: String) -> APIError { APIError(status: 413, message) }
    public static func internalError(_ message: String, cause: String? = nil) -> APIError {
        APIError(status: 500, message, cause: cause)
    }
    /// A Docker endpoint or option swdock knows but does not implement (yet): 501 "not supported: …".
    public static func notSupported(_ what: String) -> APIError { APIError(status: 501, "not supported: \(what)") }
    /// dockerd's answer for a path no route matches.
    public static let pageNotFound = APIError(status: 404, "page not found")
}
