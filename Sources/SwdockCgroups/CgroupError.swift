import SwdockOS

/// The error of the cgroup layer: the step, the cgroup file or directory it touched, and the
/// OS error underneath. Descriptions read as one line, e.g.
/// `cgroup: write "33554432" to /sys/fs/cgroup/memory/x/memory.limit_in_bytes: device or resource busy (EBUSY)`.
public struct CgroupError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// The host (kernel, mounted controllers, cgroup version) cannot do what was asked.
        case notSupported
        /// The resources or path ask for something invalid.
        case invalidArgument
        /// A cgroup file or directory could not be read, written, created or removed.
        case system
        /// A state change (freeze, removal) did not settle in time.
        case timeout
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
        let text = code == .notSupported ? "not supported: \(message)" : message
        if let cause { return "cgroup: \(text): \(cause)" }
        return "cgroup: \(text)"
    }
}
