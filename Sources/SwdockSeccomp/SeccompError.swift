import SwdockOS

/// The error of the seccomp layer: what was wrong in the OCI seccomp section (naming the
/// syscall, action, operator, architecture or flag at fault) or which libseccomp/OS step failed.
public struct SeccompError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// The profile asks for something the OCI spec does not define (unknown action, op, arch, flag).
        case invalidProfile
        /// A known feature this implementation or the linked libseccomp does not offer.
        case notSupported
        /// libseccomp refused a call.
        case library
        /// A system call failed (memfd, read of the exported program).
        case system
    }

    public let code: Code
    public let message: String
    /// The OS error underneath, when a system call failed.
    public let cause: OSError?

    public init(_ code: Code, _ message: String, cause: OSError? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        let text = code == .notSupported ? "not supported: \(message)" : message
        if let cause { return "seccomp: \(text): \(cause)" }
        return "seccomp: \(text)"
    }
}
