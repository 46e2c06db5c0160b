#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SwdockEngine
import SwdockTestSupport
import XCTest

/// A shim killed with -9 under a watching service: the exit is recorded with a reason, the
/// orphaned container is ended, its rootfs unmounted and its cgroup removed.
final class ShimLossTests: XCTestCase {
    func testShimKilledWhileWatchedEndsTheContainerAndCleansUp() async throws {
        let rig = try ContainerRig(test: self)
        let created = try await rig.service.create(name: "orphan", config: ContainerConfiguration(cmd: ["sleep", "300"], image: "busybox"),
                                                   hostConfig: HostConfiguration())
        let waiter = try rig.service.wait(created.id, condition: .nextExit)
        _ = try await rig.service.start(created.id)
        let pid = try await rig.service.inspect(created.id, size: false).state.Pid
        let cgroups = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        let pidsLine = try XCTUnwrap(cgroups.split(separator: "\n").first { $0.contains(":pids:") })
        let cgroupDirectory = "/sys/fs/cgroup/pids" + pidsLine.split(separator: ":", maxSplits: 2)[2]
        XCTAssertTrue(FileManager.default.fileExists(atPath: cgroupDirectory))
        let run = rig.layout.containerRunDirectory(created.id)
        let shimPID = try XCTUnwrap(Int32(try String(contentsOfFile: run + "/shim.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(kill(shimPID, SIGKILL), 0)

        let result = await waiter.result()
        XCTAssertEqual(result?.statusCode, 255)
        let info = try await rig.service.inspect(created.id, size: false)
        XCTAssertEqual(info.state.Status, .exited)
        XCTAssertEqual(info.state.Error, "the shim of container \(created.id) is gone and recorded no exit")
        // Ended means gone or a zombie: once the shim is gone its reaper is whoever adopts it.
        func running(_ pid: Int32) -> Bool {
            guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
            return stat.split(separator: ")").last?.split(separator: " ").first != "Z"
        }
        let deadline = Date().addingTimeInterval(10)
        while running(pid) && Date() < deadline { usleep(20_000) }
        XCTAssertFalse(running(pid), "the orphaned container process was ended")
        XCTAssertFalse(rig.isMounted(run), "its rootfs is unmounted")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cgroupDirectory), "its cgroup is removed")
        let events = rig.service.events.history(sinceNanoseconds: 0, untilNanoseconds: nil,
                                                 filter: try EventFilter(["container": [created.id], "event": ["die"]]))
        XCTAssertEqual(events.map { $0.attributes["exitCode"] }, ["255"])
    }
}
