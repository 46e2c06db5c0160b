import SwdockOS

/// The error of the engine layer: what the engine refused or failed to do, naming the step and
/// the object ("create container 3f1c…: bind /data: invalid mount path: 'data' mount path must
/// be absolute"), and the lower-layer error underneath when there is one.
///
/// The API server maps `code` to Docker's status (invalidArgument → 400, notFound → 404,
/// conflict → 409, notSupported → 501 "not supported: …", system → 500).
public struct EngineError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// The request is wrong (Docker's errdefs.InvalidParameter).
        case invalidArgument
        /// A named object does not exist (user, group, image, container).
        case notFound
        /// The request conflicts with the current state.
        case conflict
        /// A Docker feature swdock knows but does not implement.
        case notSupported
        /// The host or a lower layer failed.
        case system
    }

    public let code: Code
    /// The text Docker clients print after "Error response from daemon: ".
    public let message: String
    /// The lower-layer error, when one caused this.
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        let text = code == .notSupported ? "not supported: \(message)" : message
        if let cause { return "\(text): \(cause)" }
        return text
    }
}
