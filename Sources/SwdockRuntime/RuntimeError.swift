import SwdockOS

/// The error of the runtime layer: what failed, a one-line message naming the step and the
/// object (as runc prints it), and the lower-layer error that caused it.
public struct RuntimeError: Error, CustomStringConvertible, Sendable {
    /// Kinds of failure; engines only see the message, tests and callers can match on these.
    public enum Code: String, Sendable {
        case invalidArgument, notFound, exists, invalidState, config, containerInit, system, notSupported, hook
    }

    public let code: Code
    public let message: String
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Wraps an OS error under a step name: `open state.json for abc: no such file or directory`.
    public static func system(_ step: String, _ error: OSError) -> RuntimeError {
        RuntimeError(.system, "\(step): \(Errno.message(error.errno))", cause: error)
    }

    public static func notSupported(_ what: String) -> RuntimeError {
        RuntimeError(.notSupported, "not supported: \(what)")
    }

    public var description: String { message }
}
