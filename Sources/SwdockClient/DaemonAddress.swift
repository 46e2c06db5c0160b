/// Where the CLI finds the daemon: `DOCKER_HOST`-style `unix://PATH`.
public struct DaemonAddress: Sendable, Equatable, CustomStringConvertible {
    public static let defaultSocket = "/run/swdock.sock"
    public let socketPath: String

    /// Parses `unix:///path`; other schemes are refused with a message naming them.
    public init(parsing host: String) throws(DaemonAddressError) {
        guard host.hasPrefix("unix://") else { throw .unsupportedScheme(host) }
        let path = String(host.dropFirst("unix://".count))
        guard path.hasPrefix("/") else { throw .unsupportedScheme(host) }
        socketPath = path
    }

    public init(socketPath: String = DaemonAddress.defaultSocket) { self.socketPath = socketPath }

    public var description: String { "unix://\(socketPath)" }
}

public enum DaemonAddressError: Error, CustomStringConvertible {
    case unsupportedScheme(String)
    public var description: String {
        switch self {
        case .unsupportedScheme(let host): return "not supported: host \"\(host)\" (only unix:///path sockets are)"
        }
    }
}
