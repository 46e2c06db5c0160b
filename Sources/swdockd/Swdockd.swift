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
        // Before anything can be bound: a SIGTERM that arrives once the socket answers must
        // already be a graceful stop, not the default kill.
        let stop = StopSignal()
        // First, while nothing else reads the environment: take systemd's sockets and remove
        // LISTEN_* so that shims and containers started later never see them.
        let passedSockets: [SystemdActivation.Socket]
        do { passedSockets = try SystemdActivation.listenFDs(unsetEnvironment: true) } catch { fail("socket activation: \(error)") }
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
            let selectors = config.activationSelectors
            let activated: [SystemdActivation.Socket]
            if selectors.isEmpty {
                activated = []
                if !passedSockets.isEmpty {
                    logger.warning("ignoring \(passedSockets.count) socket(s) passed by systemd: no -H fd:// host configured")
                }
            } else {
                guard !passedSockets.isEmpty else {
                    throw ServerError(.configuration, "host fd:// needs sockets from systemd socket activation, but none were"
                                      + " passed to this process (LISTEN_PID/LISTEN_FDS unset or naming another process)")
                }
                activated = try SystemdActivation.select(selectors, from: passedSockets)
            }
            Self.notify("STATUS=opening metadata in \(config.dataRoot)", logger: logger)
            let database = try Database(path: config.dataRoot + "/metadata.db")
            let identity = DaemonIdentity(engineID: try EngineID.load(dataRoot: config.dataRoot), configuration: config,
                                          activatedSockets: activated, socketPaths: try config.socketPaths(),
                                          notifySocket: SystemdNotify.socketAddress)
            // A shim or client that went away must be a write error, never a SIGPIPE that kills the daemon.
            signal(SIGPIPE, SIG_IGN)
            let engine = try await DaemonEngine.start(configuration: config, database: database, logger: logger)
            let containers = engine.containers
            let router = SystemRoutes.router(system: StoreBackend(database: database), images: engine.imageBackend,
                                             containers: containers, events: engine.events, volumes: containers.volumes,
                                             networks: engine.networks.map { NetworkServiceBackend(networks: $0, containers: containers) },
                                             identity: identity)
            var serverConfiguration = ServerConfiguration()
            if let requestTimeout { serverConfiguration.requestReadTimeout = .seconds(Int64(requestTimeout)) }
            let server = try await APIServer.start(socketPaths: try config.socketPaths(), activatedSockets: activated,
                                                   router: router, configuration: serverConfiguration, logger: logger)
            // The listening channels are registered and accepting: systemd may now start dependents.
            Self.notify("READY=1\nSTATUS=serving the Engine API\nMAINPID=\(getpid())", logger: logger)
            logger.info("swdockd \(SwdockVersion.version) ready", metadata: ["data-root": "\(config.dataRoot)",
                                                                            "pid": "\(getpid())"])
            let signal = await stop.wait()
            logger.info("received \(signal == SIGTERM ? "SIGTERM" : "SIGINT"), shutting down")
            Self.notify("STOPPING=1\nSTATUS=shutting down", logger: logger)
            await server.stop()
            if !config.liveRestore {
                logger.info("live-restore is off: stopping the running containers")
                await containers.stopAllForDaemonShutdown()
            }
            withExtendedLifetime(lock) {}
            logger.info("swdockd stopped")
        } catch {
            logger.critical("\(error)")
            fail("\(error)")
        }
    }

    /// Tells systemd (Type=notify) about the daemon's state; without NOTIFY_SOCKET nothing is sent.
    /// A failed notification is logged, not fatal: the API works without the service manager.
    private static func notify(_ state: String, logger: Logger) {
        do { try SystemdNotify.notify(state) } catch { logger.warning("sd_notify \(state.split(separator: "\n").first ?? ""): \(error)") }
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

}

/// SIGTERM/SIGINT delivered to dispatch sources (not a handler), so the stop runs as ordinary
/// code; set up once at start so no signal is lost between binding and waiting.
private final class StopSignal: @unchecked Sendable {
    private let queue = DispatchQueue(label: "swdockd.signals")
    private var sources: [any DispatchSourceSignal] = []
    private var received: Int32?
    private var waiter: CheckedContinuation<Int32, Never>?

    init() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in self.deliver(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func deliver(_ number: Int32) {
        guard received == nil else { return }
        received = number
        waiter?.resume(returning: number)
        waiter = nil
    }

    /// Returns the first stop signal, at once if it already came.
    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            queue.async {
                if let received = self.received { continuation.resume(returning: received) } else { self.waiter = continuation }
            }
        }
    }
}

extension FileDescriptor {
    func writeAll(message: String) { try? writeAll(message) }
}
