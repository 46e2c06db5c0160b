@testable import SwdockCgroups
import SwdockOCI
import XCTest

final class CgroupPathAndRuleTests: XCTestCase {
    func testMountinfoGivesEachV1ControllerItsMount() {
        let mountinfo = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            90 80 0:32 /docker/x /mnt/other\\040dir rw - cgroup cgroup rw,memory
            """
        let mounts = CgroupV1Mounts.parse(mountinfo: mountinfo, under: "/sys/fs/cgroup")
        XCTAssertEqual(mounts["cpu"]?.mountPoint, "/sys/fs/cgroup/cpu,cpuacct")
        XCTAssertEqual(mounts["cpuacct"]?.mountPoint, "/sys/fs/cgroup/cpu,cpuacct")
        XCTAssertEqual(mounts["memory"]?.mountPoint, "/sys/fs/cgroup/memory")
        XCTAssertEqual(mounts["name=systemd"]?.mountPoint, "/sys/fs/cgroup/systemd")
        XCTAssertNil(mounts["xattr"])
        XCTAssertEqual(CgroupV1Mounts.parse(mountinfo: mountinfo, under: "/mnt")["memory"],
                       CgroupV1Mounts.Mount(mountPoint: "/mnt/other dir", root: "/docker/x"))

        let own = Cgroups.ownCgroupsV1(procSelfCgroup: "4:memory:/user.slice\n3:cpu,cpuacct:/a\n1:name=systemd:/s\n0::/u\n")
        XCTAssertEqual(own, ["memory": "/user.slice", "cpu": "/a", "cpuacct": "/a", "name=systemd": "/s"])
        let manager = CgroupV1Manager(mounts: mounts, innerPath: "ctr", ownCgroups: own)
        XCTAssertEqual(manager.directories["memory"], "/sys/fs/cgroup/memory/user.slice/ctr")
        XCTAssertEqual(manager.directories["cpu"], "/sys/fs/cgroup/cpu,cpuacct/a/ctr")
        XCTAssertEqual(manager.orderedDirectories.map(\.directory).filter { $0.contains("cpu,cpuacct") }.count, 1,
                       "co-mounted controllers share one directory")
        XCTAssertEqual(manager.path, "/user.slice/ctr")
        let absolute = CgroupV1Manager(mounts: mounts, innerPath: "/docker/abc", ownCgroups: own)
        XCTAssertEqual(absolute.directories["memory"], "/sys/fs/cgroup/memory/docker/abc")
        XCTAssertEqual(absolute.path, "/docker/abc")
    }

    func testCgroupsPathIsCleanedAndDefaultsToTheContainerID() throws {
        XCTAssertEqual(try Cgroups.innerPath(cgroupsPath: nil, containerID: "abc"), "abc")
        XCTAssertEqual(try Cgroups.innerPath(cgroupsPath: "", containerID: "abc"), "abc")
        XCTAssertEqual(try Cgroups.innerPath(cgroupsPath: "/docker//abc/", containerID: "x"), "/docker/abc")
        XCTAssertEqual(try Cgroups.innerPath(cgroupsPath: "/../../etc/x", containerID: "x"), "/etc/x", "never above the root")
        XCTAssertThrowsError(try Cgroups.innerPath(cgroupsPath: "system.slice:docker:abc", containerID: "x")) { error in
            XCTAssertEqual((error as? CgroupError)?.code, .notSupported)
        }
        XCTAssertThrowsError(try Cgroups.innerPath(cgroupsPath: "/", containerID: "x"))
    }

    func testDeviceRulesReplayLikeTheKernel() throws {
        let rules = [
            RuntimeSpec.DeviceCgroup(allow: false, access: "rwm"),
            RuntimeSpec.DeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rw"),
            RuntimeSpec.DeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "m"),
            RuntimeSpec.DeviceCgroup(allow: true, type: "b", major: 8, access: "r"),
            RuntimeSpec.DeviceCgroup(allow: false, type: "b", major: 8, access: "r"),
        ]
        let state = try DeviceCgroupState.from(rules)
        XCTAssertEqual(state, DeviceCgroupState(defaultAllow: false, exceptions: [DeviceRule(type: "c", major: 1, minor: 3, access: "rwm")]))
        XCTAssertEqual(state.writes(from: .allowAll).map(\.rule), ["a *:* rwm", "c 1:3 rwm"])
        XCTAssertEqual(state.writes(from: .allowAll).map(\.file), ["devices.deny", "devices.allow"])
        // From an existing deny-all state only the difference is written.
        let current = DeviceCgroupState.parse(list: "c 1:3 rwm\nc 1:5 rwm\n")
        XCTAssertEqual(state.writes(from: current).map { "\($0.file) \($0.rule)" }, ["devices.deny c 1:5 rwm"])
        XCTAssertTrue(state.writes(from: state).isEmpty)
        XCTAssertEqual(DeviceCgroupState.parse(list: "a *:* rwm\n"), .allowAll)
        XCTAssertEqual(try DeviceCgroupState.from([RuntimeSpec.DeviceCgroup(allow: false, access: "rwm"),
                                                   RuntimeSpec.DeviceCgroup(allow: true, access: "rwm")]), .allowAll)
        XCTAssertThrowsError(try DeviceCgroupState.from([RuntimeSpec.DeviceCgroup(allow: true, type: "x")]))
        XCTAssertThrowsError(try DeviceCgroupState.from([RuntimeSpec.DeviceCgroup(allow: true, type: "c", access: "rwx")]))
    }
}
