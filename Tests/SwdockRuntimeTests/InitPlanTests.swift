import Foundation
import SwdockOCI
@testable import SwdockRuntime
import XCTest

/// The plan the init performs, checked without root: mount option parsing, op order, masks.
final class InitPlanTests: XCTestCase {
    func testMountOptionsSplitIntoFlagsPropagationAndData() throws {
        let options = try MountOptions(parsing: ["rbind", "ro", "nosuid", "rslave", "size=1m", "mode=755"])
        XCTAssertEqual(options.flags, MountFlag.bind | MountFlag.rec | MountFlag.rdonly | MountFlag.nosuid)
        XCTAssertEqual(options.propagation, MountFlag.slave | MountFlag.rec)
        XCTAssertEqual(options.data, ["size=1m", "mode=755"])
        XCTAssertEqual(try MountOptions(parsing: ["ro", "rw"]).flags, 0)
        XCTAssertThrowsError(try MountOptions(parsing: ["tmpcopyup"]))
        XCTAssertThrowsError(try MountOptions(parsing: ["rnoexec"]))
    }

    func testCgroupHierarchiesFromMountinfo() {
        // This host's layout (hybrid), plus lines that mention cgroup elsewhere than the type.
        let mountinfo = """
            25 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
            30 22 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
            32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
            36 30 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct
            40 25 0:40 / /srv/cgroup-notes rw,relatime shared:20 - tmpfs cgroup rw
            41 25 0:41 / /mnt/elsewhere rw,relatime shared:21 - cgroup cgroup rw,pids
            """
        XCTAssertEqual(CgroupHierarchy.parse(mountinfo: mountinfo), [
            CgroupHierarchy(mountPoint: "/sys/fs/cgroup/unified", fstype: "cgroup2", options: ""),
            CgroupHierarchy(mountPoint: "/sys/fs/cgroup/systemd", fstype: "cgroup", options: "name=systemd"),
            CgroupHierarchy(mountPoint: "/sys/fs/cgroup/cpu,cpuacct", fstype: "cgroup", options: "cpu,cpuacct"),
        ])
    }

    func testSignalsByNameAndNumber() throws {
        XCTAssertEqual(try Signals.parse("KILL"), SIGKILL)
        XCTAssertEqual(try Signals.parse("sigterm"), SIGTERM)
        XCTAssertEqual(try Signals.parse("9"), 9)
        XCTAssertEqual(try Signals.parse("RTMIN+2"), 36)
        XCTAssertThrowsError(try Signals.parse("NOPE"))
        XCTAssertThrowsError(try Signals.parse("99"))
    }

    func testPlanOrdersMountsDevicesPivotThenPathsAndComputesCapabilityMasks() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("plan-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rootfs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var spec = DefaultSpec.make(rootless: false)
        spec.process?.terminal = false
        spec.process?.capabilities = .init(bounding: ["CAP_CHOWN", "CAP_SYS_ADMIN"], effective: ["cap_chown"])
        spec.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
        let plan = try InitPlan(spec: spec, context: PlanContext(bundle: dir.path))
        let kinds = plan.ops.map(\.kind)
        let pivot = try XCTUnwrap(kinds.firstIndex(of: .pivot))
        XCTAssertEqual(plan.ops.first?.describe, "mount \"proc\" on \"/proc\"")
        XCTAssertTrue(kinds[..<pivot].contains(.mknod))
        XCTAssertTrue(plan.ops[..<pivot].contains { $0.kind == .symlink && $0.target == "/dev/ptmx" && $0.source == "pts/ptmx" })
        let after = plan.ops[(pivot + 1)...]
        XCTAssertEqual(after.first?.kind, .sethostname)
        XCTAssertTrue(after.contains { $0.kind == .write && $0.target == "/proc/sys/net/ipv4/ip_forward" && $0.data == "1" })
        XCTAssertTrue(after.contains { $0.kind == .mask && $0.target == "/proc/kcore" })
        XCTAssertEqual(after.last?.kind, .remount, "root.readonly is the last step")
        XCTAssertEqual(plan.capabilities?.bounding, 1 << 0 | 1 << 21)
        XCTAssertEqual(plan.capabilities?.effective, 1)
        XCTAssertEqual(plan.newNamespaces, [.pid, .network, .ipc, .uts, .mount])
        XCTAssertTrue(plan.needsFork)
    }

    func testPlanRejectsWhatItCannotDo() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("plan-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rootfs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var spec = DefaultSpec.make(rootless: false)
        spec.linux?.namespaces = [.init(type: "pid")]
        XCTAssertThrowsError(try InitPlan(spec: spec, context: PlanContext(bundle: dir.path))) { error in
            XCTAssertEqual((error as? RuntimeError)?.message, "not supported: a container without a mount namespace")
        }
        spec = DefaultSpec.make(rootless: false)
        spec.linux?.namespaces = [.init(type: "mount")]
        XCTAssertThrowsError(try InitPlan(spec: spec, context: PlanContext(bundle: dir.path))) { error in
            XCTAssertEqual((error as? RuntimeError)?.message, "unable to set hostname without a private UTS namespace")
        }
    }
}
