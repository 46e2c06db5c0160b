import Foundation
@testable import SwdockCgroups
import SwdockOCI
import SwdockTestSupport
import XCTest

/// cgroup v2 against a FIXTURE directory laid out as a cgroup2 mount: this host's v2 mount
/// (/sys/fs/cgroup/unified, hybrid) has no controllers, so the v2 manager cannot be run for
/// real here. The fixture holds what the kernel would create (interface files in every
/// directory); the tests check what the manager writes into them and how it reads them.
final class CgroupV2FixtureTests: XCTestCase {
    var root: URL!
    let leaf = "/swdock.slice/c1"

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("swdock-cgroup2-fixture-\(UUID().uuidString)")
        let dir = root!
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let controllers = "cpuset cpu io memory hugetlb pids rdma misc"
        try layOut("", [
            "cgroup.controllers": controllers, "cgroup.subtree_control": "", "cgroup.procs": "1\n",
        ])
        try layOut("/swdock.slice", [
            "cgroup.controllers": controllers, "cgroup.subtree_control": "", "cgroup.procs": "", "cgroup.type": "domain",
        ])
        try layOut(leaf, [
            "cgroup.controllers": controllers, "cgroup.subtree_control": "", "cgroup.type": "domain",
            "cgroup.procs": "", "cgroup.freeze": "0", "cgroup.events": "populated 1\nfrozen 0\n",
            "memory.max": "max", "memory.low": "0", "memory.swap.max": "max", "memory.current": "4096000",
            "memory.peak": "8192000", "memory.swap.current": "0",
            "memory.stat": "anon 1000000\nfile 2000000\nkernel 300000\nshmem 0\n",
            "memory.events": "low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\n",
            "cpu.max": "max 100000", "cpu.weight": "100", "cpu.max.burst": "0", "cpu.idle": "0",
            "cpu.stat": "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\nnr_throttled 3\nthrottled_usec 250\n",
            "cpuset.cpus": "", "cpuset.mems": "",
            "pids.max": "max", "pids.current": "3",
            "io.weight": "default 100", "io.max": "", "io.stat": "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n",
            "hugetlb.2MB.max": "max", "hugetlb.2MB.current": "0", "hugetlb.2MB.events": "max 0\n",
            "memory.high": "max",
        ])
    }

    func layOut(_ dir: String, _ files: [String: String]) throws {
        let url = root.appendingPathComponent(String(dir.dropFirst()))
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, content) in files { try content.write(to: url.appendingPathComponent(name), atomically: false, encoding: .utf8) }
    }

    func file(_ name: String, in dir: String? = nil) throws -> String {
        try readCgroupFile(root.path + (dir ?? leaf) + "/" + name)
    }

    func manager() throws -> any CgroupManager {
        try Cgroups.manager(cgroupsPath: leaf, containerID: "c1", mountRoot: root.path, version: .v2)
    }

    func testCreateEnablesControllersUpTheTreeAndWritesLimits() throws {
        var r = RuntimeSpec.Resources()
        var memory = RuntimeSpec.Memory()
        memory.limit = 64 << 20
        memory.swap = 96 << 20
        memory.reservation = 16 << 20
        r.memory = memory
        var cpu = RuntimeSpec.CPU()
        cpu.shares = 1024
        cpu.quota = 50_000
        cpu.period = 100_000
        cpu.cpus = "0-1"
        cpu.mems = "0"
        r.cpu = cpu
        r.pids = RuntimeSpec.Pids(limit: 64)
        var io = RuntimeSpec.BlockIO()
        io.weight = 500
        io.throttleReadBpsDevice = [RuntimeSpec.ThrottleDevice(major: 254, minor: 0, rate: 1 << 20)]
        r.blockIO = io
        r.hugepageLimits = [RuntimeSpec.HugepageLimit(pageSize: "2MB", limit: 4 << 21)]
        r.unified = ["memory.high": "50000000"]
        r.devices = [RuntimeSpec.DeviceCgroup(allow: true, access: "rwm")]

        let m = try manager()
        XCTAssertEqual(m.version, .v2)
        XCTAssertEqual(m.path, leaf)
        XCTAssertEqual(m.directories, ["": root.path + leaf])
        try m.create(resources: r)

        let enable = "+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc"
        XCTAssertEqual(try file("cgroup.subtree_control", in: ""), enable)
        XCTAssertEqual(try file("cgroup.subtree_control", in: "/swdock.slice"), enable)
        XCTAssertEqual(try file("cgroup.subtree_control"), "", "the leaf holds processes: no controllers for children")
        XCTAssertEqual(try file("memory.max"), "\(64 << 20)")
        XCTAssertEqual(try file("memory.swap.max"), "\(32 << 20)", "OCI swap is memory+swap; v2 limits swap alone")
        XCTAssertEqual(try file("memory.low"), "\(16 << 20)")
        XCTAssertEqual(try file("cpu.weight"), "39", "runc's 1 + ((1024-2)*9999)/262142")
        XCTAssertEqual(try file("cpu.max"), "50000 100000")
        XCTAssertEqual(try file("cpuset.cpus"), "0-1")
        XCTAssertEqual(try file("cpuset.mems"), "0")
        XCTAssertEqual(try file("pids.max"), "64")
        XCTAssertEqual(try file("io.weight"), "\(1 + (500 - 10) * 9999 / 990)")
        XCTAssertEqual(try file("io.max"), "254:0 rbps=1048576")
        XCTAssertEqual(try file("hugetlb.2MB.max"), "\(4 << 21)")
        XCTAssertEqual(try file("memory.high"), "50000000", "unified keys are written as-is")
    }

    func testConversionsMatchRunc() {
        XCTAssertEqual(CgroupV2Manager.cpuWeight(shares: 2), 1)
        XCTAssertEqual(CgroupV2Manager.cpuWeight(shares: 1024), 39)
        XCTAssertEqual(CgroupV2Manager.cpuWeight(shares: 262144), 10000)
        XCTAssertEqual(CgroupV2Manager.cpuWeight(shares: 0), 0)
        XCTAssertEqual(CgroupV2Manager.ioWeight(blkioWeight: 10), 1)
        XCTAssertEqual(CgroupV2Manager.ioWeight(blkioWeight: 1000), 10000)
        XCTAssertEqual(try CgroupV2Manager.swapMax(swap: 0, limit: -1), -1)
        XCTAssertEqual(try CgroupV2Manager.swapMax(swap: 200, limit: 100), 100)
        XCTAssertEqual(try CgroupV2Manager.swapMax(swap: 100, limit: 100), 0)
        XCTAssertThrowsError(try CgroupV2Manager.swapMax(swap: 50, limit: 100))
        XCTAssertThrowsError(try CgroupV2Manager.swapMax(swap: 50, limit: 0))
    }

    func testUnsupportedOnV2() throws {
        let m = try manager()
        try m.create(resources: nil)
        func error(_ configure: (inout RuntimeSpec.Resources) -> Void) -> CgroupError? {
            var r = RuntimeSpec.Resources()
            configure(&r)
            do { try m.update(resources: r); return nil } catch { return error }
        }
        let devices = error {
            $0.devices = [RuntimeSpec.DeviceCgroup(allow: false, access: "rwm"),
                          RuntimeSpec.DeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rwm")]
        }
        XCTAssertEqual(devices?.description, "cgroup: not supported: device cgroup rules on cgroup v2 (needs eBPF)")
        var rt = RuntimeSpec.CPU()
        rt.realtimeRuntime = 1000
        XCTAssertEqual(error { $0.cpu = rt }?.code, .notSupported)
        var swappiness = RuntimeSpec.Memory()
        swappiness.swappiness = 10
        XCTAssertEqual(error { $0.memory = swappiness }?.code, .notSupported)
        let missing = error { $0.unified = ["rdma.max": "mlx4_0 hca_handle=2"] }
        XCTAssertEqual(missing?.code, .notSupported, "an interface file the fixture lacks: controller not enabled")
        XCTAssertEqual(error { $0.unified = ["../escape": "1"] }?.code, .invalidArgument)
    }

    func testProcessesFreezeAndStatsFromTheFiles() throws {
        let m = try manager()
        try m.create(resources: nil)
        try m.addProcess(4242)
        XCTAssertEqual(try file("cgroup.procs"), "4242")
        XCTAssertEqual(try m.processes(), [4242])

        // The kernel reports "frozen 1" in cgroup.events once tasks stop; the fixture plays it.
        try "populated 1\nfrozen 1\n".write(toFile: root.path + leaf + "/cgroup.events", atomically: false, encoding: .utf8)
        try m.freeze()
        XCTAssertEqual(try file("cgroup.freeze"), "1")
        XCTAssertTrue(try m.isFrozen())
        try "populated 1\nfrozen 0\n".write(toFile: root.path + leaf + "/cgroup.events", atomically: false, encoding: .utf8)
        try m.thaw()
        XCTAssertEqual(try file("cgroup.freeze"), "0")
        XCTAssertFalse(try m.isFrozen())

        let stats = try m.stats()
        XCTAssertEqual(stats.cpu.totalUsage, 1_500_000)
        XCTAssertEqual(stats.cpu.userUsage, 1_000_000)
        XCTAssertEqual(stats.cpu.systemUsage, 500_000)
        XCTAssertEqual(stats.cpu.throttledPeriods, 3)
        XCTAssertEqual(stats.cpu.throttledTime, 250_000)
        XCTAssertEqual(stats.memory.usage.usage, 4_096_000)
        XCTAssertEqual(stats.memory.usage.maxUsage, 8_192_000)
        XCTAssertNil(stats.memory.usage.limit)
        XCTAssertEqual(stats.memory.rss, 1_000_000)
        XCTAssertEqual(stats.memory.cache, 2_000_000)
        XCTAssertEqual(stats.memory.oomKills, 1)
        XCTAssertEqual(stats.memory.oomEvents, 2)
        XCTAssertEqual(stats.memory.limitHits, 7)
        XCTAssertEqual(stats.pids.current, 3)
        XCTAssertNil(stats.pids.limit)
        XCTAssertEqual(stats.blockIO.serviceBytes, [
            CgroupStats.BlockIOEntry(major: 254, minor: 0, op: "Read", value: 4096),
            CgroupStats.BlockIOEntry(major: 254, minor: 0, op: "Write", value: 8192),
            CgroupStats.BlockIOEntry(major: 254, minor: 0, op: "Discard", value: 0)])
        XCTAssertEqual(stats.blockIO.serviced.first, CgroupStats.BlockIOEntry(major: 254, minor: 0, op: "Read", value: 1))
        XCTAssertEqual(stats.hugetlb["2MB"], CgroupStats.Hugetlb())

        try FileManager.default.removeItem(atPath: root.path + leaf + "/cgroup.procs")
        // The fixture's leaf holds regular files; on cgroupfs rmdir removes the directory with them.
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path + leaf) {
            try FileManager.default.removeItem(atPath: root.path + leaf + "/" + name)
        }
        try m.destroy()
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path + leaf))
        XCTAssertNoThrow(try m.destroy())
    }

    func testRelativePathIsBelowTheParentOfTheCallersCgroup() {
        XCTAssertEqual(Cgroups.ownCgroupV2(procSelfCgroup: "0::/user.slice/user-0.slice/session-1.scope\n"),
                       "/user.slice/user-0.slice/session-1.scope")
        XCTAssertEqual(Cgroups.parentDirectory("/user.slice/user-0.slice/session-1.scope"), "/user.slice/user-0.slice")
        XCTAssertEqual(Cgroups.parentDirectory("/init.scope"), "/")
    }
}
