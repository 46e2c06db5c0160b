import Foundation
import SwdockOS

/// A long-running process a test starts (containerd, dockerd), logged to a file and stopped by
/// its own pid: SIGTERM, a grace period, then SIGKILL. Never by name.
public final class DaemonProcess: @unchecked Sendable {
    public let name: String
    public let logFile: URL
    private let process: SpawnedProcess

    /// The pid of the started process.
    public var pid: Int32 { process.pid }
    public var isRunning: Bool { process.isRunning }

    /// Starts `executable arguments`, stdout and stderr appended to `logFile`, stdin /dev/null.
    public init(name: String, executable: String, arguments: [String], logFile: URL,
                environment: [String: String]? = nil) throws {
        self.name = name
        self.logFile = logFile
        let log = try sys("open", logFile.path) { open(logFile.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
        defer { close(log) }
        let null = try sys("open", "/dev/null") { open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { close(null) }
        process = try SpawnedProcess(executable, arguments, stdin: null, stdout: log, stderr: log,
                                     environment: environment)
    }

    /// The log so far (for failure messages).
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Polls `ready` every 50 ms until it is true; throws, with the log's tail, if the process
    /// exits or `timeout` passes first.
    public func waitUntilReady(timeout: TimeInterval, _ ready: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if ready() { return }
            if let code = process.poll() {
                throw FixtureError("start \(name)", "exited with \(code) before it was ready; log:\n\(log.suffix(3000))")
            }
            usleep(50_000)
        }
        throw FixtureError("start \(name)", "not ready after \(Int(timeout)) s; log:\n\(log.suffix(3000))")
    }

    /// SIGTERM, wait up to `grace` seconds, then SIGKILL, and reap.
    public func stop(grace: TimeInterval = 15) {
        guard process.isRunning else { return }
        process.signal(SIGTERM)
        if process.wait(timeout: grace) == nil {
            process.signal(SIGKILL)
            _ = process.wait(timeout: nil)
        }
    }
}

/// Cleanup of what daemons leave on the host: processes and mounts under their private directories.
public enum HostCleanup {
    /// Kills (SIGKILL) every process whose command line mentions `marker`, a test's own unique
    /// temp directory (e.g. containerd shims started with `-address <dir>/containerd.sock`, or
    /// conmon with `--exit-dir <dir>/…`), or whose root directory lies under it (a container
    /// whose rootfs is there). Matching a unique path, never a program name.
    public static func killProcesses(mentioning marker: String) {
        guard marker.count > 12, marker.hasPrefix("/") else { return }
        let me = getpid()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != me, pid > 1 else { continue }
            let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            let cmdline = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            let root = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/root")) ?? "/"
            if cmdline.contains(marker) || root.hasPrefix(marker + "/") { kill(pid, SIGKILL) }
        }
    }

    /// Mount points at or under `directory` in this mount namespace, deepest first.
    public static func mounts(under directory: String) -> [String] {
        guard let info = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let points = info.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = unescapeMountinfo(String(fields[4]))
            return point == directory || point.hasPrefix(prefix) ? point : nil
        }
        return points.sorted { $0.count > $1.count }
    }

    /// Lazily unmounts everything at or under `directory` (repeated: stacked mounts show one at a time).
    @discardableResult
    public static func unmountAll(under directory: String) -> [String] {
        var failures: [String] = []
        for _ in 0..<8 {
            let points = mounts(under: directory)
            if points.isEmpty { return failures }
            for point in points {
                do { try sys("umount2", "\"\(point)\"") { umount2(point, Int32(MNT_DETACH)) } } catch {
                    failures.append("\(error)")
                }
            }
        }
        return failures
    }

    /// Removes the cgroup `path` (absolute, e.g. `/swdock-docker-1a2b3c4d`) and everything below
    /// it in every hierarchy under /sys/fs/cgroup (v1 controllers and the unified v2 mount),
    /// deepest first; only empty cgroups can go, so a live process keeps its cgroup.
    public static func removeCgroupTree(_ path: String) {
        guard path.hasPrefix("/"), path.count > 8 else { return }
        let root = "/sys/fs/cgroup"
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            let top = root + "/" + hierarchy + path
            guard FileManager.default.fileExists(atPath: top) else { continue }
            var dirs = [top]
            if let walker = FileManager.default.enumerator(atPath: top) {
                for case let sub as String in walker
                where (try? FileManager.default.attributesOfItem(atPath: top + "/" + sub)[.type] as? FileAttributeType) == .typeDirectory {
                    dirs.append(top + "/" + sub)
                }
            }
            for dir in dirs.sorted(by: { $0.count > $1.count }) { rmdir(dir) }
        }
    }

    /// Kills processes, unmounts and removes a test's private directory.
    public static func removeTree(_ directory: URL) {
        killProcesses(mentioning: directory.path)
        unmountAll(under: directory.path)
        try? FileManager.default.removeItem(at: directory)
    }

    private static func unescapeMountinfo(_ field: String) -> String {
        // mountinfo escapes space, tab, newline and backslash as \ooo octal.
        var result = ""
        var chars = Array(field)[...]
        while let c = chars.popFirst() {
            if c == "\\", chars.count >= 3, let code = UInt8(String(chars.prefix(3)), radix: 8) {
                result.append(Character(UnicodeScalar(code)))
                chars = chars.dropFirst(3)
            } else {
                result.append(c)
            }
        }
        return result
    }
}
