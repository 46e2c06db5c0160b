import SwdockOCI
import SwdockOS

/// The error of the content store: what went wrong, on which blob or path, and why.
public struct ContentError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// No such blob.
        case notFound
        /// Bytes written do not hash to the expected digest.
        case digestMismatch
        /// More or fewer bytes than the descriptor's size.
        case sizeMismatch
        /// Another writer holds the ingest and the caller asked not to wait.
        case locked
        /// A file operation failed (the cause is the `OSError`).
        case io
        /// An argument or on-disk record was not usable.
        case invalid
    }

    public let code: Code
    public let message: String
    public let cause: OSError?

    public init(_ code: Code, _ message: String, cause: OSError? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }

    static func io(_ step: String, _ error: OSError) -> ContentError { ContentError(.io, step, cause: error) }
}
