import Foundation
@testable import SwdockCgroups
import SwdockTestSupport
import XCTest

/// The no-op migration that starts the cgroup rwsem's grace period early, on this host's real
/// cgroups (v1 here). Its v2 branch reads /proc/self/mountinfo and cannot be pointed at a
/// fixture; it shares `ownCgroupV2` with the manager, which the v2 fixture tests cover.
final class CgroupMigrationWarmupTests: XCTestCase {
    func testOwnProcessesFileIsTheCgroupThisProcessIsIn() throws {
        let file = try XCTUnwrap(Cgroups.ownProcessesFile())
        XCTAssertTrue(file.hasPrefix("/sys/fs/cgroup/"), file)
        XCTAssertTrue(file.hasSuffix("/cgroup.procs"), file)
        let pids = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        XCTAssertTrue(pids.contains(getpid()), "\(file) lists this process")
    }

    func testTheWarmupMovesNothing() throws {
        try TestEnvironment.requireRoot()
        let before = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)
        let warmup = try XCTUnwrap(CgroupMigrationWarmup.start())
        warmup.finish()
        warmup.finish()  // a second finish is a no-op
        XCTAssertEqual(try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8), before)
    }
}
