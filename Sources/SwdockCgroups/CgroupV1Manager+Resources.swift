#if canImport(Glibc)
import Glibc
#endif
import SwdockOCI
import SwdockOS

/// Writing `linux.resources` into the v1 controller files, in runc's order and with its
/// ordering rules (memory vs memsw, cfs period vs quota, rt period vs runtime).
extension CgroupV1Manager {
    func apply(_ r: RuntimeSpec.Resources) throws(CgroupError) {
        if let unified = r.unified, !unified.isEmpty {
            throw CgroupError(.notSupported, "linux.resources.unified (\(unified.keys.sorted().joined(separator: ", "))) on a cgroup v1 host")
        }
        if let cpu = r.cpu, cpu.cpus?.isEmpty == false || cpu.mems?.isEmpty == false {
            try applyCpuset(cpu)
        }
        if let devices = r.devices { try applyDevices(devices) }
        if let memory = r.memory { try applyMemory(memory) }
        if let cpu = r.cpu { try applyCPU(cpu) }
        if let pids = r.pids {
            let dir = try directory("pids", for: "pids limit")
            try CgroupFile.write(dir + "/pids.max", pids.limit > 0 ? String(pids.limit) : "max")
        }
        if let blockIO = r.blockIO { try applyBlockIO(blockIO) }
        if let hugepages = r.hugepageLimits, !hugepages.isEmpty {
            let dir = try directory("hugetlb", for: "hugepage limits")
            for limit in hugepages {
                let file = dir + "/hugetlb.\(limit.pageSize).limit_in_bytes"
                guard CgroupFile.exists(file) else {
                    throw CgroupError(.notSupported, "hugepage size \(limit.pageSize): \(file) does not exist")
                }
                try CgroupFile.write(file, String(limit.limit))
            }
        }
        if let network = r.network { try applyNetwork(network) }
        if let rdma = r.rdma, !rdma.isEmpty {
            let dir = try directory("rdma", for: "rdma limits")
            for (device, limit) in rdma.sorted(by: { $0.key < $1.key }) {
                var line = device
                if let handles = limit.hcaHandles { line += " hca_handle=\(handles)" }
                if let objects = limit.hcaObjects { line += " hca_object=\(objects)" }
                try CgroupFile.write(dir + "/rdma.max", line)
            }
        }
    }

    func applyCpuset(_ cpu: RuntimeSpec.CPU) throws(CgroupError) {
        let dir = try directory("cpuset", for: "cpuset cpus/mems")
        if let cpus = cpu.cpus, !cpus.isEmpty { try CgroupFile.write(dir + "/cpuset.cpus", cpus) }
        if let mems = cpu.mems, !mems.isEmpty { try CgroupFile.write(dir + "/cpuset.mems", mems) }
    }

    func applyDevices(_ rules: [RuntimeSpec.DeviceCgroup]) throws(CgroupError) {
        let dir = try directory("devices", for: "device cgroup rules")
        let target = try DeviceCgroupState.from(rules)
        let current = DeviceCgroupState.parse(list: try CgroupFile.read(dir + "/devices.list"))
        for write in target.writes(from: current) {
            try CgroupFile.write(dir + "/" + write.file, write.rule)
        }
    }

    func applyMemory(_ m: RuntimeSpec.Memory) throws(CgroupError) {
        let dir = try directory("memory", for: "memory limits")
        let limitFile = dir + "/memory.limit_in_bytes"
        let swapFile = dir + "/memory.memsw.limit_in_bytes"
        let limit = m.limit ?? 0
        var swap = m.swap ?? 0
        // "Unlimited memory" with no swap setting means unlimited swap too, where swap is accounted.
        if limit == -1 && swap == 0 && CgroupFile.exists(swapFile) { swap = -1 }

        func setLimit() throws(CgroupError) {
            guard limit != 0 else { return }
            do {
                try CgroupFile.write(limitFile, String(limit))
            } catch where error.cause?.errno == EBUSY {
                let usage = (try? CgroupFile.readValue(dir + "/memory.usage_in_bytes")) ?? "?"
                let peak = (try? CgroupFile.readValue(dir + "/memory.max_usage_in_bytes")) ?? "?"
                throw CgroupError(.invalidArgument,
                                  "unable to set memory limit to \(limit) (current usage: \(usage), peak usage: \(peak))",
                                  cause: error.cause)
            }
        }
        func setSwap() throws(CgroupError) {
            guard swap != 0 else { return }
            guard CgroupFile.exists(swapFile) else {
                if swap == -1 { return }
                throw CgroupError(.notSupported, "memory+swap limit: \(swapFile) does not exist (swap accounting is off in this kernel)")
            }
            try CgroupFile.write(swapFile, String(swap))
        }
        // memsw must stay >= the memory limit at every step: raise memsw first when growing.
        if limit != 0 && swap != 0 {
            let current = try CgroupFile.readNumber(limitFile) ?? UInt64.max
            if swap == -1 || current < UInt64(swap) {
                try setSwap()
                try setLimit()
            } else {
                try setLimit()
                try setSwap()
            }
        } else {
            try setLimit()
            try setSwap()
        }

        if let kernel = m.kernel, kernel != 0 {
            try writeLimitAndVerify(dir + "/memory.kmem.limit_in_bytes", kernel, what: "kernel memory limit")
        }
        if let kernelTCP = m.kernelTCP, kernelTCP != 0 {
            try writeLimitAndVerify(dir + "/memory.kmem.tcp.limit_in_bytes", kernelTCP, what: "kernel TCP memory limit")
        }
        if let reservation = m.reservation, reservation != 0 {
            try CgroupFile.write(dir + "/memory.soft_limit_in_bytes", String(reservation))
        }
        if m.disableOOMKiller == true {
            try CgroupFile.write(dir + "/memory.oom_control", "1")
        }
        // -1 arrives as UInt64.max from a Go-written spec: "leave as is".
        if let swappiness = m.swappiness, swappiness != UInt64.max {
            guard swappiness <= 100 else {
                throw CgroupError(.invalidArgument, "invalid memory swappiness value: \(swappiness) (valid range is 0-100)")
            }
            try CgroupFile.write(dir + "/memory.swappiness", String(swappiness))
        }
        if let hierarchy = m.useHierarchy {
            let file = dir + "/memory.use_hierarchy"
            if try CgroupFile.readValue(file) != (hierarchy ? "1" : "0") {
                try CgroupFile.write(file, hierarchy ? "1" : "0")
            }
        }
    }

    func applyCPU(_ cpu: RuntimeSpec.CPU) throws(CgroupError) {
        let needsCPU = cpu.shares != nil || cpu.quota != nil || cpu.period != nil || cpu.burst != nil
            || cpu.idle != nil || cpu.realtimePeriod != nil || cpu.realtimeRuntime != nil
        guard needsCPU else { return }
        let dir = try directory("cpu", for: "cpu limits")
        if let shares = cpu.shares, shares != 0 {
            try CgroupFile.write(dir + "/cpu.shares", String(shares))
            // The kernel clamps shares silently; say so as runc does.
            let read = try CgroupFile.readNumber(dir + "/cpu.shares") ?? 0
            if shares > read { throw CgroupError(.invalidArgument, "the maximum allowed cpu-shares is \(read)") }
            if shares < read { throw CgroupError(.invalidArgument, "the minimum allowed cpu-shares is \(read)") }
        }
        let quota = cpu.quota ?? 0
        var pendingPeriod: String?
        if let period = cpu.period, period != 0 {
            do {
                try CgroupFile.write(dir + "/cpu.cfs_period_us", String(period))
            } catch where error.cause?.errno == EINVAL && quota != 0 {
                // A shorter period can exceed the parent's quota with the old quota; retry after it.
                pendingPeriod = String(period)
            }
        }
        var pendingBurst: String?
        if let burst = cpu.burst {
            try requireFile(dir + "/cpu.cfs_burst_us", what: "cpu burst")
            do {
                try CgroupFile.write(dir + "/cpu.cfs_burst_us", String(burst))
            } catch where error.cause?.errno == EINVAL && quota != 0 {
                pendingBurst = String(burst)
            }
        }
        if quota != 0 {
            try CgroupFile.write(dir + "/cpu.cfs_quota_us", String(quota))
            if let pendingPeriod { try CgroupFile.write(dir + "/cpu.cfs_period_us", pendingPeriod) }
            if let pendingBurst { try CgroupFile.write(dir + "/cpu.cfs_burst_us", pendingBurst) }
        }
        if let idle = cpu.idle {
            try writeIfPresent(dir + "/cpu.idle", String(idle), what: "cpu idle")
        }
        try applyRealtime(cpu, dir: dir)
    }

    /// rt_period_us and rt_runtime_us are checked against each other: when the period write
    /// fails, write the runtime first and the period again (runc's order).
    func applyRealtime(_ cpu: RuntimeSpec.CPU, dir: String) throws(CgroupError) {
        let periodFile = dir + "/cpu.rt_period_us", runtimeFile = dir + "/cpu.rt_runtime_us"
        var retryPeriod: String?
        if let period = cpu.realtimePeriod, period != 0 {
            try requireFile(periodFile, what: "cpu realtime period (kernel without CONFIG_RT_GROUP_SCHED)")
            do { try CgroupFile.write(periodFile, String(period)) } catch { retryPeriod = String(period) }
        }
        if let runtime = cpu.realtimeRuntime, runtime != 0 {
            try requireFile(runtimeFile, what: "cpu realtime runtime (kernel without CONFIG_RT_GROUP_SCHED)")
            try CgroupFile.write(runtimeFile, String(runtime))
        }
        if let retryPeriod { try CgroupFile.write(periodFile, retryPeriod) }
    }

    func applyBlockIO(_ b: RuntimeSpec.BlockIO) throws(CgroupError) {
        let dir = try directory("blkio", for: "block I/O limits")
        // CFQ names its files blkio.weight*, BFQ blkio.bfq.weight*.
        let bfq = CgroupFile.exists(dir + "/blkio.bfq.weight")
        let weightFile = dir + (bfq ? "/blkio.bfq.weight" : "/blkio.weight")
        let weightDeviceFile = dir + (bfq ? "/blkio.bfq.weight_device" : "/blkio.weight_device")
        if let weight = b.weight, weight != 0 {
            try requireFile(weightFile, what: "blkio weight (neither blkio.weight nor blkio.bfq.weight exists: no CFQ/BFQ scheduler)")
            try CgroupFile.write(weightFile, String(weight))
        }
        if let leaf = b.leafWeight, leaf != 0 {
            try requireFile(dir + "/blkio.leaf_weight", what: "blkio leaf weight (needs the CFQ scheduler)")
            try CgroupFile.write(dir + "/blkio.leaf_weight", String(leaf))
        }
        for device in b.weightDevice ?? [] {
            if let weight = device.weight, weight != 0 {
                try requireFile(weightDeviceFile, what: "blkio weight_device (no CFQ/BFQ scheduler)")
                try CgroupFile.write(weightDeviceFile, "\(device.major):\(device.minor) \(weight)")
            }
            if let leaf = device.leafWeight, leaf != 0 {
                try requireFile(dir + "/blkio.leaf_weight_device", what: "blkio leaf_weight_device (needs the CFQ scheduler)")
                try CgroupFile.write(dir + "/blkio.leaf_weight_device", "\(device.major):\(device.minor) \(leaf)")
            }
        }
        let throttles: [(String, [RuntimeSpec.ThrottleDevice]?)] = [
            ("blkio.throttle.read_bps_device", b.throttleReadBpsDevice),
            ("blkio.throttle.write_bps_device", b.throttleWriteBpsDevice),
            ("blkio.throttle.read_iops_device", b.throttleReadIOPSDevice),
            ("blkio.throttle.write_iops_device", b.throttleWriteIOPSDevice),
        ]
        for (file, devices) in throttles {
            for device in devices ?? [] {
                try requireFile(dir + "/" + file, what: "blkio throttling (kernel without CONFIG_BLK_DEV_THROTTLING)")
                try CgroupFile.write(dir + "/" + file, "\(device.major):\(device.minor) \(device.rate)")
            }
        }
    }

    func applyNetwork(_ network: RuntimeSpec.Network) throws(CgroupError) {
        if let classID = network.classID {
            let dir = try directory("net_cls", for: "network classID")
            try CgroupFile.write(dir + "/net_cls.classid", String(classID))
        }
        if let priorities = network.priorities, !priorities.isEmpty {
            let dir = try directory("net_prio", for: "network priorities")
            for priority in priorities {
                try CgroupFile.write(dir + "/net_prio.ifpriomap", "\(priority.name) \(priority.priority)")
            }
        }
    }

    func requireFile(_ file: String, what: String) throws(CgroupError) {
        guard CgroupFile.exists(file) else {
            throw CgroupError(.notSupported, "\(what): \(file) does not exist")
        }
    }

    /// Writes a byte limit and reads it back: newer kernels keep memory.kmem.limit_in_bytes but
    /// ignore writes to it, and a limit that silently does nothing must not pass as applied.
    func writeLimitAndVerify(_ file: String, _ limit: Int64, what: String) throws(CgroupError) {
        try writeIfPresent(file, String(limit), what: what)
        guard limit > 0, let applied = try CgroupFile.readNumber(file) else { return }
        if applied >= 0x7FFF_FFFF_FFFF_F000 && UInt64(limit) < 0x7FFF_FFFF_FFFF_F000 {
            throw CgroupError(.notSupported, "\(what): this kernel accepts but ignores writes to \(file)")
        }
    }

    func writeIfPresent(_ file: String, _ value: String, what: String) throws(CgroupError) {
        try requireFile(file, what: what)
        try CgroupFile.write(file, value)
    }
}
