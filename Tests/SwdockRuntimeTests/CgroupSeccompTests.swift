import Foundation
import SwdockOCI
import SwdockTestSupport
import XCTest

/// cgroup limits enforced and seccomp rules applied, seen from inside the container.
final class CgroupSeccompTests: XCTestCase {
    func testSeccompDeniedSyscallReturnsTheErrnoAsked() throws {
        let bundle = try RuntimeBundle(self)
        // EDQUOT (122): an errno nothing else would give mkdir on a tmpfs.
        bundle.spec.linux?.seccomp = .init(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
                                           syscalls: [.init(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 122)])
        bundle.spec.mounts?.append(.init(destination: "/scratch", type: "tmpfs", source: "tmpfs"))
        let result = try bundle.run(["sh", "-c", "mkdir /scratch/x; echo status=$?; grep Seccomp: /proc/self/status"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("Disk quota exceeded"), result.stderr)
        XCTAssertTrue(result.stdout.contains("status=1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Seccomp:\t2"), result.stdout)
    }

    func testMemoryHogIsOOMKilledUnderItsLimit() throws {
        let bundle = try RuntimeBundle(self)
        var memory = RuntimeSpec.Memory()
        memory.limit = 16 << 20
        memory.swap = 16 << 20
        bundle.spec.linux?.resources?.memory = memory
        let result = try bundle.run(["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"])
        XCTAssertEqual(result.status, 137, "killed by SIGKILL (the OOM killer): \(result.stderr)")
    }

    func testForkBombStopsAtPidsMax() throws {
        let bundle = try RuntimeBundle(self)
        bundle.spec.linux?.resources?.pids = .init(limit: 8)
        let result = try bundle.run(["sh", "-c", "read m < /sys/fs/cgroup/pids/pids.max; echo max=$m; i=0; while [ $i -lt 20 ]; do sleep 3 & i=$((i+1)); done"])
        XCTAssertTrue(result.stderr.contains("can't fork"), result.stderr)
        // A builtin (no fork left): the container sees its own pids cgroup.
        XCTAssertTrue(result.stdout.contains("max=8"), result.stdout)
    }
}
