import SwdockOS

/// The error of the network layer: what failed (`code`), a message naming the step and the
/// object (`create veth "swv1a2b" peer "eth0": file exists (EEXIST)`), and the cause below it.
public struct NetworkError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is, for callers that branch on it.
    public enum Code: String, Sendable {
        /// The kernel refused a netlink request (the errno is in `errno`).
        case netlink
        /// A system call failed (the `OSError` is the cause).
        case system
        /// nftables refused a batch (its error text is in the message).
        case firewall
        /// No free address or subnet is left.
        case exhausted
        /// A requested address or subnet is taken or outside what is allowed.
        case conflict
        /// The input cannot be used (bad CIDR, name too long, …).
        case invalidArgument
        /// A link, address or namespace does not exist.
        case notFound
        /// Something this layer does not do (yet).
        case notSupported
    }

    public let code: Code
    public let message: String
    /// The errno of a netlink or system failure, 0 otherwise.
    public let errno: Int32
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, errno: Int32 = 0, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
        self.cause = cause
    }

    /// Wraps an `OSError` under a step that names what was being done.
    public static func system(_ step: String, _ error: OSError) -> NetworkError {
        NetworkError(.system, "\(step): \(error)", errno: error.errno, cause: error)
    }

    public var description: String { message }
}

/// Runs an OS-layer body and re-throws its failure as a `NetworkError` naming `step`.
@inline(__always) @discardableResult
func os<T>(_ step: @autoclosure () -> String, _ body: () throws(OSError) -> T) throws(NetworkError) -> T {
    do { return try body() } catch { throw NetworkError.system(step(), error) }
}
