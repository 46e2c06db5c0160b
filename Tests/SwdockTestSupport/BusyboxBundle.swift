import Foundation
import SwdockOCI

/// Errors of the test fixtures that build bundles, images and daemons: the step and the object.
public struct FixtureError: Error, CustomStringConvertible {
    public let what: String
    public let message: String
    public init(_ what: String, _ message: String) { self.what = what; self.message = message }
    public var description: String { "\(what): \(message)" }
}

/// An OCI bundle in a fresh temporary directory: a busybox-static rootfs and a `config.json`.
///
/// The config starts as `runc spec` writes it (the same mounts, namespaces, capabilities,
/// masked and read-only paths), but with `terminal: false` and the given `args`, so every
/// runtime under test gets the very same bundle. Tests change it through `configure`.
public final class BusyboxBundle: @unchecked Sendable {
    /// The bundle directory (holds `config.json` and `rootfs/`).
    public let directory: URL
    /// The container's root filesystem.
    public var rootfs: URL { directory.appendingPathComponent("rootfs") }
    /// The path of `config.json`.
    public var configFile: URL { directory.appendingPathComponent("config.json") }
    /// The config as last written.
    public private(set) var spec: RuntimeSpec

    /// The busybox-static binary the rootfs is made from (Debian's busybox-static).
    public static let busyboxPath = "/bin/busybox"

    /// Makes the bundle: temp dir, rootfs, and the default config changed by `configure`.
    public init(args: [String], configure: (inout RuntimeSpec, URL) throws -> Void = { _, _ in }) throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("swdock-bundle-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        directory = base
        spec = BusyboxBundle.defaultSpec(args: args)
        do {
            try BusyboxBundle.makeRootfs(at: base.appendingPathComponent("rootfs"))
            var changed = spec
            try configure(&changed, base)
            try write(changed)
        } catch {
            remove()
            throw error
        }
    }

    /// Writes `spec` as the bundle's `config.json`.
    public func write(_ newSpec: RuntimeSpec) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(newSpec).write(to: configFile)
        spec = newSpec
    }

    /// Deletes the bundle directory (the container must be gone first).
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The config `runc spec` writes (runc 1.1), with `terminal: false` and `args`.
    public static func defaultSpec(args: [String]) -> RuntimeSpec {
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        var linux = RuntimeSpec.Linux()
        var resources = RuntimeSpec.Resources()
        resources.devices = [RuntimeSpec.DeviceCgroup(allow: false, access: "rwm")]
        linux.resources = resources
        linux.namespaces = ["pid", "network", "ipc", "uts", "mount"].map { RuntimeSpec.Namespace(type: $0) }
        linux.maskedPaths = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                             "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                             "/proc/scsi"]
        linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
        return RuntimeSpec(
            ociVersion: "1.0.2-dev",
            process: RuntimeSpec.Process(
                terminal: false, user: RuntimeSpec.User(uid: 0, gid: 0), args: args,
                env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                cwd: "/",
                capabilities: RuntimeSpec.Capabilities(bounding: caps, effective: caps, permitted: caps,
                                                       ambient: caps),
                rlimits: [RuntimeSpec.Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)],
                noNewPrivileges: true),
            root: RuntimeSpec.Root(path: "rootfs", readonly: true),
            hostname: "runc",
            mounts: [
                RuntimeSpec.Mount(destination: "/proc", type: "proc", source: "proc"),
                RuntimeSpec.Mount(destination: "/dev", type: "tmpfs", source: "tmpfs",
                                  options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
                RuntimeSpec.Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
                                  options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
                RuntimeSpec.Mount(destination: "/dev/shm", type: "tmpfs", source: "shm",
                                  options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
                RuntimeSpec.Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
                                  options: ["nosuid", "noexec", "nodev"]),
                RuntimeSpec.Mount(destination: "/sys", type: "sysfs", source: "sysfs",
                                  options: ["nosuid", "noexec", "nodev", "ro"]),
                RuntimeSpec.Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                                  options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
            ],
            linux: linux)
    }

    /// Fills `rootfs` with busybox-static, one symlink per applet, and the few files a shell expects.
    public static func makeRootfs(at rootfs: URL) throws {
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: busyboxPath) else {
            throw FixtureError("make busybox rootfs", "\(busyboxPath) is missing (apt-get install busybox-static)")
        }
        for dir in ["bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp", "root", "run", "var"] {
            try fm.createDirectory(at: rootfs.appendingPathComponent(dir), withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: dir == "tmp" ? 0o1777 : 0o755])
        }
        let target = rootfs.appendingPathComponent("bin/busybox")
        try fm.copyItem(atPath: busyboxPath, toPath: target.path)
        let list = try runCommand(busyboxPath, ["--list-full"])
        guard list.status == 0 else { throw FixtureError("busybox --list-full", list.stderr) }
        for applet in list.stdout.split(separator: "\n").map(String.init) where applet != "bin/busybox" {
            let link = rootfs.appendingPathComponent(applet)
            if fm.fileExists(atPath: link.path) { continue }
            try fm.createSymbolicLink(atPath: link.path, withDestinationPath: "/bin/busybox")
        }
        try "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
            .write(to: rootfs.appendingPathComponent("etc/passwd"), atomically: false, encoding: .utf8)
        try "root:x:0:\nnogroup:x:65534:\n"
            .write(to: rootfs.appendingPathComponent("etc/group"), atomically: false, encoding: .utf8)
    }
}
