/// The error of the snapshot layer: what went wrong, a message naming the step and the
/// snapshot, and the underlying cause when there is one.
public struct SnapshotError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// No snapshot has that key or name.
        case notFound
        /// The key or name is taken.
        case alreadyExists
        /// The snapshot is not in the state the operation needs (committed, active, childless…).
        case failedPrecondition
        /// An argument is malformed (an empty key, a root path the mount options cannot carry).
        case invalidArgument
        /// A file-system or mount operation failed.
        case io
        /// The on-disk metadata is of a version this build does not read.
        case notSupported
    }

    public let code: Code
    public let message: String
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}
