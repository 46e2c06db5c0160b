import Foundation

/// A swdockd of the build under test with its own data root, exec root, socket, PID file and
/// config file in a fresh temporary directory. `stop()` (also called from deinit) sends SIGTERM
/// by PID, falls back to SIGKILL, unmounts what is left below the directory and removes it;
/// register it with `addTeardownBlock { daemon.stop() }` so a failing test cleans up too.
///
/// No bridge unless the config names one (see `withoutDefaultBridge`); the caller then
/// removes the bridge and its nftables table.
public final class PrivateDaemon: @unchecked Sendable {
    public let directory: URL
    public let dataRoot: String
    public let execRoot: String
    public let socketPath: String
    public let pidFile: String
    public let configFile: String
    public let logFile: String
    private let process: Process
    private var stopped = false

    /// `unix://<socket>`, for DOCKER_HOST / -H.
    public var host: String { "unix://" + socketPath }
    public var pid: Int32 { process.processIdentifier }

    /// Starts the daemon and waits until its socket accepts connections.
    /// - Parameters:
    ///   - config: daemon.json text (default `{}`).
    ///   - dataRoot: share another daemon's data root (to test the lock).
    ///   - arguments: extra flags.
    ///   - environment: variables added to the test's environment (e.g. NOTIFY_SOCKET).
    public init(config: String = "{}", dataRoot: String? = nil, socketPath: String? = nil, arguments: [String] = [],
                environment: [String: String] = [:], waitForSocket: Bool = true) throws {
        // Short paths: a Unix socket address holds at most 107 bytes.
        directory = URL(fileURLWithPath: "/tmp/swdockd-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.dataRoot = dataRoot ?? directory.appendingPathComponent("root").path
        execRoot = directory.appendingPathComponent("exec").path
        self.socketPath = socketPath ?? directory.appendingPathComponent("swdock.sock").path
        pidFile = directory.appendingPathComponent("swdockd.pid").path
        configFile = directory.appendingPathComponent("daemon.json").path
        logFile = directory.appendingPathComponent("swdockd.log").path
        try Self.withoutDefaultBridge(config).write(toFile: configFile, atomically: false, encoding: .utf8)
        FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))

        process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.executable("swdockd"))
        process.arguments = ["-H", "unix://" + self.socketPath, "--data-root", self.dataRoot, "--exec-root", execRoot,
                             "--pidfile", pidFile, "--config-file", configFile] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        if waitForSocket {
            do { try waitUntilServing() } catch {
                stop()
                throw error
            }
        }
    }

    deinit { stop() }

    /// Private daemons run side by side: unless the test names a bridge of its own, networking
    /// is off (`"bridge": "none"`), so no two daemons share `swdock0` (and its leases) and none
    /// leaves a bridge behind.
    static func withoutDefaultBridge(_ config: String) -> String {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(config.utf8))) as? [String: Any],
              object["bridge"] == nil else { return config }
        object["bridge"] = "none"
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return config }
        return String(decoding: data, as: UTF8.self)
    }

    /// What the daemon wrote to stderr so far.
    public var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    public var isRunning: Bool { process.isRunning }

    /// Waits for the process to exit (for daemons expected to refuse to start); returns its status.
    public func waitForExit(timeout: TimeInterval = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    private func waitUntilServing(timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else {
                throw PrivateDaemonError("swdockd exited with status \(process.terminationStatus) before serving: \(log)")
            }
            if Self.canConnect(socketPath) { return }
            usleep(20_000)
        }
        throw PrivateDaemonError("swdockd did not serve \(socketPath) within \(timeout) s: \(log)")
    }

    static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    /// SIGTERM by PID, SIGKILL after 10 s, then removes the whole directory.
    public func stop() {
        if stopped { return }
        stopped = true
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        // A daemon with a bridge keeps exec/netns bind-mounted over a stop (live restore).
        HostCleanup.unmountAll(under: directory.path)
        try? FileManager.default.removeItem(at: directory)
    }
}

public struct PrivateDaemonError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
