import ArgumentParser
import SwdockOS
import SwdockServer

/// The swdock daemon: serves the Docker Engine API on a Unix socket.
@main
struct Swdockd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swdockd",
        abstract: "The swdock daemon: serves the Docker Engine API and runs containers through shims.",
        version: "swdockd version \(SwdockVersion.version), API \(SwdockVersion.apiVersion)"
    )

    @Option(name: [.customShort("H"), .long], help: "Daemon socket(s) to listen on (unix://PATH, fd://).")
    var host: [String] = []
    @Option(name: .customLong("data-root"), help: "Root of persistent state.")
    var dataRoot = "/var/lib/swdock"
    @Option(name: .customLong("exec-root"), help: "Root of run-time state (sockets, bundles).")
    var execRoot = "/run/swdock"
    @Option(name: .customLong("config-file"), help: "Daemon configuration file.")
    var configFile = "/etc/swdock/daemon.json"
    @Option(name: .customLong("pidfile"), help: "Path of the daemon's PID file.")
    var pidFile = "/run/swdockd.pid"
    @Flag(name: [.customShort("D"), .long], help: "Enable debug output.")
    var debug = false

    func run() async throws {
        throw ValidationError("not supported: the API server is not built yet (it lands with the daemon/lifecycle work)")
    }
}

