import Foundation

/// Debian's dockerd (docker.io 20.10) of the test's own, on a `PrivateContainerd`.
///
/// Own `--data-root`, `--exec-root`, `--pidfile`, socket and config file (which also moves the
/// trust key off /etc/docker); no bridge (or one the caller made and removes), no
/// iptables/ip6tables, no ip_forward or masquerade changes; extra runtimes by `--add-runtime
/// NAME=PATH`. It runs in containerd's private mount namespace (its overlay mounts must be
/// visible to containerd's shims, and it creates /run/docker/plugins whatever its flags).
/// Nothing touches /var/lib/docker or /run/docker.sock.
public final class PrivateDockerd: @unchecked Sendable {
    public let containerd: PrivateContainerd
    /// Everything of this dockerd lives below here (inside containerd's directory).
    public var directory: URL { containerd.directory.appendingPathComponent("docker") }
    public var socket: String { directory.appendingPathComponent("docker.sock").path }
    /// The docker CLI of Debian's docker.io (not whatever `docker` comes first in PATH).
    public let cli: String
    /// `--cgroup-parent` of the daemon: containers' cgroups go below it (not /docker); removed by `stop()`.
    public let cgroupParent = "/swdock-docker-\(UUID().uuidString.prefix(8).lowercased())"
    private var daemon: DaemonProcess?

    /// Starts containerd and dockerd, and waits until `GET /_ping` answers `OK`.
    /// - Parameter bridge: an existing bridge with an IPv4 address for the default `bridge`
    ///   network (`--bridge`); nil: `--bridge=none`.
    public init(runtimes: [String: String], bridge: String? = nil) throws {
        guard let dockerd = PeerRuntimes.find("dockerd"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/docker") else {
            throw FixtureError("start private dockerd", "dockerd or /usr/bin/docker missing (apt-get install docker.io)")
        }
        cli = "/usr/bin/docker"
        containerd = try PrivateContainerd()
        do {
            let dir = directory
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let config = dir.appendingPathComponent("daemon.json")
            let settings: [String: Any] = ["deprecated-key-path": dir.appendingPathComponent("key.json").path]
            try JSONSerialization.data(withJSONObject: settings).write(to: config)
            var arguments = [
                "--config-file", config.path,
                "--data-root", dir.appendingPathComponent("data").path,
                "--exec-root", dir.appendingPathComponent("exec").path,
                "--pidfile", dir.appendingPathComponent("dockerd.pid").path,
                "-H", "unix://\(socket)",
                "--containerd", containerd.address,
                "--bridge=\(bridge ?? "none")", "--iptables=false", "--ip6tables=false",
                "--ip-forward=false", "--ip-masq=false",
                "--cgroup-parent", cgroupParent,
            ]
            for (name, path) in runtimes.sorted(by: { $0.key < $1.key }) { arguments += ["--add-runtime", "\(name)=\(path)"] }
            let (exe, argv) = containerd.inNamespace(dockerd, arguments)
            let daemon = try DaemonProcess(name: "dockerd", executable: exe, arguments: argv,
                                           logFile: dir.appendingPathComponent("dockerd.log"))
            self.daemon = daemon
            try daemon.waitUntilReady(timeout: 60) { ping() }
        } catch {
            stop()
            throw error
        }
    }

    /// The pid of dockerd.
    public var pid: Int32? { daemon?.pid }
    public var log: String { daemon?.log ?? "" }

    /// True when `GET /_ping` on our socket answers `OK`.
    public func ping() -> Bool {
        let result = try? runCommand("/usr/bin/curl", ["-sf", "--max-time", "5", "--unix-socket", socket,
                                                       "http://localhost/_ping"], timeout: 10)
        return result?.status == 0 && result?.stdout == "OK"
    }

    /// `docker -H unix://<ours> args…`.
    @discardableResult
    public func docker(_ arguments: [String], timeout: TimeInterval = 120, input: Data? = nil) throws -> CommandResult {
        try runCommand(cli, ["-H", "unix://\(socket)"] + arguments, timeout: timeout, input: input)
    }

    /// The argv of the same, for running under a pty or a timer.
    public func dockerCommand(_ arguments: [String]) -> [String] { [cli, "-H", "unix://\(socket)"] + arguments }

    /// Removes all containers, stops dockerd by its pid, then containerd (which unmounts and
    /// removes everything below its directory).
    public func stop() {
        if let daemon, daemon.isRunning {
            let ids = (try? docker(["ps", "-aq"], timeout: 30).stdout) ?? ""
            let list = ids.split(separator: "\n").map(String.init)
            if !list.isEmpty { _ = try? docker(["rm", "-f"] + list, timeout: 60) }
            daemon.stop()
        }
        daemon = nil
        containerd.removeAllContainers(namespace: "moby")
        containerd.stop()
        HostCleanup.removeCgroupTree(cgroupParent)
    }

    deinit { if daemon != nil { stop() } }
}
