import Foundation

/// A containerd of the test's own: root, state, socket, opt dir and config all in one temp
/// directory, CRI disabled; nothing under /var/lib/containerd or /run/containerd.
///
/// It runs, with every `ctr` call, in a `PrivateMountNamespace` with a tmpfs over /run, because
/// containerd 1.6's shim puts its socket at /run/containerd/s/… and ctr its stdio FIFOs at
/// /run/containerd/fifo/… whatever the flags. A dockerd sharing this containerd runs there too.
public final class PrivateContainerd: @unchecked Sendable {
    /// The private directory holding everything.
    public let directory: URL
    /// The gRPC socket.
    public var address: String { directory.appendingPathComponent("containerd.sock").path }
    public let binary: String
    public let ctrBinary: String
    /// The parent cgroup for containers the test starts (`ctr run --cgroup <this>/<id>`; by
    /// default ctr would leave /<namespace> behind); removed by `stop()`.
    public let cgroupParent = "/swdock-ctrd-\(UUID().uuidString.prefix(8).lowercased())"
    /// The mount namespace containerd, its shims and its clients run in.
    public let namespace: PrivateMountNamespace
    private var daemon: DaemonProcess?

    /// Starts containerd and waits until `ctr version` answers on its socket.
    public init(directory: URL? = nil) throws {
        guard let binary = PeerRuntimes.find("containerd"), let ctrPath = PeerRuntimes.find("ctr") else {
            throw FixtureError("start private containerd", "containerd/ctr not installed (apt-get install containerd)")
        }
        self.binary = binary
        ctrBinary = ctrPath
        let dir = directory ?? URL(fileURLWithPath: "/tmp/swdock-ctrd-\(UUID().uuidString.prefix(8).lowercased())")
        self.directory = dir
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o711])
        do {
            namespace = try PrivateMountNamespace(tmpfsOver: ["/run"], directory: dir)
        } catch {
            try? FileManager.default.removeItem(at: dir)
            throw error
        }
        do {
            let config = dir.appendingPathComponent("config.toml")
            try """
                version = 2
                root = "\(dir.path)/root"
                state = "\(dir.path)/state"
                temp = "\(dir.path)/tmp"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "\(address)"
                [ttrpc]
                  address = "\(address).ttrpc"
                [debug]
                  address = ""
                [metrics]
                  address = ""
                [plugins."io.containerd.internal.v1.opt"]
                  path = "\(dir.path)/opt"

                """.write(to: config, atomically: false, encoding: .utf8)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("tmp"), withIntermediateDirectories: true)
            let (exe, argv) = namespace.command(binary, ["--config", config.path, "--log-level", "info"])
            let daemon = try DaemonProcess(name: "containerd", executable: exe, arguments: argv,
                                           logFile: dir.appendingPathComponent("containerd.log"))
            self.daemon = daemon
            try daemon.waitUntilReady(timeout: 30) {
                (try? ctr(["version"], timeout: 10).status) == 0
            }
        } catch {
            stop()
            throw error
        }
    }

    /// The pid of containerd (for the report; `stop()` is the way to end it).
    public var pid: Int32? { daemon?.pid }
    /// containerd's log so far.
    public var log: String { daemon?.log ?? "" }

    /// `ctr --address <ours> --namespace <ns> args…`, run in our mount namespace.
    @discardableResult
    public func ctr(_ arguments: [String], namespace ns: String = "swdock-interop", timeout: TimeInterval = 120,
                    input: Data? = nil) throws -> CommandResult {
        let (exe, argv) = namespace.command(ctrBinary, ["--address", address, "--namespace", ns] + arguments)
        return try runCommand(exe, argv, timeout: timeout, input: input)
    }

    /// Runs any command (dockerd, a check) in containerd's mount namespace.
    public func inNamespace(_ executable: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        namespace.command(executable, arguments)
    }

    /// Kills and deletes every task and container in `namespace` (errors ignored: cleanup).
    public func removeAllContainers(namespace: String) {
        let tasks = (try? ctr(["task", "list", "--quiet"], namespace: namespace, timeout: 30).stdout) ?? ""
        for id in tasks.split(separator: "\n").map(String.init) {
            _ = try? ctr(["task", "kill", "--signal", "SIGKILL", id], namespace: namespace, timeout: 30)
            _ = try? ctr(["task", "delete", "--force", id], namespace: namespace, timeout: 30)
        }
        let containers = (try? ctr(["container", "list", "--quiet"], namespace: namespace, timeout: 30).stdout) ?? ""
        for id in containers.split(separator: "\n").map(String.init) {
            _ = try? ctr(["container", "delete", id], namespace: namespace, timeout: 30)
        }
    }

    /// Stops containerd by its pid, kills shims and containers left under our directory,
    /// unmounts everything below it and removes it.
    public func stop() {
        daemon?.stop()
        daemon = nil
        HostCleanup.killProcesses(mentioning: directory.path)
        namespace.stop()
        HostCleanup.removeTree(directory)
        HostCleanup.removeCgroupTree(cgroupParent)
    }

    deinit { if daemon != nil { stop() } }
}
