import Foundation
@testable import SwdockCgroups
import SwdockOCI
import SwdockTestSupport
import XCTest

/// Real cgroup v1 on this host (root): every test makes its own uniquely named cgroup under
/// each mounted controller and removes it at teardown.
final class CgroupV1ManagerTests: XCTestCase {
    typealias Resources = RuntimeSpec.Resources

    override func setUpWithError() throws {
        let mountinfo = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        if CgroupVersion.detect(mountinfo: mountinfo) != .v1 {
            try TestEnvironment.missing("this host does not run cgroup v1")
        }
    }

    func testCreateMakesADirectoryInEveryMountedControllerAndDestroyRemovesThem() throws {
        let manager = try makeTestCgroup()
        XCTAssertEqual(manager.version, .v1)
        for controller in ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"] {
            let dir = try XCTUnwrap(manager.directories[controller], controller)
            XCTAssertEqual(dir, "/sys/fs/cgroup/\(controller == "name=systemd" ? "systemd" : controller)\(manager.path)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/cgroup.procs"), dir)
        }
        // cpuset inherits the parent's sets, or no task could join.
        XCTAssertEqual(try readCgroupFile(manager.directories["cpuset"]! + "/cpuset.cpus"),
                       try readCgroupFile("/sys/fs/cgroup/cpuset/cpuset.cpus"))
        XCTAssertFalse(try readCgroupFile(manager.directories["cpuset"]! + "/cpuset.mems").isEmpty)
        try manager.destroy()
        for dir in manager.directories.values { XCTAssertFalse(FileManager.default.fileExists(atPath: dir), dir) }
        XCTAssertNoThrow(try manager.destroy(), "destroying a removed cgroup is fine")
    }

    func testLimitsAreWrittenToTheControllerFiles() throws {
        var r = Resources()
        var memory = RuntimeSpec.Memory()
        memory.limit = 64 << 20
        memory.reservation = 32 << 20
        memory.swap = 128 << 20
        memory.swappiness = 10
        memory.disableOOMKiller = true
        memory.kernelTCP = 16 << 20
        r.memory = memory
        var cpu = RuntimeSpec.CPU()
        cpu.shares = 512
        cpu.quota = 50_000
        cpu.period = 100_000
        cpu.burst = 1000
        cpu.cpus = "0"
        cpu.mems = "0"
        r.cpu = cpu
        r.pids = RuntimeSpec.Pids(limit: 32)
        var blkio = RuntimeSpec.BlockIO()
        blkio.throttleReadBpsDevice = [RuntimeSpec.ThrottleDevice(major: 254, minor: 0, rate: 1 << 20)]
        blkio.throttleWriteIOPSDevice = [RuntimeSpec.ThrottleDevice(major: 254, minor: 0, rate: 500)]
        r.blockIO = blkio
        // Docker's default device rules: deny all, then the usual allow list.
        r.devices = [
            RuntimeSpec.DeviceCgroup(allow: false, access: "rwm"),
            RuntimeSpec.DeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
            RuntimeSpec.DeviceCgroup(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),
            RuntimeSpec.DeviceCgroup(allow: true, type: "c", major: 136, access: "rwm"),
            RuntimeSpec.DeviceCgroup(allow: true, type: "b", access: "m"),
            RuntimeSpec.DeviceCgroup(allow: true, type: "c", major: 1, minor: 9, access: "r"),
            RuntimeSpec.DeviceCgroup(allow: false, type: "c", major: 1, minor: 5, access: "w"),
        ]
        let manager = try makeTestCgroup(r)
        let mem = manager.directories["memory"]!, cpuDir = manager.directories["cpu"]!
        XCTAssertEqual(try readCgroupFile(mem + "/memory.limit_in_bytes"), "\(64 << 20)")
        XCTAssertEqual(try readCgroupFile(mem + "/memory.soft_limit_in_bytes"), "\(32 << 20)")
        XCTAssertEqual(try readCgroupFile(mem + "/memory.memsw.limit_in_bytes"), "\(128 << 20)")
        XCTAssertEqual(try readCgroupFile(mem + "/memory.swappiness"), "10")
        XCTAssertEqual(try readCgroupFile(mem + "/memory.kmem.tcp.limit_in_bytes"), "\(16 << 20)")
        XCTAssertTrue(try readCgroupFile(mem + "/memory.oom_control").contains("oom_kill_disable 1"))
        XCTAssertEqual(try readCgroupFile(cpuDir + "/cpu.shares"), "512")
        XCTAssertEqual(try readCgroupFile(cpuDir + "/cpu.cfs_quota_us"), "50000")
        XCTAssertEqual(try readCgroupFile(cpuDir + "/cpu.cfs_period_us"), "100000")
        XCTAssertEqual(try readCgroupFile(cpuDir + "/cpu.cfs_burst_us"), "1000")
        XCTAssertEqual(try readCgroupFile(manager.directories["cpuset"]! + "/cpuset.cpus"), "0")
        XCTAssertEqual(try readCgroupFile(manager.directories["cpuset"]! + "/cpuset.mems"), "0")
        XCTAssertEqual(try readCgroupFile(manager.directories["pids"]! + "/pids.max"), "32")
        let blk = manager.directories["blkio"]!
        XCTAssertEqual(try readCgroupFile(blk + "/blkio.throttle.read_bps_device"), "254:0 1048576")
        XCTAssertEqual(try readCgroupFile(blk + "/blkio.throttle.write_iops_device"), "254:0 500")
        XCTAssertEqual(try readCgroupFile(manager.directories["devices"]! + "/devices.list").split(separator: "\n"),
                       ["c 1:3 rwm", "c 1:5 rm", "c 136:* rwm", "b *:* m", "c 1:9 r"])
    }

    func testMemoryAndSwapAreWrittenInTheOrderTheKernelAccepts() throws {
        func memory(_ limit: Int64, _ swap: Int64) -> Resources {
            var r = Resources()
            var m = RuntimeSpec.Memory()
            m.limit = limit
            m.swap = swap
            r.memory = m
            return r
        }
        let manager = try makeTestCgroup(memory(64 << 20, 64 << 20))
        let mem = manager.directories["memory"]!
        // Shrinking: memory first, then memsw (memsw may never be below memory).
        try manager.update(resources: memory(48 << 20, 48 << 20))
        XCTAssertEqual(try readCgroupFile(mem + "/memory.limit_in_bytes"), "\(48 << 20)")
        XCTAssertEqual(try readCgroupFile(mem + "/memory.memsw.limit_in_bytes"), "\(48 << 20)")
        // Growing: memsw first.
        try manager.update(resources: memory(256 << 20, 512 << 20))
        XCTAssertEqual(try readCgroupFile(mem + "/memory.limit_in_bytes"), "\(256 << 20)")
        XCTAssertEqual(try readCgroupFile(mem + "/memory.memsw.limit_in_bytes"), "\(512 << 20)")
        // Unlimited memory with no swap value: both unlimited.
        try manager.update(resources: memory(-1, 0))
        XCTAssertEqual(try readCgroupFile(mem + "/memory.limit_in_bytes"), "9223372036854771712")
        XCTAssertEqual(try readCgroupFile(mem + "/memory.memsw.limit_in_bytes"), "9223372036854771712")
    }

    func testRealtimeSchedulingLimits() throws {
        var r = Resources()
        var cpu = RuntimeSpec.CPU()
        cpu.realtimePeriod = 1_000_000
        cpu.realtimeRuntime = 10_000
        r.cpu = cpu
        let manager = try makeTestCgroup(r)
        XCTAssertEqual(try readCgroupFile(manager.directories["cpu"]! + "/cpu.rt_period_us"), "1000000")
        XCTAssertEqual(try readCgroupFile(manager.directories["cpu"]! + "/cpu.rt_runtime_us"), "10000")
    }

    func testWhatThisHostCannotDoIsNotSupported() throws {
        let manager = try makeTestCgroup()
        func error(_ configure: (inout Resources) -> Void) -> CgroupError? {
            var r = Resources()
            configure(&r)
            do { try manager.update(resources: r); return nil } catch { return error }
        }
        XCTAssertEqual(error { $0.unified = ["memory.high": "1000000"] }?.code, .notSupported, "unified on v1")
        var blkio = RuntimeSpec.BlockIO()
        blkio.weight = 500
        let weight = error { $0.blockIO = blkio }
        if !FileManager.default.fileExists(atPath: manager.directories["blkio"]! + "/blkio.weight"),
           !FileManager.default.fileExists(atPath: manager.directories["blkio"]! + "/blkio.bfq.weight") {
            XCTAssertEqual(weight?.code, .notSupported, "this host's blkio has no weight file")
            XCTAssertTrue(weight?.description.contains("blkio weight") == true)
        } else {
            XCTAssertNil(weight)
        }
        if manager.directories["hugetlb"] == nil {
            let huge = error { $0.hugepageLimits = [RuntimeSpec.HugepageLimit(pageSize: "2MB", limit: 1 << 21)] }
            XCTAssertEqual(huge?.code, .notSupported)
            XCTAssertTrue(huge?.description.contains("hugetlb controller is not mounted") == true, "\(String(describing: huge))")
        }
        var memory = RuntimeSpec.Memory()
        memory.kernel = 64 << 20
        let kmem = error { $0.memory = memory }
        let kmemFile = manager.directories["memory"]! + "/memory.kmem.limit_in_bytes"
        if !FileManager.default.fileExists(atPath: kmemFile) {
            XCTAssertEqual(kmem?.code, .notSupported)
        } else if kmem != nil {
            // This kernel keeps the file but ignores the limit: said, not silently accepted.
            XCTAssertEqual(kmem?.code, .notSupported)
            XCTAssertTrue(kmem?.description.contains("ignores") == true, "\(String(describing: kmem))")
        } else {
            XCTAssertEqual(try readCgroupFile(kmemFile), "\(64 << 20)")
        }
        var swappiness = RuntimeSpec.Memory()
        swappiness.swappiness = 101
        XCTAssertEqual(error { $0.memory = swappiness }?.code, .invalidArgument)
        var shares = RuntimeSpec.CPU()
        shares.shares = 1
        let clamp = error { $0.cpu = shares }
        XCTAssertTrue(clamp?.description.contains("minimum allowed cpu-shares is 2") == true, "\(String(describing: clamp))")
    }

    func testProcessesStatsFreezeAndThawOfARealProcess() throws {
        let manager = try makeTestCgroup()
        // v1 charges memory where it was allocated (no move_charge_at_immigrate), so the loop grows
        // a variable to 256 KiB only after 50 000 turns, once it is in the cgroup; no forks, so the
        // cgroup holds exactly one process.
        let loop = "i=0; s=x; while :; do i=$((i+1)); [ $i -gt 50000 ] && [ ${#s} -lt 262144 ] && s=$s$s; done"
        let busy = try TestProcess(["/bin/busybox", "sh", "-c", loop])
        defer { busy.kill() }
        try manager.addProcess(busy.pid)
        XCTAssertEqual(try manager.processes(), [busy.pid])
        for dir in Set(manager.directories.values) {
            XCTAssertEqual(try readCgroupFile(dir + "/cgroup.procs"), "\(busy.pid)", dir)
        }
        XCTAssertTrue(try String(contentsOfFile: "/proc/\(busy.pid)/cgroup", encoding: .utf8).contains(":memory:\(manager.path)"))

        XCTAssertTrue(eventually { ((try? manager.stats())?.cpu.totalUsage ?? 0) > 1_000_000 }, "the loop uses CPU")
        XCTAssertTrue(eventually { ((try? manager.stats())?.memory.usage.usage ?? 0) > 0 }, "memory charged in the cgroup")
        let stats = try manager.stats()
        XCTAssertGreaterThan(stats.cpu.totalUsage, 0)
        XCTAssertEqual(stats.cpu.perCPUUsage.reduce(0, +), stats.cpu.totalUsage, accuracy: stats.cpu.totalUsage / 10 + 1_000_000)
        XCTAssertGreaterThan(stats.memory.usage.usage, 0)
        XCTAssertNil(stats.memory.usage.limit, "no limit set")
        XCTAssertFalse(stats.memory.stat.isEmpty)
        XCTAssertNotNil(stats.memory.stat["rss"])
        XCTAssertEqual(stats.pids.current, 1)
        XCTAssertNil(stats.pids.limit)

        XCTAssertFalse(try manager.isFrozen())
        try manager.freeze()
        XCTAssertTrue(try manager.isFrozen())
        XCTAssertEqual(try readCgroupFile(manager.directories["freezer"]! + "/freezer.state"), "FROZEN")
        // A frozen task sleeps in the refrigerator (D), where the loop was running (R).
        XCTAssertEqual(try processState(busy.pid), "D")
        let frozenUsage = try manager.stats().cpu.totalUsage
        usleep(100_000)
        XCTAssertEqual(try manager.stats().cpu.totalUsage, frozenUsage, "no CPU time while frozen")

        try manager.thaw()
        XCTAssertFalse(try manager.isFrozen())
        XCTAssertTrue(eventually { (try? processState(busy.pid)) == "R" }, "the loop runs again")
        XCTAssertTrue(eventually { ((try? manager.stats())?.cpu.totalUsage ?? 0) > frozenUsage })

        // destroy refuses while a process is inside, and works once it is gone.
        XCTAssertThrowsError(try manager.destroy())
        busy.kill()
        XCTAssertTrue(eventually { (try? manager.processes().isEmpty) == true })
        try manager.destroy()
    }

    func testAMemoryHogIsOOMKilledUnderItsLimit() throws {
        var r = Resources()
        var memory = RuntimeSpec.Memory()
        memory.limit = 32 << 20
        memory.swap = 32 << 20
        r.memory = memory
        let manager = try makeTestCgroup(r)
        // The shell waits until it is in the cgroup, then dd fills a 256 MiB buffer from /dev/zero.
        let hog = try TestProcess(["/bin/sh", "-c", "read go; exec dd if=/dev/zero of=/dev/null bs=256M count=1"])
        defer { hog.kill() }
        try manager.addProcess(hog.pid)
        hog.release()
        let exit = hog.waitForExit()
        XCTAssertTrue(exit.signaled, "dd was killed: \(exit)")
        XCTAssertEqual(exit.status, SIGKILL)
        let stats = try manager.stats()
        XCTAssertGreaterThanOrEqual(stats.memory.oomKills, 1)
        XCTAssertEqual(stats.memory.usage.limit, 32 << 20)
        XCTAssertLessThanOrEqual(stats.memory.usage.maxUsage, 32 << 20)
    }

    func testAForkBombStopsAtPidsMax() throws {
        var r = Resources()
        r.pids = RuntimeSpec.Pids(limit: 16)
        becomeChildSubreaper()
        // Only for this test: the whole suite runs in this process, and a subreaper test process
        // would adopt (and never reap) every shim and container that other tests orphan.
        defer { endChildSubreaper() }
        let manager = try makeTestCgroup(r)
        let bomb = try TestProcess(["/bin/busybox", "sh", "-c",
                                    "read go; i=0; while [ $i -lt 100 ]; do sleep 1000 >/dev/null 2>&1 & i=$((i+1)); done; wait"])
        defer { bomb.kill() }
        try manager.addProcess(bomb.pid)
        bomb.release()
        let exit = bomb.waitForExit()
        XCTAssertNotEqual(exit.status, 0, "the shell fails to fork: \(exit)")
        XCTAssertTrue(exit.stderr.contains("fork"), exit.stderr)
        let stats = try manager.stats()
        XCTAssertEqual(stats.pids.limit, 16)
        XCTAssertLessThanOrEqual(stats.pids.current, 16)
        XCTAssertGreaterThanOrEqual(stats.pids.current, 10, "the sleeps that did fork are still there")
        let events = try readCgroupFile(manager.directories["pids"]! + "/pids.events")
        XCTAssertNotEqual(events, "max 0", "the kernel refused forks at pids.max")
        XCTAssertEqual(try manager.processes().count, Int(stats.pids.current))
    }

    func testDeviceRulesAreEnforced() throws {
        var r = Resources()
        r.devices = [RuntimeSpec.DeviceCgroup(allow: false, access: "rwm"),
                     RuntimeSpec.DeviceCgroup(allow: true, type: "c", major: 1, minor: 3, access: "rw")]
        let manager = try makeTestCgroup(r)
        let shell = try TestProcess(["/bin/sh", "-c", "read go; echo x > /dev/null || exit 10; head -c 1 /dev/zero >/dev/null 2>&1 && exit 11; exit 0"])
        defer { shell.kill() }
        try manager.addProcess(shell.pid)
        shell.release()
        let exit = shell.waitForExit()
        XCTAssertEqual(exit.status, 0, "/dev/null (1:3) writable, /dev/zero (1:5) denied: \(exit)")
        // Update to allow-all: the writes reset the cgroup.
        r.devices = [RuntimeSpec.DeviceCgroup(allow: true, access: "rwm")]
        try manager.update(resources: r)
        XCTAssertEqual(try readCgroupFile(manager.directories["devices"]! + "/devices.list"), "a *:* rwm")
    }

    func testRelativePathsLandBelowTheCallersOwnCgroup() throws {
        try TestEnvironment.requireRoot()
        let id = "swdock-hostlib-rel-\(UUID().uuidString.prefix(8).lowercased())"
        let manager = try Cgroups.manager(cgroupsPath: nil, containerID: id)
        addTeardownBlock { Self.removeTestCgroup(manager) }
        let own = Cgroups.ownCgroupsV1(procSelfCgroup: try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8))
        XCTAssertEqual(manager.directories["memory"], Cgroups.cleanPath("/sys/fs/cgroup/memory" + own["memory"]! + "/" + id))
        XCTAssertEqual(manager.path, Cgroups.cleanPath(own["memory"]! + "/" + id))
        try manager.create(resources: nil)
        XCTAssertTrue(FileManager.default.fileExists(atPath: manager.directories["pids"]! + "/pids.max"))
    }
}
