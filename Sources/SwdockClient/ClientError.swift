/// The error of the client layer: what failed, the message the CLI prints, and the cause.
public struct ClientError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The daemon's socket cannot be reached.
        case connect
        /// The bytes on the wire are not the HTTP we expect.
        case protocolError
        /// The daemon answered with an error status; `status` is it.
        case daemon(status: Int)
        /// A response body did not decode as the expected JSON.
        case decode
        /// A local file or stream to send could not be read.
        case localInput
    }

    public let code: Code
    public let message: String
    public let cause: String?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The daemon's status for `.daemon` errors.
    public var status: Int? {
        if case .daemon(let status) = code { return status }
        return nil
    }

    public var description: String {
        switch code {
        case .daemon: return "Error response from daemon: \(message)"
        default: return cause.map { "\(message): \($0)" } ?? message
        }
    }
}
