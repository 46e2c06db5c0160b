import CSwdockSys
import Foundation
@testable import SwdockCgroups
import SwdockOCI
import SwdockTestSupport
import XCTest

/// A process started for a cgroup test with posix_spawn and reaped with waitpid (not
/// Foundation.Process, whose exit monitoring missed exits of children whose own children
/// outlive them, as a fork bomb's do). Killed at teardown if still running.
final class TestProcess: @unchecked Sendable {
    let pid: Int32
    private var inputFD: Int32
    private var exited: (status: Int32, signaled: Bool)?
    /// stderr goes to a file, which no surviving grandchild can hold open the way a pipe would.
    let errorsPath = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-cgtest-\(UUID().uuidString).err").path

    init(_ arguments: [String]) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.EIO) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorsPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, arguments[0], &actions, nil, &argv, environ)
        close(fds[0])
        guard rc == 0 else { close(fds[1]); throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        pid = child
        inputFD = fds[1]
    }

    /// Lets a `read go`-gated shell continue.
    func release() {
        _ = "go\n".withCString { write(inputFD, $0, 3) }
    }

    func waitForExit() -> (status: Int32, signaled: Bool, stderr: String) {
        if exited == nil {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            let signaled = (status & 0x7f) != 0
            exited = (signaled ? status & 0x7f : (status >> 8) & 0xff, signaled)
        }
        let text = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        return (exited!.status, exited!.signaled, text)
    }

    func kill() {
        if exited == nil {
            Foundation.kill(pid, SIGKILL)
            _ = waitForExit()
        }
        if inputFD >= 0 { close(inputFD); inputFD = -1 }
        try? FileManager.default.removeItem(atPath: errorsPath)
    }
}

extension XCTestCase {
    /// A v1 cgroup with a unique absolute path, removed at teardown (its processes killed,
    /// thawed first if frozen) whether the test passed or not.
    func makeTestCgroup(_ resources: RuntimeSpec.Resources? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> any CgroupManager {
        try TestEnvironment.requireRoot(file: file, line: line)
        let id = "swdock-hostlib-test-\(UUID().uuidString.prefix(8).lowercased())"
        let manager = try Cgroups.manager(cgroupsPath: "/\(id)", containerID: id)
        addTeardownBlock { Self.removeTestCgroup(manager) }
        try manager.create(resources: resources)
        return manager
    }

    static func removeTestCgroup(_ manager: any CgroupManager) {
        if (try? manager.isFrozen()) == true { try? manager.thaw() }
        for _ in 0..<100 {
            let pids = (try? manager.processes()) ?? []
            if pids.isEmpty { break }
            for pid in pids { kill(pid, SIGKILL) }
            usleep(10_000)
            // Orphans of a test process reparent to us when we are a subreaper: reap them, or
            // their zombies would keep the cgroup busy.
            var status: Int32 = 0
            for pid in pids { _ = waitpid(pid, &status, WNOHANG) }
        }
        do { try manager.destroy() } catch { XCTFail("cleanup of \(manager.path): \(error)") }
    }

    /// Makes this test process the reaper of orphaned descendants, so a test can reap the
    /// children a test process leaves behind (pid 1 of this VM reaps late).
    func becomeChildSubreaper() {
        _ = swdock_prctl(36 /* PR_SET_CHILD_SUBREAPER */, 1, 0, 0, 0)
    }

    /// Undoes `becomeChildSubreaper`, after reaping the orphans adopted meanwhile.
    func endChildSubreaper() {
        var status: Int32 = 0
        while waitpid(-1, &status, WNOHANG) > 0 {}
        _ = swdock_prctl(36 /* PR_SET_CHILD_SUBREAPER */, 0, 0, 0, 0)
    }

    /// Process state letter from /proc/PID/stat (R, S, D, Z, …).
    func processState(_ pid: Int32) throws -> String {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command may contain spaces: the state follows the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return "?" }
        return String(stat[stat.index(close, offsetBy: 2)])
    }

    /// Waits (bounded) until `condition` holds; the test then asserts on it.
    func eventually(_ attempts: Int = 500, _ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<attempts {
            if try condition() { return true }
            usleep(10_000)
        }
        return try condition()
    }
}

func readCgroupFile(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
}
