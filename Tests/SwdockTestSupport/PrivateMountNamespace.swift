import Foundation

/// A mount namespace of the test's own, held open by one `sleep` process, where daemons and
/// their clients run through `nsenter --mount`.
///
/// It covers fixed host paths the peers write to no matter their flags with private tmpfs
/// (dockerd: /run/docker/plugins; containerd's shim: /run/containerd/s, ctr: /run/containerd/fifo;
/// podman: /run/containers, /var/lib/containers/cache), and every mount a daemon makes inside
/// (overlay rootfs, netns binds) disappears with the namespace when its last process ends.
/// Files on the host's filesystems (the test's /tmp directory) are shared as usual.
public final class PrivateMountNamespace: @unchecked Sendable {
    private let holder: DaemonProcess
    /// The file that names the namespace (`/proc/<holder>/ns/mnt`).
    public var path: String { "/proc/\(holder.pid)/ns/mnt" }

    /// Creates the namespace (propagation private) with a tmpfs over each of `tmpfsOver`.
    /// Mount points that do not exist on the host are created there first (empty directories).
    public init(tmpfsOver: [String], directory: URL) throws {
        let ready = directory.appendingPathComponent("mountns.ready")
        let mounts = tmpfsOver.map { "mount -t tmpfs -o mode=0755 tmpfs '\($0)'" }.joined(separator: " && ")
        for point in tmpfsOver where !FileManager.default.fileExists(atPath: point) {
            try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)
        }
        holder = try DaemonProcess(
            name: "mount namespace holder", executable: "/usr/bin/unshare",
            arguments: ["--mount", "--propagation", "private", "/bin/sh", "-c",
                        "\(mounts.isEmpty ? "true" : mounts) && touch '\(ready.path)' && exec sleep 2147483647"],
            logFile: directory.appendingPathComponent("mountns.log"))
        do {
            try holder.waitUntilReady(timeout: 10) { FileManager.default.fileExists(atPath: ready.path) }
        } catch {
            holder.stop(grace: 0)
            throw error
        }
    }

    /// The executable and argv that run `executable arguments` inside the namespace.
    public func command(_ executable: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        ("/usr/bin/nsenter", ["--mount=\(path)", "--", executable] + arguments)
    }

    /// Ends the holder; the namespace (and its mounts) goes when no other process is left in it.
    public func stop() { holder.stop(grace: 0) }

    deinit { stop() }
}
