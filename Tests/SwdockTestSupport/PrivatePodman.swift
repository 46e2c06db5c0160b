import Foundation

/// Debian's podman (4.3) with all its state in one temp directory and a given OCI runtime.
///
/// Flags it needs here (peer-baseline.md): `--cgroup-manager=cgroupfs`, and on `run`
/// `--ulimit nofile=1024:1024 --ulimit nproc=1024:1024` (the hard NOFILE limit here is above
/// what podman may set) and `--network none` (no CNI setup). Private `--root`, `--runroot`,
/// `--tmpdir`, `--volumepath`, `--network-config-dir`; podman and its conmons run in a
/// `PrivateMountNamespace` with tmpfs over /run and /var/lib/containers, since podman writes
/// /run/containers/networks and /var/lib/containers/cache/blob-info-cache-v1.boltdb whatever
/// its flags (an empty /var/lib/containers mount point is created on the host if missing).
public final class PrivatePodman: @unchecked Sendable {
    public let directory: URL
    public let binary: String
    public let runtime: String
    private let namespace: PrivateMountNamespace

    /// The parent cgroup of the containers (podman's default, /libpod_parent, would stay behind).
    public let cgroupParent = "/swdock-podman-\(UUID().uuidString.prefix(8).lowercased())"

    /// The `run` flags podman needs on this machine, and our cgroup parent.
    public var runFlags: [String] {
        ["--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
         "--cgroup-parent", cgroupParent]
    }

    public init(runtime: String) throws {
        guard let podman = PeerRuntimes.find("podman"), PeerRuntimes.find("conmon") != nil else {
            throw FixtureError("set up private podman", "podman/conmon not installed (apt-get install podman)")
        }
        binary = podman
        self.runtime = runtime
        directory = URL(fileURLWithPath: "/tmp/swdock-podman-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o711])
        do {
            namespace = try PrivateMountNamespace(tmpfsOver: ["/run", "/var/lib/containers"], directory: directory)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// podman's global flags pointing everything at our directory and runtime.
    public var globalFlags: [String] {
        let d = directory.path
        return ["--root", "\(d)/root", "--runroot", "\(d)/runroot", "--tmpdir", "\(d)/tmp",
                "--volumepath", "\(d)/volumes", "--network-config-dir", "\(d)/net",
                "--storage-driver", "overlay", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                "--runtime", runtime]
    }

    /// The executable and argv of `podman <global flags> args…` in our mount namespace, for
    /// callers that run and time it themselves.
    public func command(_ arguments: [String]) -> (executable: String, arguments: [String]) {
        namespace.command(binary, globalFlags + arguments)
    }

    /// `podman <global flags> args…` in our mount namespace.
    @discardableResult
    public func podman(_ arguments: [String], timeout: TimeInterval = 120, input: Data? = nil) throws -> CommandResult {
        let (exe, argv) = namespace.command(binary, globalFlags + arguments)
        return try runCommand(exe, argv, timeout: timeout, input: input)
    }

    /// Removes all containers (`rm -af -t 0`: busybox sleep as pid 1 ignores SIGTERM), kills
    /// conmons and containers left below our directory, ends the namespace and removes the directory.
    public func stop() {
        _ = try? podman(["rm", "-af", "-t", "0"], timeout: 60)
        HostCleanup.killProcesses(mentioning: directory.path)
        namespace.stop()
        HostCleanup.removeTree(directory)
        HostCleanup.removeCgroupTree(cgroupParent)
    }
}
