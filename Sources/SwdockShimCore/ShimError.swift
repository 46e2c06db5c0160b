import SwdockOS

/// The error of the shim layer: what kind of failure, a message naming the step and the
/// object, and the OS error underneath when there is one. The code travels over the protocol.
public struct ShimError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// A malformed request, flag or value.
        case invalid
        /// The process or file asked for does not exist.
        case notFound = "not-found"
        /// The operation needs a running process.
        case notRunning = "not-running"
        /// The operation needs a process that is not running (yet or any more).
        case running
        /// The OCI runtime failed; the message carries its error.
        case runtime
        /// Valid, but this shim does not do it.
        case unsupported
        /// The peer broke the protocol (bad frame, version mismatch, request out of order).
        case `protocol`
        /// A system call failed.
        case os
    }

    public let code: Code
    public let message: String
    public let cause: OSError?

    public init(_ code: Code, _ message: String, cause: OSError? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Wraps an OS error with the step that hit it.
    public init(_ step: String, _ cause: OSError) {
        self.init(.os, "\(step): \(cause)", cause: cause)
    }

    public var description: String { message }
}
