import Foundation
import SwdockOCI
import XCTest

/// One runc-compatible OCI runtime binary under test (runc, crun or swdock-runtime), with its
/// own private state directory (`--root`), so tests never touch /run/runc or /run/crun.
///
/// The same feature checks run against every `OCIRuntime`, as youki's integration tests run
/// against runc: a check that passes on runc and crun proves the check itself is right.
public struct OCIRuntime: Sendable, CustomStringConvertible {
    /// Short name for messages and container ids: `runc`, `crun`, `swdock-runtime`.
    public let name: String
    /// The runtime binary.
    public let binary: String
    /// argv placed before the binary (crun's private mount namespace, see `PeerRuntimes`).
    public let wrapper: [String]
    /// The private `--root` state directory.
    public let stateRoot: URL

    public init(name: String, binary: String, wrapper: [String] = []) {
        self.name = name
        self.binary = binary
        self.wrapper = wrapper
        stateRoot = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("swdock-\(name)-state-\(UUID().uuidString.prefix(8))")
    }

    public var description: String { wrapper.isEmpty ? "\(name) (\(binary))" : "\(name) (\(binary), wrapped)" }

    /// The executable and argv for `runtime --root <state> <args…>`.
    public func command(_ arguments: [String]) -> (executable: String, arguments: [String]) {
        let full = ["--root", stateRoot.path] + arguments
        if let first = wrapper.first { return (first, Array(wrapper.dropFirst()) + [binary] + full) }
        return (binary, full)
    }

    /// Runs one runtime command to completion (killed after `timeout` seconds).
    @discardableResult
    public func invoke(_ arguments: [String], timeout: TimeInterval = 60, input: Data? = nil,
                       onTimeout: () -> Void = {}) throws -> CommandResult {
        let (exe, argv) = command(arguments)
        return try runCommand(exe, argv, timeout: timeout, input: input, onTimeout: onTimeout)
    }

    /// `run --bundle DIR ID`: create, start and wait; the result carries the container's stdio
    /// and the runtime's exit code (the container's exit status, 128+signal when killed).
    public func run(bundle: BusyboxBundle, id: String, timeout: TimeInterval = 60) throws -> CommandResult {
        try invoke(["run", "--bundle", bundle.directory.path, id], timeout: timeout,
                   onTimeout: { forceDelete(id: id) })
    }

    /// `create --bundle DIR ID` with the container's stdio on a file (`outputFile`), so no
    /// pipe stays open while the container runs; the result's stdout holds what the runtime printed.
    public func create(bundle: BusyboxBundle, id: String, outputFile: URL) throws -> CommandResult {
        let (exe, argv) = command(["create", "--bundle", bundle.directory.path, id])
        return try runCommand(exe, argv, timeout: 60, outputFile: outputFile, onTimeout: { forceDelete(id: id) })
    }

    /// `state ID`, decoded.
    public func state(id: String) throws -> RuntimeState {
        let result = try invoke(["state", id], timeout: 30)
        guard result.status == 0 else { throw FixtureError("\(name) state \(id)", result.stderr) }
        return try JSONDecoder().decode(RuntimeState.self, from: Data(result.stdout.utf8))
    }

    /// `delete --force ID`, ignoring "does not exist": cleanup after a failed or killed run.
    public func forceDelete(id: String) {
        _ = try? invoke(["delete", "--force", id], timeout: 30)
    }

    /// Removes the private state directory (after every container in it is deleted).
    public func removeState() {
        try? FileManager.default.removeItem(at: stateRoot)
    }
}

/// Finds the peer runtimes and the swdock-runtime under test.
public enum PeerRuntimes {
    /// The variable naming the swdock-runtime binary the swdock-runtime variants of the interop
    /// tests and benchmarks run against: a path, or `built` for this build's product
    /// (`.build/<config>/swdock-runtime`). Unset: those variants are not run (see docs/peers.md).
    public static let underTestVariable = "SWDOCK_RUNTIME_UNDER_TEST"

    private static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The first executable `name` in the usual system directories, or nil.
    public static func find(_ name: String) -> String? {
        searchPath.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// True when /sys/fs/cgroup/unified is a cgroup2 mount beside v1 hierarchies (systemd's
    /// hybrid layout, as on this machine), which crun 1.8 refuses.
    public static var isHybridCgroupLayout: Bool {
        guard let info = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return false }
        return info.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 && fields[4] == "/sys/fs/cgroup/unified"
        }
    }

    /// argv that runs a command in a private mount namespace without /sys/fs/cgroup/unified;
    /// the host's mounts are unchanged (peer-baseline.md: crun needs this here).
    public static let withoutUnifiedCgroupMount: [String] = [
        "/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
        "umount /sys/fs/cgroup/unified && exec \"$@\"", "sh",
    ]

    /// runc from Debian's `runc` package; skips (fails when strict) if it is not installed.
    public static func runc(file: StaticString = #filePath, line: UInt = #line) throws -> OCIRuntime {
        guard let path = find("runc") else {
            try TestEnvironment.missing("runc is not installed (apt-get install runc)", file: file, line: line)
            fatalError("unreachable: missing() throws")
        }
        return OCIRuntime(name: "runc", binary: path)
    }

    /// crun from Debian's `crun` package, wrapped as described above on a hybrid layout.
    public static func crun(file: StaticString = #filePath, line: UInt = #line) throws -> OCIRuntime {
        guard let path = find("crun") else {
            try TestEnvironment.missing("crun is not installed (apt-get install crun)", file: file, line: line)
            fatalError("unreachable: missing() throws")
        }
        return OCIRuntime(name: "crun", binary: path, wrapper: isHybridCgroupLayout ? withoutUnifiedCgroupMount : [])
    }

    /// The path `SWDOCK_RUNTIME_UNDER_TEST` names (`built` = this build's swdock-runtime), or nil when unset.
    public static var swdockRuntimeUnderTestPath: String? {
        guard let value = ProcessInfo.processInfo.environment[underTestVariable], !value.isEmpty else { return nil }
        return value == "built" ? TestEnvironment.executable("swdock-runtime") : value
    }

    /// swdock-runtime, run directly (no wrapper: it must work on this cgroup layout as runc does).
    ///
    /// Gate: unset `SWDOCK_RUNTIME_UNDER_TEST` skips, always (also under SWDOCK_TEST_STRICT), so
    /// CI stays green until the runtime is merged; once set, a missing or failing binary FAILS.
    public static func swdockRuntime(file: StaticString = #filePath, line: UInt = #line) throws -> OCIRuntime {
        guard let path = swdockRuntimeUnderTestPath else {
            throw XCTSkip("\(underTestVariable) is not set: the swdock-runtime variant is gated until the runtime lands (docs/peers.md)")
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("\(underTestVariable)=\(path): no executable there", file: file, line: line)
            throw FixtureError("find swdock-runtime", "\(path) is not an executable")
        }
        return OCIRuntime(name: "swdock-runtime", binary: path)
    }
}
