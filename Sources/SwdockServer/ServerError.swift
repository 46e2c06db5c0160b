/// The error of the server layer (listening, configuration, daemon start-up): what failed, a
/// message naming the step and the object, and the lower-layer error behind it.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// The configuration file or flags are invalid.
        case configuration
        /// A socket could not be prepared or bound.
        case listen
        /// Another daemon holds the data root or answers on the socket.
        case alreadyRunning
        /// Writing the PID file or preparing a directory failed.
        case filesystem
    }

    public let code: Code
    public let message: String
    public let cause: String?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map { "\($0)" }
    }

    public var description: String { cause.map { "\(message): \($0)" } ?? message }
}
