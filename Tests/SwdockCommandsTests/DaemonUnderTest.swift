import Foundation
import SwdockTestSupport
import XCTest

/// A daemon the CLI end-to-end tests talk to: a private swdockd (the product) or a private
/// Debian dockerd (the wire swdockd must match). The same tests run unchanged against both;
/// `SWDOCK_CLI_TEST_DAEMON=swdockd` (or `dockerd`) narrows a run to one.
final class DaemonUnderTest: @unchecked Sendable {
    enum Kind: String { case dockerd, swdockd }

    let kind: Kind
    let socketPath: String
    private var dockerd: PrivateDockerd?
    private var swdockd: PrivateDaemon?

    /// `unix://<socket>`.
    var host: String { "unix://" + socketPath }

    /// Starts the daemons named by `SWDOCK_CLI_TEST_DAEMON` (comma-separated; default both,
    /// swdockd first).
    static func startAll() throws -> [DaemonUnderTest] {
        try TestEnvironment.requireRoot()
        let names = (ProcessInfo.processInfo.environment["SWDOCK_CLI_TEST_DAEMON"] ?? "swdockd,dockerd").split(separator: ",")
        var started: [DaemonUnderTest] = []
        do {
            for name in names {
                guard let kind = Kind(rawValue: String(name)) else {
                    throw PrivateDaemonError("SWDOCK_CLI_TEST_DAEMON=\(name): expected dockerd or swdockd")
                }
                started.append(try DaemonUnderTest(kind))
            }
        } catch {
            for daemon in started { daemon.stop() }
            throw error
        }
        return started
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
