import Foundation
import SwdockTestSupport
import XCTest

/// The daemon the CLI end-to-end tests talk to: a private Debian dockerd by default (the wire
/// swdockd must match), or a private swdockd with `SWDOCK_CLI_TEST_DAEMON=swdockd`. The same
/// tests run unchanged against either.
final class DaemonUnderTest: @unchecked Sendable {
    enum Kind: String { case dockerd, swdockd }

    let kind: Kind
    let socketPath: String
    private var dockerd: PrivateDockerd?
    private var swdockd: PrivateDaemon?

    /// `unix://<socket>`.
    var host: String { "unix://" + socketPath }

    /// Starts the daemon named by `SWDOCK_CLI_TEST_DAEMON` (default dockerd).
    static func start() throws -> DaemonUnderTest {
        try TestEnvironment.requireRoot()
        let name = ProcessInfo.processInfo.environment["SWDOCK_CLI_TEST_DAEMON"] ?? "dockerd"
        guard let kind = Kind(rawValue: name) else {
            throw PrivateDaemonError("SWDOCK_CLI_TEST_DAEMON=\(name): expected dockerd or swdockd")
        }
        return try DaemonUnderTest(kind)
    }

    private init(_ kind: Kind) throws {
        self.kind = kind
        switch kind {
        case .dockerd:
            let daemon = try PrivateDockerd(runtimes: [:])
            dockerd = daemon
            socketPath = daemon.socket
        case .swdockd:
            let daemon = try PrivateDaemon()
            swdockd = daemon
            socketPath = daemon.socketPath
        }
    }

    /// What the daemon logged, for failure messages.
    var log: String { dockerd?.log ?? swdockd?.log ?? "" }

    /// Stops the daemon by its PID (after removing its containers, for dockerd).
    func stop() {
        dockerd?.stop()
        dockerd = nil
        swdockd?.stop()
        swdockd = nil
    }

    deinit { stop() }
}
