import ArgumentParser
import Dispatch
import Logging
import SwdockMetadata
import SwdockOS
import SwdockServer
#if canImport(Glibc)
import Glibc
#endif

/// The swdock daemon: serves the Docker Engine API on a Unix socket.
@main
struct Swdockd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swdockd",
        abstract: "The swdock daemon: serves the Docker Engine API and runs containers through shims.",
        version: "swdockd version \(SwdockVersion.version), API \(SwdockVersion.apiVersion)"
    )

    @Option(name: [.customShort("H"), .long], help: "Daemon socket(s) to listen on (unix://PATH); repeatable.")
    var host: [String] = []
    @Option(name: .customLong("data-root"), help: "Root of persistent state (default /var/lib/swdock).")
    var dataRoot: String?
    @Option(name: .customLong("exec-root"), help: "Root of run-time state: sockets, bundles (default /run/swdock).")
    var execRoot: String?
    @Option(name: .customLong("config-file"), help: "Daemon configuration file (default /etc/swdock/daemon.json).")
    var configFile: String?
    @Option(name: .customLong("pidfile"), help: "Path of the daemon's PID file (default /run/swdockd.pid).")
    var pidFile: String?
    @Flag(name: [.customShort("D"), .long], help: "Enable debug output.")
    var debug = false
    @Option(name: .customLong("api-request-timeout"), help: .hidden)
    var requestTimeout: Int?

    func run() async throws {
        var flags = DaemonConfiguration.Flags()
        flags.hosts = host
        flags.dataRoot = dataRoot
        flags.execRoot = execRoot
        flags.configFile = configFile
        flags.pidFile = pidFile
        flags.debug = debug
        let config: DaemonConfiguration
        do { config = try DaemonConfiguration.load(flags: flags) } catch { fail("\(error)") }

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Self.level(config.logLevel)
            return handler
        }
        let logger = Logger(label: "swdockd")

        do {
            let lock = try DataRootLock(dataRoot: config.dataRoot)
            let pid = try PIDFile(path: config.pidFile)
            defer { pid.remove() }
            try prepareExecRoot(config.execRoot)
            let database = try Database(path: config.dataRoot + "/metadata.db")
            let identity = DaemonIdentity(engineID: try EngineID.load(dataRoot: config.dataRoot), configuration: config)
            let router = SystemRoutes.router(backend: StoreBackend(database: database), identity: identity)
            var serverConfiguration = ServerConfiguration()
            if let requestTimeout { serverConfiguration.requestReadTimeout = .seconds(Int64(requestTimeout)) }
            let server = try await APIServer.start(socketPaths: try config.socketPaths(), router: router,
                                                   configuration: serverConfiguration, logger: logger)
            logger.info("swdockd \(SwdockVersion.version) ready", metadata: ["data-root": "\(config.dataRoot)",
                                                                            "pid": "\(getpid())"])
            let signal = await Self.waitForStopSignal()
            logger.info("received \(signal == SIGTERM ? "SIGTERM" : "SIGINT"), shutting down")
            await server.stop()
            withExtendedLifetime(lock) {}
            logger.info("swdockd stopped")
        } catch {
            logger.critical("\(error)")
            fail("\(error)")
        }
    }

    private func fail(_ message: String) -> Never {
        FileDescriptor.standardError.writeAll(message: "swdockd: \(message)\n")
        Glibc.exit(1)
    }

    private func prepareExecRoot(_ path: String) throws {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw OSError(call: "mkdir", object: current, errno: errno)
            }
        }
    }

    static func level(_ name: String) -> Logger.Level {
        switch name {
        case "debug": return .debug
        case "warn": return .warning
        case "error": return .error
        case "fatal": return .critical
        default: return .info
        }
    }

    /// Waits for SIGTERM or SIGINT (delivered to a dispatch source, not a handler, so the stop
    /// runs as ordinary code).
    static func waitForStopSignal() async -> Int32 {
        await withCheckedContinuation { continuation in
            let queue = DispatchQueue(label: "swdockd.signals")
            let box = SignalSources()
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler {
                    guard box.fire() else { return }
                    continuation.resume(returning: number)
                }
                source.resume()
                box.sources.append(source)
            }
        }
    }
}

/// Keeps the signal sources alive and makes sure the continuation resumes once.
private final class SignalSources: @unchecked Sendable {
    var sources: [any DispatchSourceSignal] = []
    private var fired = false
    func fire() -> Bool {
        if fired { return false }
        fired = true
        return true
    }
}

extension FileDescriptor {
    func writeAll(message: String) { try? writeAll(message) }
}
