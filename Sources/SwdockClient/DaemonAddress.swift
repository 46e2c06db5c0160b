#if canImport(Glibc)
import Glibc
#endif

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

    /// The daemon to talk to: the `-H` flag, else `SWDOCK_HOST`, else `DOCKER_HOST`, else
    /// `/run/swdock.sock` (empty values count as unset).
    public static func resolve(flag: String?, environment: [String: String]) throws(DaemonAddressError) -> DaemonAddress {
        for candidate in [flag, environment["SWDOCK_HOST"], environment["DOCKER_HOST"]] {
            if let candidate, !candidate.isEmpty { return try DaemonAddress(parsing: candidate) }
        }
        return DaemonAddress()
    }

    /// `resolve` with this process's environment.
    public static func resolve(flag: String?) throws(DaemonAddressError) -> DaemonAddress {
        var environment: [String: String] = [:]
        for name in ["SWDOCK_HOST", "DOCKER_HOST"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return try resolve(flag: flag, environment: environment)
    }
}

public enum DaemonAddressError: Error, CustomStringConvertible {
    case unsupportedScheme(String)
    public var description: String {
        switch self {
        case .unsupportedScheme(let host): return "not supported: host \"\(host)\" (only unix:///path sockets are)"
        }
    }
}
