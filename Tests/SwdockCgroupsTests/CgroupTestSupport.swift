import Foundation
@testable import SwdockCgroups
import SwdockOCI
import SwdockTestSupport
import XCTest

/// A process started for a cgroup test, killed at teardown if still running.
final class TestProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let errors = Pipe()

    /// Starts `arguments[0]` with the rest; it blocks on `read go` first when `gated`.
    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Lets a `read go`-gated shell continue.
    func release() { input.fileHandleForWriting.write(Data("go\n".utf8)) }

    func waitForExit() -> (status: Int32, signaled: Bool, stderr: String) {
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, text)
    }

    func kill() {
        if process.isRunning { Foundation.kill(pid, SIGKILL) }
        process.waitUntilExit()
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
        }
        do { try manager.destroy() } catch { XCTFail("cleanup of \(manager.path): \(error)") }
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
