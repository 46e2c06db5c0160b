import Foundation
import SwdockOCI
import SwdockTestSupport
import XCTest

/// A busybox bundle in a temp dir, a private `--root`, and cleanup of every container, mount
/// namespace file and directory it made (also when a test fails).
final class RuntimeBundle {
    let directory: URL
    let root: String
    var spec: RuntimeSpec
    private var ids: [String] = []
    var cleanups: [() -> Void] = []

    static var runtime: String { TestEnvironment.executable("swdock-runtime") }

    init(_ test: XCTestCase) throws {
        try TestEnvironment.requireRoot()
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("swdock-rt-\(UUID().uuidString.prefix(8))")
        root = directory.appendingPathComponent("state").path
        let rootfs = directory.appendingPathComponent("rootfs")
        try FileManager.default.createDirectory(at: rootfs.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs.appendingPathComponent("bin/busybox").path)
        // Applet links as /bin/busybox inside the rootfs, so they resolve in the container.
        let install = try runCommand("/usr/sbin/chroot", [rootfs.path, "/bin/busybox", "--install", "-s", "/bin"])
        XCTAssertEqual(install.status, 0, install.stderr)
        for dir in ["proc", "sys", "dev", "tmp", "etc"] {
            try FileManager.default.createDirectory(at: rootfs.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        spec = RuntimeBundle.defaultSpec()
        test.addTeardownBlock { [self] in self.cleanUp() }
    }

    /// The spec `runc spec` writes (terminal off), with a cgroup path of our own.
    static func defaultSpec() -> RuntimeSpec {
        let caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        var process = RuntimeSpec.Process(terminal: false, user: .init(uid: 0, gid: 0), args: ["sh"],
                                          env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
                                          cwd: "/",
                                          capabilities: .init(bounding: caps, effective: caps, permitted: caps, ambient: caps),
                                          rlimits: [.init(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)], noNewPrivileges: true)
        process.user = .init(uid: 0, gid: 0)
        var linux = RuntimeSpec.Linux()
        linux.namespaces = ["pid", "network", "ipc", "uts", "mount"].map { RuntimeSpec.Namespace(type: $0) }
        linux.maskedPaths = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                             "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"]
        linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
        var resources = RuntimeSpec.Resources()
        resources.devices = [.init(allow: false, access: "rwm")]
        linux.resources = resources
        return RuntimeSpec(process: process, root: .init(path: "rootfs", readonly: true), hostname: "swdock-test",
                           mounts: [
                               .init(destination: "/proc", type: "proc", source: "proc"),
                               .init(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
                               .init(destination: "/dev/pts", type: "devpts", source: "devpts",
                                     options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
                               .init(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
                               .init(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
                               .init(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
                               .init(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
                           ],
                           linux: linux)
    }

    func newID() -> String {
        let id = "t-\(UUID().uuidString.prefix(8).lowercased())"
        ids.append(id)
        return id
    }

    func writeSpec() throws {
        var spec = self.spec
        if spec.linux?.cgroupsPath == nil { spec.linux?.cgroupsPath = "/swdock-test/\(directory.lastPathComponent)" }
        let encoder = JSONEncoder()
        try encoder.encode(spec).write(to: directory.appendingPathComponent("config.json"))
    }

    /// `swdock-runtime --root R ARGS…` with the bundle as cwd.
    @discardableResult
    func runtime(_ args: [String], global: [String] = []) throws -> CommandResult {
        try writeSpec()
        return try runCommand("/usr/bin/env", ["-C", directory.path, RuntimeBundle.runtime, "--root", root] + global + args)
    }

    /// Like `runtime`, with stdout on /dev/null and stderr in a file: for `create`, whose
    /// container keeps the stdio it inherits (a pipe would never reach end of file).
    func runtimeDetached(_ args: [String]) throws -> (status: Int32, stderr: String) {
        try writeSpec()
        let errPath = directory.appendingPathComponent("stderr-\(UUID().uuidString.prefix(6))").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        // posix_spawn + waitpid: the created container outlives this call, and the exit of
        // the runtime is all we wait for.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_TRUNC, 0o644)
        let argv = ["/usr/bin/env", "-C", directory.path, RuntimeBundle.runtime, "--root", root] + args
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, &cArgs, environ)
        XCTAssertEqual(spawned, 0)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (code, stderr)
    }

    /// Runs `args` in a fresh container (`run`), returning its output and exit status.
    func run(_ args: [String], global: [String] = []) throws -> CommandResult {
        spec.process?.args = args
        return try runtime(["run", newID()], global: global)
    }

    func cleanUp() {
        for id in ids { _ = try? runCommand(RuntimeBundle.runtime, ["--root", root, "delete", "--force", id]) }
        for step in cleanups.reversed() { step() }
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            rmdir("/sys/fs/cgroup/\(hierarchy)/swdock-test")
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
